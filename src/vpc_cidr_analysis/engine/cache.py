"""Typed Parquet copies of text flow-log files, so later queries over the same files skip the
gzip and text parsing (`--cache DIR`, or the `VPC_CIDR_ANALYSIS_CACHE` environment variable).

A text file's entry holds the columns its header names, with the flow table's types, as the
text reader reads them (the literal `-` of string fields kept, values that do not parse NULL),
so every answer is the same with and without the cache. An S3 object's entry also spares its
download. Entries are keyed by the file's location and what says it is unchanged — size,
modification and change times and inode for a local file (a copy that keeps size and mtime
still has a new ctime), size and ETag for an S3 object — and by how entries are made (`FORMAT`,
the DuckDB version, the reader and the column expressions of every kind's table): a changed
file or a new version of the reader gets a new entry; old ones are never read again.

Not cached: Parquet flow-log files (already columnar), text files with lines that do not match
their header (read as text every time, so the note about them, and `--strict`, still apply; a
marker says so, so they are not copied again). Entries are written under a temporary folder
inside the cache and renamed into place when complete, so an interrupted run leaves nothing
that looks whole (work folders it left are removed by a later fill after an hour). The folder
may be deleted between runs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine import sources
from vpc_cidr_analysis.engine.sources import FlowLogObject, ReadFile
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.layout import KeyPartitions
from vpc_cidr_analysis.sqltext import sql_string

#: The layout of entries; a change to it (or to the tables' columns) starts new entries.
FORMAT = 1
#: Text files written by one COPY: each is a partition of its own, so one writer each.
FILL_BATCH = 64
#: The hidden column that tells the files of one COPY apart (not written to the entries).
_FILE_COLUMN = "cache_file"
#: Work folders and partial files older than this are what a killed run left behind.
_STALE_SECONDS = 3600
_T = TypeVar("_T")
Connection = duckdb.DuckDBPyConnection
_NO_PARTITIONS = KeyPartitions("", "", "", None, "text")


@cache
def _entries_digest() -> str:
    """How entries are made — the DuckDB version, the text reader's options and each kind's
    column expressions — so any change to them starts new entries (part of every key)."""
    sample = Path("flow.log.gz")
    parts = [duckdb.__version__]
    for kind in schema.KINDS:
        names = tuple(f.name for f in kind.fields)
        read = ReadFile(sample, "", _NO_PARTITIONS, names, "text")
        parts.append(entry_select([read]))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


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
            cls(folder).entries.mkdir(parents=True, exist_ok=True)
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
        """The folder of this `FORMAT`'s entries."""
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
            stamp = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"
        text = f"{FORMAT}\n{_entries_digest()}\n{obj.location}\n{stamp}"
        return hashlib.sha256(text.encode()).hexdigest()

    def entry(self, key: str, header: tuple[str, ...]) -> Path:
        """Where the entry of a file with this key and header lives."""
        return self.entries / key[:2] / f"{key}-{_header_digest(header)}.parquet"

    @property
    def _formats(self) -> Path:
        return self.entries / "formats"

    def _ragged_marker(self, key: str, header: tuple[str, ...]) -> Path:
        """Says a file has lines that do not match its header (so it is not copied again)."""
        return self.entries / "ragged" / f"{key}-{_header_digest(header)}"

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
                            path, obj.location, obj.partitions, header, "parquet", _columns(header)
                        )
                    else:
                        path.unlink(missing_ok=True)
                    break
        return hits

    def fill(
        self, con: Connection, pairs: Sequence[tuple[FlowLogObject, ReadFile]], *, threads: int = 1
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
            if read.file_format == "text"
            and (key := self.key(obj)) is not None
            and not self._ragged_marker(key, read.fields).exists()
        ]
        if not keyed:
            return {}
        written: dict[int, tuple[Path, ReadFile]] = {}
        work: Path | None = None
        try:
            self.entries.mkdir(parents=True, exist_ok=True)
            self._remove_stale()
            work = Path(tempfile.mkdtemp(prefix=".fill-", dir=self.entries))
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
                assert work is not None
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
            raise self._write_error(exc.strerror or str(exc)) from None
        except duckdb.IOException as exc:
            if work is None or work.as_posix() not in str(exc):
                raise  # reading a log failed: the engine names the file
            reason = str(exc).strip().splitlines()[0].rpartition(": ")[2]
            raise self._write_error(reason) from None
        finally:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
            sources.clear_rejects(con)
        return {
            index: replace(
                read,
                path=entry,
                file_format="parquet",
                columns=_columns(read.fields),
            )
            for index, (entry, read) in written.items()
        }

    def _write_error(self, reason: str) -> CacheError:
        return CacheError(
            f"--cache {self.root}: cannot write an entry ({reason}); expected a folder with "
            "room for typed copies of the logs (or run without --cache)"
        )

    def _remove_stale(self) -> None:
        """Remove the work folders and partial files a killed run left (older than an hour)."""
        limit = time.time() - _STALE_SECONDS
        for folder in (self.entries, self._formats):
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                continue
            for name in names:
                if not name.startswith((".fill-", ".part-")):
                    continue
                path = folder / name
                try:
                    if path.stat().st_mtime >= limit:
                        continue  # maybe another run's, still working
                except OSError:
                    continue
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)

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
        self, con: Connection, batch: Sequence[tuple[int, str, ReadFile]], work: Path
    ) -> dict[int, tuple[Path, ReadFile]]:
        """One COPY of a batch of files into `work`, one partition per file; each file's entry
        is then moved into place (files with lines that do not match the header: a marker)."""
        files = [read for _, _, read in batch]
        sources.clear_rejects(con)
        con.execute(
            f"COPY ({entry_select(files)}) TO {sql_string(work.as_posix())} "
            f"(FORMAT parquet, PARTITION_BY ({_FILE_COLUMN}))"
        )
        ragged = {item.path for item in sources.rejected_lines(con, files)}
        done: dict[int, tuple[Path, ReadFile]] = {}
        for position, (index, key, read) in enumerate(batch):
            if str(read.path) in ragged:
                marker = self._ragged_marker(key, read.fields)
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.touch()
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
                con.execute(f"COPY ({source}) TO {sql_string(partial.as_posix())} (FORMAT parquet)")
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


def _columns(header: tuple[str, ...]) -> str:
    """`ReadFile.columns` of an entry: its columns and their types follow from its header and
    how entries are made, so entries of one header are read by position."""
    return f"entry {FORMAT} {_entries_digest()} {' '.join(header)}"


def _header_digest(header: tuple[str, ...]) -> str:
    """A short name for a header's field list (entries of one file differ by header)."""
    return hashlib.sha256(" ".join(header).encode()).hexdigest()[:12]


def _whole(path: Path) -> bool:
    """True when a Parquet file ends as every complete one does (its footer's magic)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(-4, os.SEEK_END)
            return handle.read(4) == b"PAR1"
    except OSError:
        return False
