"""Run a query of the pack on the local engine or on Athena: one entry point for the CLI."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.days import partition_day
from vpc_cidr_analysis.pack.athena import AthenaSettings, run_query
from vpc_cidr_analysis.pack.forms import cidrtable_form, raw_form
from vpc_cidr_analysis.pack.queries import Query, athena_literal

if TYPE_CHECKING:
    from vpc_cidr_analysis.engine.local import LocalEngine, StreamingResult

#: Writes a streamed result (e.g. the CLI's `emit`, which lets DuckDB write CSV and JSON).
Writer = Callable[["StreamingResult"], object]

Engine = Literal["local", "athena"]
CidrForm = Literal["contains", "cidrtable"]
#: The stack's table of named networks (see `vpc_cidr_analysis.networks`).
NETWORKS_TABLE = "networks"


@dataclass
class QueryOutput:
    """What a run returns, whatever the engine."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    bytes_scanned: int | None = None
    cost_usd: float | None = None
    query_execution_id: str | None = None
    #: Flow-log fields of the files the local engine read (None on Athena).
    fields: frozenset[str] | None = None
    #: The local engine's first and last `day` (yyyy/MM/dd) of the files under --logs.
    data_days: tuple[str, str] | None = None
    #: The local engine's note on text lines that did not match their header (else None).
    ragged_note: str | None = None
    #: The Transit Gateway flow-log files a VPC query left out, when there were any.
    skipped_note: str | None = None
    #: The rows were handed to the `write` given to the run (and are not in `rows`).
    written: bool = False


def query_sql(query: Query, *, raw: bool = False, form: CidrForm = "contains") -> str:
    """The SQL text to run for a query: conversations or raw records, either CIDR form."""
    sql = raw_form(query.sql, query.path) if raw else query.sql
    return cidrtable_form(sql, query.path) if form == "cidrtable" else sql


def cidrs_of(query: Query, values: Mapping[str, str]) -> list[str]:
    """Every CIDR block named by the query's cidr_list parameters (for a local cidrtable)."""
    resolved = query.resolve(values)
    blocks: list[str] = []
    for param in query.params:
        if param.type.kind == "cidr_list":
            blocks.extend(b for b in str(resolved[param.name]).split(",") if b not in blocks)
    return blocks


def run_local(
    query: Query,
    values: Mapping[str, str],
    logs: str,
    *,
    raw: bool = False,
    form: CidrForm = "contains",
    cidr_dir: Path | None = None,
    today: date | None = None,
    progress: bool = False,
    s3_client: Any = None,
    networks: Sequence[tuple[str, str]] = (),
    strict: bool = False,
    write: Writer | None = None,
    cache_dir: Path | None = None,
) -> QueryOutput:
    """Run on the embedded engine over flow-log files; the cidrtable form expands the
    query's own CIDR parameters unless a folder of expanded blocks is given. `networks` are
    the rows (network, cidr) of the `networks` table (empty when none are named); `strict`: a
    text line that does not match its header is an error (else `ragged_note` says so);
    `write`: see `run_on`; `cache_dir`: the engine's cache of typed copies of text files
    (`engine.cache`)."""
    cidrs = cidrs_of(query, values) if form == "cidrtable" and cidr_dir is None else []
    with local_engine(
        logs,
        cidrs=cidrs,
        cidr_dir=cidr_dir,
        today=today,
        progress=progress,
        s3_client=s3_client,
        networks=networks,
        strict=strict,
        cache_dir=cache_dir,
    ) as engine:
        return run_on(engine, query, values, raw=raw, form=form, write=write)


def local_engine(
    logs: str,
    *,
    cidrs: Sequence[str] = (),
    cidr_dir: Path | None = None,
    today: date | None = None,
    progress: bool = False,
    s3_client: Any = None,
    networks: Sequence[tuple[str, str]] = (),
    strict: bool = False,
    cache_dir: Path | None = None,
) -> LocalEngine:
    """A local engine over the logs with the `networks` table, for several `run_on` calls
    (the files are listed, their headers read and S3 objects downloaded once); close it."""
    from vpc_cidr_analysis.engine.local import LocalEngine

    engine = LocalEngine(
        logs,
        cidrs=cidrs,
        cidr_dir=cidr_dir,
        today=today,
        progress=progress,
        s3_client=s3_client,
        strict=strict,
        cache_dir=cache_dir,
    )
    try:
        add_networks_table(engine, networks)
    except BaseException:
        engine.close()
        raise
    return engine


def run_on(
    engine: LocalEngine,
    query: Query,
    values: Mapping[str, str],
    *,
    raw: bool = False,
    form: CidrForm = "contains",
    write: Writer | None = None,
) -> QueryOutput:
    """Run on an open local engine (see `local_engine`); the cidrtable form reads the
    engine's cidrtable as it is. With `write`, the result is streamed to it instead of
    kept (`written`), unless it has a column the notes read (`notes.ROW_COLUMNS`)."""
    from vpc_cidr_analysis.engine.sources import ragged_note
    from vpc_cidr_analysis.pack.notes import ROW_COLUMNS

    sql = query_sql(query, raw=raw, form=form)
    bound = query.bind(values, sql)
    written = False
    if write is not None:
        streamed = engine.stream(sql, bound)
        columns = list(streamed.columns)
        if set(columns) & set(ROW_COLUMNS):
            rows = [tuple(r) for r in streamed]
        else:
            write(streamed)
            rows, written = [], True
    else:
        result = engine.execute(sql, bound)
        columns, rows = list(result.columns), [tuple(r) for r in result.rows]
    ragged = ragged_note(engine.last_ragged) if engine.last_ragged else None
    days = sorted({o.partitions.day for o in engine.objects if o.partitions.day})
    return QueryOutput(
        columns,
        rows,
        fields=engine.last_fields,
        data_days=(days[0], days[-1]) if days else None,
        ragged_note=ragged,
        skipped_note=engine.last_skipped_note,
        written=written,
    )


def add_networks_table(engine: Any, rows: Sequence[tuple[str, str]]) -> None:
    """The stack's `networks` table (network, cidr) on a local engine, as
    `vpcflowlogscidrdb.networks` and `networks`. The rows are read from a CSV file (the same
    text `networks push` writes), never formatted into SQL: DuckDB reads 10,000 rows of AWS
    ranges that way in milliseconds, where binding them row by row takes seconds."""
    import tempfile

    from vpc_cidr_analysis.networks import networks_csv

    database, table = schema.DATABASE, NETWORKS_TABLE
    con = engine.con
    if not rows:  # no file to write and read back for an empty table
        con.execute(f"CREATE OR REPLACE TABLE {database}.{table} (network VARCHAR, cidr VARCHAR)")
        con.execute(f"CREATE OR REPLACE VIEW main.{table} AS SELECT * FROM {database}.{table}")
        return
    with tempfile.TemporaryDirectory(prefix="vpc-cidr-networks-") as folder:
        path = Path(folder) / "networks.csv"
        path.write_text(networks_csv(rows), encoding="utf-8")
        con.execute(
            f"CREATE OR REPLACE TABLE {database}.{table} AS SELECT * FROM read_csv(?, "
            "header = true, quote = '\"', columns = {'network': 'VARCHAR', 'cidr': 'VARCHAR'})",
            [path.as_posix()],
        )
    con.execute(f"CREATE OR REPLACE VIEW main.{table} AS SELECT * FROM {database}.{table}")


def window_warnings(window: Sequence[date], data_days: tuple[str, str] | None) -> list[str]:
    """What could make a window's answer mislead: no data in it, or data starting inside it.

    `window` is the days a query reads; `data_days` the first and last day of the logs.
    """
    if not window or data_days is None:
        return []
    first, last = (partition_day(d) for d in (window[0], window[-1]))
    if data_days[1] < first or data_days[0] > last:
        return [
            f"no flow logs in the window {first}..{last}: the logs hold "
            f"{data_days[0]}..{data_days[1]}; every count reads 0 (move it with end_day, "
            "--end-day or --today)"
        ]
    if data_days[0] > first:
        return [
            f"the window starts {first}, before the first day of flow logs {data_days[0]}: "
            "days before it count as no traffic"
        ]
    return []


def run_athena(
    query: Query,
    values: Mapping[str, str],
    athena: Any,
    settings: AthenaSettings,
    *,
    raw: bool = False,
    form: CidrForm = "contains",
) -> QueryOutput:
    """Run on Athena with bound ExecutionParameters."""
    sql = query_sql(query, raw=raw, form=form)
    literals = [athena_literal(v) for v in query.bind(values, sql)]
    result = run_query(athena, sql, literals, settings)
    return QueryOutput(
        result.columns,
        result.rows,
        bytes_scanned=result.bytes_scanned,
        cost_usd=result.cost_usd,
        query_execution_id=result.query_execution_id,
    )
