"""Typed Parquet copies of text flow-log files, so later queries over the same files skip the
gzip and text parsing (`--cache DIR`, or the `VPC_CIDR_ANALYSIS_CACHE` environment variable).

A text file's entry holds the columns its header names, with the flow table's types, as the
text reader reads them (the literal `-` of string fields kept, values that do not parse NULL),
so every answer is the same with and without the cache. An S3 object's entry also spares its
download. Entries are keyed by the file's location and what says it is unchanged — size and
modification time for a local file, size and ETag for an S3 object — and by the format of
entries (`FORMAT`, the tables' columns and types): a changed file or a new version of the
tables gets a new entry; old ones are never read again.

Not cached: Parquet flow-log files (already columnar), text files with lines that do not match
their header (read as text every time, so the note about them, and `--strict`, still apply).
Entries are written under a temporary folder inside the cache and renamed into place when
complete, so an interrupted run leaves nothing that looks whole. The folder may be deleted at
any time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine import sources
from vpc_cidr_analysis.engine.sources import FlowLogObject, ReadFile
from vpc_cidr_analysis.errors import AnalysisError

#: The layout of entries; a change to it (or to the tables' columns) starts new entries.
FORMAT = 1
#: Text files written by one COPY: each is a partition of its own, so one writer each.
FILL_BATCH = 64
#: The hidden column that tells the files of one COPY apart (not written to the entries).
_FILE_COLUMN = "cache_file"
_T = TypeVar("_T")


@cache
def _tables_digest() -> str:
    """The columns and types of every kind's table: part of every key."""
    text = ";".join(
        f"{kind.name}:" + ",".join(f"{f.column} {f.duckdb_type}" for f in kind.fields)
        for kind in schema.KINDS
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class CacheError(AnalysisError, ValueError):
    """The cache folder cannot be used: the message names it and what it must be."""


@dataclass(frozen=True)
class FlowLogCache:
    """A folder of entries, `<root>/v<FORMAT>/<2 hex>/<key>-<header digest>.parquet`, and of
    the headers they were written for, `<root>/v<FORMAT>/formats/<header digest>` (so finding
    an entry and its fields opens no Parquet file)."""

    root: Path

    @classmethod
    def open(cls, root: Path) -> FlowLogCache:
        """The cache in `root`, made if missing; a CacheError unless it is a writable folder."""
        folder = Path(root).expanduser()
        try:
            (folder / f"v{FORMAT}").mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
                pass
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise CacheError(
                f"--cache {root}: cannot use it as the cache folder ({reason}); expected a "
                "folder this user can write, or a path where one can be made"
            ) from None
        return cls(folder)

    @property
    def entries(self) -> Path:
        return self.root / f"v{FORMAT}"

    def key(self, obj: FlowLogObject) -> str | None:
        """The entry's key for a text file, or None when it cannot be cached (Parquet, or an
        S3 object listed without its ETag)."""
        if obj.file_format != "text":
            return None
        if obj.is_s3:
            if obj.etag is None or obj.size is None:
                return None
            stamp = f"{obj.size}:{obj.etag}"
        else:
            try:
                stat = os.stat(obj.location)
            except OSError:
                return None
            stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        text = f"{FORMAT}\n{_tables_digest()}\n{obj.location}\n{stamp}"
        return hashlib.sha256(text.encode()).hexdigest()

    def entry(self, key: str, header: tuple[str, ...]) -> Path:
        """Where the entry of a file with this key and header lives."""
        return self.entries / key[:2] / f"{key}-{_header_digest(header)}.parquet"

    @property
    def _formats(self) -> Path:
        return self.entries / "formats"

    def headers(self) -> list[tuple[str, ...]]:
        """The headers (field lists) entries have been written for, one small file each."""
        try:
            names = sorted(os.listdir(self._formats))
        except FileNotFoundError:
            return []
        found = []
        for name in names:
            if name.startswith("."):
                continue
            try:
                text = (self._formats / name).read_text(encoding="utf-8")
                found.append(schema.parse_any_log_format(text)[1])
            except (OSError, schema.UnknownFieldError):
                continue
        return found

    def lookup(self, objects: Sequence[FlowLogObject]) -> dict[int, ReadFile]:
        """The files of `objects` (by index) that have an entry, as Parquet files to read.

        An entry is found by its key and the headers written so far (no file is opened but
        the entries' last bytes: one cut short, e.g. by a full disk, is made again)."""
        headers = self.headers()
        hits: dict[int, ReadFile] = {}
        if not headers:
            return hits
        for index, obj in enumerate(objects):
            key = self.key(obj)
            if key is None:
                continue
            for header in headers:
                path = self.entry(key, header)
                if path.is_file():
                    if _whole(path):
                        hits[index] = ReadFile(
                            path, obj.location, obj.partitions, header, "parquet"
                        )
                    else:
                        path.unlink(missing_ok=True)
                    break
        return hits

    def fill(
        self, con: Any, pairs: Sequence[tuple[FlowLogObject, ReadFile]], *, threads: int = 1
    ) -> dict[int, ReadFile]:
        """Write the entries of text files read from `pairs` (object, its local text file);
        returns those written, by index, as Parquet files to read.

        A file with lines that do not match its header gets no entry. DuckDB errors (an
        unreadable file) are raised as they are, for the engine to explain; a file that cannot
        be written is a CacheError. Nothing is left behind but the entries already complete.
        """
        keyed = [
            (index, key, read)
            for index, (obj, read) in enumerate(pairs)
            if read.file_format == "text" and (key := self.key(obj)) is not None
        ]
        if not keyed:
            return {}
        self.entries.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".fill-", dir=self.entries))
        written: dict[int, tuple[Path, ReadFile]] = {}
        try:
            by_header: dict[tuple[str, ...], list[tuple[int, str, ReadFile]]] = {}
            for item in keyed:
                by_header.setdefault(item[2].fields, []).append(item)
            for header in by_header:
                self._keep_header(header)
            batches = [batch for group in by_header.values() for batch in _batches(group, threads)]
            workers = max(1, min(threads, len(batches)))

            def run(worker: int) -> dict[int, tuple[Path, ReadFile]]:
                """One worker's share of the batches, on a connection of its own."""
                done: dict[int, tuple[Path, ReadFile]] = {}
                with con.cursor() as cursor:
                    for number in range(worker, len(batches), workers):
                        done.update(self._fill_batch(cursor, batches[number], work / str(number)))
                return done

            if workers == 1:
                written = run(0)
            else:
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    for done in pool.map(run, range(workers)):
                        written.update(done)
        except OSError as exc:
            raise CacheError(
                f"--cache {self.root}: cannot write an entry ({exc.strerror or exc}); expected "
                "a folder with room for typed copies of the logs (or run without --cache)"
            ) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
            sources.clear_rejects(con)
        return {
            index: ReadFile(entry, read.display, read.partitions, read.fields, "parquet")
            for index, (entry, read) in written.items()
        }

    def _keep_header(self, header: tuple[str, ...]) -> None:
        """Record a header entries are written for (written whole, then renamed)."""
        target = self._formats / _header_digest(header)
        if target.is_file():
            return
        self._formats.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", dir=self._formats, prefix=".part-", delete=False, encoding="utf-8"
        ) as out:
            out.write(" ".join(header))
        os.replace(out.name, target)

    def _fill_batch(
        self, con: Any, batch: Sequence[tuple[int, str, ReadFile]], work: Path
    ) -> dict[int, tuple[Path, ReadFile]]:
        files = [read for _, _, read in batch]
        sources.clear_rejects(con)
        con.execute(
            f"COPY ({entry_select(files)}) TO '{_sql_path(work)}' "
            f"(FORMAT parquet, PARTITION_BY ({_FILE_COLUMN}))"
        )
        ragged = {item.path for item in sources.rejected_lines(con, files)}
        done: dict[int, tuple[Path, ReadFile]] = {}
        for position, (index, key, read) in enumerate(batch):
            if str(read.path) in ragged:
                continue
            target = self.entry(key, read.fields)
            target.parent.mkdir(parents=True, exist_ok=True)
            parts = sorted((work / f"{_FILE_COLUMN}={position}").glob("*.parquet"))
            partial = work / f"{key}.parquet"
            if len(parts) == 1:
                os.replace(parts[0], partial)
            else:  # no rows (a header only), or DuckDB wrote the partition in pieces
                source = (
                    f"SELECT * FROM read_parquet({sources.sql_list(p.as_posix() for p in parts)})"
                    if parts
                    else f"{entry_select([read], with_file=False)} LIMIT 0"
                )
                con.execute(f"COPY ({source}) TO '{_sql_path(partial)}' (FORMAT parquet)")
            os.replace(partial, target)
            done[index] = (target, read)
        return done


def _batches(items: Sequence[_T], workers: int) -> list[Sequence[_T]]:
    """`items` in even batches of at most `FILL_BATCH`, at least one per worker."""
    count = max(min(workers, len(items)), -(-len(items) // FILL_BATCH))
    size = -(-len(items) // count)
    return [items[start : start + size] for start in range(0, len(items), size)]


def entry_select(files: Sequence[ReadFile], *, with_file: bool = True) -> str:
    """SELECT of the columns an entry holds over text files sharing one header: each field the
    header names, in its order, typed as the flow table types it (and which file it is)."""
    kind = files[0].kind
    present = set(files[0].fields)
    columns = [
        sources.column_expr(kind.field(name), sources.column_ref(kind.field(name), present))
        for name in files[0].fields
    ]
    if with_file:
        columns.append(f"r.file_index AS {_FILE_COLUMN}")
    return f"SELECT {', '.join(columns)} FROM {sources.text_reader(files)} AS r"


def _header_digest(header: tuple[str, ...]) -> str:
    return hashlib.sha256(" ".join(header).encode()).hexdigest()[:12]


def _whole(path: Path) -> bool:
    """True when a Parquet file ends as every complete one does (its footer's magic)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(-4, os.SEEK_END)
            return handle.read(4) == b"PAR1"
    except OSError:
        return False


def _sql_path(path: Path) -> str:
    return path.as_posix().replace("'", "''")
