"""`vpc-cidr-analysis networks show|push`: the networks file, checked and sent to the stack."""

from __future__ import annotations

from pathlib import Path

import click

from vpc_cidr_analysis.cli.options import (
    aws_options,
    aws_ranges_option,
    emit,
    network_rows,
    networks_option,
    output_options,
    read_networks,
)
from vpc_cidr_analysis.networks import COLUMNS, NetworksError


def _rows(networks_file: Path | None, aws_ranges_file: Path | None) -> list[tuple[str, str]]:
    networks = read_networks(networks_file)
    if networks is None:
        raise click.UsageError("--networks FILE is required (name: [CIDR, ...] per line)")
    return network_rows(networks, aws_ranges_file)


@click.group("networks")
def networks() -> None:
    """Named networks (networks.yaml): check them, or push them to the stack's table.

    \b
    Example:
      vpc-cidr-analysis networks show --networks networks.yaml
      vpc-cidr-analysis networks push --networks networks.yaml --stack vpc-cidr-analysis
    """


@networks.command("show")
@networks_option
@aws_ranges_option
@output_options
def show(
    networks_file: Path | None,
    aws_ranges_file: Path | None,
    fmt: str,
    columns: str | None,
    limit: int | None,
) -> None:
    """Validate a networks file and print the `networks` table it makes (network, cidr).

    \b
    Example:
      vpc-cidr-analysis networks show --networks networks.yaml --format csv
    """
    emit(COLUMNS, _rows(networks_file, aws_ranges_file), fmt, columns, limit)


@networks.command("push")
@networks_option
@aws_ranges_option
@click.option("--stack", required=True, help="The stack whose networks table to fill.")
@aws_options
def push(
    networks_file: Path | None,
    aws_ranges_file: Path | None,
    stack: str,
    region: str | None,
    profile: str | None,
) -> None:
    """Write the networks file (and --aws-ranges labels) as the stack's `networks` table.

    The CSV replaces s3://<CidrBucket>/networks/networks.csv in one PUT, so the pasteable
    network_matrix query on Athena joins the same networks as the local engine.

    \b
    Example:
      vpc-cidr-analysis networks push --networks networks.yaml --stack vpc-cidr-analysis
    """
    import boto3

    from vpc_cidr_analysis.networks import push_networks
    from vpc_cidr_analysis.pack.athena import read_stack_outputs

    rows = _rows(networks_file, aws_ranges_file)
    session = boto3.Session(profile_name=profile, region_name=region)
    outputs = read_stack_outputs(session.client("cloudformation"), stack)
    location = outputs.get("NetworksLocation")
    if not location:
        raise NetworksError(
            f"stack {stack!r} has no NetworksLocation output; update it to a template with "
            "the networks table (template/template.yaml)"
        )
    url = push_networks(session.client("s3"), location, rows)
    click.echo(f"wrote {len(rows):,} rows to {url}")
