"""The local engine: Athena SQL over flow-log files, run unchanged on DuckDB.

`LocalEngine(logs).execute(sql, params)` translates the Athena (Trino) SQL (`translate/`),
exposes the same tables the stack's Glue database has — `vpcflowlogstable` (every field of
`schema.FIELDS` with its Athena column name and type, then the partition columns
`aws_account_id, aws_region, day, hour`) and `cidrtable(cidr, ip)`, both also as
`vpcflowlogscidrdb.<table>` — and runs the query with its `?` values bound, never formatted in.

Partition pruning works like Trino's: the WHERE conjuncts (and INNER JOIN ON conjuncts) that
reference only partition columns of `vpcflowlogstable` are evaluated over a small table of the
discovered files' partition values, and only files that pass are opened (`last_files`,
`files_read` count them). A query over the last 10 days opens no file outside them.

Transit Gateway flow-log files under the same prefix are told apart by their header (or Parquet
columns) and read only by `tgwflowlogstable` (the TGW fields, the same partition columns): a
`vpcflowlogstable` query leaves them out and `last_skipped_note` says so, once per engine.

Text lines whose field count differs from their header are read as Athena reads them (missing
fields NULL, extra ones dropped; see `sources`); `last_ragged` names them, for a note, and
`strict=True` makes the first one an error instead.

With `cache_dir`, text files are read once into typed Parquet entries there (`engine.cache`)
and later queries read those instead: no download, no gzip, no text parsing; same answers.

Memory stays bounded: DuckDB streams the files with a memory limit (`MEMORY_LIMIT`) and spills
to a private temporary folder; `stream()` hands rows out in batches, and its `lines` are
written by DuckDB to a file there, straight from the query.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import os
import shutil
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO, TypeVar

import duckdb
import sqlglot
from sqlglot import exp

from vpc_cidr_analysis import output, schema
from vpc_cidr_analysis.cidr import DEFAULT_MAX_ADDRESSES, CidrError, Network, parse_block
from vpc_cidr_analysis.engine import output_sql, sources, translate
from vpc_cidr_analysis.engine.cache import FlowLogCache
from vpc_cidr_analysis.engine.sources import (
    FlowLogObject,
    LocalCopies,
    RaggedLine,
    ReadFile,
    SourceError,
)
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.output import human_bytes
from vpc_cidr_analysis.s3url import is_s3_url
from vpc_cidr_analysis.sqltext import sql_string

#: Largest block `--cidr` expands into cidrtable rows (a /8, as the CIDR Lambda allows).
PARTITIONS_TABLE = "athena_partitions"
#: A query's result kept so the lines its scans set aside are known before rows are handed
#: out: only for rows `stream()` hands to Python over text files (see `LocalEngine._checked`;
#: `execute()` fetches straight from the query, `lines` lets DuckDB write a file).
RESULT_TABLE = "athena_result"
_T = TypeVar("_T")


class EngineError(AnalysisError, ValueError):
    """A query cannot run locally: bad parameters, CIDR blocks, or a DuckDB error."""


@dataclass(frozen=True)
class QueryResult:
    """Column names and rows of a finished query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


@dataclass
class StreamingResult:
    """Column names and an iterator over rows fetched in batches (bounded memory).

    `lines(fmt, columns)` gives the rows as finished CSV / JSON text lines that DuckDB
    formats and writes (the shapes of `output`, many times faster than Python values; None
    when a column's type is not one it formats the same way); over text files `count()` is
    the number of rows. Nothing runs before one of these or the rows is asked for (errors
    come then); use either the lines or the rows, not both.
    """

    columns: list[str]
    _batches: Iterator[list[tuple[Any, ...]]] = field(repr=False)
    lines: Callable[[str, Sequence[int]], Iterable[str] | None] | None = field(
        default=None, repr=False
    )
    count: Callable[[], int] | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for batch in self._batches:
            yield from batch


# --------------------------------------------------------------------------------------------
# Parameters.


def parse_parameter(text: str) -> object:
    """A `-p` value as Athena reads an ExecutionParameters entry: an SQL literal if it is one.

    `10` → 10, `1.5` → Decimal, `'text'` → 'text', `true` → True, `NULL` → None,
    `DATE '2024-01-01'` → date. Anything that is not a literal (`10.0.0.0/16`,
    `2024/06/01`) is taken as the string it is, so values need no quoting in a shell.
    """
    stripped = text.strip()
    try:
        node = sqlglot.parse_one(stripped, read=translate.READ_DIALECT)
    except sqlglot.errors.SqlglotError:
        return text
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        value = _literal_value(node.this)
        return -value if isinstance(value, (int, float)) or _is_decimal(value) else text
    if isinstance(node, exp.Literal):
        return _literal_value(node)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Null):
        return None
    if (
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.Literal)
        and node.this.is_string
        and node.to.this in (exp.DataType.Type.DATE,)
    ):
        try:
            return date.fromisoformat(str(node.this.this))
        except ValueError:
            return text
    return text


def _literal_value(node: exp.Literal) -> Any:
    from decimal import Decimal

    raw = str(node.this)
    if node.is_string:
        return raw
    lowered = raw.lower()
    if "e" in lowered:
        return float(raw)
    if "." in raw:
        return Decimal(raw)
    return int(raw)


def _is_decimal(value: object) -> bool:
    from decimal import Decimal

    return isinstance(value, Decimal)


# --------------------------------------------------------------------------------------------
# cidrtable.


def canonical_cidr(text: str) -> Network:
    """A `--cidr` value as a network cidrtable can hold (see `vpc_cidr_analysis.cidr`)."""
    try:
        return parse_block(text, max_addresses=DEFAULT_MAX_ADDRESSES)
    except CidrError as exc:
        raise EngineError(f"--cidr {exc}") from None


def cidr_files(cidr_dir: Path) -> list[Path]:
    """The CIDR Lambda's `*.csv.gz` files anywhere under a folder."""
    if not cidr_dir.exists():
        raise EngineError(f"--cidr-dir does not exist: {cidr_dir}")
    if not cidr_dir.is_dir():
        raise EngineError(f"--cidr-dir is not a folder: {cidr_dir}")
    found = sorted(p for p in cidr_dir.rglob("*.csv.gz") if p.is_file())
    if not found:
        raise EngineError(
            f"--cidr-dir {cidr_dir}: no *.csv.gz files (the CIDR Lambda's gzip CSV rows "
            "'cidr,ip', no header)"
        )
    return found


# --------------------------------------------------------------------------------------------
# Partition pruning.


@dataclass(frozen=True)
class _FlowReference:
    """One flow table (`vpcflowlogstable` or `tgwflowlogstable`) in FROM/JOIN and the
    conjuncts that filter it alone (None: all)."""

    conjuncts: list[exp.Expr] | None
    kind: schema.FlowLogKind = schema.VPC


def _flow_kind(table: exp.Table, cte_names: set[str]) -> schema.FlowLogKind | None:
    """The kind of flow logs a table reference reads, None when it is no flow table."""
    name = table.name.lower()
    kind = schema.KINDS_BY_TABLE.get(name)
    if kind is None or table.args.get("catalog") is not None:
        return None
    db = table.db.lower()
    if db == "":
        return kind if name not in cte_names else None
    return kind if db == schema.DATABASE else None


def _references_table(tree: exp.Expr, name: str) -> bool:
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.name.lower() != name or table.args.get("catalog") is not None:
            continue
        db = table.db.lower()
        if db == schema.DATABASE or (db == "" and name not in cte_names):
            return True
    return False


def _conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    if node is None:
        return []
    if isinstance(node, (exp.Paren, exp.Where)):
        return _conjuncts(node.this)
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


_UNPRUNABLE = (
    exp.Subquery,
    exp.Select,
    exp.Exists,
    exp.AggFunc,
    exp.Window,
    exp.Lambda,
    exp.Rand,
)


def _only_partitions(node: exp.Expr, alias: str) -> bool:
    if any(isinstance(n, _UNPRUNABLE) for n in node.walk()):
        return False
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in ("random", "uuid"):
        return False
    columns = list(node.find_all(exp.Column))
    if not columns:
        return False
    for column in columns:
        if column.name.lower() not in schema.PARTITION_COLUMNS:
            return False
        qualifier = column.table.lower()
        if qualifier and qualifier != alias:
            return False
    return True


def flow_references(tree: exp.Expr) -> list[_FlowReference]:
    """Each flow-table reference of a translated query with its kind and pruning conjuncts."""
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    references: list[_FlowReference] = []
    for table in tree.find_all(exp.Table):
        kind = _flow_kind(table, cte_names)
        if kind is None:
            continue
        references.append(_FlowReference(_filters_of(table), kind))
    return references


def _filters_of(table: exp.Table) -> list[exp.Expr] | None:
    holder = table.parent
    select = holder.parent if holder is not None else None
    if not isinstance(holder, (exp.From, exp.Join)) or not isinstance(select, exp.Select):
        return None
    alias = table.alias_or_name.lower()
    joins: list[exp.Join] = list(select.args.get("joins") or [])
    sides = [str(j.side).upper() for j in joins]
    if "RIGHT" in sides or "FULL" in sides:
        return None
    candidates: list[exp.Expr] = []
    if isinstance(holder, exp.Join) and str(holder.side).upper() == "LEFT":
        candidates += _conjuncts(holder.args.get("on"))  # filters the joined flow rows only
    else:
        candidates += _conjuncts(select.args.get("where"))
        for join in joins:
            if str(join.side).upper() == "" and str(join.kind).upper() in ("", "INNER"):
                candidates += _conjuncts(join.args.get("on"))
    return [c for c in candidates if _only_partitions(c, alias)]


def _pruning_select(conjuncts: list[exp.Expr]) -> tuple[str, list[int]]:
    """SQL over the partitions table for some conjuncts; the `$n` it uses, renumbered."""
    used: list[int] = []
    parts = []
    for conjunct in conjuncts:
        copy = conjunct.copy()
        for column in copy.find_all(exp.Column):
            column.replace(exp.column(column.name))
        for parameter in list(copy.find_all(exp.Parameter)):
            number = int(parameter.name)
            if number not in used:
                used.append(number)
            parameter.replace(exp.Parameter(this=exp.Literal.number(used.index(number) + 1)))
        parts.append(copy)
    where = exp.and_(*parts) if parts else exp.true()
    query = exp.select("file_id").from_(PARTITIONS_TABLE).where(where)
    return translate.generate(query), used


# --------------------------------------------------------------------------------------------
# Result values.


def _inet_text(value: Any) -> Any:
    """DuckDB INET values (as dicts) in Trino's IPADDRESS text form."""
    if not isinstance(value, dict):
        return value
    if value.get("ip_type") == 1:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.IPv4Address(
            value["address"]
        )
        full = 32
    else:
        address = ipaddress.IPv6Address(int(value["address"]) + (1 << 127))
        full = 128
    mask = value.get("mask", full)
    return str(address) if mask == full else f"{address}/{mask}"


#: TIMESTAMP WITH TIME ZONE values are fetched as epoch microseconds (DuckDB's own conversion
#: to datetime goes through pytz, several times slower) when `datetime.fromtimestamp(n / 1e6)`
#: gives them back exactly: |n| < 2^52 µs, 1827-2112; n / 1e6 is then within 0.5 µs.
_TIMESTAMP_TZ = "TIMESTAMP WITH TIME ZONE"
_EXACT_US = (1 << 52) - 1
_RAW_PREFIX = "athena_raw_timestamp_"


def _epoch_columns(tree: exp.Expr, names: list[str], types: list[str]) -> exp.Expr | None:
    """A copy of the query returning its TIMESTAMP WITH TIME ZONE columns as epoch µs.

    Each such output column `x` becomes `epoch_us(x)` (NULL outside 1827-2112), and a
    column `athena_raw_timestamp_<i>` appended at the end keeps `x` for the values outside
    (mostly NULL, so cheap to fetch); `_batches` puts them back together. Only for a plain
    SELECT whose ORDER BY does not name those columns (the order of the values is kept, but
    not that of the out-of-range ones); None when nothing is to be done or it does not apply.
    """
    zoned = [i for i, t in enumerate(types) if t == _TIMESTAMP_TZ]
    if not zoned or not isinstance(tree, exp.Select) or tree.args.get("distinct"):
        return None
    items = tree.expressions
    if len(items) != len(names) or any(
        isinstance(i, exp.Star) or (isinstance(i, exp.Column) and isinstance(i.this, exp.Star))
        for i in items
    ):
        return None
    order = tree.args.get("order")
    if order is not None:
        zoned_names = {names[i].lower() for i in zoned}
        for column in order.find_all(exp.Column):
            if not column.table and column.name.lower() in zoned_names:
                return None
        if any(isinstance(o.this, exp.Literal) for o in order.expressions):
            return None  # ORDER BY <position>
    copy = tree.copy()
    for i in zoned:
        item = copy.expressions[i]
        value = item.this if isinstance(item, exp.Alias) else item
        inside = exp.Between(
            this=_micros(value.copy()),
            low=exp.Literal.number(-_EXACT_US),
            high=exp.Literal.number(_EXACT_US),
        )
        epoch = exp.Case(ifs=[exp.If(this=inside, true=_micros(value.copy()))])
        raw = exp.Case(
            ifs=[exp.If(this=exp.Not(this=exp.Paren(this=inside.copy())), true=value.copy())]
        )
        item.replace(exp.alias_(epoch, names[i], quoted=True))
        copy.append("expressions", exp.alias_(raw, f"{_RAW_PREFIX}{i}", quoted=True))
    return copy


def _micros(value: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this="epoch_us", expressions=[value])


def _raw_position(description: Sequence[Any], position: int) -> int | None:
    name = f"{_RAW_PREFIX}{position}"
    for i, d in enumerate(description):
        if str(d[0]) == name:
            return i
    return None


def _ordered(tree: exp.Expr) -> bool:
    """Whether a query's rows come in an order it asks for (a top-level ORDER BY)."""
    return isinstance(tree, exp.Query) and tree.args.get("order") is not None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _file_lines(path: Path, *, csv: bool, block: int = 1 << 20) -> Iterator[str]:
    """The records of a file DuckDB wrote one per line, then the file is removed.

    Read in blocks and split at line breaks. A CSV record holds a line break only inside a
    quoted field (quotes doubled inside), so in a block with quotes the lines are joined
    into records (`_csv_records`); JSON text never holds a raw line break.
    """
    try:
        with open(path, encoding="utf-8", newline="\n") as handle:
            rest = ""
            while chunk := handle.read(block):
                text = rest + chunk
                pieces = text.split("\n")
                rest = pieces.pop()  # after the last line break: continued by the next block
                if csv and '"' in text:
                    pieces, open_record = _csv_records(pieces)
                    if open_record is not None:
                        rest = f"{open_record}\n{rest}"
                yield from pieces
            if rest:
                yield rest
    finally:
        path.unlink(missing_ok=True)


def _csv_records(lines: list[str]) -> tuple[list[str], str | None]:
    """CSV lines joined into records (a record goes on while it has an odd number of
    quotes), and the last record when it is not complete yet."""
    records: list[str] = []
    pending: str | None = None
    odd = False
    for line in lines:
        odd ^= bool(line.count('"') & 1)
        pending = line if pending is None else f"{pending}\n{line}"
        if not odd:
            records.append(pending)
            pending = None
    return records, pending


def _array_records(lines: Iterator[str], count: int) -> Iterator[str]:
    """The records of a JSON array written as `render_json` writes it: `[`, one record per
    line (indented, a separator's comma after all but the last), `]`."""
    indent = len(output.JSON_SEPARATOR.partition("\n")[2])
    for number, line in enumerate(lines):  # to the end: the file is removed there
        if 1 <= number <= count:
            yield line[indent:-1] if number < count else line[indent:]


def _send_file(handle: BinaryIO, out: BinaryIO) -> int:
    """Send a file to `out`'s descriptor in the kernel (`os.sendfile`: no copy through
    Python) as far as it will go; returns the bytes sent (0: `out` has no descriptor, e.g. a
    test's buffer, or sendfile cannot write to it), the caller copies the rest."""
    try:
        descriptor = out.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return 0
    size = os.fstat(handle.fileno()).st_size
    sent = 0
    while sent < size:
        try:
            count = os.sendfile(descriptor, handle.fileno(), sent, size - sent)
        except (AttributeError, OSError):  # no sendfile here, or not to this descriptor
            break
        if count == 0:
            break
        sent += count
    return sent


class FileLines:
    """A result's records in a file DuckDB wrote, one per line, in the shape of `fmt`: CSV
    records (no header) or JSON Lines; for JSON the whole document (`output.JSON_START`,
    the records between `output.JSON_SEPARATOR`, `output.JSON_END`). Iterate for the
    records (the file is removed at the end), or `copy_to` a stream as they are."""

    def __init__(self, path: Path, *, fmt: str, count: int) -> None:
        self.path = path
        self.fmt = fmt
        #: The records in the file (COPY's count).
        self.count = count

    def __iter__(self) -> Iterator[str]:
        lines = _file_lines(self.path, csv=self.fmt == "csv")
        return _array_records(lines, self.count) if self.fmt == "json" else lines

    def copy_to(self, out: TextIO) -> int:
        """Write the file's bytes to `out` (its binary buffer when it has one: no decoding
        or splitting), remove the file and return the number of records. That is what
        `output.write_lines` writes of the records, but the CSV header; an empty JSON
        array is `output.JSON_EMPTY`."""
        if self.fmt == "json" and not self.count:
            self.path.unlink(missing_ok=True)
            out.write(output.JSON_EMPTY)
            return 0
        try:
            out.flush()
            buffer = getattr(out, "buffer", None)
            if buffer is not None:
                buffer.flush()
                with open(self.path, "rb") as handle:
                    handle.seek(_send_file(handle, buffer))
                    shutil.copyfileobj(handle, buffer, 1 << 20)  # what sendfile did not send
                buffer.flush()
            else:
                with open(self.path, encoding="utf-8", newline="\n") as text:
                    shutil.copyfileobj(text, out, 1 << 20)
        finally:
            self.path.unlink(missing_ok=True)
        return self.count


@dataclass(frozen=True)
class _Prepared:
    """A translated query ready to run: its SQL (`sql` may fetch timestamps as epoch µs, see
    `_epoch_columns`; `plain_sql` never does), bound values, the files it reads and its
    columns as DESCRIBE gives them (empty when the query does not bind)."""

    tree: exp.Expr
    plain_sql: str
    sql: str
    fast: bool
    values: list[object]
    files: list[ReadFile]
    names: list[str]
    kinds: list[str]
    text: bool  # some file is text, so lines may be set aside


def _row_function(
    width: int, converters: dict[int, tuple[str, int | None]]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A function building a caller's row from a fetched row: INET values as text, epoch µs
    as aware UTC datetimes (or the raw value at the given position when NULL), extra columns
    dropped. Generated from column positions only, so each row is one tuple display."""
    parts = []
    for i in range(width):
        kind, raw = converters.get(i, ("", None))
        if kind == "inet":
            parts.append(f"inet_text(r[{i}])")
        elif kind == "epoch":
            parts.append(f"(from_epoch(r[{i}] / 1e6, utc) if r[{i}] is not None else r[{raw}])")
        else:
            parts.append(f"r[{i}]")
    scope = {"inet_text": _inet_text, "from_epoch": datetime.fromtimestamp, "utc": UTC}
    function: Callable[[tuple[Any, ...]], tuple[Any, ...]] = eval(  # positions only
        f"lambda r: ({', '.join(parts)},)", scope
    )
    return function


# --------------------------------------------------------------------------------------------
# The engine.


#: DuckDB's own memory limit (it spills to the engine's temporary folder beyond it). The
#: process holds more than DuckDB's buffers (Python, the result handed out, allocator slack):
#: at 10 M records 1GB gave 1.1-1.3 GB peak RSS, 600MB 0.72-0.99 GB, 500MB 0.69-0.84 GB, for
#: about 15 % more CPU than 1GB (BENCHMARKS.md).
MEMORY_LIMIT = "500MB"


class LocalEngine:
    """Athena SQL over flow-log files (local folder or s3://bucket/prefix) on DuckDB."""

    def __init__(
        self,
        logs: str,
        *,
        cidrs: Sequence[str] = (),
        cidr_dir: Path | None = None,
        today: date | None = None,
        progress: bool = False,
        s3_client: Any = None,
        memory_limit: str = MEMORY_LIMIT,
        threads: int | None = None,
        strict: bool = False,
        cache_dir: Path | None = None,
    ) -> None:
        if not is_s3_url(logs) and not Path(logs).expanduser().exists():
            raise SourceError(f"--logs path does not exist: {logs} (expected a folder or s3://…)")
        self.logs = logs
        self.today = today
        self.progress = progress
        self.strict = strict
        self.networks = [canonical_cidr(c) for c in cidrs]
        self.cidr_dir = Path(cidr_dir) if cidr_dir is not None else None
        if self.cidr_dir is not None:
            cidr_files(self.cidr_dir)  # fail early on a wrong folder
        self._copies = LocalCopies(s3_client)
        #: Typed Parquet copies of the text files read (`cache_dir`), see `engine.cache`.
        self.cache = FlowLogCache.open(cache_dir) if cache_dir is not None else None
        self._objects: list[FlowLogObject] | None = None
        #: Each file's fields and (Parquet) columns, by local path.
        self._headers: dict[str, tuple[tuple[str, ...], str]] = {}
        self._cidrtable_ready = False
        #: Files opened by all queries so far, and the locations the last query read.
        self.files_read = 0
        self.last_files: tuple[str, ...] = ()
        #: Flow-log fields (as named in the files) of the files the last query read.
        self.last_fields: frozenset[str] = frozenset()
        #: Text lines of the last query whose field count differed from their header.
        self.last_ragged: tuple[RaggedLine, ...] = ()
        #: A note naming the files of the other kind a query left out, once per engine.
        self.last_skipped_note: str | None = None
        self._skipped_noted: set[str] = set()
        self._groups: list[list[ReadFile]] = []
        self._kinds: list[schema.FlowLogKind] = []
        self._result_numbers = itertools.count()
        self.con = duckdb.connect(":memory:")
        # The macros a query calls are created before it runs (`_macros`): creating all 129
        # would cost every command ~35 ms, when a pack query needs a handful.
        translate.prepare_connection(self.con, macros=False)
        self._macros: set[str] = set()
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute("SET preserve_insertion_order = false")
        spill = self._copies.workdir / "duckdb-spill"
        self.con.execute(f"SET temp_directory = '{spill.as_posix()}'")
        if threads is not None:
            self.con.execute(f"SET threads = {int(threads)}")
        # Progress is measured (query_progress: our own bar) but DuckDB never prints its bar:
        # its Python package prints it to stdout, into the results, for queries over 2 s.
        # (Measuring stays on: turning it off cost more CPU, not less, BENCHMARKS.md.)
        self.con.execute("SET enable_progress_bar = true")
        self.con.execute("SET enable_progress_bar_print = false")
        # Parquet footers read once per engine, not at each bind of a view (CREATE VIEW,
        # DESCRIBE, the run). DuckDB reads a file again when its modification time changed.
        self.con.execute("SET parquet_metadata_cache = true")
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema.DATABASE}")
        self._finalizer = weakref.finalize(self, LocalCopies.close, self._copies)

    # ---- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close DuckDB and remove downloaded objects and spill files."""
        try:
            self.con.close()
        finally:
            self._finalizer()

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- public API --------------------------------------------------------------------

    def translate(self, sql: str) -> str:
        """The DuckDB SQL this engine runs for an Athena query (the macros it calls are
        created on `con`, so it runs there as it is)."""
        text = translate.translate(sql, today=self.today)
        translate.create_macros(self.con, text, self._macros)
        return text

    def execute(self, sql: str, params: Sequence[object] = ()) -> QueryResult:
        """Run an Athena query; all rows in memory (see `stream` for large results).

        The rows are fetched straight from the query (no kept copy): every scan has ended
        once they are all here, so the lines the text reader set aside are known before
        they are returned, and the query runs again only when there were some.
        """
        query = self._prepare(sql, params)
        if not query.text:
            result = self._stream_now(query, 10_000)
            rows: list[tuple[Any, ...]] = []
            for batch in result._batches:
                rows.extend(batch)
            return QueryResult(result.columns, rows)

        def fetch() -> tuple[list[str], list[tuple[Any, ...]]]:
            cursor = self._run(query.sql, query.values, query.files)
            try:
                fetched = cursor.fetchall()
            except duckdb.Error as exc:
                raise self._error(exc, query.files) from exc
            description = cursor.description or []
            columns, row = self._shape(query, description)
            return columns, fetched if row is None else list(map(row, fetched))

        columns, rows = self._checked(query, fetch)
        return QueryResult(columns, rows)

    def stream(
        self, sql: str, params: Sequence[object] = (), *, batch_size: int = 10_000
    ) -> StreamingResult:
        """Run an Athena query; rows are fetched in batches as they are iterated.

        Nothing runs until rows (or `lines`, or `count`) are asked for. `lines` lets DuckDB
        write the result to a file and reads that. Over text files the rows come from a kept
        copy (`RESULT_TABLE`), so that in both the lines the text reader set aside are known
        before anything is handed out; over Parquet only (no line can be set aside) straight
        from the query. Consume the rows before running the next query on this engine:
        DuckDB keeps one open result per connection.
        """
        query = self._prepare(sql, params)
        if not query.names:  # the query fails: run it now, it says why
            return self._stream_now(query, batch_size)
        if not query.text:

            def straight() -> Iterator[list[tuple[Any, ...]]]:
                yield from self._stream_now(query, batch_size)._batches

            direct = StreamingResult(list(query.names), straight())
            direct.lines = lambda fmt, picks: self._lines(query, fmt, picks)
            return direct
        kept: list[bool] = []

        def keep() -> None:
            if not kept:
                self._keep_checked(query)
                kept.append(True)

        def batches() -> Iterator[list[tuple[Any, ...]]]:
            keep()
            yield from self._stream_kept(query, batch_size)._batches

        def count() -> int:
            keep()
            row = self.con.execute(f"SELECT count(*) FROM {RESULT_TABLE}").fetchone()
            return int(row[0]) if row else 0

        result = StreamingResult(list(query.names), batches())
        result.lines = lambda fmt, picks: self._lines(query, fmt, picks)
        result.count = count
        return result

    def _prepare(self, sql: str, params: Sequence[object]) -> _Prepared:
        """Translate a query, open the files it reads and describe its columns."""
        translation = translate.translate_query(sql, today=self.today)
        translate.create_macros(self.con, translation.sql, self._macros)
        values = list(params)
        if len(values) != translation.parameter_count:
            raise EngineError(
                f"the query has {translation.parameter_count} ? placeholder(s) but "
                f"{len(values)} value(s) were given; give one value per ? in order"
            )
        files = self._prepare_tables(translation.tree, values)
        self.last_fields = frozenset(name for f in files for name in f.fields)
        self.last_ragged = ()
        self.con.execute("SET preserve_insertion_order = false")  # an earlier read set it
        try:
            described = self.con.execute(f"DESCRIBE {translation.sql}", values).fetchall()
        except duckdb.Error:
            described = []  # running the query reports it
        names = [str(d[0]) for d in described]
        kinds = [str(d[1]) for d in described]
        fast = _epoch_columns(translation.tree, names, kinds)
        return _Prepared(
            tree=translation.tree,
            plain_sql=translation.sql,
            sql=translate.generate(fast) if fast is not None else translation.sql,
            fast=fast is not None,
            values=values,
            files=files,
            names=names,
            kinds=kinds,
            text=any(f.file_format == "text" for f in files),
        )

    def _shape(
        self, query: _Prepared, description: Sequence[Any], *, kept: bool = False
    ) -> tuple[list[str], Callable[[tuple[Any, ...]], tuple[Any, ...]] | None]:
        """The columns callers see and the function making their rows (None: as fetched)."""
        width = len(query.names) if query.fast else len(description)
        columns = [str(d[0]) for d in description[:width]]
        if kept and len(query.names) == width:
            columns = list(query.names)  # a table's columns are unique; the query's may repeat
        converters: dict[int, tuple[str, int | None]] = {}
        for i, d in enumerate(description[:width]):
            if str(d[1]) == "INET":
                converters[i] = ("inet", None)
            elif query.fast:
                raw = _raw_position(description, i)
                if raw is not None:
                    converters[i] = ("epoch", raw)
        return columns, _row_function(width, converters) if converters else None

    def _stream_now(self, query: _Prepared, batch_size: int) -> StreamingResult:
        """Rows straight from the query (no text read, so no line can be set aside)."""
        cursor = self._run(query.sql, query.values, query.files)
        columns, row = self._shape(query, cursor.description or [])
        return StreamingResult(columns, self._batches(cursor, batch_size, row, query.files))

    def _keep_checked(self, query: _Prepared) -> None:
        """Run the query into `RESULT_TABLE` once the lines its scans set aside are known."""
        self._checked(query, lambda: self._keep(query, _ordered(query.tree)))

    def _stream_kept(self, query: _Prepared, batch_size: int) -> StreamingResult:
        """Rows from `RESULT_TABLE` (see `_keep_checked`)."""
        if _ordered(query.tree):  # the table's rows in the order kept (reset by the next query)
            self.con.execute("SET preserve_insertion_order = true")
        cursor = self.con.execute(f"SELECT * FROM {RESULT_TABLE}")
        columns, row = self._shape(query, cursor.description or [], kept=True)
        return StreamingResult(columns, self._batches(cursor, batch_size, row, query.files))

    def _lines(self, query: _Prepared, fmt: str, picks: Sequence[int]) -> FileLines | None:
        """The result's rows (columns `picks`) as CSV or JSON lines formatted by DuckDB.

        DuckDB writes them straight from the query to a file in the engine's folder (no
        kept copy; for JSON the whole array, brackets and separators included); once the
        lines the scans set aside are known (the query runs again when there are some;
        `--strict` fails with nothing written) the file is handed out, to copy or read.
        None when a column's type is not one DuckDB formats as `output` does (nothing runs).
        """
        if any(i >= len(query.kinds) for i in picks):
            return None
        line = output_sql.line_sql(fmt, [(query.names[i], f"c{i}", query.kinds[i]) for i in picks])
        if line is None:
            return None  # e.g. INET: Python's address text
        renamed = ", ".join(f"c{i}" for i in range(len(query.names)))
        folder = self._copies.workdir / "results"
        folder.mkdir(exist_ok=True)
        target = folder / f"result-{next(self._result_numbers)}.txt"
        # JSON: the whole array. With a PREFIX, DuckDB's CSV writer puts NEW_LINE between
        # rows only (none after the last), then the SUFFIX: the separators of the array.
        array = (
            f", PREFIX {sql_string(output.JSON_START)}, SUFFIX {sql_string(output.JSON_END)}, "
            f"NEW_LINE {sql_string(output.JSON_SEPARATOR)}"
            if fmt == "json"
            else ""
        )
        # Each line is written as it is (no QUOTE). FORCE_QUOTE with no QUOTE skips the writer's
        # look through every byte for a character that would need quotes (0.33 s CPU per
        # 376 MB of JSON Lines); the bytes are the same.
        copy = (
            f"COPY (SELECT {line} AS line FROM ({query.plain_sql}) AS q({renamed})) TO "
            f"{sql_string(target.as_posix())} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', "
            f"DELIMITER '\x01', NULLSTR '', FORCE_QUOTE (line){array})"
        )
        ordered = _ordered(query.tree)

        def write() -> int:
            with self._insertion_order(ordered):
                done = self._run(copy, query.values, query.files).fetchone()
            return int(done[0]) if done else 0

        try:
            count = self._checked(query, write)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return FileLines(target, fmt=fmt, count=count)

    @property
    def objects(self) -> list[FlowLogObject]:
        """Every flow-log file under `logs` (listed once)."""
        if self._objects is None:
            client = self._copies.client if is_s3_url(self.logs) else None
            self._objects = sources.discover(self.logs, s3_client=client)
            self._load_partitions(self._objects)
        return self._objects

    @property
    def downloads(self) -> int:
        """S3 objects downloaded so far."""
        return self._copies.downloads

    # ---- tables ------------------------------------------------------------------------

    def _load_partitions(self, objects: list[FlowLogObject]) -> None:
        """The partition values of every file, by its number in `objects`.

        Passed as one text (a line per file, tab between values: the values are digits,
        letters and `-`, `/`), split by DuckDB: DuckDB's Python package tries to import pandas
        for every value it binds, about 60 µs each without pandas (0.15 s for 500 files).
        """
        lines = "\n".join(
            "\t".join(getattr(o.partitions, column) or "" for column in schema.PARTITION_COLUMNS)
            for o in objects
        )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {PARTITIONS_TABLE} (file_id INTEGER, "
            "aws_account_id VARCHAR, aws_region VARCHAR, day VARCHAR, hour VARCHAR)"
        )
        if not objects:
            return
        self.con.execute(
            f"INSERT INTO {PARTITIONS_TABLE} SELECT i - 1, nullif(f[1], ''), nullif(f[2], ''), "
            "nullif(f[3], ''), nullif(f[4], '') FROM (SELECT i, string_split(s.l[i], '\t') AS f "
            "FROM (SELECT string_split(?, '\n') AS l) AS s, range(1, len(s.l) + 1) AS t(i))",
            [lines],
        )

    def _prepare_tables(self, tree: exp.Expr, values: list[object]) -> list[ReadFile]:
        self.last_files = ()
        if _references_table(tree, schema.CIDR_TABLE):
            self._create_cidrtable()
        self.last_skipped_note = None
        references = flow_references(tree)
        if not references:
            return []
        kinds = [k for k in schema.KINDS if any(r.kind is k for r in references)]
        files: list[ReadFile] = []
        for kind in kinds:
            selected = self._select_files([r for r in references if r.kind is kind], values)
            opened = self._read_files(selected)
            files += [f for f in opened if f.kind is kind]
            if kind is schema.VPC:  # TGW queries leave VPC files out as a matter of course
                self._note_skipped(kind, [f for f in opened if f.kind is not kind])
        self._groups = sources.group_files(files)
        self._kinds = kinds
        for kind in kinds:
            self._create_view(kind.table, sources.flow_table_select(self._groups, (), kind))
        self.files_read += len(files)
        self.last_files = tuple(f.display for f in files)
        return files

    def _note_skipped(self, kind: schema.FlowLogKind, skipped: list[ReadFile]) -> None:
        """Say once which files of the other kind a table's queries leave out."""
        new = [f for f in skipped if f.display not in self._skipped_noted]
        if not new:
            return
        self._skipped_noted.update(f.display for f in new)
        self.last_skipped_note = sources.skipped_note(kind.table, new)

    def _create_view(self, name: str, select: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {schema.DATABASE}.{name} AS {select}")
        self.con.execute(
            f"CREATE OR REPLACE VIEW main.{name} AS SELECT * FROM {schema.DATABASE}.{name}"
        )

    def _select_files(
        self, references: list[_FlowReference], values: list[object]
    ) -> list[FlowLogObject]:
        objects = self.objects
        chosen: set[int] = set()
        for reference in references:
            if not reference.conjuncts:
                return objects
            sql, used = _pruning_select(reference.conjuncts)
            try:
                rows = self.con.execute(sql, [values[n - 1] for n in used]).fetchall()
            except duckdb.Error:
                return objects  # the query itself reports the problem, if any
            chosen.update(int(r[0]) for r in rows)
        return [objects[i] for i in sorted(chosen)]

    def _read_files(self, selected: list[FlowLogObject]) -> list[ReadFile]:
        """The selected files ready to read: from the cache's entries where it has them
        (no download, no header), else downloaded, their headers read, and cached."""
        hits = self.cache.lookup(selected) if self.cache is not None else {}
        rest = [obj for i, obj in enumerate(selected) if i not in hits]
        rest_at = [i for i in range(len(selected)) if i not in hits]
        paths = self._copies.paths(rest, on_done=self._download_progress(rest))
        files: list[ReadFile] = []
        for obj, path in zip(rest, paths, strict=True):
            header = self._headers.get(str(path))  # read once per engine
            if header is None:
                if obj.file_format == "text":
                    header = sources.read_text_header(path, obj.location), ""
                else:
                    header = sources.parquet_fields(self.con, path, obj.location)
                self._headers[str(path)] = header
            fields, columns = header
            files.append(
                ReadFile(path, obj.location, obj.partitions, fields, obj.file_format, columns)
            )
        if self.cache is not None and files:
            try:
                filled = self.cache.fill(
                    self.con, list(zip(rest, files, strict=True)), threads=self._threads()
                )
            except duckdb.Error as exc:
                raise self._error(exc, files) from exc
            files = [filled.get(i, f) for i, f in enumerate(files)]
        ready = dict(hits) | dict(zip(rest_at, files, strict=True))
        return [ready[i] for i in range(len(selected))]

    def _threads(self) -> int:
        """DuckDB's thread count (the machine's cores unless set)."""
        row = self.con.execute("SELECT current_setting('threads')").fetchone()
        return int(row[0]) if row else 1

    def _download_progress(self, selected: list[FlowLogObject]) -> Callable[[int], None] | None:
        """A bar of S3 downloads on stderr, objects and bytes (progress on, stderr a terminal)."""
        missing = self._copies.missing(selected)
        total = len(missing)
        if not (self.progress and total and sys.stderr.isatty()):
            return None
        total_bytes = sum(o.size or 0 for o in missing)
        done = [0, 0]
        lock = threading.Lock()

        def tick(size: int) -> None:
            with lock:
                done[0] += 1
                done[1] += size
                filled = int(done[0] / total * 30)
                of = f"/{human_bytes(total_bytes)}" if total_bytes else ""
                end = "\n" if done[0] == total else ""
                sys.stderr.write(
                    f"\rdownloading flow-log objects [{'#' * filled}{'.' * (30 - filled)}] "
                    f"{done[0]}/{total} objects, {human_bytes(done[1])}{of}{end}"
                )
                sys.stderr.flush()

        return tick

    def _create_cidrtable(self) -> None:
        if self._cidrtable_ready:
            return
        parts = []
        paths: list[str] = []
        if self.networks:  # expanded by the CIDR Lambda's own code, so the rows are the same
            from vpc_cidr_analysis.cidrtable.expand import expand_to_dir  # only for cidrtable

            expanded = self._copies.workdir / "cidrs"
            written = expand_to_dir(
                [str(n) for n in self.networks],
                expanded,
                max_addresses=DEFAULT_MAX_ADDRESSES,
                environ={},
            )
            paths += [Path(result.path).as_posix() for result in written]
        if self.cidr_dir is not None:
            paths += [p.as_posix() for p in cidr_files(self.cidr_dir)]
        if paths:
            listed = sources.sql_list(paths)
            parts.append(
                f"SELECT cidr, ip FROM read_csv({listed}, header=false, delim=',', "
                "columns={'cidr': 'VARCHAR', 'ip': 'VARCHAR'}, auto_detect=false, "
                "strict_mode=true, compression='gzip')"
            )
        if not parts:
            parts.append(
                "SELECT CAST(NULL AS VARCHAR) AS cidr, CAST(NULL AS VARCHAR) AS ip WHERE false"
            )
        self._create_view(schema.CIDR_TABLE, "\nUNION ALL\n".join(parts))
        self._cidrtable_ready = True

    @property
    def cidrtable_empty(self) -> bool:
        """True when neither --cidr nor --cidr-dir gave cidrtable any rows."""
        return not self.networks and self.cidr_dir is None

    # ---- running -----------------------------------------------------------------------

    def _checked(self, query: _Prepared, run: Callable[[], _T]) -> _T:
        """Run a query (`run`: to its end) so that the text lines its scans set aside are
        read too.

        Every scan has ended when `run` returns, so DuckDB's rejects table is complete
        before anything is handed out. When lines were set aside, the flow table is
        recreated to read them too (as Athena does) and `run` runs again: twice the work,
        only for files with such lines; with `strict` the first one is an error instead.
        """
        sources.clear_rejects(self.con)
        done = run()
        lines = sources.rejected_lines(self.con, query.files)
        if lines and self.strict:
            files_with = len({item.path for item in lines})
            raise SourceError(
                f"{lines[0].describe()} (--strict: {len(lines)} line(s) in {files_with} "
                "file(s) do not match their header; without --strict they are read as Athena "
                "reads them)"
            )
        if not lines:
            return done
        self.last_ragged = tuple(lines)
        ragged = sources.load_ragged(self.con, lines, self._groups)
        for kind in self._kinds:
            self._create_view(kind.table, sources.flow_table_select(self._groups, ragged, kind))
        return run()

    def _keep(self, query: _Prepared, ordered: bool) -> None:
        """Run the query into `RESULT_TABLE` (keeping its ORDER BY's order when it has one)."""
        with self._insertion_order(ordered):
            self._run(
                f"CREATE OR REPLACE TEMP TABLE {RESULT_TABLE} AS {query.sql}",
                query.values,
                query.files,
            )

    @contextlib.contextmanager
    def _insertion_order(self, ordered: bool) -> Iterator[None]:
        """While the block runs, keep rows in the query's ORDER BY order (when `ordered`)."""
        if not ordered:
            yield
            return
        self.con.execute("SET preserve_insertion_order = true")
        try:
            yield
        finally:
            self.con.execute("SET preserve_insertion_order = false")

    def _run(self, sql: str, values: list[object], files: list[ReadFile]) -> Any:
        show = self.progress and sys.stderr.isatty()
        if not show:
            try:
                return self.con.execute(sql, values)
            except duckdb.Error as exc:
                raise self._error(exc, files) from exc
        return self._run_with_progress(sql, values, files)

    def _run_with_progress(self, sql: str, values: list[object], files: list[ReadFile]) -> Any:
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["cursor"] = self.con.execute(sql, values)
            except BaseException as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.2)
                percent = self.con.query_progress()
                if percent >= 0:
                    filled = int(percent / 100 * 30)
                    sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {percent:5.1f}%")
                    sys.stderr.flush()
        except KeyboardInterrupt:
            self.con.interrupt()
            worker.join()
            raise
        finally:
            sys.stderr.write("\r" + " " * 40 + "\r")
            sys.stderr.flush()
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, duckdb.Error):
                raise self._error(error, files) from error
            raise error
        return outcome["cursor"]

    def _batches(
        self,
        cursor: Any,
        size: int,
        row: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None,
        files: list[ReadFile],
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Rows in batches, each turned into what callers get by `row` (see _row_function)."""
        while True:
            try:
                batch = cursor.fetchmany(size)
            except duckdb.Error as exc:
                raise self._error(exc, files) from exc
            if not batch:
                return
            yield batch if row is None else list(map(row, batch))

    def _error(self, exc: duckdb.Error, files: list[ReadFile]) -> Exception:
        message = str(exc)
        known = sources.known_flow_files(files)
        if self.cidr_dir is not None and self._cidrtable_ready:
            for path in cidr_files(self.cidr_dir):
                known[path.as_posix()] = sources.KnownFile(str(path), "cidr,ip", "")
        explained = sources.explain_read_error(message, known, self._copies.location_of)
        if explained is not None:
            return SourceError(explained)
        return EngineError(f"DuckDB: {message.strip()}")
