"""`query list|show|run` and `estimate`: the scenario pack from the command line."""

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
    emit,
    network_rows,
    networks_option,
    note,
    output_options,
    progress_option,
    read_networks,
    resolve_cache_dir,
    s3_client_for,
    strict_option,
    warn,
)
from vpc_cidr_analysis.layout import LAYOUTS
from vpc_cidr_analysis.networks import Networks, NetworksError, expand_parameters
from vpc_cidr_analysis.output import human_bytes
from vpc_cidr_analysis.pack.queries import (
    ParameterError,
    QueryError,
    get_query,
    load_queries,
    parse_assignments,
    window_days,
)
from vpc_cidr_analysis.s3url import S3UrlError

ESTIMATE_COLUMNS = ("prefix", "objects", "bytes", "size")
PARAM_HELP = (
    "Query parameter as name=value (repeatable); see `query show NAME`. With --networks a "
    "network name stands for its blocks: -p vpc_cidrs=vpc-a."
)


def _today(value: date | None) -> date:
    return value if value is not None else datetime.now(UTC).date()


def canonical_notes(query: Any, values: dict[str, str]) -> None:
    """A note for each CIDR parameter the binding rewrote (case, duplicates)."""
    resolved = query.resolve(values)
    for param in query.params:
        given = values.get(param.name)
        if param.type.kind == "cidr_list" and given:
            canonical = resolved[param.name]
            if canonical != given.strip():
                note(f"-p {param.name}={given} read as {canonical} (canonical form)")


def _load(
    name: str,
    params: tuple[str, ...],
    window_only: bool = False,
    networks: Networks | None = None,
) -> tuple[Any, dict[str, str]]:
    """The query and its values, validated; `window_only`: required parameters that do not
    change the window (CIDR blocks) may be left out (their examples stand in). Network names
    in CIDR parameters are replaced by their blocks."""
    try:
        query = get_query(name)
        cidr_params = [p.name for p in query.params if p.type.kind == "cidr_list"]
        values = expand_parameters(parse_assignments(params), networks, cidr_params)
        if window_only:
            values = {p.name: p.example for p in query.params if p.required} | values
        query.bind(values)  # validate before any work
    except (QueryError, ParameterError, NetworksError) as exc:
        raise click.UsageError(str(exc)) from None
    canonical_notes(query, values)
    return query, values


@click.group()
def query() -> None:
    """List, show and run the scenario queries of `queries/`.

    \b
    Example:
      vpc-cidr-analysis query list
      vpc-cidr-analysis query run external --logs logs/ -p vpc_cidrs=10.0.0.0/16
    """


@query.command("list")
def list_queries() -> None:
    """List the queries with their parameters.

    \b
    Example:
      vpc-cidr-analysis query list
    """
    queries = sorted(load_queries().items())
    width = max((len(name) for name, _ in queries), default=0)
    for name, q in queries:
        params = ", ".join(
            f"{p.name}=" + ("(required)" if p.required else p.default) for p in q.params
        )
        via = f" (runs {q.body})" if q.body else ""
        click.echo(f"{name:<{width}}  {q.title}{via}\n{'':<{width}}  {params}")


@query.command("show")
@click.argument("name")
@click.option("--raw", is_flag=True, help="Raw matched records instead of conversations.")
@click.option(
    "--form",
    type=click.Choice(["contains", "cidrtable"]),
    default="contains",
    show_default=True,
    help="CIDR membership by contains() or by the Lambda's cidrtable.",
)
def show(name: str, raw: bool, form: str) -> None:
    """Print a query as you would paste it into the Athena console.

    \b
    Example:
      vpc-cidr-analysis query show peering --form cidrtable
    """
    from vpc_cidr_analysis.pack.runner import query_sql

    q, _ = _load(name, (), window_only=True)
    sql = query_sql(q, raw=raw, form=form)  # type: ignore[arg-type]
    click.echo(q.header)
    click.echo(sql)


@query.command("run")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, help=PARAM_HELP)
@click.option(
    "--engine", type=click.Choice(["local", "athena"]), default="local", show_default=True
)
@click.option("--logs", help="Flow logs for the local engine: a folder or s3://bucket/prefix.")
@click.option("--cidr-dir", type=click.Path(path_type=Path), help="Expanded CIDR files.")
@networks_option
@aws_ranges_option
@day_option("--today", help="Pin current_date for the local engine and the window")
@click.option("--raw", is_flag=True, help="Raw matched records instead of conversations.")
@click.option(
    "--form", type=click.Choice(["contains", "cidrtable"]), default="contains", show_default=True
)
@output_options
@progress_option
@strict_option
@cache_option
@aws_options
@click.option("--workgroup", help="Athena workgroup (else the stack's, else primary).")
@click.option("--database", help="Glue database (else the stack's, else vpcflowlogscidrdb).")
@click.option("--output-location", help="s3:// results location, if the workgroup has none.")
@click.option("--stack", help="Read workgroup, database and region from this stack's Outputs.")
def run(
    name: str,
    params: tuple[str, ...],
    engine: str,
    logs: str | None,
    cidr_dir: Path | None,
    networks_file: Path | None,
    aws_ranges_file: Path | None,
    today: date | None,
    raw: bool,
    form: str,
    fmt: str,
    columns: str | None,
    limit: int | None,
    progress: bool,
    strict: bool,
    cache_dir: Path | None,
    **athena_options: str | None,
) -> None:
    """Run a query locally over flow-log files, or on Athena.

    With --networks the local engine's `networks` table holds the file's blocks, and with
    --aws-ranges AWS's prefixes as aws:SERVICE:REGION (on Athena, the stack's table:
    `networks push`).

    \b
    Example:
      vpc-cidr-analysis query run peering --logs logs/ -p vpc_cidrs=10.0.0.0/16 \\
          -p peer_cidrs=10.1.0.0/16 -p days=7
      vpc-cidr-analysis query run outbound --logs logs/ --networks networks.yaml \\
          -p vpc_cidrs=vpc-a -p peer_cidrs=vpc-b
      vpc-cidr-analysis query run network_matrix --logs logs/ --networks networks.yaml \\
          --aws-ranges ip-ranges.json
      vpc-cidr-analysis query run external --engine athena --stack vpc-cidr-analysis \\
          -p vpc_cidrs=10.0.0.0/16,100.64.0.0/20
    """
    from vpc_cidr_analysis.pack.notes import notes
    from vpc_cidr_analysis.pack.runner import run_athena, run_local, window_warnings

    networks = read_networks(networks_file)
    q, values = _load(name, params, networks=networks)
    if engine == "local" and not logs:
        raise click.UsageError("--logs is required with --engine local (a folder or s3://)")
    if engine == "local":
        out = run_local(
            q,
            values,
            str(logs),
            raw=raw,
            form=form,  # type: ignore[arg-type]
            cidr_dir=cidr_dir,
            today=today,
            progress=progress,
            s3_client=s3_client_for(
                logs, athena_options.get("region"), athena_options.get("profile")
            ),
            networks=network_rows(networks, aws_ranges_file),
            strict=strict,
            cache_dir=resolve_cache_dir(cache_dir),
            # CSV and JSON straight from DuckDB's lines, unless the notes read the rows
            write=None if fmt == "table" else lambda rows: emit(rows.columns, rows, fmt, columns),
        )
        window = window_days(q, q.bind(values), _today(today))
        for message in window_warnings(window, out.data_days):
            warn(message)
    else:
        athena, settings = _athena_clients(athena_options)
        out = run_athena(q, values, athena, settings, raw=raw, form=form)  # type: ignore[arg-type]
    if not out.written:
        emit(out.columns, out.rows, fmt, columns, limit)
    for text in notes(q, out.fields, out.columns, out.rows):
        note(f"Note: {text}")
    if out.ragged_note:
        note(f"Note: {out.ragged_note}")
    if out.skipped_note:
        note(f"Note: {out.skipped_note}")
    if out.bytes_scanned is not None:
        note(
            f"scanned {out.bytes_scanned:,} bytes ({human_bytes(out.bytes_scanned)}), "
            f"cost ${out.cost_usd:.6f} (query {out.query_execution_id})"
        )


def _athena_clients(options: dict[str, str | None]) -> tuple[Any, Any]:
    import boto3

    from vpc_cidr_analysis.pack.athena import read_stack_outputs, resolve_settings

    def outputs(stack: str, settings: Any) -> dict[str, str]:
        session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
        return read_stack_outputs(session.client("cloudformation"), stack)

    settings = resolve_settings(
        {
            "region": options.get("region"),
            "profile": options.get("profile"),
            "workgroup": options.get("workgroup"),
            "database": options.get("database"),
            "output_location": options.get("output_location"),
            "stack": options.get("stack"),
        },
        stack_outputs=outputs,
    )
    session = boto3.Session(profile_name=settings.profile, region_name=settings.region)
    return session.client("athena"), settings


@click.command()
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, help=PARAM_HELP)
@click.option("--logs", required=True, help="Flow-log location: s3://bucket/optional-prefix/.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="default", show_default=True)
@click.option("--source", "sources", multiple=True, help="ACCOUNT:REGION to read (repeatable).")
@networks_option
@day_option("--today", help="Pin today for the window")
@output_options
@aws_options
def estimate(
    name: str,
    params: tuple[str, ...],
    logs: str,
    layout: str,
    sources: tuple[str, ...],
    networks_file: Path | None,
    today: date | None,
    fmt: str,
    columns: str | None,
    limit: int | None,
    region: str | None,
    profile: str | None,
) -> None:
    """Bytes and dollars a query's window would scan, before you run it.

    Lists the S3 prefixes of the window's partitions and sums their objects' sizes; a query
    reads at most these bytes (text logs are billed compressed). The table's last line is the
    total; with --format csv/json/jsonl the rows are the prefixes and the total goes to stderr.

    \b
    Example:
      vpc-cidr-analysis estimate external --logs s3://my-flow-logs/ -p days=30
      vpc-cidr-analysis estimate external --logs s3://my-flow-logs/ --format json
    """
    import boto3

    from vpc_cidr_analysis.pack.athena import scan_cost
    from vpc_cidr_analysis.pack.estimate import estimate_scan

    q, values = _load(name, params, window_only=True, networks=read_networks(networks_file))
    days = window_days(q, q.bind(values), _today(today))
    pairs: list[tuple[str, str]] = []
    for source in sources:
        account, sep, source_region = source.partition(":")
        if not sep or not account.isdigit() or len(account) != 12 or not source_region:
            raise click.BadParameter(
                f"{source!r}: expected ACCOUNT:REGION, e.g. 123456789012:us-east-1"
            )
        pairs.append((account, source_region))
    try:
        s3 = boto3.Session(profile_name=profile, region_name=region).client("s3")
        sizes = estimate_scan(s3, logs, layout, days, pairs or None)  # type: ignore[arg-type]
    except S3UrlError as exc:
        raise click.BadParameter(str(exc), param_hint="--logs") from None
    if not sizes:
        raise click.ClickException(
            f"no flow logs under {logs} in the {layout} layout (looked for AWSLogs/…); "
            "check --layout (default|hive) and the prefix, or name --source ACCOUNT:REGION"
        )
    total = sum(s.bytes for s in sizes)
    rows = [(s.prefix, s.objects, s.bytes, human_bytes(s.bytes)) for s in sizes]
    emit(ESTIMATE_COLUMNS, rows, fmt, columns, limit)
    summary = (
        f"{total:,} bytes ({human_bytes(total)}) in {len(days)} days "
        f"({days[0]:%Y/%m/%d}..{days[-1]:%Y/%m/%d}): at most ${scan_cost(total):.6f} "
        "at $5/TB (10 MB minimum)"
    )
    if fmt == "table":
        click.echo(summary)
    else:
        note(summary)
