"""`vpc-cidr-analysis sample`: write simulated VPC flow logs as AWS writes them to S3."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.cli.options import day_option
from vpc_cidr_analysis.layout import FILE_FORMATS, LAYOUTS
from vpc_cidr_analysis.simulate.simulator import (
    DEFAULT_ACCOUNT,
    DEFAULT_DAYS,
    DEFAULT_RECORDS,
    DEFAULT_REGION,
    GROUND_TRUTH_DETAILS,
    SampleConfig,
    SampleError,
    write_sample,
)
from vpc_cidr_analysis.simulate.topology import (
    BUNDLED_TOPOLOGIES,
    Topology,
    TopologyError,
    default_topology,
)


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Folder to write into (created); flow logs go under [PREFIX/]AWSLogs/.",
)
@click.option(
    "--records", default=DEFAULT_RECORDS, show_default=True, help="Flow-log records to write."
)
@click.option(
    "--days", default=DEFAULT_DAYS, show_default=True, help="Days of logs, ending at --end-date."
)
@day_option("--end-date", help="Last day (UTC)  [default: today]")
@click.option("--seed", default=1, show_default=True, help="Same seed and options, same bytes.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="default", show_default=True)
@click.option("--hourly", is_flag=True, help="Hourly partitions (…/dd/HH/ or …/hour=HH/).")
@click.option("--file-format", type=click.Choice(FILE_FORMATS), default="text", show_default=True)
@click.option("--prefix", default="", help="S3 prefix before AWSLogs/, as set on the flow log.")
@click.option(
    "--fields",
    default=" ".join(schema.V5_FIELDS),
    show_default="the v2-v5 fields",
    help="Custom format: field names (space/comma-separated) or a ${field} LogFormat.",
)
@click.option("--account", default=DEFAULT_ACCOUNT, show_default=True, help="12-digit account id.")
@click.option("--region", default=DEFAULT_REGION, show_default=True)
@click.option(
    "--topology",
    "topology_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON network to simulate instead of the default (see --show-topology), or a bundled "
    "one by name: hub (spokes and a VPN on a transit gateway that logs its own flows).",
)
@click.option(
    "--ground-truth",
    type=click.Choice(GROUND_TRUTH_DETAILS),
    default="auto",
    show_default=True,
    help="List every expected conversation (full) or totals only (summary); "
    "auto: full up to 200,000 records.",
)
@click.option("--force", is_flag=True, help="Replace flow logs already in OUT/[PREFIX/]AWSLogs.")
@click.option("--show-topology", is_flag=True, help="Print the topology as JSON and exit.")
def sample(
    out_dir: Path | None,
    records: int,
    days: int,
    end_date: date | None,
    seed: int,
    layout: str,
    hourly: bool,
    file_format: str,
    prefix: str,
    fields: str,
    account: str,
    region: str,
    topology_file: Path | None,
    ground_truth: str,
    force: bool,
    show_topology: bool,
) -> None:
    """Write realistic VPC Flow Logs of a simulated network, exactly as AWS writes them to S3.

    VPC-A (10.0.0.0/16, 100.64.0.0/20, 2600:1f18:aaaa:ab00::/56) peered with VPC-B
    (10.1.0.0/16), VPC-C (10.2.0.0/16) through a transit gateway, a NAT gateway, an ALB, SSH
    and RDP scans, S3/DynamoDB endpoints, DNS, ICMP; NODATA and SKIPDATA records. Every
    conversation is logged on each interface that sees it, request and response.
    OUT/ground_truth.json holds the topology and the expected answer of each scenario
    (external, peering, cross_vpc, internal, inbound, outbound) for the last 10 days and
    the whole range, and the security-group rules each generated conversation used.
    With --topology hub (or a topology with a transit_gateway entry) the transit gateway's
    own flow log is written too, in the same layout, and the ground truth's `tgw` section
    holds the TGW queries' answers.

    \b
    Example:
      vpc-cidr-analysis sample --out logs/
      vpc-cidr-analysis sample --out logs/ --layout hive --hourly --file-format parquet
      vpc-cidr-analysis sample --out logs/ --records 1000000 --days 30 --end-date 2026-11-27
      vpc-cidr-analysis sample --out logs/ --fields '${version} ${srcaddr} ${dstaddr} ${action}'
      vpc-cidr-analysis sample --out hub/ --topology hub
    """
    try:
        if topology_file is None:
            topology = default_topology()
        elif str(topology_file) in BUNDLED_TOPOLOGIES and not topology_file.exists():
            topology = Topology.from_json(BUNDLED_TOPOLOGIES[str(topology_file)])
        else:
            topology = Topology.from_json(topology_file)
    except TopologyError as exc:
        raise click.BadParameter(str(exc), param_hint="--topology") from None
    if show_topology:
        click.echo(json.dumps(topology.to_dict(), indent=2))
        return
    if out_dir is None:
        raise click.UsageError("missing option --out DIR (the folder to write the logs into)")
    try:
        last_day: dict[str, Any] = {"end_date": end_date} if end_date is not None else {}
        config = SampleConfig(
            records=records,
            days=days,
            **last_day,
            seed=seed,
            layout=layout,  # type: ignore[arg-type]  # click.Choice checked it
            hourly=hourly,
            file_format=file_format,  # type: ignore[arg-type]
            prefix=prefix,
            fields=schema.parse_log_format(fields) if fields.strip() else (),
            account=account,
            region=region,
            ground_truth=ground_truth,  # type: ignore[arg-type]
        )
        result = write_sample(config, out_dir, topology, force=force)
    except schema.UnknownFieldError as exc:
        raise click.BadParameter(str(exc), param_hint="--fields") from None
    except SampleError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.option}") from None
    gateway = f" (+{result.tgw_records:,} transit gateway records)" if result.tgw_records else ""
    click.echo(
        f"wrote {len(result.files):,} files, {result.records:,} records{gateway}, "
        f"{result.bytes:,} bytes to {result.out_dir} (ground truth: {result.ground_truth.name})"
    )
