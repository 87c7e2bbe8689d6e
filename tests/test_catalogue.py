"""The requirement catalogue: in step with the shared catalogue, and strictly validated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conformance.catalogue import GROUPS, Catalogue, CatalogueError, Level, Requirement, load_catalogue, parse_catalogue

SHARED_CATALOGUE = Path(__file__).parents[1].parent / "shared" / "requirements-catalogue.md"
_ROW = re.compile(r"^\|\s*(SNAP-[A-Z]+-\d\d)\s*\|\s*(MUST|SHOULD|MAY)(?:\s*\(v(\d)\))?\s*\|", re.MULTILINE)


def _shared_rows() -> list[tuple[str, str, frozenset[str]]]:
    """(id, level, dialects) of every row of the shared catalogue's tables, in order."""
    text = SHARED_CATALOGUE.read_text(encoding="utf-8")
    return [(rid, level, frozenset({only}) if only else frozenset({"3", "4"})) for rid, level, only in _ROW.findall(text)]


@pytest.mark.skipif(not SHARED_CATALOGUE.is_file(), reason=f"the shared catalogue is not beside the checkout ({SHARED_CATALOGUE})")
def test_ids_levels_and_dialects_match_the_shared_catalogue() -> None:
    shared = _shared_rows()
    assert len(shared) > 50, "the shared catalogue's tables were not recognised"
    ours = [(r.id, r.level.value, r.dialects) for r in load_catalogue()]
    assert ours == shared


def test_the_packaged_catalogue_loads_once() -> None:
    catalogue = load_catalogue()
    assert load_catalogue() is catalogue
    assert len(catalogue) == len(set(catalogue.ids))
    assert [r.group for r in catalogue] == sorted((r.group for r in catalogue), key=GROUPS.index)
    for requirement in catalogue:
        # normative in its own words: every text uses an RFC 2119 keyword, and cites a source
        assert re.search(r"\b(MUST|SHOULD|MAY)\b", requirement.text), requirement.id
        assert re.search(r"\b(seed|facts)\b", requirement.source), requirement.id
        assert 0 < len(requirement.title) <= 60, requirement.id


def test_lookup_and_dialects() -> None:
    catalogue = load_catalogue()
    allc06 = catalogue["SNAP-ALLC-06"]
    assert allc06.level is Level.MUST
    assert allc06.dialects == frozenset({"4"})
    assert not allc06.applies_to("3")
    assert allc06.applies_to("4")
    assert "SNAP-ALLC-06" in catalogue
    assert "SNAP-NOPE-01" not in catalogue
    assert catalogue.get("SNAP-NOPE-01") is None
    assert catalogue.get("SNAP-ALLC-06") is allc06
    assert allc06 not in catalogue.for_dialect("3")
    assert catalogue.for_dialect("4") == tuple(catalogue)
    with pytest.raises(KeyError, match="SNAP-NOPE-01"):
        catalogue["SNAP-NOPE-01"]


def test_the_catalogue_is_immutable() -> None:
    catalogue = load_catalogue()
    with pytest.raises(AttributeError):
        catalogue._requirements = ()
    with pytest.raises(AttributeError):
        catalogue["SNAP-REPR-01"].level = Level.MAY  # type: ignore[misc]
    assert isinstance(catalogue.for_dialect("3"), tuple)
    assert isinstance(catalogue.ids, tuple)


def _entry(**overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": "SNAP-REPR-01",
        "level": "MUST",
        "dialects": ["3", "4"],
        "group": "REPR",
        "title": "A title",
        "text": "An engine MUST do it.",
        "source": "seed 15.6.5.1",
    }
    entry.update(overrides)
    return entry


def _yaml(*entries: dict[str, object]) -> str:
    return yaml.safe_dump({"requirements": list(entries)}, sort_keys=False)


def test_parse_a_valid_catalogue() -> None:
    catalogue = parse_catalogue(_yaml(_entry(), _entry(id="SNAP-REPR-02", level="SHOULD", dialects=["4"], text="An engine\n  SHOULD   do it.")))
    assert isinstance(catalogue, Catalogue)
    assert catalogue.ids == ("SNAP-REPR-01", "SNAP-REPR-02")
    assert catalogue["SNAP-REPR-02"] == Requirement(
        id="SNAP-REPR-02", level=Level.SHOULD, dialects=frozenset({"4"}), group="REPR", title="A title", text="An engine SHOULD do it.", source="seed 15.6.5.1"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param("requirements: [\n  - id: x\n", "not valid YAML", id="yaml-syntax"),
        pytest.param("- SNAP-REPR-01\n", "a mapping with a 'requirements' list", id="not-a-mapping"),
        pytest.param("requirements: {}\n", "a mapping with a 'requirements' list", id="requirements-not-a-list"),
        pytest.param("requirements: []\n", "no requirements", id="empty"),
        pytest.param("requirements: [SNAP-REPR-01]\n", "requirement #1: expected a mapping", id="entry-not-a-mapping"),
        pytest.param(_yaml(_entry(), _entry()), "SNAP-REPR-01: duplicate requirement ID", id="duplicate-id"),
        pytest.param(_yaml(_entry(id="SNAP-REPR-1")), "SNAP-REPR-1: the ID must match", id="id-one-digit"),
        pytest.param(_yaml(_entry(id="snap-repr-01")), "the ID must match", id="id-lower-case"),
        pytest.param(_yaml(_entry(id="SNAP-REPR-01 ")), "the ID must match", id="id-trailing-blank"),
        pytest.param(_yaml(_entry(level="REQUIRED")), "unknown level 'REQUIRED'", id="unknown-level"),
        pytest.param(_yaml(_entry(level="MUST (v4)")), "unknown level", id="level-with-dialect"),
        pytest.param(_yaml(_entry(dialects=["5"])), "unknown dialect '5'", id="unknown-dialect"),
        pytest.param(_yaml(_entry(dialects=[3, 4])), "unknown dialect 3; expected quoted", id="dialect-not-quoted"),
        pytest.param(_yaml(_entry(dialects=[])), "'dialects' must be a non-empty list", id="no-dialects"),
        pytest.param(_yaml(_entry(dialects="3")), "'dialects' must be a non-empty list", id="dialects-not-a-list"),
        pytest.param(_yaml(_entry(dialects=["3", "3"])), "lists a version twice", id="dialect-twice"),
        pytest.param(_yaml(_entry(group="REP")), "unknown group 'REP'", id="unknown-group"),
        pytest.param(_yaml(_entry(group="JSON")), "the ID's group 'REPR' differs from its group field 'JSON'", id="group-mismatch"),
        pytest.param(_yaml(_entry(text="   ")), "'text' must be a non-empty string", id="blank-text"),
        pytest.param(_yaml(_entry(source="")), "'source' must be a non-empty string", id="empty-source"),
        pytest.param(_yaml(_entry(title=None)), "'title' must be a non-empty string", id="null-title"),
        pytest.param(_yaml({k: v for k, v in _entry().items() if k != "source"}), "SNAP-REPR-01: missing field(s) source", id="missing-field"),
        pytest.param(_yaml(_entry(sorce="x")), "unknown field(s) sorce", id="misspelt-field"),
        pytest.param(_yaml(_entry(id="SNAP-REPR-02"), _entry()), "SNAP-REPR-01: out of order (after SNAP-REPR-02)", id="ids-out-of-order"),
        pytest.param(_yaml(_entry(id="SNAP-JSON-01", group="JSON"), _entry()), "SNAP-REPR-01: out of order (after SNAP-JSON-01)", id="groups-out-of-order"),
    ],
)
def test_a_broken_catalogue_is_refused_with_a_clear_message(document: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(message)):
        parse_catalogue(document)
