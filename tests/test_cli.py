"""The command line: argument errors, exit-code combination, the pytest command it builds."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from conformance.cli import build_parser, main
from conformance.cli.run import combined_exit_code, pytest_args


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        pytest.param([0], 0, id="conformant"),
        pytest.param([0, 2], 2, id="one-incomplete"),
        pytest.param([2, 1], 1, id="failure-beats-incomplete"),
        pytest.param([1, 3], 3, id="could-not-run-beats-all"),
        pytest.param([0, 0], 0, id="both-conformant"),
    ],
)
def test_combined_exit_code(codes: list[int], expected: int) -> None:
    assert combined_exit_code(codes) == expected


def test_bad_arguments_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--api-version", "5"]) == 3
    assert "invalid choice" in capsys.readouterr().err


def test_password_is_never_an_argument() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "--password", "secret"])


def test_pytest_args_isolate_the_run_and_carry_the_options(tmp_path: Path) -> None:
    args = build_parser().parse_args(["run", "--vm", "disposable", "--read-only", "-k", "create", "-n", "2", "--insecure", "--timeout", "5"])
    argv = pytest_args(args, engine_url="https://e/ovirt-engine/api", password_env="PW", api_version="3", report_dir=tmp_path)
    assert argv[:2] == ["--pyargs", "conformance.suite"]
    assert argv[argv.index("-c") + 1]  # an empty config: the user's pytest.ini never leaks in
    for option, value in [("--vm", "disposable"), ("-k", "create"), ("-n", "2"), ("--timeout", "5.0"), ("--password-env", "PW")]:
        assert argv[argv.index(option) + 1] == value
    assert "--read-only" in argv
    assert "--insecure" in argv
    assert str(tmp_path / "report.html") in argv
    assert isinstance(args, argparse.Namespace)


@pytest.mark.parametrize("command", ["run", "check", "cleanup"])
def test_every_option_says_what_it_does(command: str) -> None:
    subparsers = next(action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction))
    parser = subparsers.choices[command]
    assert parser.description, f"{command} --help has no description"
    silent = [action.option_strings or [action.dest] for action in parser._actions if not action.help]
    assert not silent, f"{command} --help says nothing of {silent}"
