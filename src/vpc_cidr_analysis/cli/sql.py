"""`vpc-cidr-analysis sql`: run Athena SQL unchanged on flow-log files with the local engine."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from vpc_cidr_analysis.cli.options import (
    CIDR,
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

_NAMED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)


def parameter_values(values: tuple[str, ...]) -> list[object]:
    """`-p` values in order; `name=value` labels a value (binding is still by position)."""
    from vpc_cidr_analysis.engine.local import parse_parameter

    bound: list[object] = []
    for value in values:
        match = _NAMED.match(value)
        bound.append(parse_parameter(match.group(2) if match else value))
    return bound


@click.command(
    "sql",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("query", required=False)
@click.option(
    "--logs",
    metavar="PATH",
    help="Flow logs: a local folder or s3://bucket/prefix (any layout, text .log.gz or "
    ".log.parquet).",
)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the SQL from a file instead of the QUERY argument.",
)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="VALUE",
    help="Value for the next ? (repeatable, in order). 'name=value' labels it. Numbers, "
    "'quoted text', true/false, NULL and DATE 'yyyy-mm-dd' are SQL literals as in Athena's "
    "ExecutionParameters; anything else is text.",
)
@click.option(
    "--cidr",
    "cidrs",
    multiple=True,
    type=CIDR,
    help="Expand a block into cidrtable (repeatable), as the CIDR Lambda would.",
)
@click.option(
    "--cidr-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the CIDR Lambda's *.csv.gz files (rows cidr,ip) to use as cidrtable.",
)
@networks_option
@aws_ranges_option
@day_option("--today", help="Pin current_date (and now()) to this day")
@output_options
@click.option(
    "--show-translation",
    is_flag=True,
    help="Print the DuckDB SQL to stderr before running; without --logs, print it to stdout "
    "and stop.",
)
@progress_option
@strict_option
@cache_option
@aws_options
def sql(
    query: str | None,
    logs: str | None,
    query_file: Path | None,
    params: tuple[str, ...],
    cidrs: tuple[str, ...],
    cidr_dir: Path | None,
    networks_file: Path | None,
    aws_ranges_file: Path | None,
    today: date | None,
    fmt: str,
    columns: str | None,
    limit: int | None,
    show_translation: bool,
    progress: bool,
    strict: bool,
    cache_dir: Path | None,
    region: str | None,
    profile: str | None,
) -> None:
    """Run Athena (engine v3) SQL unchanged on flow-log files, locally on DuckDB.

    The tables are the stack's: vpcflowlogstable (every flow-log field, partitions
    aws_account_id, aws_region, day, hour), cidrtable(cidr, ip) and networks(network, cidr)
    (the --networks file's blocks, then --aws-ranges prefixes), also as
    vpcflowlogscidrdb.<table>. Only files whose partitions pass the query's
    day/hour/account/region conditions are read.

    \b
    Example:
      vpc-cidr-analysis sql --logs logs/ --cidr 10.0.0.0/16 --today 2026-11-27 \\
        "SELECT srcaddr, dstaddr, sum(bytes) AS bytes FROM vpcflowlogstable
         WHERE day >= date_format(current_date - interval '9' day, '%Y/%m/%d')
           AND contains(?, TRY_CAST(srcaddr AS IPADDRESS))
         GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10" -p 10.0.0.0/16
    """
    from vpc_cidr_analysis.engine.local import LocalEngine
    from vpc_cidr_analysis.engine.sources import ragged_note
    from vpc_cidr_analysis.engine.translate import translate
    from vpc_cidr_analysis.pack.runner import add_networks_table

    if (query is None) == (query_file is None):
        raise click.UsageError("give the SQL either as the QUERY argument or with --file")
    if query_file is not None:
        try:
            text = query_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read {query_file}: {exc.strerror}", param_hint="--file"
            ) from None
    else:
        text = query or ""
    pinned = today
    values = parameter_values(params)
    rows = network_rows(read_networks(networks_file), aws_ranges_file)
    if logs is None:
        if not show_translation:
            raise click.UsageError("--logs is required (a folder or s3://bucket/prefix)")
        click.echo(translate(text, today=pinned, pretty=True))
        return
    with LocalEngine(
        logs,
        cidrs=cidrs,
        cidr_dir=cidr_dir,
        today=pinned,
        progress=progress,
        s3_client=s3_client_for(logs, region, profile),
        strict=strict,
        cache_dir=resolve_cache_dir(cache_dir),
    ) as engine:
        add_networks_table(engine, rows)
        if show_translation:
            click.echo(translate(text, today=pinned, pretty=True), err=True)
        result = engine.stream(text, values)
        if "cidrtable" in text.lower() and engine.cidrtable_empty:
            warn("cidrtable is empty; pass --cidr or --cidr-dir to fill it")
        emit(result.columns, result, fmt, columns, limit)
        if engine.last_ragged:
            note(f"Note: {ragged_note(engine.last_ragged)}")
        if engine.last_skipped_note:
            note(f"Note: {engine.last_skipped_note}")
