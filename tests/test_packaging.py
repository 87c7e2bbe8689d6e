"""The wheel carries specs/ and fixtures/ and works from another directory."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_directory_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "conformance").rglob("__init__.py")}
    assert found - listed == set(), "packages missing from [tool.setuptools] packages"
    assert {"conformance.specs", "conformance.fixtures"} <= listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("*.whl")
    return built


def test_wheel_ships_specs_fixtures_and_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("conformance/specs/requirements.yaml", "conformance/specs/v3/snapshot.xsd", "conformance/fixtures/engine-state.yaml"):
        assert required in names, required
    assert any(n.startswith("conformance/reports/templates/") for n in names)
    assert any(n.startswith("conformance/fixtures/documents/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "snapshot-conformance = conformance.cli:main" in text
    assert "conformance.plugin.plugin" in text


def test_installed_wheel_reads_its_data_from_elsewhere(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        "import conformance, conformance.resources as r, conformance.catalogue as c;"
        "print(conformance.__file__);"
        "print(len(c.load_catalogue().ids));"
        "print(len(r.read_fixture('engine-state.yaml')) > 0)"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=elsewhere, env={"PYTHONPATH": str(target)}, capture_output=True, text=True, check=True)
    where, count, has_state = result.stdout.split()
    assert where.startswith(str(target))
    assert int(count) > 50
    assert has_state == "True"
