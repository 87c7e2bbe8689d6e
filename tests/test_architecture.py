"""ARCHITECTURE.md's import rules, enforced: which package may import which."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "conformance"

#: package -> the conformance packages it must never import
FORBIDDEN = {
    "engine": {"suite", "plugin", "checks", "client", "reports", "cli", "calibration"},
    "checks": {"suite", "plugin", "client", "engine", "reports", "cli", "calibration"},
    "reports": {"suite", "plugin", "client", "engine", "checks", "cli", "calibration"},
    "client": {"suite", "plugin", "engine", "checks", "cli", "calibration"},
    "plugin": {"suite", "engine", "cli", "calibration"},
    "suite": {"engine", "cli", "calibration", "offline"},
    "offline": {"engine", "cli", "calibration", "suite"},
    "calibration": {"cli"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name.split(".")[1] for name in found if name.startswith("conformance.") and name.count(".") >= 1}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layering(package: str) -> None:
    offences = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        bad = _imports(path) & FORBIDDEN[package]
        if bad:
            offences.append(f"{path.relative_to(PACKAGE.parent)} imports conformance.{', conformance.'.join(sorted(bad))}")
    assert not offences, "\n".join(offences)
