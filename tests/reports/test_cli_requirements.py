"""``snapshot-conformance requirements``: the catalogue as a table or as JSON."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from conformance.catalogue import load_catalogue
from conformance.cli import requirements


def _invoke(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="snapshot-conformance")
    requirements.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["requirements", *argv])
    out = io.StringIO()
    code = requirements.run(args, stdout=out)
    return code, out.getvalue()


def test_table_lists_every_requirement() -> None:
    code, output = _invoke()
    assert code == 0
    lines = output.splitlines()
    assert lines[0].split() == ["ID", "LEVEL", "DIALECTS", "TITLE"]
    catalogue = load_catalogue()
    assert [line.split()[0] for line in lines[1:-1]] == list(catalogue.ids)
    assert lines[-1] == f"{len(catalogue)} requirements"
    allc06 = next(line for line in lines if line.startswith("SNAP-ALLC-06"))
    assert allc06.split()[:3] == ["SNAP-ALLC-06", "MUST", "4"]
    assert allc06.endswith(catalogue["SNAP-ALLC-06"].title)


def test_table_columns_are_aligned() -> None:
    _, output = _invoke()
    lines = output.splitlines()[:-1]
    title_column = lines[0].index("TITLE")
    level_column = lines[0].index("LEVEL")
    for line in lines[1:]:
        assert line[level_column - 2 : level_column] == "  "
        assert line[title_column - 2 : title_column] == "  "
        assert line[title_column] != " "


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(("--level", "should"), {"SHOULD"}, id="level-case-insensitive"),
        pytest.param(("--level", "MAY", "--level", "SHOULD"), {"MAY", "SHOULD"}, id="levels-repeat"),
    ],
)
def test_level_filter(argv: tuple[str, ...], expected: set[str]) -> None:
    _, output = _invoke(*argv, "--json")
    assert {entry["level"] for entry in json.loads(output)["requirements"]} == expected


def test_group_and_dialect_filters() -> None:
    _, output = _invoke("--group", "allc", "--json")
    assert [entry["id"] for entry in json.loads(output)["requirements"]] == [f"SNAP-ALLC-0{n}" for n in range(1, 7)]
    _, output = _invoke("--group", "ALLC", "--api-version", "3", "--json")
    assert "SNAP-ALLC-06" not in [entry["id"] for entry in json.loads(output)["requirements"]]


def test_json_carries_every_field() -> None:
    code, output = _invoke("--json")
    assert code == 0
    entries = json.loads(output)["requirements"]
    catalogue = load_catalogue()
    assert len(entries) == len(catalogue)
    first = entries[0]
    requirement = catalogue[first["id"]]
    assert first == {
        "id": requirement.id,
        "level": requirement.level.value,
        "dialects": ["3", "4"],
        "group": requirement.group,
        "title": requirement.title,
        "text": requirement.text,
        "source": requirement.source,
    }


def test_unknown_level_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _invoke("--level", "OPTIONAL")
    assert "invalid choice" in capsys.readouterr().err


def test_an_empty_selection_still_prints_the_header() -> None:
    code, output = _invoke("--group", "PRV", "--level", "MUST")
    assert code == 0
    assert output.splitlines()[0].startswith("ID")
    assert output.splitlines()[-1] == "0 requirements"
