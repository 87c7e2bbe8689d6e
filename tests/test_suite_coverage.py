"""The conformance suite and the catalogue agree: no unknown IDs, no MUST or SHOULD without a test."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest

import conformance.suite
from conformance.catalogue import Level, load_catalogue

#: The dialects the suite checks.
SUPPORTED_DIALECTS = ("3", "4")


def _conformance_tests() -> Iterator[tuple[str, object]]:
    for info in pkgutil.iter_modules(conformance.suite.__path__):
        if info.name.startswith("test_"):
            module = importlib.import_module(f"conformance.suite.{info.name}")
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("test_") and function.__module__ == module.__name__:
                    yield f"{info.name}::{name}", function


def _ids(function: object) -> list[str]:
    marks = getattr(function, "pytestmark", [])
    return [str(arg) for mark in marks if mark.name == "requirement" for arg in mark.args]


TESTS = dict(_conformance_tests())


def test_the_suite_has_tests() -> None:
    assert len(TESTS) > 40


@pytest.mark.parametrize("name", sorted(TESTS))
def test_every_conformance_test_names_known_requirements(name: str) -> None:
    ids = _ids(TESTS[name])
    assert ids, f"{name} names no requirement"
    unknown = [rid for rid in ids if rid not in load_catalogue()]
    assert not unknown, f"{name} names requirements that are not in the catalogue: {unknown}"


@pytest.mark.parametrize("name", sorted(TESTS))
def test_every_conformance_test_has_a_normative_docstring(name: str) -> None:
    doc = inspect.getdoc(TESTS[name]) or ""
    assert doc.startswith("An engine "), f"{name}: the docstring must be one normative sentence ('An engine MUST ...')"
    assert any(word in doc for word in ("MUST", "SHOULD", "MAY")), name


@pytest.mark.parametrize("dialect", SUPPORTED_DIALECTS)
def test_every_must_and_should_has_a_test(dialect: str) -> None:
    covered = {rid for function in TESTS.values() for rid in _ids(function)}
    missing = [r.id for r in load_catalogue().for_dialect(dialect) if r.level in (Level.MUST, Level.SHOULD) and r.id not in covered]
    assert not missing, f"requirements of dialect {dialect} without a conformance test: {missing}"
