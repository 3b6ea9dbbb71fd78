"""The CLI's one error path: known failures as one `Error:` line, bugs with their traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vpc_cidr_analysis.cli import DEBUG_VARIABLE, cli
from vpc_cidr_analysis.cli import query as query_command
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.pack import queries


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)
    return CliRunner()


def test_a_known_failure_is_one_error_line_and_exit_1(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = runner.invoke(cli, ["sql", "--logs", str(missing), "SELECT 1"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --logs path does not exist: {missing} (expected a folder or s3://…)\n"
    )
    assert "Traceback" not in result.output


def test_every_analysis_error_takes_the_same_path(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    class OddFailure(AnalysisError):
        pass

    def fail(directory: Path | None = None) -> dict[str, queries.Query]:
        raise OddFailure("the pack folder is unreadable; reinstall the package")

    monkeypatch.setattr(query_command, "load_queries", fail)
    result = runner.invoke(cli, ["query", "list"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: the pack folder is unreadable; reinstall the package\n",
    )


def test_a_bug_keeps_its_traceback(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(directory: Path | None = None) -> dict[str, queries.Query]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(query_command, "load_queries", fail)
    result = runner.invoke(cli, ["query", "list"])
    assert isinstance(result.exception, RuntimeError)
    assert "Error:" not in result.output


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_shows_the_traceback_of_known_failures(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["sql", "--logs", str(tmp_path / "nope"), "SELECT 1"]
    if how == "flag":
        args.insert(0, "--debug")
    else:
        monkeypatch.setenv(DEBUG_VARIABLE, "1")
    result = runner.invoke(cli, args)
    assert isinstance(result.exception, AnalysisError)
    assert "does not exist" in str(result.exception)


def test_usage_errors_keep_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["query", "run", "external", "-p", "vpc_cidrs=10.0.0.1/16"])
    assert result.exit_code == 2
    assert "the block that contains it is '10.0.0.0/16'" in result.output
