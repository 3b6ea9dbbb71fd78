"""Find flow-log files (a local folder or `s3://bucket/prefix`) and read them as the flow table.

Discovery lists every object below `--logs` and keeps those whose key parses as a flow-log key
(`layout.parse_key`: default or Hive layout, daily or hourly, any prefix before `AWSLogs/`,
`.log.gz` text or `.log.parquet`). The engine then chooses files by their partition values and
only those are opened: S3 objects are downloaded to a private temporary folder (written under a
`.part` name and renamed when complete), text headers are read here, and DuckDB reads the data.

Text files are read as Athena reads them through the Glue table's LazySimpleSerDe: fields split
on single spaces, string columns keep the literal `-`, numeric columns that do not parse are
NULL, and `\\N` is NULL. Each file's header line names its fields (any AWS field, any order);
files with the same header are read together; fields a file lacks are NULL.
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


class SourceError(AnalysisError, ValueError):
    """A problem with the flow-log files: the message names the file and what was expected."""


@dataclass(frozen=True)
class FlowLogObject:
    """One flow-log file found under `--logs`, with the partition values of its key."""

    location: str  # local path, or s3://bucket/key
    partitions: KeyPartitions

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
                    yield FlowLogObject(f"s3://{bucket}/{key}", parts)
    except client.exceptions.NoSuchBucket as exc:
        raise SourceError(f"--logs {logs}: bucket {bucket!r} does not exist") from exc


def _default_s3_client() -> Any:
    import boto3

    return boto3.client("s3")


class LocalCopies:
    """Local paths of flow-log files; S3 objects are downloaded once into a private folder.

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

    def missing(self, files: Sequence[FlowLogObject]) -> int:
        """How many of `files` are S3 objects not downloaded yet."""
        return sum(1 for f in files if f.is_s3 and f.location not in self._paths)

    def paths(
        self, files: Sequence[FlowLogObject], *, on_done: Callable[[], None] | None = None
    ) -> list[Path]:
        """Local paths of `files` in the same order, downloading the S3 ones not yet here."""
        missing = [f for f in files if f.is_s3 and f.location not in self._paths]
        if missing:
            with ThreadPoolExecutor(max_workers=min(8, len(missing))) as pool:
                for _ in pool.map(lambda f: self._download(f, on_done), missing):
                    pass
        return [self._paths[f.location] if f.is_s3 else Path(f.location) for f in files]

    def _download(self, obj: FlowLogObject, on_done: Callable[[], None] | None) -> None:
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
            os.replace(partial, target)
        except Exception as exc:
            partial.unlink(missing_ok=True)
            raise SourceError(f"{obj.location}: download failed: {exc}") from exc
        with self._lock:
            self._paths[obj.location] = target
            self.downloads += 1
        if on_done is not None:
            on_done()

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
        return schema.parse_log_format(line)
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


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_sql_string(i) for i in items) + "]"


def _column_expr(field: schema.Field, present: bool, source: str = "r") -> str:
    if not present:
        return f"CAST(NULL AS {field.duckdb_type}) AS {_quote(field.column)}"
    ref = f"{source}.{_quote(field.column)}"
    if field.duckdb_type == "VARCHAR":
        return f"{ref} AS {_quote(field.column)}"
    return f"TRY_CAST({ref} AS {field.duckdb_type}) AS {_quote(field.column)}"


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
            literal = _sql_string(value) if value is not None else "NULL"
            exprs.append(f"CAST({literal} AS VARCHAR) AS {_quote(column)}")
            continue
        items = ", ".join(_sql_string(v) if v is not None else "NULL" for v in values)
        exprs.append(
            f"CAST([{items}] AS VARCHAR[])[CAST(r.file_index AS BIGINT) + 1] AS {_quote(column)}"
        )
    return ", ".join(exprs)


def text_group_select(files: Sequence[ReadFile]) -> str:
    """SELECT of the flow table over text files that share one header."""
    fields = files[0].fields
    columns = (
        "{" + ", ".join(f"{_sql_string(n.replace('-', '_'))}: 'VARCHAR'" for n in fields) + "}"
    )
    paths = _sql_list(str(f.path) for f in files)
    reader = (
        f"read_csv({paths}, delim=' ', header=true, columns={columns}, auto_detect=false, "
        "quote='', escape='', nullstr='\\N', strict_mode=true, null_padding=false, "
        "compression='gzip')"
    )
    present = set(fields)
    select = ", ".join(_column_expr(f, f.name in present) for f in schema.FIELDS)
    return f"SELECT {select}, {_partition_exprs(files)} FROM {reader} AS r"


def parquet_group_select(files: Sequence[ReadFile]) -> str:
    """SELECT of the flow table over Parquet files (columns united by name)."""
    present: set[str] = set()
    for f in files:
        present.update(f.fields)
    paths = _sql_list(str(f.path) for f in files)
    reader = f"read_parquet({paths}, union_by_name=true)"
    select = ", ".join(_column_expr(f, f.name in present) for f in schema.FIELDS)
    return f"SELECT {select}, {_partition_exprs(files)} FROM {reader} AS r"


def parquet_fields(con: Any, path: Path, display: str) -> tuple[str, ...]:
    """Flow-log fields of a Parquet file (its top-level column names)."""
    try:
        rows = con.execute(
            "SELECT name FROM parquet_schema(?) WHERE num_children IS NULL OR num_children = 0",
            [str(path)],
        ).fetchall()
    except Exception as exc:
        raise SourceError(
            f"{display}: not a readable Parquet file ({_first_line(str(exc))}); expected a "
            "flow-log .log.parquet object"
        ) from exc
    names = [str(r[0]) for r in rows]
    try:
        return schema.parse_log_format(" ".join(names))
    except schema.UnknownFieldError as exc:
        raise SourceError(f"{display}: Parquet columns: {exc}") from exc


def flow_table_select(groups: Sequence[Sequence[ReadFile]]) -> str:
    """The flow table over groups of files (one reader per group), or an empty table."""
    parts = []
    for files in groups:
        if files[0].file_format == "parquet":
            parts.append(parquet_group_select(files))
        else:
            parts.append(text_group_select(files))
    if not parts:
        return empty_flow_table_select()
    return "\nUNION ALL\n".join(parts)


def empty_flow_table_select() -> str:
    """The flow table's columns with no rows (a query whose partitions match no file)."""
    columns = [f"CAST(NULL AS {f.duckdb_type}) AS {_quote(f.column)}" for f in schema.FIELDS]
    columns += [f"CAST(NULL AS VARCHAR) AS {_quote(c)}" for c in schema.PARTITION_COLUMNS]
    return f"SELECT {', '.join(columns)} WHERE false"


def group_files(files: Sequence[ReadFile]) -> list[list[ReadFile]]:
    """Files grouped so each group has one reader: text by header, Parquet together."""
    groups: dict[tuple[str, tuple[str, ...]], list[ReadFile]] = {}
    for f in files:
        key = ("parquet", ()) if f.file_format == "parquet" else ("text", f.fields)
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
