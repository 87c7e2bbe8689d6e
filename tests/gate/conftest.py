"""Fixtures of the gate tests: synthetic results documents, real runs, CI recipe runners.

Most tests build ``results.json`` documents from the real catalogue (:func:`results_doc`).
The few that need real runs share three session-scoped ones (each costs seconds): the
GitHub recipe's engine job (``run --api-version both --bundle --baseline``, the reference
engine), a run against a faulty engine with waivers, and the GitLab recipe's job.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from conformance.catalogue import catalogue_sha256, load_catalogue
from conformance.engine import EngineHandle, EngineSettings, start_engine

PASSWORD = "gate-tests-Passw0rd"
#: the faults of the faulty engine: one breaks a MUST (SNAP-PUT-03), one a SHOULD (SNAP-REPR-04)
FAULTS = frozenset({"put-refused-but-applied", "ids-upper-case"})


def results_doc(
    statuses: Mapping[str, str] | None = None,
    *,
    api_version: str = "3",
    version: str = "4.5.4",
    url: str = "https://engine.example/ovirt-engine/api",
    started: str = "2024-05-01T12:00:00+00:00",
    messages: Mapping[str, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A results.json of one dialect: every requirement passed unless ``statuses`` says otherwise."""
    statuses = dict(statuses or {})
    messages = dict(messages or {})
    requirements = []
    for requirement in load_catalogue().for_dialect(api_version):
        status = statuses.pop(requirement.id, "passed")
        requirements.append(
            {
                "id": requirement.id,
                "level": requirement.level.value,
                "status": status,
                "tests": [f"conformance/suite/test_x.py::test_{requirement.id.lower()}"],
                "message": messages.get(requirement.id, "" if status == "passed" else f"{requirement.id}: it broke\nReceived: x\nExpected: y"),
                "title": requirement.title,
                "group": requirement.group,
            }
        )
    assert not statuses, f"not in the v{api_version} catalogue: {statuses}"
    summary: dict[str, int] = {}
    for item in requirements:
        summary[item["status"]] = summary.get(item["status"], 0) + 1
    failed = any(item["status"] == "failed" for item in requirements)
    untested = any(item["status"] == "not_tested" and item["level"] == "MUST" for item in requirements)
    verdict = "not_conformant" if failed else "incomplete" if untested else "conformant"
    document: dict[str, Any] = {
        "verdict": verdict,
        "engine": {"url": url, "api_version": api_version, "product": "oVirt Engine", "version": version},
        "requirements": requirements,
        "summary": summary,
        "created_resources": [],
        "started": started,
        "finished": started.replace("12:00:00", "12:03:00"),
        "exit_code": {"conformant": 0, "not_conformant": 1, "incomplete": 2}[verdict],
        "tool": {"name": "snapshot-conformance", "version": "0.1.0"},
        "catalogue": {"version": "0.1.0", "sha256": catalogue_sha256()},
    }
    document.update(overrides)
    return document


def write_doc(path: Path, document: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))
    return path


@dataclass(frozen=True)
class Cli:
    code: int
    stdout: str
    stderr: str


def cli(*args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 240) -> Cli:
    """The command line in a subprocess (as users and CI call it)."""
    environment = {**os.environ, "OVIRT_PASSWORD": PASSWORD, **(env or {})}
    environment.pop("OVIRT_URL", None)
    done = subprocess.run([sys.executable, "-m", "conformance", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)
    return Cli(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def password() -> str:
    """The password of the engines of the real runs (it must appear in no report)."""
    return PASSWORD


@pytest.fixture
def doc():  # type: ignore[no-untyped-def]
    return results_doc


@pytest.fixture
def write():  # type: ignore[no-untyped-def]
    return write_doc


@pytest.fixture
def run_cli():  # type: ignore[no-untyped-def]
    return cli


# --- real runs (slow: seconds each) ----------------------------------------------------------


@pytest.fixture(scope="session")
def reference_engine(password: str) -> Iterator[EngineHandle]:
    with start_engine(EngineSettings(password=password)) as engine:
        yield engine


@pytest.fixture(scope="session")
def github_production(tmp_path_factory: pytest.TempPathFactory, reference_engine: EngineHandle, password: str) -> GitHubRun:
    """The GitHub workflow's engine job, run as a runner would for the engine "production"
    (the reference engine) with API_VERSION "both" and a first baseline that tested nothing;
    its artifact is what ``run --api-version both --bundle --baseline`` leaves."""
    root = tmp_path_factory.mktemp("github")
    workspace, store, scratch = root / "repo", root / "artifact-store", root / "runner"
    for directory in (workspace, store, scratch):
        directory.mkdir()
    untested = {requirement.id: "not_tested" for requirement in load_catalogue()}
    baseline = {
        "v3": results_doc({rid: status for rid, status in untested.items() if load_catalogue()[rid].applies_to("3")}),
        "v4": results_doc({rid: status for rid, status in untested.items() if load_catalogue()[rid].applies_to("4")}, api_version="4"),
    }
    from conformance.reports.combined import combine_results

    write_doc(workspace / "conformance" / "baselines" / "production.json", combine_results(list(baseline.items()), exit_code=2))
    job = GitHubJob(
        recipe("github-actions.yml"),
        "conformance",
        matrix={"engine": "production"},
        secrets={"OVIRT_URL_production": reference_engine.url, "OVIRT_PASSWORD_production": password},
        workspace=workspace,
        store=store,
        overrides={"API_VERSION": "both"},
    )
    code = job.run(scratch)
    return GitHubRun(code=code, log=job.log, store=store, reports=store / "conformance-production", summary=scratch / "step-summary.md")


@pytest.fixture(scope="session")
def both_run(github_production: GitHubRun) -> Path:
    """The report directory of one ``run --api-version both`` with a bundle and a baseline."""
    assert github_production.code == 0, github_production.log
    return github_production.reports


@pytest.fixture(scope="session")
def faulty_engine() -> Iterator[EngineHandle]:
    with start_engine(EngineSettings(password=PASSWORD, faults=FAULTS)) as engine:
        yield engine


@pytest.fixture(scope="session")
def faulty_run(tmp_path_factory: pytest.TempPathFactory, faulty_engine: EngineHandle) -> tuple[Cli, Path]:
    """One v3 run against the reference engine with :data:`FAULTS` and a waiver file: the MUST
    failure waived, a waiver no longer needed, one for other engine versions; (the command's
    result, its report directory)."""
    root = tmp_path_factory.mktemp("faulty")
    waivers = root / "waivers.yaml"
    waivers.write_text(
        "# accepted failures of the engine under test\n"
        "- requirement: SNAP-PUT-03\n"
        "  reason: a refused PUT still changes the description; fixed in the next release\n"
        "  owner: platform-team\n"
        "  link: https://bugs.example/1\n"
        "  expires: 2999-12-31\n"
        "- requirement: SNAP-REPR-03\n"
        "  reason: an old GUID problem\n"
        "  owner: platform-team\n"
        "  link: BUG-2\n"
        "  expires: 2999-12-31\n"
        "- requirement: SNAP-REPR-04\n"
        "  reason: upper-case ids on the 4.x line only\n"
        "  owner: platform-team\n"
        "  link: https://bugs.example/3\n"
        "  expires: 2999-12-31\n"
        '  engine_version: "4.*"\n'
    )
    result = cli("run", "--engine-url", faulty_engine.url, "--timeout", "10", "--report-dir", "reports", "--waivers", str(waivers), cwd=root)
    return result, root / "reports"


# --- running the CI recipes of docs/ci/ --------------------------------------------------------

RECIPES = Path(__file__).resolve().parents[2] / "docs" / "ci"
#: the install step cannot run here (no package index): the package under test is installed
INSTALL = re.compile(r'^python -m pip install "snapshot-conformance==\$\{SNAPSHOT_CONFORMANCE_VERSION\}"$')
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def recipe(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((RECIPES / name).read_text())
    assert isinstance(document, dict)
    return document


def ci_environment(tmp: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """A CI machine's environment: the inherited one without any engine, this package on PATH."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OVIRT_", "SNAPSHOT_CONFORMANCE_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(tmp)
    env.update(extra)
    return env


def shell(script: str, cwd: Path, env: Mapping[str, str], *, flags: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", *flags, "-c", script], cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=300, check=False)


@dataclass(frozen=True)
class GitHubRun:
    code: int
    log: list[tuple[str, int, str]]
    store: Path
    reports: Path
    summary: Path


class GitHubJob:
    """Runs one job of a workflow as a runner does, for one matrix entry: ``run:`` steps in
    bash, the few actions the recipe uses emulated (artifacts are directories of ``store``)."""

    def __init__(
        self,
        workflow: Mapping[Any, Any],
        name: str,
        *,
        matrix: Mapping[str, str],
        secrets: Mapping[str, str],
        workspace: Path,
        store: Path,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.workflow, self.job = workflow, workflow["jobs"][name]
        self.matrix, self.secrets = matrix, secrets
        self.workspace, self.store = workspace, store
        self.overrides = dict(overrides or {})
        #: (step, exit status, output) per step
        self.log: list[tuple[str, int, str]] = []

    def expand(self, value: Any) -> str:
        return EXPRESSION.sub(lambda match: self.evaluate(match.group(1)), str(value))

    def evaluate(self, expression: str) -> str:
        # only what the recipe uses; anything else fails here rather than silently in CI
        if match := re.fullmatch(r"matrix\.(\w+)", expression):
            return self.matrix[match.group(1)]
        if match := re.fullmatch(r"secrets\[format\('(\w*)\{0\}(\w*)', matrix\.(\w+)\)\]", expression):
            return self.secrets.get(f"{match.group(1)}{self.matrix[match.group(3)]}{match.group(2)}", "")
        raise AssertionError(f"the test runner does not know the expression {expression!r}")

    def environment(self, tmp: Path) -> dict[str, str]:
        env = ci_environment(tmp, {"GITHUB_STEP_SUMMARY": str(tmp / "step-summary.md"), "RUNNER_TEMP": str(tmp), "GITHUB_WORKSPACE": str(self.workspace)})
        env.update({key: self.expand(value) for key, value in {**self.workflow.get("env", {}), **self.job.get("env", {})}.items()})
        env.update(self.overrides)
        return env

    def run(self, tmp: Path) -> int:
        """Every step in order; after a failure only the ``if: always()`` ones. The job's status."""
        assert self.workflow["defaults"]["run"]["shell"] == "bash"
        env = self.environment(tmp)
        failed = 0
        for step in self.job["steps"]:
            condition = step.get("if")
            assert condition in (None, "always()"), condition
            if failed and condition != "always()":
                continue
            failed = failed or self.step(step, env)
        return failed

    def step(self, step: Mapping[str, Any], env: Mapping[str, str]) -> int:
        name = step.get("name") or step.get("uses", "")
        if "run" in step:
            script = step["run"].strip()
            if INSTALL.match(script):
                self.log.append((name, 0, "skipped: the package under test is installed"))
                return 0
            # a runner's "shell: bash" is bash --noprofile --norc -eo pipefail
            done = shell(script, self.workspace, env, flags=("--noprofile", "--norc", "-eo", "pipefail"))
            self.log.append((name, done.returncode, done.stdout[-4000:] + done.stderr[-4000:]))
            return done.returncode
        uses, settings = step["uses"], {key: self.expand(value) for key, value in (step.get("with") or {}).items()}
        code = 0
        if uses.startswith(("actions/checkout@", "actions/setup-python@")):
            pass  # the workspace is the checkout; Python is the one running the tests
        elif uses.startswith("actions/upload-artifact@"):
            source = self.workspace / settings["path"]
            if source.exists():
                shutil.copytree(source, self.store / settings["name"])
            elif settings.get("if-no-files-found") == "error":
                code = 1
        elif uses.startswith("actions/download-artifact@"):
            for artifact in sorted(self.store.iterdir()):
                if fnmatch.fnmatch(artifact.name, settings["pattern"]):
                    shutil.copytree(artifact, self.workspace / settings["path"] / artifact.name)
        else:
            raise AssertionError(f"the test runner does not know the action {uses}")
        self.log.append((name, code, ""))
        return code


@pytest.fixture
def ci() -> SimpleNamespace:
    """The recipe runners: ``ci.recipe(name)``, ``ci.environment``, ``ci.shell``, ``ci.GitHubJob``, ``ci.INSTALL``."""
    return SimpleNamespace(recipe=recipe, environment=ci_environment, shell=shell, GitHubJob=GitHubJob, INSTALL=INSTALL)
