"""Find flow-log files (a local folder or `s3://bucket/prefix`) and read them as the flow table.

Discovery lists every object below `--logs` and keeps those whose key parses as a flow-log key
(`layout.parse_key`: default or Hive layout, daily or hourly, any prefix before `AWSLogs/`,
`.log.gz` text or `.log.parquet`). The engine then chooses files by their partition values and
only those are opened: S3 objects are downloaded to a private temporary folder (written under a
`.part` name and renamed when complete), text headers are read here, and DuckDB reads the data.

Text files are read as Athena reads them through the Glue table's LazySimpleSerDe: every single
space separates a field (two spaces make an empty one), string columns keep the literal `-` and
the empty text, values that do not parse as the column's type are NULL, and `\\N` is NULL. Each
file's header line names its fields (any AWS field, any order); files with the same header are
read together; fields a file lacks are NULL. A line with fewer fields than its header reads the
missing ones as NULL, one with more drops the extra ones: DuckDB's reader sets such lines aside
in a rejects table (`REJECTS_TABLE`, at no measurable cost to the scan, see bench/
bench_text_reader.py), and the engine reads them again from there (`ragged_group_select`).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpc_cidr_analysis import layout, schema
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.layout import FileFormat, KeyPartitions
from vpc_cidr_analysis.s3url import is_s3_url, parse_s3_url
from vpc_cidr_analysis.sqltext import sql_string


class SourceError(AnalysisError, ValueError):
    """A problem with the flow-log files: the message names the file and what was expected."""


@dataclass(frozen=True)
class FlowLogObject:
    """One flow-log file found under `--logs`, with the partition values of its key."""

    location: str  # local path, or s3://bucket/key
    partitions: KeyPartitions
    size: int | None = None  # bytes, as listed (S3)
    etag: str | None = None  # as listed (S3): with the size, what says the object is unchanged

    @property
    def file_format(self) -> FileFormat:
        return self.partitions.file_format

    @property
    def is_s3(self) -> bool:
        return is_s3_url(self.location)


LOOKED_FOR = (
    "looked for *.log.gz (text) and *.log.parquet files in the default layout "
    "(AWSLogs/<account>/vpcflowlogs/<region>/yyyy/MM/dd[/HH]/) and the Hive layout "
    "(AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/"
    "year=yyyy/month=MM/day=dd[/hour=HH]/), with or without a prefix before AWSLogs/"
)


def discover(logs: str, *, s3_client: Any = None, page_size: int = 1000) -> list[FlowLogObject]:
    """Every flow-log file under a local folder (or file) or an S3 prefix, sorted by location."""
    if is_s3_url(logs):
        found = list(_discover_s3(logs, s3_client, page_size))
    else:
        found = list(_discover_local(logs))
    if not found:
        raise SourceError(f"no flow-log files found under {logs}: {LOOKED_FOR}")
    return sorted(found, key=lambda f: f.location)


def _discover_local(logs: str) -> Iterable[FlowLogObject]:
    root = Path(logs).expanduser()
    if not root.exists():
        raise SourceError(f"--logs path does not exist: {logs} (expected a folder or s3://…)")
    candidates = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())
    for path in candidates:
        absolute = path.resolve()
        parts = layout.parse_key(absolute.as_posix())
        if parts is not None:
            yield FlowLogObject(str(absolute), parts)


def _discover_s3(logs: str, s3_client: Any, page_size: int) -> Iterable[FlowLogObject]:
    url = parse_s3_url(logs, what="--logs")
    bucket, prefix = url.bucket, url.key
    if prefix and not prefix.endswith("/") and layout.file_format_of(prefix) is None:
        prefix += "/"  # a folder: `s3://b/pre` must not also read `s3://b/pre-old/`
    client = s3_client if s3_client is not None else _default_s3_client()
    paginator = client.get_paginator("list_objects_v2")
    pages = paginator.paginate(
        Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
    )
    try:
        for page in pages:
            for item in page.get("Contents", []):
                key = item["Key"]
                parts = layout.parse_key(key)
                if parts is not None:
                    yield FlowLogObject(
                        f"s3://{bucket}/{key}", parts, item.get("Size"), item.get("ETag")
                    )
    except client.exceptions.NoSuchBucket as exc:
        raise SourceError(f"--logs {logs}: bucket {bucket!r} does not exist") from exc


def _default_s3_client() -> Any:
    import boto3

    return boto3.client("s3")


#: S3 downloads at a time: bounded, so a prefix of thousands of objects opens no more
#: connections than this (bench/bench_s3.py measured 8 and 16 against a sequential loop).
DOWNLOAD_THREADS = 16


class LocalCopies:
    """Local paths of flow-log files; S3 objects are downloaded once into a private folder,
    `DOWNLOAD_THREADS` at a time.

    The folder is removed by `close()`. A download is written as `<name>.part` and renamed
    when complete, so a failed or interrupted download never leaves a file that looks whole.
    """

    def __init__(self, s3_client: Any = None) -> None:
        self._client = s3_client
        self._dir: Path | None = None
        self._paths: dict[str, Path] = {}
        self._lock = threading.Lock()
        self.downloads = 0

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = _default_s3_client()
        return self._client

    def missing(self, files: Sequence[FlowLogObject]) -> list[FlowLogObject]:
        """The S3 objects of `files` not downloaded yet."""
        return [f for f in files if f.is_s3 and f.location not in self._paths]

    def paths(
        self,
        files: Sequence[FlowLogObject],
        *,
        on_done: Callable[[int], None] | None = None,
        threads: int = DOWNLOAD_THREADS,
    ) -> list[Path]:
        """Local paths of `files` in the same order, downloading the S3 ones not yet here
        (`on_done(bytes)` after each download)."""
        missing = [f for f in files if f.is_s3 and f.location not in self._paths]
        if missing:
            with ThreadPoolExecutor(max_workers=max(1, min(threads, len(missing)))) as pool:
                for _ in pool.map(lambda f: self._download(f, on_done), missing):
                    pass
        return [self._paths[f.location] if f.is_s3 else Path(f.location) for f in files]

    def _download(self, obj: FlowLogObject, on_done: Callable[[int], None] | None) -> None:
        url = parse_s3_url(obj.location)
        bucket, key = url.bucket, url.key
        # Keys may hold `..` or empty segments: keep every download inside the temporary folder.
        safe_key = "/".join(part for part in key.split("/") if part not in ("", ".", ".."))
        target = self.workdir / "s3" / bucket / safe_key
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        try:
            response = self.client.get_object(Bucket=bucket, Key=key)
            with open(partial, "wb") as out:
                shutil.copyfileobj(response["Body"], out, 1 << 20)
                size = out.tell()
            os.replace(partial, target)
        except Exception as exc:
            partial.unlink(missing_ok=True)
            raise SourceError(f"{obj.location}: download failed: {exc}") from exc
        with self._lock:
            self._paths[obj.location] = target
            self.downloads += 1
        if on_done is not None:
            on_done(size)

    @property
    def workdir(self) -> Path:
        with self._lock:
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="vpc-cidr-analysis-"))
            return self._dir

    def location_of(self, path: str) -> str:
        """The S3 URI (or the path itself) of a local path, for error messages."""
        for location, local in self._paths.items():
            if str(local) == path or local.as_posix().endswith(path):
                return location
        return path

    def close(self) -> None:
        """Remove downloaded objects (and DuckDB spill files kept in the same folder)."""
        with self._lock:
            if self._dir is not None:
                shutil.rmtree(self._dir, ignore_errors=True)
                self._dir = None
            self._paths.clear()


# --------------------------------------------------------------------------------------------
# Reading.


def read_text_header(path: Path, display: str) -> tuple[str, ...]:
    """Field names from a gzip text file's header line, checked against AWS's field list."""
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
            line = handle.readline()
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise SourceError(
            f"{display}: not a readable gzip text file ({exc}); expected a gzip-compressed "
            "flow-log file whose first line names its fields"
        ) from exc
    line = line.rstrip("\r\n")
    if not line.strip():
        raise SourceError(
            f"{display}: no header line; expected the field names first "
            "(e.g. 'version account-id interface-id srcaddr dstaddr ...')"
        )
    try:
        return schema.parse_any_log_format(line)[1]
    except schema.UnknownFieldError as exc:
        raise SourceError(f"{display} line 1 (header): {exc}") from exc


@dataclass(frozen=True)
class ReadFile:
    """A flow-log file ready to read: local path, display name, partitions, fields."""

    path: Path
    display: str
    partitions: KeyPartitions
    fields: tuple[str, ...]
    file_format: FileFormat
    #: A Parquet file's columns, names and types in order ("" when not known): the files of
    #: a group that all have the same are read by position, not united by name.
    columns: str = ""

    @property
    def kind(self) -> schema.FlowLogKind:
        """VPC or Transit Gateway flow logs, by the file's fields."""
        return schema.kind_of_format(" ".join(self.fields))


def sql_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(sql_string(i) for i in items) + "]"


def column_expr(field: schema.Field, ref: str | None) -> str:
    """A flow-table column from the raw text `ref` of its field (None: the file lacks it)."""
    if ref is None:
        return f"CAST(NULL AS {field.duckdb_type}) AS {_quote(field.column)}"
    if field.duckdb_type == "VARCHAR":
        return f"{ref} AS {_quote(field.column)}"
    return f"TRY_CAST({ref} AS {field.duckdb_type}) AS {_quote(field.column)}"


def column_ref(field: schema.Field, present: set[str]) -> str | None:
    return f"r.{_quote(field.column)}" if field.name in present else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _partition_exprs(files: Sequence[ReadFile]) -> str:
    """Partition columns of each row: the value of its file, looked up by `file_index`.

    A constant when every file of the group shares it (one account and region, one day);
    otherwise a list literal indexed by the reader's `file_index` (no join, so DuckDB can
    report the scan's progress).
    """
    exprs = []
    for column in schema.PARTITION_COLUMNS:
        values: list[str | None] = [getattr(f.partitions, column) for f in files]
        if len(set(values)) == 1:
            value = values[0]
            literal = sql_string(value) if value is not None else "NULL"
            exprs.append(f"CAST({literal} AS VARCHAR) AS {_quote(column)}")
            continue
        items = ", ".join(sql_string(v) if v is not None else "NULL" for v in values)
        exprs.append(
            f"CAST([{items}] AS VARCHAR[])[CAST(r.file_index AS BIGINT) + 1] AS {_quote(column)}"
        )
    return ", ".join(exprs)


#: Where DuckDB's reader puts the lines whose field count differs from their header, and the
#: table of those lines (with their files' partition values) the flow table then also reads.
REJECTS_TABLE = "athena_rejects"
REJECTS_SCAN = "athena_reject_scans"
RAGGED_TABLE = "athena_ragged"
#: DuckDB's error types for lines with too many and too few fields.
FIELD_COUNT_ERRORS = ("TOO MANY COLUMNS", "MISSING COLUMNS")


def text_group_select(files: Sequence[ReadFile], group: int | None = None) -> str:
    """SELECT of the flow table over text files that share one header.

    Lines whose field count differs from the header go to `REJECTS_TABLE`; with `group` (the
    group's number in `RAGGED_TABLE`), the lines of that group kept there are read too.
    """
    fields = files[0].fields
    present = set(fields)
    kind = files[0].kind
    select = ", ".join(column_expr(f, column_ref(f, present)) for f in kind.fields)
    text = f"SELECT {select}, {_partition_exprs(files)} FROM {text_reader(files)} AS r"
    if group is not None:
        text += "\nUNION ALL\n" + ragged_group_select(fields, group)
    return text


def text_reader(files: Sequence[ReadFile]) -> str:
    """DuckDB's reader of text files that share one header, every field as text: lines whose
    field count differs from the header go to `REJECTS_TABLE`."""
    columns = (
        "{"
        + ", ".join(f"{sql_string(n.replace('-', '_'))}: 'VARCHAR'" for n in files[0].fields)
        + "}"
    )
    return (
        f"read_csv({sql_list(str(f.path) for f in files)}, delim=' ', header=true, "
        f"columns={columns}, auto_detect=false, quote='', escape='', nullstr='\\N', "
        "strict_mode=true, null_padding=false, ignore_errors=true, store_rejects=true, "
        f"rejects_table='{REJECTS_TABLE}', rejects_scan='{REJECTS_SCAN}', compression='gzip')"
    )


def ragged_group_select(fields: Sequence[str], group: int) -> str:
    """SELECT of the flow table over one group's lines in `RAGGED_TABLE`, split as Athena
    splits them: field i is the i-th single-space-separated text (NULL past the line's end,
    extra ones dropped), `\\N` is NULL."""
    position = {name: i + 1 for i, name in enumerate(fields)}
    exprs = []
    for f in schema.kind_of_format(" ".join(fields)).fields:
        i = position.get(f.name)
        ref = None if i is None else f"CASE WHEN r.f[{i}] = '\\N' THEN NULL ELSE r.f[{i}] END"
        exprs.append(column_expr(f, ref))
    partitions = ", ".join(f"r.{_quote(c)}" for c in schema.PARTITION_COLUMNS)
    return (
        f"SELECT {', '.join(exprs)}, {partitions} FROM (SELECT string_split(line, ' ') AS f, "
        f"{', '.join(_quote(c) for c in schema.PARTITION_COLUMNS)} FROM {RAGGED_TABLE} "
        f"WHERE grp = {int(group)}) AS r"
    )


@dataclass(frozen=True)
class RaggedLine:
    """A text line whose field count differs from its file's header."""

    display: str
    path: str
    line: int
    expected: int
    found: int
    text: str

    def describe(self) -> str:
        return (
            f"{self.display} line {self.line}: expected {self.expected} fields as named by "
            f"the header line, found {self.found}: {self.text[:200]!r}"
        )


def rejected_lines(con: Any, files: Sequence[ReadFile]) -> list[RaggedLine]:
    """The lines the last scans set aside, by file and line (each once).

    A line rejected for anything but its field count (e.g. invalid UTF-8) is a SourceError
    naming the file and line, as before: Athena's reader would not read it as text either.
    """
    if any(f.file_format == "text" for f in files):
        settle_scans(con)
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [REJECTS_TABLE]
    ).fetchone()
    if not present or not present[0]:
        return []
    rows = con.execute(
        f"SELECT DISTINCT s.file_path, e.line, e.error_type, e.csv_line, e.error_message "
        f"FROM {REJECTS_TABLE} e JOIN {REJECTS_SCAN} s USING (scan_id, file_id) "
        "ORDER BY s.file_path, e.line"
    ).fetchall()
    by_path = {str(f.path): f for f in files}
    seen: set[tuple[str, int]] = set()
    lines: list[RaggedLine] = []
    for path, line, error_type, text, message in rows:
        read = by_path.get(str(path))
        display = read.display if read is not None else str(path)
        if str(error_type) not in FIELD_COUNT_ERRORS:
            raise SourceError(f"{display} line {line}: {_first_line(str(message))}")
        if (str(path), int(line)) in seen:
            continue
        seen.add((str(path), int(line)))
        expected = len(read.fields) if read is not None else 0
        found = len(str(text).split(" "))
        lines.append(RaggedLine(display, str(path), int(line), expected, found, str(text)))
    return lines


_SETTLING = threading.Lock()


def settle_scans(con: Any) -> None:
    """Wait until DuckDB's worker threads have released the last query's scans.

    DuckDB writes a file's set-aside lines to the rejects table when the file's last scanner
    is released, and a worker thread may release it just after the query has returned (about
    once in a thousand queries here, more under load): read then, the table can miss the line.
    Lowering the thread count joins every worker thread (DuckDB's TaskScheduler), so setting
    it to 1 and back is a barrier; it costs a thread start. One at a time: the setting is the
    database's, shared by the cache's worker connections.
    """
    with _SETTLING:
        row = con.execute("SELECT current_setting('threads')").fetchone()
        threads = int(row[0]) if row else 1
        if threads > 1:
            con.execute("SET threads = 1")
            con.execute(f"SET threads = {threads}")


def clear_rejects(con: Any) -> None:
    """Forget the lines earlier scans set aside (DuckDB appends to the rejects tables)."""
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_SCAN}")


def load_ragged(
    con: Any, lines: Sequence[RaggedLine], groups: Sequence[Sequence[ReadFile]]
) -> set[int]:
    """Fill `RAGGED_TABLE` with the lines and their files' partition values and group
    numbers; returns the groups that have lines."""
    group_of: dict[str, tuple[int, ReadFile]] = {}
    for number, files in enumerate(groups):
        for f in files:
            group_of[str(f.path)] = (number, f)
    partition_columns = ", ".join(f"{_quote(c)} VARCHAR" for c in schema.PARTITION_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {RAGGED_TABLE} (grp INTEGER, line VARCHAR, "
        f"{partition_columns})"
    )
    rows = []
    for item in lines:
        if item.path not in group_of:
            continue
        number, f = group_of[item.path]
        values = [getattr(f.partitions, c) for c in schema.PARTITION_COLUMNS]
        rows.append([number, item.text, *values])
    if rows:
        marks = ", ".join("?" for _ in range(2 + len(schema.PARTITION_COLUMNS)))
        con.executemany(f"INSERT INTO {RAGGED_TABLE} VALUES ({marks})", rows)
    return {row[0] for row in rows}


def ragged_note(lines: Sequence[RaggedLine]) -> str:
    """One line saying how many lines of which files did not match their header."""
    counts: dict[str, int] = {}
    for item in lines:
        counts[item.display] = counts.get(item.display, 0) + 1
    shown = ", ".join(f"{name} ({n})" for name, n in list(counts.items())[:3])
    more = f" and {len(counts) - 3} more files" if len(counts) > 3 else ""
    return (
        f"{len(lines)} line(s) did not match their file's header: {shown}{more}; read as "
        f"Athena reads them (missing fields NULL, extra fields dropped); first: "
        f"{lines[0].describe()}; --strict makes this an error"
    )


def parquet_group_select(files: Sequence[ReadFile]) -> str:
    """SELECT of the flow table over Parquet files: columns united by name, unless every file
    has the same columns (names and types), as the cache's entries of one header and AWS's
    files of one format do; DuckDB then reads each file's schema only once per bind, not every
    file's (DuckDB maps the columns by name either way)."""
    present: set[str] = set()
    for f in files:
        present.update(f.fields)
    paths = sql_list(str(f.path) for f in files)
    alike = files[0].columns != "" and all(f.columns == files[0].columns for f in files)
    reader = f"read_parquet({paths}, union_by_name={'false' if alike else 'true'})"
    kind = files[0].kind
    select = ", ".join(column_expr(f, column_ref(f, present)) for f in kind.fields)
    return f"SELECT {select}, {_partition_exprs(files)} FROM {reader} AS r"


def parquet_fields(con: Any, path: Path, display: str) -> tuple[tuple[str, ...], str]:
    """Flow-log fields of a Parquet file (its top-level column names), and its columns with
    their types as one text (`ReadFile.columns`)."""
    try:
        rows = con.execute(
            "SELECT name, type, converted_type, logical_type, scale, precision "
            "FROM parquet_schema(?) WHERE num_children IS NULL OR num_children = 0",
            [str(path)],
        ).fetchall()
    except Exception as exc:
        raise SourceError(
            f"{display}: not a readable Parquet file ({_first_line(str(exc))}); expected a "
            "flow-log .log.parquet object"
        ) from exc
    names = [str(r[0]) for r in rows]
    columns = "\n".join(" ".join(str(value) for value in row) for row in rows)
    try:
        return schema.parse_any_log_format(" ".join(names))[1], columns
    except schema.UnknownFieldError as exc:
        raise SourceError(f"{display}: Parquet columns: {exc}") from exc


def flow_table_select(
    groups: Sequence[Sequence[ReadFile]],
    ragged: Iterable[int] = (),
    kind: schema.FlowLogKind = schema.VPC,
) -> str:
    """The table of one kind over the groups of files of that kind (one reader per group), or
    an empty table; `ragged`: the groups (numbered in `groups`, all kinds) whose lines in
    `RAGGED_TABLE` are read too."""
    with_ragged = set(ragged)
    parts = []
    for number, files in enumerate(groups):
        if files[0].kind is not kind:
            continue
        if files[0].file_format == "parquet":
            parts.append(parquet_group_select(files))
        else:
            parts.append(text_group_select(files, number if number in with_ragged else None))
    if not parts:
        return empty_flow_table_select(kind)
    return "\nUNION ALL\n".join(parts)


def empty_flow_table_select(kind: schema.FlowLogKind = schema.VPC) -> str:
    """The columns of a kind's table with no rows (a query whose partitions match no file)."""
    columns = [f"CAST(NULL AS {f.duckdb_type}) AS {_quote(f.column)}" for f in kind.fields]
    columns += [f"CAST(NULL AS VARCHAR) AS {_quote(c)}" for c in schema.PARTITION_COLUMNS]
    return f"SELECT {', '.join(columns)} WHERE false"


def group_files(files: Sequence[ReadFile]) -> list[list[ReadFile]]:
    """Files grouped so each group has one reader: text by header, Parquet together, and both
    by account, region and day, so those partition columns are constants of the group's
    SELECT (DuckDB folds a query's `day` conditions on them instead of looking each row's
    value up by its file; `hour` is looked up when a day's files span hours)."""
    groups: dict[tuple[object, ...], list[ReadFile]] = {}
    for f in files:
        fields = () if f.file_format == "parquet" else f.fields
        p = f.partitions
        key = (f.kind.name, f.file_format, fields, p.aws_account_id, p.aws_region, p.day)
        groups.setdefault(key, []).append(f)
    return list(groups.values())


# --------------------------------------------------------------------------------------------
# DuckDB errors while reading, restated with the file and what was expected.

_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_FILE = re.compile(r"^\s*file = (.+?)\s*$", re.MULTILINE)
_CSV_COUNTS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_ORIGINAL = re.compile(r"Original Line: (.*)")


@dataclass(frozen=True)
class KnownFile:
    """How to name a file DuckDB reads, and which fields its lines must have."""

    display: str
    fields: str  # e.g. "version srcaddr ..." or "cidr,ip"
    origin: str  # where the field list comes from, for the message


def skipped_note(table: str, skipped: Sequence[ReadFile]) -> str:
    """One line saying which files of the other kind a table's query left out."""
    kinds = sorted({f.kind.title for f in skipped})
    shown = ", ".join(f.display for f in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    other = schema.TGW_TABLE if table == schema.FLOW_TABLE else schema.FLOW_TABLE
    return (
        f"{len(skipped)} {' and '.join(kinds)} flow-log file(s) under --logs are not read by "
        f"{table} (their header names the other kind's fields; query {other} for them): "
        f"{shown}{more}"
    )


def known_flow_files(files: Sequence[ReadFile]) -> dict[str, KnownFile]:
    """Flow-log files by local path, for `explain_read_error`."""
    return {
        str(f.path): KnownFile(f.display, " ".join(f.fields), " as named by the header line")
        for f in files
    }


def explain_read_error(
    message: str, known: Mapping[str, KnownFile], location_of: Callable[[str], str]
) -> str | None:
    """A clear message for a DuckDB error raised while reading files, else None."""
    file_match = _CSV_FILE.search(message)
    line_match = _CSV_LINE.search(message)
    if file_match and line_match:
        path = file_match.group(1)
        entry = known.get(path)
        display = entry.display if entry else location_of(path)
        counts = _CSV_COUNTS.search(message)
        original = _CSV_ORIGINAL.search(message)
        if counts:
            expected, found = counts.groups()
            names = f" ({entry.fields}){entry.origin}" if entry else ""
            shown = f": {original.group(1)!r}" if original else ""
            return (
                f"{display} line {line_match.group(1)}: expected {expected} fields{names}, "
                f"found {found}{shown}"
            )
        return f"{display} line {line_match.group(1)}: {_first_line(message)}"
    lowered = message.lower()
    if "gzip" in lowered or "zlib" in lowered or "decompress" in lowered:
        for path, entry in known.items():
            if path in message:
                return (
                    f"{entry.display}: not a readable gzip file ({_first_line(message)}); "
                    "expected a gzip-compressed file"
                )
        return f"a file is not readable gzip: {_first_line(message)}"
    if "parquet" in lowered:
        for path, entry in known.items():
            if path in message:
                return f"{entry.display}: not a readable Parquet file ({_first_line(message)})"
    return None


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else text
