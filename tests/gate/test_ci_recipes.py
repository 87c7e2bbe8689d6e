"""The CI recipes of docs/ci/ are parsed and their shell steps run, so they cannot rot.

The engine job of each recipe runs for one matrix entry against a reference engine started
by the tests (its URL and password given as the secrets/variables the recipe reads): the
GitHub one against a sound engine (``github_production`` in conftest.py, which the other
tests reuse), the GitLab one against a faulty engine whose gate fails. A second engine's
artifacts are put beside them; then the merge job runs on both. The install step cannot run
(no package index here): it is checked to install the pinned version of this package.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.engine import EngineHandle


def test_the_recipes_pin_this_version(ci) -> None:  # type: ignore[no-untyped-def]
    assert ci.recipe("github-actions.yml")["env"]["SNAPSHOT_CONFORMANCE_VERSION"] == __version__
    assert ci.recipe("gitlab-ci.yml")["variables"]["SNAPSHOT_CONFORMANCE_VERSION"] == __version__


# --- GitHub Actions ---------------------------------------------------------------------------


@pytest.mark.slow
def test_the_github_workflow_gates_bundles_and_merges(github_production, ci, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workflow = ci.recipe("github-actions.yml")
    assert workflow[True] is not None  # "on:" (YAML 1.1 reads the key as true)
    assert workflow["jobs"]["conformance"]["strategy"]["matrix"]["engine"] == ["production", "staging"]
    assert workflow["jobs"]["fleet-matrix"]["needs"] == "conformance"

    # the production engine's job (run by the fixture): the gate passed, everything kept
    assert github_production.code == 0, github_production.log
    ran = [name for name, _, output in github_production.log if not output.startswith("skipped")]
    assert "Check the engine, gated on its last accepted run" in ran
    assert "Keep the reports and the bundle" in ran
    reports = github_production.reports
    expected = {"results.json", "index.html", "invocation.json", "bundle.zip", "diff.md", "diff.html", "v3", "v4"}
    assert expected <= {path.name for path in reports.iterdir()}
    assert json.loads((reports / "invocation.json").read_text())["command"]["options"]["baseline"] == "conformance/baselines/production.json"
    assert github_production.summary.read_text().startswith("## snapshot-conformance: no regression (")

    # the staging engine's job, as another runner left it: its results only (it did not finish)
    store = github_production.store
    staging = store / "conformance-staging"
    if not staging.exists():
        shutil.copytree(reports / "v3", staging)

    merge_workspace = tmp_path / "merge"
    merge_workspace.mkdir()
    job = ci.GitHubJob(workflow, "fleet-matrix", matrix={}, secrets={}, workspace=merge_workspace, store=store)
    assert job.run(tmp_path) == 0, job.log
    matrix = json.loads((store / "fleet-matrix" / "matrix.json").read_text())
    labels = [(column["label"], column["api_version"]) for column in matrix["columns"]]
    assert labels == [("conformance-production v3", "3"), ("conformance-production v4", "4"), ("conformance-staging", "3")]
    assert (store / "fleet-matrix" / "matrix.html").is_file()


def test_the_github_job_refuses_to_run_without_the_engine_secret(ci, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workflow = ci.recipe("github-actions.yml")
    job = ci.GitHubJob(workflow, "conformance", matrix={"engine": "staging"}, secrets={}, workspace=tmp_path, store=tmp_path)
    step = next(step for step in workflow["jobs"]["conformance"]["steps"] if "snapshot-conformance run" in step.get("run", ""))
    assert job.step(step, job.environment(tmp_path)) == 3
    assert "the secret OVIRT_URL_staging is not set" in job.log[-1][2]
    assert not (tmp_path / "reports").exists()  # the embedded engine was not checked instead


# --- GitLab CI -----------------------------------------------------------------------------------


def _gitlab_script(document: Mapping[str, Any], name: str, install: re.Pattern[str]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A job's shell script (before_script and script in one shell, as the runner runs them),
    its variables, and the job with its template."""
    job = dict(document[name])
    template = document.get(job.get("extends", ""), {})
    lines = [line for line in [*template.get("before_script", []), *job.get("before_script", []), *job["script"]] if not install.match(line.strip())]
    variables = {str(key): str(value) for key, value in {**document.get("variables", {}), **job.get("variables", {})}.items()}
    return "\n".join(lines), variables, {**template, **job}


@pytest.mark.slow
def test_the_gitlab_pipeline_fails_its_gate_keeps_artifacts_and_merges(tmp_path: Path, faulty_engine: EngineHandle, password: str, doc, write, ci) -> None:  # type: ignore[no-untyped-def]
    document = ci.recipe("gitlab-ci.yml")
    assert document["stages"] == ["conformance", "fleet"]
    script, variables, job = _gitlab_script(document, "conformance", ci.INSTALL)
    (entry,) = job["parallel"]["matrix"]
    assert entry["ENGINE"] == ["production", "staging"]
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["paths"] == ["reports/"]

    # production: the faulty engine, against a baseline in which everything passed: the gate fails
    workspace = tmp_path / "repo"
    write(workspace / "conformance" / "baselines" / "production.json", doc(api_version="4"))
    env = ci.environment(tmp_path, {**variables, "ENGINE": "production", "OVIRT_URL_production": faulty_engine.url, "OVIRT_PASSWORD_production": password})
    done = ci.shell(script, workspace, env, flags=("-eo", "pipefail"))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "REGRESSED: SNAP-PUT-03 (v4) passed -> failed" in done.stdout
    reports = workspace / "reports" / "production"
    assert "SNAP-PUT-03" in (reports / "diff.md").read_text()
    assert (reports / "bundle.zip").is_file()  # the evidence is kept when the gate fails
    assert list(workspace.glob("reports/**/junit.xml"))  # what artifacts:reports:junit picks up

    # staging has no variable: that job stops with 3 and checks nothing
    refused = ci.shell(script, tmp_path, ci.environment(tmp_path, {**variables, "ENGINE": "staging"}), flags=("-eo", "pipefail"))
    assert refused.returncode == 3
    assert "OVIRT_URL_staging is not set" in refused.stdout
    assert not (tmp_path / "reports").exists()

    # the fleet stage gets every engine job's artifacts (reports/NAME/), also after a failure
    merge_script, merge_variables, merge_job = _gitlab_script(document, "fleet-matrix", ci.INSTALL)
    assert merge_job["when"] == "always"
    write(workspace / "reports" / "staging" / "results.json", doc(api_version="4", version="4.5.5"))
    done = ci.shell(merge_script, workspace, ci.environment(tmp_path, merge_variables), flags=("-eo", "pipefail"))
    assert done.returncode == 0, done.stdout + done.stderr
    matrix = json.loads((workspace / "fleet" / "matrix.json").read_text())
    assert [column["label"] for column in matrix["columns"]] == ["production", "staging"]
    put = next(row for row in matrix["requirements"] if row["id"] == "SNAP-PUT-03")
    assert [cell["status"] for cell in put["cells"]] == ["failed", "passed"]
