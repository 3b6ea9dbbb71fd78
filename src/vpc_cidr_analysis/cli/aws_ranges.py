"""`vpc-cidr-analysis aws-ranges fetch`: save AWS's published address ranges."""

from __future__ import annotations

from pathlib import Path

import click

from vpc_cidr_analysis.aws_ranges import URL


@click.group("aws-ranges")
def aws_ranges() -> None:
    """AWS's address ranges (ip-ranges.json): label AWS addresses by service and region.

    \b
    Example:
      vpc-cidr-analysis aws-ranges fetch --out ip-ranges.json
      vpc-cidr-analysis query run network_matrix --logs logs/ --networks networks.yaml \\
          --aws-ranges ip-ranges.json
    """


@aws_ranges.command("fetch")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("ip-ranges.json"),
    show_default=True,
    help="Where to save the file (replaced only once the download is complete and valid).",
)
@click.option("--url", default=URL, show_default=True, help="Where AWS publishes the ranges.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for AWS.")
def fetch(out: Path, url: str, timeout: float) -> None:
    """Download ip-ranges.json from AWS, check it, and save it (needs internet access).

    Prints the file's syncToken and createDate (AWS's publication time) and the number of
    prefixes; pass the saved file to --aws-ranges.

    \b
    Example:
      vpc-cidr-analysis aws-ranges fetch --out ip-ranges.json
    """
    from vpc_cidr_analysis.aws_ranges import fetch as download

    ranges = download(out, url, timeout=timeout)
    services = sorted({r.service for r in ranges.ranges})
    click.echo(
        f"{out}: syncToken {ranges.sync_token}, createDate {ranges.create_date}, "
        f"{len(ranges.ranges):,} prefixes, {len(services)} services"
    )
