"""Command line: a thin layer over the library; each command lives in its own module."""

from __future__ import annotations

import importlib
from typing import Any

import click

from vpc_cidr_analysis import __version__

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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vpc-cidr-analysis")
def cli() -> None:
    """Analyse Amazon VPC Flow Logs by CIDR block, on Athena or offline on DuckDB.

    \b
    Example:
      vpc-cidr-analysis sample --out logs/
      vpc-cidr-analysis sql --logs logs/ "SELECT count(*) FROM vpcflowlogstable"
    """


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv, prog_name="vpc-cidr-analysis")
