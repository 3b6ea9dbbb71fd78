"""`vpc-cidr-analysis report`: the traffic report between named networks, as HTML or JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from vpc_cidr_analysis.cli.options import (
    aws_options,
    aws_ranges_option,
    cache_option,
    day_option,
    network_rows,
    networks_option,
    note,
    progress_option,
    read_networks,
    resolve_cache_dir,
    s3_client_for,
    warn,
)


@click.command("report")
@networks_option
@aws_ranges_option
@click.option("--logs", help="Flow logs for the local engine: a folder or s3://bucket/prefix.")
@click.option(
    "--engine", type=click.Choice(["local", "athena"]), default="local", show_default=True
)
@click.option("--days", default=10, show_default=True, help="Days in the window (1-3660).")
@day_option("--end-day", help="Last day of the window (default: today)")
@day_option("--today", help="Pin current_date for the local engine")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path))
@progress_option
@cache_option
@aws_options
@click.option("--workgroup", help="Athena workgroup (else the stack's, else primary).")
@click.option("--database", help="Glue database (else the stack's, else vpcflowlogscidrdb).")
@click.option("--output-location", help="s3:// results location, if the workgroup has none.")
@click.option("--stack", help="Read workgroup, database and region from this stack's Outputs.")
def report(
    networks_file: Path | None,
    aws_ranges_file: Path | None,
    logs: str | None,
    engine: str,
    days: int,
    end_day: date | None,
    today: date | None,
    html_file: Path | None,
    json_file: Path | None,
    progress: bool,
    cache_dir: Path | None,
    **athena_options: str | None,
) -> None:
    """The traffic between named networks as one self-contained HTML page (and/or JSON).

    The map (a heat-map of bytes, client network to server network), a daily timeline per
    pair, per pair the top servers (address:port, clients, bytes, last seen), AWS services
    with the NAT share, rejected traffic and remote-admin exposure. On Athena the stack's
    networks table must hold the same file (`networks push`).

    \b
    Example:
      vpc-cidr-analysis report --networks networks.yaml --logs logs/ --html report.html
      vpc-cidr-analysis report --networks networks.yaml --engine athena \\
          --stack vpc-cidr-analysis --json report.json
    """
    from vpc_cidr_analysis.aws_ranges import load_aws_ranges
    from vpc_cidr_analysis.cli.query import _athena_clients
    from vpc_cidr_analysis.files import atomic_write
    from vpc_cidr_analysis.pack.queries import load_queries
    from vpc_cidr_analysis.pack.runner import QueryOutput, local_engine, run_athena, run_on
    from vpc_cidr_analysis.settings import AWS_RANGES_FILE, resolve
    from vpc_cidr_analysis.traffic.html import render_html
    from vpc_cidr_analysis.traffic.report import build_report, report_json

    if html_file is None and json_file is None:
        raise click.UsageError("give --html FILE and/or --json FILE")
    if not 1 <= days <= 3660:
        raise click.BadParameter(f"{days} is out of range; expected 1..3660", param_hint="--days")
    networks = read_networks(networks_file)
    if networks is None:
        raise click.UsageError("--networks FILE is required (name: [CIDR, ...] per line)")
    if engine == "local" and not logs:
        raise click.UsageError("--logs is required with --engine local (a folder or s3://)")
    rows = network_rows(networks, aws_ranges_file)
    ranges_path = resolve(
        None if aws_ranges_file is None else str(aws_ranges_file), AWS_RANGES_FILE, ""
    )
    ranges = load_aws_ranges(ranges_path) if ranges_path else None
    queries = load_queries()
    last = end_day or today or datetime.now(UTC).date()
    window = [date.fromordinal(last.toordinal() - n) for n in range(days - 1, -1, -1)]
    athena: Any = None
    local: Any = None
    if engine == "athena":
        athena = _athena_clients(athena_options)
    else:  # one engine for every query: files listed, headers read, S3 objects fetched once
        s3 = s3_client_for(logs, athena_options.get("region"), athena_options.get("profile"))
        local = local_engine(
            str(logs),
            today=today,
            progress=progress,
            s3_client=s3,
            networks=rows,
            cache_dir=resolve_cache_dir(cache_dir),
        )
    data_days: list[tuple[str, str]] = []

    def run(name: str, values: Any) -> QueryOutput:
        if athena is not None:
            return run_athena(queries[name], values, athena[0], athena[1])
        out = run_on(local, queries[name], values)
        if out.data_days:
            data_days.append(out.data_days)
        return out

    try:
        built = build_report(run, networks, window, ranges)
    finally:
        if local is not None:
            local.close()
    if engine == "local" and not data_days:
        warn(f"no flow logs under {logs} in {built.first_day}..{built.last_day}")
    for text in built.notes:
        note(f"Note: {text}")
    if json_file is not None:
        atomic_write(json_file, report_json(built))
        click.echo(f"wrote {json_file}")
    if html_file is not None:
        atomic_write(html_file, render_html(built))
        click.echo(f"wrote {html_file}")
