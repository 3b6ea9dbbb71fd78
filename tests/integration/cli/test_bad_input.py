"""Every command, given the mistakes people make, answers with one `Error:` line and no traceback.

Each case runs the CLI over a simulated dataset (or a broken copy of it) and checks the exit
code (1 for a known failure, 2 for a usage error, as click does), that the output ends in one
`Error:` line naming the problem, that nothing escaped as an exception, and that no output file
was left behind. `COMMANDS` lists every command and subcommand, and the test that every one
of them has a case keeps new commands honest.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import boto3
import click
import pytest
from botocore.credentials import CredentialResolver
from click.testing import CliRunner

from vpc_cidr_analysis.cli import COMMANDS, DEBUG_VARIABLE, cli

NO_CREDENTIALS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_TOKEN",
)

COUNT = "SELECT count(*) FROM vpcflowlogstable"
#: The CIDR blocks every conversation query requires (the simulated network's VPC).
VPC = ("-p", "vpc_cidrs=10.0.0.0/16")
#: (command, arguments, exit code, text the Error line holds). {logs}: a good dataset,
#: {empty}: a folder without flow logs, {corrupt}: the dataset with one .gz not gzip,
#: {missing}: a path that does not exist, {out}: where an output would go (must stay absent).
CASES: list[tuple[str, list[str], int, str]] = [
    ("demo", ["--out", "{logs}/ground_truth.json"], 2, "is a file"),
    ("demo", ["--out", "{out}", "--records", "0"], 1, "records must be a whole number >= 1"),
    ("sample", ["--out", "{out}", "--days", "0"], 2, "days must be a whole number >= 1"),
    ("sample", ["--out", "{out}", "--end-date", "27/11/2026"], 2, "'--end-date': '27/11/2026'"),
    ("sql", ["--logs", "{missing}", "SELECT 1"], 1, "--logs path does not exist"),
    ("sql", ["--logs", "{empty}", COUNT], 1, "no flow-log files found under"),
    (
        "sql",
        ["--logs", "{corrupt}", COUNT],
        1,
        "not a readable gzip text file",
    ),
    ("sql", ["--logs", "s3://no-such-bucket/", COUNT], 1, "Unable to locate credentials"),
    ("sql", ["--logs", "s3://b/", "--profile", "nope", COUNT], 1, "(nope) could not be found"),
    ("sql", ["--logs", "{logs}", "--cidr", "10.0.0.1/16", "SELECT 1"], 2, "'10.0.0.0/16'"),
    ("sql", ["--logs", "{logs}", "--today", "2026/13/01", "SELECT 1"], 2, "'--today'"),
    ("sql", ["--logs", "{logs}", "--columns", "nope", "SELECT 1 AS a"], 2, "no column 'nope'"),
    ("expand", ["abc", "--out", "{out}"], 2, "'abc' is not a valid CIDR"),
    ("expand", ["10.0.0.1/16", "--out", "{out}"], 2, "'10.0.0.0/16'"),
    ("query list", ["--bogus"], 2, "No such option '--bogus'"),
    ("query show", ["nope"], 2, "no query named 'nope'"),
    ("query run", ["external", "--logs", "{logs}", "-p", "vpc_cidrs=abc"], 2, "vpc_cidrs"),
    ("query run", ["external", "--logs", "{logs}", "-p", "vpc_cidrs=10.0.0.1/16"], 2, "host bits"),
    ("query run", ["external", "--logs", "{logs}", "--today", "27/11/2026"], 2, "'--today'"),
    ("query run", ["external", "--logs", "{corrupt}", *VPC], 1, "not a readable gzip text file"),
    ("query run", ["external", "--logs", "{missing}", *VPC], 1, "--logs path does not exist"),
    ("query run", ["external", "--logs", "{logs}", *VPC, "-p", "end_day=2026-13-01"], 2, "end_day"),
    ("query run", ["external", "--logs", "{logs}"], 2, "query external needs vpc_cidrs"),
    ("estimate", ["external", "--logs", "{logs}"], 2, "is not an S3 URL"),
    ("estimate", ["external", "--logs", "s3://no-such-bucket/"], 1, "Unable to locate credentials"),
    ("inventory", ["--out", "{out}", "--region", "us-east-1"], 1, "credentials; expected AWS"),
    (
        "aws-ranges fetch",
        ["--out", "{out}", "--url", "http://127.0.0.1:9/x.json"],
        1,
        "cannot download",
    ),
    ("networks show", ["--networks", "{missing}"], 1, "cannot read networks file"),
    ("networks push", ["--networks", "{missing}", "--stack", "s"], 1, "cannot read networks"),
    (
        "report",
        ["--networks", "{missing}", "--logs", "{logs}", "--html", "{out}"],
        1,
        "cannot read networks file",
    ),
    ("report", ["--networks", "{missing}", "--logs", "{logs}"], 2, "give --html FILE"),
    (
        "query run",
        ["network_matrix", "--logs", "{logs}", "--aws-ranges", "{missing}"],
        1,
        "cannot read AWS ranges file",
    ),
]
USAGE_CASES: list[tuple[list[str], int, str]] = [
    (["--logs", "{missing}"], 1, "--logs path does not exist"),
    (["--logs", "{empty}"], 1, "no flow-log files found under"),
    (["--logs", "{corrupt}"], 1, "not a readable gzip text file"),
    (["--logs", "s3://no-such-bucket/"], 1, "Unable to locate credentials"),
    (["--logs", "s3://b/", "--profile", "nope"], 1, "(nope) could not be found"),
    (["--logs", "{logs}", "--start-day", "2026-11-31"], 2, "'--start-day'"),
    (["--logs", "{logs}", "--end-day", "11/27"], 2, "'--end-day'"),
    (["--logs", "{logs}", "--start-day", "2026-11-27", "--end-day", "2026-11-20"], 2, "after"),
    (["--inventory", "{missing}", "--logs", "{logs}"], 2, "does not exist"),
]
for _sub in ("rules", "enis", "exposure", "report"):
    for _args, _code, _text in USAGE_CASES:
        _inventory = [] if "--inventory" in _args else ["--inventory", "{logs}"]
        _output = ["--html", "{out}"] if _sub == "report" else []
        CASES.append((f"usage {_sub}", [*_inventory, *_args, *_output], _code, _text))


def every_command() -> list[str]:
    names = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            names += [f"{name} {sub}" for sub in command.list_commands(ctx)]
        else:
            names.append(name)
    return names


def test_every_command_has_a_bad_input_case() -> None:
    assert sorted(every_command()) == sorted({command for command, *_ in CASES})


@pytest.fixture(scope="module")
def folders(small_sample: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bad-input")
    empty = root / "empty"
    empty.mkdir()
    corrupt = root / "corrupt"
    shutil.copytree(small_sample.path, corrupt)
    victim = sorted(corrupt.rglob("*.log.gz"))[-1]  # a file of the last day, in every window
    victim.write_bytes(b"this is not gzip\n")
    return {"logs": small_sample.path, "empty": empty, "corrupt": corrupt, "root": root}


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NO_CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookups
    # Whatever else the chain could find (a cached default session, a provider an earlier
    # test left behind), it finds nothing: no request can leave the machine.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setattr(CredentialResolver, "load_credentials", lambda self: None)
    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)


@pytest.mark.parametrize(
    ("command", "args", "code", "text"),
    CASES,
    ids=[f"{c}:{' '.join(a)}" for c, a, _, _ in CASES],
)
def test_bad_input_is_one_error_line_without_traceback(
    folders: dict[str, Path],
    tmp_path: Path,
    no_credentials: None,
    command: str,
    args: list[str],
    code: int,
    text: str,
) -> None:
    out = tmp_path / "out"
    places = {**{k: str(v) for k, v in folders.items()}, "missing": str(tmp_path / "nope")}
    places["out"] = str(out)
    argv = [*command.split(), *(a.format(**places) for a in args)]
    result = CliRunner().invoke(cli, argv)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{argv} raised {result.exception!r}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert result.output.rstrip("\n").endswith(errors[0])
    assert text in errors[0]
    assert not out.exists(), f"{argv} left {out} behind"
