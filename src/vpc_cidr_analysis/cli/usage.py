"""`usage enis|rules|exposure|report`: flow logs (local or Athena) matched with an inventory."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from vpc_cidr_analysis.cli.options import (
    aws_options,
    cache_option,
    day_option,
    emit,
    note,
    output_options,
    progress_option,
    resolve_cache_dir,
    s3_client_for,
    strict_option,
    warn,
)
from vpc_cidr_analysis.days import partition_day
from vpc_cidr_analysis.files import atomic_write

F = TypeVar("F", bound=Callable[..., Any])
STATUSES = ("used", "never used", "maybe used", "group unattached")


def _source_options(func: F) -> F:
    """Options every usage command shares: inventory, engine, window."""
    options = [
        click.option(
            "--inventory",
            required=True,
            type=click.Path(exists=True, path_type=Path),
            help="inventory.json from `inventory` (or a simulated sample folder).",
        ),
        click.option(
            "--engine",
            type=click.Choice(["local", "athena"]),
            default="local",
            show_default=True,
        ),
        click.option("--logs", help="Flow logs for the local engine: a folder or s3://."),
        click.option(
            "--days",
            type=click.IntRange(1, 3660),
            default=10,
            show_default=True,
            help="Window: the last N days up to --end-day (or today).",
        ),
        day_option("--start-day", help="First day; else the last --days days"),
        day_option("--end-day", help="Last day; else today"),
        day_option("--today", help="Pin today for the local engine and the window"),
        progress_option,
        strict_option,
        cache_option,
        aws_options,
        click.option("--workgroup", help="Athena: workgroup (else the stack's, else primary)."),
        click.option("--database", help="Athena: Glue database (else the stack's)."),
        click.option("--output-location", help="Athena: s3:// results location."),
        click.option("--stack", help="Athena: read workgroup, database, region from a stack."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _analyse(options: dict[str, Any]) -> Any:
    """Run the two usage queries and match them with the inventory."""
    from vpc_cidr_analysis.pack.queries import ParameterError, get_query, window_days
    from vpc_cidr_analysis.pack.runner import local_engine, run_athena, run_on, window_warnings
    from vpc_cidr_analysis.usage.inventory import InventoryError, read_inventory
    from vpc_cidr_analysis.usage.match import (
        analyse,
        connection_rows,
        day_range,
        eni_usage_records,
    )

    try:
        inventory = read_inventory(options["inventory"])
    except InventoryError as exc:
        raise click.BadParameter(str(exc), param_hint="--inventory") from None
    start, end = options["start_day"], options["end_day"]
    if start and end and start > end:
        raise click.BadParameter(
            f"{start:%Y-%m-%d} is after --end-day {end:%Y-%m-%d}; expected a first day "
            "on or before the last",
            param_hint="--start-day",
        )
    values = {
        "days": str(options["days"]),
        "start_day": partition_day(start) if start else "",
        "end_day": partition_day(end) if end else "",
    }
    connections_query, usage_query = get_query("sg_connections"), get_query("eni_usage")
    try:
        bound = connections_query.bind(values)
    except ParameterError as exc:
        raise click.UsageError(str(exc)) from None
    today: date | None = options["today"]
    engine = options["engine"]
    if engine == "local":
        if not options["logs"]:
            raise click.UsageError("--logs is required with --engine local (a folder or s3://)")
        # One engine for both queries: files listed, headers read, S3 objects fetched once.
        with local_engine(
            options["logs"],
            today=today,
            progress=options["progress"],
            s3_client=s3_client_for(options["logs"], options["region"], options["profile"]),
            strict=options["strict"],
            cache_dir=resolve_cache_dir(options["cache_dir"]),
        ) as local:
            conn = run_on(local, connections_query, values)
            eni = run_on(local, usage_query, values)
        if conn.ragged_note:  # both queries read the same files: said once
            note(f"Note: {conn.ragged_note}")
        if conn.skipped_note:
            note(f"Note: {conn.skipped_note}")
        source = f"local engine over {options['logs']}"
    else:
        from vpc_cidr_analysis.cli.query import _athena_clients

        athena, settings = _athena_clients(options)
        conn = run_athena(connections_query, values, athena, settings)
        eni = run_athena(usage_query, values, athena, settings)
        source = f"Athena workgroup {settings.workgroup}, database {settings.database}"
    window = window_days(connections_query, bound, today or datetime.now(UTC).date())
    warnings = window_warnings(window, conn.data_days)
    days = day_range(window)
    filters = {
        "flow logs": source,
        "inventory": str(options["inventory"]),
        "window": f"{days[0]} to {days[-1]}"
        + ("" if values["start_day"] else f" (last {values['days']} days)"),
    }
    result = analyse(
        inventory,
        connection_rows(conn.columns, conn.rows),
        eni_usage_records(eni.columns, eni.rows),
        days,
        filters,
    )
    if not warnings or conn.rows:  # a window without logs is said once
        warnings += result.warnings()
    for message in warnings:
        warn(message)
    return result


@click.group()
def usage() -> None:
    """Usage of network interfaces and security-group rules: flow logs matched with an
    inventory (`vpc-cidr-analysis inventory`).

    \b
    Example:
      vpc-cidr-analysis usage rules --inventory inventory.json --logs s3://flow-logs/ --days 30
      vpc-cidr-analysis usage report --inventory inventory.json --engine athena \\
          --stack vpc-cidr-analysis --html report.html
    """


def _command(func: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(func)
    def wrapper(**options: Any) -> None:
        func(options)

    return wrapper


@usage.command("enis")
@_source_options
@output_options
@click.option("--unused", is_flag=True, help="Only ENIs without accepted traffic.")
@_command
def enis(options: dict[str, Any]) -> None:
    """Per ENI: flows, packets and bytes sent and received, peers, listening ports, first and
    last seen; `--unused` lists the inventory's ENIs with no accepted traffic in the window.

    \b
    Example:
      vpc-cidr-analysis usage enis --inventory inventory.json --logs logs/ --unused
    """
    report = _analyse(options)
    if options["unused"]:
        emit(
            report.UNUSED_COLUMNS,
            report.unused_rows(),
            options["fmt"],
            options["columns"],
            options["limit"],
        )
    else:
        emit(
            report.ENI_COLUMNS,
            report.eni_table(),
            options["fmt"],
            options["columns"],
            options["limit"],
        )


@usage.command("rules")
@_source_options
@output_options
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only rules with this status (repeatable), e.g. --status 'never used'.",
)
@_command
def rules(options: dict[str, Any]) -> None:
    """Per security-group rule: connections it admitted, ENIs, first and last use, overlaps,
    and status (used, never used, maybe used, group unattached).

    \b
    Example:
      vpc-cidr-analysis usage rules --inventory inventory.json --logs logs/ --status 'never used'
    """
    report = _analyse(options)
    rows = report.rule_rows(options["statuses"])
    emit(report.RULE_COLUMNS, rows, options["fmt"], options["columns"], options["limit"])


@usage.command("exposure")
@_source_options
@output_options
@_command
def exposure(options: dict[str, Any]) -> None:
    """Public ENIs and their inbound rules open to internet addresses, with their use.

    \b
    Example:
      vpc-cidr-analysis usage exposure --inventory inventory.json --logs logs/
    """
    report = _analyse(options)
    emit(
        report.EXPOSURE_COLUMNS,
        report.exposure_rows(),
        options["fmt"],
        options["columns"],
        options["limit"],
    )


@usage.command("report")
@_source_options
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report as one self-contained HTML page to this file.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every table of the report as one JSON document to this file.",
)
@click.option(
    "--csv-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one CSV file per table of the report into this folder.",
)
@_command
def report(options: dict[str, Any]) -> None:
    """Everything in one go: a self-contained HTML page (rule-by-day heatmap, never-used
    rules, unused ENIs, exposure, the window), and/or JSON, and/or CSV files.

    \b
    Example:
      vpc-cidr-analysis usage report --inventory inventory.json --logs logs/ \\
          --html report.html --json report.json --csv-dir report-csv/
    """
    from vpc_cidr_analysis.usage.report import render_html, summary_text, write_csv, write_json

    if not (options["html_path"] or options["json_path"] or options["csv_dir"]):
        raise click.UsageError("choose at least one of --html FILE, --json FILE, --csv-dir DIR")
    result = _analyse(options)
    if options["html_path"]:
        atomic_write(options["html_path"], render_html(result))
        click.echo(f"wrote {options['html_path']}")
    if options["json_path"]:
        click.echo(f"wrote {write_json(result, options['json_path'])}")
    if options["csv_dir"]:
        for path in write_csv(result, options["csv_dir"]):
            click.echo(f"wrote {path}")
    click.echo(summary_text(result))
