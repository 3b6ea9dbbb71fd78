"""The README runs as written: its shell blocks that need no AWS, in order, in a fresh folder.

Commands are read from the ```bash blocks (and the `$ ` lines of ```console blocks), joined
over `\\` line ends and multi-line quotes, and run one by one with bash in one temporary
folder, with `vpc-cidr-analysis` being this checkout's CLI. A command that needs AWS (an
`s3://` location, Athena, a stack, a profile, `sam`, `aws`, collecting an inventory or reading
one it wrote) is left out; `make demo` runs the command its Makefile recipe runs, `make test`
is this suite.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(bash|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)
AWS_MARKS = ("s3://", "--engine athena", "--stack", "--profile", "inventory.json", "prod.json")
AWS_PROGRAMS = ("aws", "sam")
MAKE = {"make demo": "vpc-cidr-analysis demo --out .demo", "make test": None}


def _complete(text: str) -> bool:
    if text.endswith("\\"):
        return False
    try:
        shlex.split(text, comments=True)
    except ValueError:  # an open quote: the command goes on
        return False
    return True


def readme_commands(text: str = README) -> list[str]:
    """Every command of the README's shell blocks, in order, one string each."""
    commands: list[str] = []
    for kind, body in BLOCK.findall(text):
        lines = body.splitlines()
        if kind == "console":
            lines = [line[2:] for line in lines if line.startswith("$ ")]
        pending = ""
        for line in lines:
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending = f"{pending}\n{line}" if pending else line
            if _complete(pending):
                commands.append(pending)
                pending = ""
        assert not pending, f"unfinished command in the README: {pending!r}"
    return commands


def needs_aws(command: str) -> bool:
    words = shlex.split(command, comments=True)
    return (
        words[0] in AWS_PROGRAMS
        or words[:2] == ["vpc-cidr-analysis", "inventory"]
        or any(mark in command for mark in AWS_MARKS)
    )


def runnable(commands: list[str]) -> list[str]:
    """The commands to run offline, `make` targets replaced by what they run."""
    chosen = []
    for command in commands:
        command = command.replace(".venv/bin/vpc-cidr-analysis", "vpc-cidr-analysis")
        target = " ".join(command.split("#")[0].split())
        if target in MAKE:
            if MAKE[target] is None:
                continue
            command = MAKE[target]  # type: ignore[assignment]
        if not needs_aws(command):
            chosen.append(command)
    return chosen


def test_make_demo_runs_the_demo_command() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/vpc-cidr-analysis demo --out $(DEMO)" in recipe
    assert "DEMO   ?= .demo" in recipe


def test_commands_are_joined_over_line_ends_and_quotes() -> None:
    text = 'x\n```bash\n# note\na \\\n  b\nc "d\ne"   # why\n```\n```console\n$ f\nout\n```\n'
    assert readme_commands(text) == ["a \\\n  b", 'c "d\ne"   # why', "f"]


def test_aws_commands_are_left_out() -> None:
    commands = readme_commands()
    left_out = [c for c in commands if needs_aws(c)]
    assert any("--engine athena" in c for c in left_out)
    assert any(c.startswith("sam ") for c in left_out)
    assert len(runnable(commands)) >= 15


@pytest.fixture
def cli_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose `vpc-cidr-analysis` is this checkout's CLI."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "vpc-cidr-analysis"
    shim.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'src')!r})\n"
        "from vpc_cidr_analysis.cli import main\n"
        "main()\n",
        encoding="utf-8",
    )
    shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "100"
    return env


def test_every_offline_block_runs_in_order(tmp_path: Path, cli_on_path: dict[str, str]) -> None:
    work = tmp_path / "clone"
    work.mkdir()
    for command in runnable(readme_commands()):
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=work,
            env=cli_on_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr, f"{command}\n{done.stderr}"
    assert (work / "report.html").is_file()
    assert (work / "cidrs" / "10.0.0.0_16.csv.gz").is_file()
    assert (work / "logs-hive" / "ground_truth.json").is_file()
