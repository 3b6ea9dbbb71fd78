"""The README cannot drift: every query, command and subcommand is documented there."""

from __future__ import annotations

import click
import pytest
from paths import ROOT

from vpc_cidr_analysis.cli import COMMANDS, cli
from vpc_cidr_analysis.pack.queries import load_queries

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_every_query_is_in_the_readme_table(name: str) -> None:
    assert f"| `{name}` |" in README


def _commands() -> list[str]:
    found = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None, f"command {name} is registered but cannot be loaded"
        found.append(name)
        if isinstance(command, click.Group):
            found.extend(f"{name} {sub}" for sub in command.list_commands(ctx))
    return found


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented(command: str) -> None:
    name, _, sub = command.partition(" ")
    assert f"vpc-cidr-analysis {command}" in README or (
        sub and f"vpc-cidr-analysis {name}" in README and f"`{sub}`" in README
    ), f"README does not document `vpc-cidr-analysis {command}`"


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command: str) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"`{command} --help` shows no example"


def test_readme_names_the_two_setup_commands() -> None:
    assert "make demo" in README and "make test" in README
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("make test")


def _options() -> list[str]:
    found: set[str] = set()
    ctx = click.Context(cli)

    def walk(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                child = command.get_command(ctx, sub)
                assert child is not None
                walk(child, f"{path} {sub}".strip())
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                names = [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
                found.update(f"{path or 'vpc-cidr-analysis'}: {o}" for o in names)

    walk(cli, "")
    return sorted(o for o in found if not o.endswith(" --help"))


@pytest.mark.parametrize("option", _options())
def test_every_option_is_in_the_readme(option: str) -> None:
    name = option.rpartition(" ")[2]
    assert name in README, f"README does not mention {option}"
