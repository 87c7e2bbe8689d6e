"""Certification bundles: what they hold, and that ``verify`` notices any change to any file."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conformance.catalogue import catalogue_sha256
from conformance.cli import main
from conformance.reports.bundle import BundleError, open_bundle, write_bundle
from conformance.resources import read_spec


@pytest.fixture
def report_dir(tmp_path: Path, doc, write) -> Path:  # type: ignore[no-untyped-def]
    """A report directory as run --api-version both leaves it (its files' contents made up)."""
    root = tmp_path / "reports"
    write(root / "results.json", doc())
    write(root / "invocation.json", {"options": {"engine_url": "https://engine.example/ovirt-engine/api", "password_env": "OVIRT_PASSWORD"}})
    (root / "report.html").write_text("<!DOCTYPE html><title>report</title>")
    (root / "junit.xml").write_text("<testsuites/>")
    (root / "v4").mkdir()
    write(root / "v4" / "results.json", doc(api_version="4"))
    (root / ".results.json.1234.tmp").write_text("half written")  # never bundled
    (root / "old-bundle.zip").write_bytes(b"PK")  # never bundled
    return root


@pytest.fixture
def bundle(report_dir: Path, tmp_path: Path) -> Path:
    return write_bundle(report_dir, tmp_path / "bundle.zip")


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def _rewrite(source: Path, target: Path, change) -> Path:  # type: ignore[no-untyped-def]
    """Copy a zip, member by member, through ``change(name, data) -> data | None`` (None drops it)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", str(path)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_bundle_holds_the_reports_the_catalogue_the_options_and_a_manifest(bundle: Path) -> None:
    names = _names(bundle)
    assert names[0] == "manifest.json"
    assert sorted(names[1:]) == sorted(
        [
            "bundle.json",
            "catalogue/requirements.yaml",
            "reports/invocation.json",
            "reports/junit.xml",
            "reports/report.html",
            "reports/results.json",
            "reports/v4/results.json",
        ]
    )
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        claims = json.loads(archive.read("bundle.json"))
        assert archive.read("catalogue/requirements.yaml") == read_spec("requirements.yaml")
    assert [entry["path"] for entry in manifest["files"]] == sorted(names[1:])
    assert claims["verdict"] == "conformant"
    assert claims["dialects"] == ["3"]
    assert claims["catalogue"]["sha256"] == catalogue_sha256()
    assert claims["options"]["reports/invocation.json"]["engine_url"] == "https://engine.example/ovirt-engine/api"


def test_an_intact_bundle_verifies_and_says_what_it_claims(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(bundle, capsys)
    assert code == 0, out
    assert "OK:" in out
    assert "7 files match the manifest" in out
    assert "verdict:    conformant (exit status 0)" in out
    assert "engine:     oVirt Engine 4.5.4 at https://engine.example/ovirt-engine/api" in out
    assert f"catalogue:  SHA-256 {catalogue_sha256()}" in out


def _members(report_dir: Path, tmp_path: Path) -> list[str]:
    return _names(write_bundle(report_dir, tmp_path / "probe.zip"))


@pytest.mark.parametrize(
    "member",
    [
        "manifest.json",
        "bundle.json",
        "catalogue/requirements.yaml",
        "reports/invocation.json",
        "reports/junit.xml",
        "reports/report.html",
        "reports/results.json",
        "reports/v4/results.json",
    ],
)
def test_an_edit_to_any_file_is_detected(bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], member: str) -> None:
    assert member in _names(bundle)
    # one byte more: a space at the end, which leaves JSON, XML and YAML as valid as before
    tampered = _rewrite(bundle, tmp_path / "tampered.zip", lambda name, data: data + b" " if name == member else data)
    code, out = _verify(tampered, capsys)
    assert code == 1, out
    assert out.startswith("TAMPERED:")
    assert member in out


def test_every_member_is_covered_by_the_parametrization(report_dir: Path, tmp_path: Path) -> None:
    covered = {"manifest.json", "bundle.json", "catalogue/requirements.yaml", "reports/invocation.json", "reports/junit.xml", "reports/report.html"}
    covered |= {"reports/results.json", "reports/v4/results.json"}
    assert set(_members(report_dir, tmp_path)) == covered


def test_a_changed_value_with_the_same_size_is_detected(bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tampered = _rewrite(bundle, tmp_path / "t.zip", lambda name, data: data.replace(b'"passed"', b'"failed"', 1) if name == "reports/results.json" else data)
    code, out = _verify(tampered, capsys)
    assert code == 1
    assert "reports/results.json: edited (SHA-256" in out


def test_an_added_file_is_detected(bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tampered = _rewrite(bundle, tmp_path / "t.zip", lambda name, data: data)
    with zipfile.ZipFile(tampered, "a") as archive:
        archive.writestr("reports/extra-evidence.html", "<p>trust me</p>")
    code, out = _verify(tampered, capsys)
    assert code == 1
    assert "reports/extra-evidence.html: added (not in the manifest)" in out


def test_a_removed_file_is_detected(bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tampered = _rewrite(bundle, tmp_path / "t.zip", lambda name, data: None if name == "reports/junit.xml" else data)
    code, out = _verify(tampered, capsys)
    assert code == 1
    assert "reports/junit.xml: removed" in out


def test_a_consistently_rehashed_edit_still_contradicts_the_claims(bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a signature an editor can recompute the manifest; the claims still disagree."""
    import hashlib

    edited = {}

    def change(name: str, data: bytes) -> bytes:
        if name == "reports/results.json":
            data = data.replace(b'"verdict": "conformant"', b'"verdict": "incomplete"')
            edited[name] = data
        return data

    step = _rewrite(bundle, tmp_path / "step.zip", change)

    def rehash(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        for entry in manifest["files"]:
            if entry["path"] in edited:
                entry.update(sha256=hashlib.sha256(edited[entry["path"]]).hexdigest(), size=len(edited[entry["path"]]))
        return (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()

    code, out = _verify(_rewrite(step, tmp_path / "t.zip", rehash), capsys)
    assert code == 1
    assert "bundle.json: claims verdict 'conformant', the results say 'incomplete'" in out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        pytest.param(b"not a zip at all", "not a readable zip", id="not-a-zip"),
        pytest.param(None, "not a readable zip", id="missing"),
    ],
)
def test_no_bundle_at_all_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, words: str) -> None:
    path = tmp_path / "b.zip"
    if content is not None:
        path.write_bytes(content)
    code, out = _verify(path, capsys)
    assert code == 3
    assert words in out


def test_a_zip_without_a_manifest_exits_3(bundle: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(_rewrite(bundle, tmp_path / "t.zip", lambda name, data: None if name == "manifest.json" else data), capsys)
    assert code == 3
    assert "has no manifest.json" in out


def test_bundle_refuses_a_directory_that_is_no_run(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc, write) -> None:  # type: ignore[no-untyped-def]
    assert main(["bundle", str(tmp_path / "nothing"), "-o", str(tmp_path / "b.zip")]) == 3
    assert "has no results.json" in capsys.readouterr().err
    write(tmp_path / "r" / "results.json", doc())
    assert main(["bundle", str(tmp_path / "r"), "-o", str(tmp_path / "b.zip")]) == 3
    assert "has no invocation.json" in capsys.readouterr().err
    write(tmp_path / "s" / "results.json", doc(catalogue={"sha256": "0" * 64}))
    write(tmp_path / "s" / "invocation.json", {"options": {}})
    with pytest.raises(BundleError, match="judged by another requirement catalogue"):
        write_bundle(tmp_path / "s", tmp_path / "b.zip")
    assert not (tmp_path / "b.zip").exists()


def test_a_bundle_written_inside_its_report_directory_leaves_itself_out(report_dir: Path) -> None:
    inside = write_bundle(report_dir, report_dir / "bundle.zip")
    again = write_bundle(report_dir, report_dir / "bundle.zip")
    assert "reports/bundle.zip" not in _names(again)
    assert inside == again
    with open_bundle(again) as opened:
        assert opened.problems() == []


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("unzip") is None, reason="openssl or unzip is not installed")
def test_the_signing_recipe_of_the_docs_works(bundle: Path, tmp_path: Path) -> None:
    """docs/ci.md: sign the manifest with openssl, verify the signature, then the bundle."""

    def sh(script: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)

    key = sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem && openssl pkey -in key.pem -pubout -out pub.pem")
    assert key.returncode == 0, key.stderr
    extract = "unzip -p bundle.zip manifest.json"
    signed = sh(f"{extract} > manifest.json && openssl dgst -sha256 -sign key.pem -out bundle.zip.sig manifest.json")
    assert signed.returncode == 0, signed.stderr
    checked = sh(f"{extract} | openssl dgst -sha256 -verify pub.pem -signature bundle.zip.sig")
    assert checked.returncode == 0
    assert "Verified OK" in checked.stdout
    # a bundle with a recomputed manifest no longer matches the signature
    _rewrite(bundle, tmp_path / "forged.zip", lambda name, data: data + b"\n" if name == "manifest.json" else data).replace(bundle)
    forged = sh(f"{extract} | openssl dgst -sha256 -verify pub.pem -signature bundle.zip.sig")
    assert forged.returncode != 0
