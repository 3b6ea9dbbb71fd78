"""Command line: a thin layer over the library; each command lives in its own module.

One error path for every command: a known failure (`AnalysisError`, or botocore's errors for
AWS calls) is printed as one `Error:` line and exits 1; click's usage errors exit 2. Anything
else is a bug and keeps its traceback. `--debug` (or VPC_CIDR_ANALYSIS_DEBUG=1) shows the
traceback of known failures too.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from vpc_cidr_analysis import __version__
from vpc_cidr_analysis.errors import AnalysisError

#: Set to 1 to see the traceback of known failures (as `--debug` does).
DEBUG_VARIABLE = "VPC_CIDR_ANALYSIS_DEBUG"

#: command name -> "module:attribute" of its click command, imported only when used.
COMMANDS: dict[str, str] = {
    "demo": "vpc_cidr_analysis.cli.demo:demo",
    "sample": "vpc_cidr_analysis.cli.sample:sample",
    "sql": "vpc_cidr_analysis.cli.sql:sql",
    "expand": "vpc_cidr_analysis.cli.expand:expand",
    "query": "vpc_cidr_analysis.cli.query:query",
    "estimate": "vpc_cidr_analysis.cli.query:estimate",
    "inventory": "vpc_cidr_analysis.cli.inventory:inventory",
    "usage": "vpc_cidr_analysis.cli.usage:usage",
    "aws-ranges": "vpc_cidr_analysis.cli.aws_ranges:aws_ranges",
    "networks": "vpc_cidr_analysis.cli.networks:networks",
    "report": "vpc_cidr_analysis.cli.report:report",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use, so `--help` stays fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._load(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # command not built yet
                return None
            raise
        command: click.Command = getattr(module, attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; known failures become one `Error:` line (exit 1)."""
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as exc:
            if ctx.meta.get("debug") or os.environ.get(DEBUG_VARIABLE) == "1":
                raise
            if not is_known_failure(exc):
                raise
            raise click.ClickException(failure_message(exc)) from None


#: What would be right, for AWS failures whose message says only what was wrong.
CREDENTIALS_HINT = (
    "expected AWS credentials: --profile NAME, AWS_PROFILE, AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or `aws configure`"
)


def failure_message(exc: BaseException) -> str:
    """The one line printed for a known failure."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    try:
        from botocore.exceptions import NoCredentialsError, NoRegionError
    except ModuleNotFoundError:  # pragma: no cover - boto3 is a dependency
        return message
    if isinstance(exc, NoCredentialsError):
        return f"{message}; {CREDENTIALS_HINT}"
    if isinstance(exc, NoRegionError):
        return f"{message}; expected --region NAME or AWS_REGION"
    return message


def is_known_failure(exc: BaseException) -> bool:
    """Bad input, configuration or an AWS refusal, as opposed to a bug."""
    if isinstance(exc, AnalysisError):
        return True
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ModuleNotFoundError:  # pragma: no cover - boto3 is a dependency
        return False
    return isinstance(exc, BotoCoreError | ClientError)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vpc-cidr-analysis")
@click.option(
    "--debug",
    is_flag=True,
    help=f"Show the traceback of known failures too [env {DEBUG_VARIABLE}=1].",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No notes or warnings on stderr (errors are still printed).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Analyse Amazon VPC Flow Logs by CIDR block, on Athena or offline on DuckDB.

    \b
    Example:
      vpc-cidr-analysis sample --out logs/
      vpc-cidr-analysis sql --logs logs/ "SELECT count(*) FROM vpcflowlogstable"
    """
    ctx.meta["debug"] = debug
    ctx.meta["quiet"] = quiet


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="vpc-cidr-analysis")
