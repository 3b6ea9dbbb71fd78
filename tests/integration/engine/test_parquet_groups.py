"""Parquet files of one group: read by position when all have the same columns (names and
types), united by name otherwise; a Parquet file replaced while an engine is open is read
again (DuckDB's metadata cache checks the file's modification time)."""

from __future__ import annotations

import gzip
import os
from datetime import date
from pathlib import Path

import duckdb
import pytest

from vpc_cidr_analysis.engine.cache import FlowLogCache
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.engine.sources import ReadFile, parquet_group_select
from vpc_cidr_analysis.layout import KeyPartitions

ACCOUNT = "123456789012"
DAY = date(2026, 11, 27)
SQL = "SELECT srcaddr, dstaddr, bytes, action FROM vpcflowlogstable ORDER BY bytes"


def write_parquet(root: Path, name: str, select: str) -> Path:
    """One AWS-style Parquet flow-log file of DAY with the columns `select` makes."""
    folder = root / "AWSLogs" / ACCOUNT / "vpcflowlogs" / "us-east-1" / f"{DAY:%Y/%m/%d}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ACCOUNT}_vpcflowlogs_us-east-1_fl-1_{DAY:%Y%m%d}T0000Z_{name}.log.parquet"
    duckdb.connect().execute(f"COPY ({select}) TO '{path.as_posix()}' (FORMAT parquet)")
    return path


def reader_options(engine: LocalEngine) -> list[str]:
    """The union_by_name option of each Parquet reader the flow table's view has."""
    row = engine.con.execute(
        "SELECT sql FROM duckdb_views() WHERE view_name = 'vpcflowlogstable' "
        "AND schema_name = 'vpcflowlogscidrdb'"
    ).fetchone()
    assert row is not None
    text = str(row[0]).lower().replace(" ", "")
    # DuckDB keeps the view's text with the option written as a cast: CAST('f' AS BOOLEAN)
    spelled = {"false": "false", "cast('f'asboolean)": "false", "true": "true"}
    spelled["cast('t'asboolean)"] = "true"
    options = []
    for part in text.split("union_by_name=")[1:]:
        options += [value for key, value in spelled.items() if part.startswith(key)][:1]
    return options


V2 = (
    "2 AS version, '{account}' AS account_id, 'eni-1' AS interface_id, '{src}' AS srcaddr, "
    "'10.0.0.9' AS dstaddr, 443 AS srcport, 5000 AS dstport, 6 AS protocol, 1 AS packets, "
    "{nbytes}::{kind} AS bytes, 1795740000 AS start, 1795740060 AS \"end\", 'ACCEPT' AS action, "
    "'OK' AS log_status"
)


def v2(src: str, nbytes: int, kind: str = "BIGINT") -> str:
    return "SELECT " + V2.format(account=ACCOUNT, src=src, nbytes=nbytes, kind=kind)


def test_files_with_the_same_columns_are_read_by_position(tmp_path: Path) -> None:
    write_parquet(tmp_path, "a", v2("10.0.0.1", 10))
    write_parquet(tmp_path, "b", v2("10.0.0.2", 20))
    with LocalEngine(str(tmp_path), today=DAY) as engine:
        assert engine.execute(SQL).rows == [
            ("10.0.0.1", "10.0.0.9", 10, "ACCEPT"),
            ("10.0.0.2", "10.0.0.9", 20, "ACCEPT"),
        ]
        assert reader_options(engine) == ["false"]


def test_files_with_different_columns_are_united_by_name(tmp_path: Path) -> None:
    # the second file lacks `action` and has its columns in another order
    write_parquet(tmp_path, "a", v2("10.0.0.1", 10))
    write_parquet(
        tmp_path,
        "b",
        f"SELECT 'OK' AS log_status, 20::BIGINT AS bytes, '10.0.0.9' AS dstaddr, "
        f"'10.0.0.2' AS srcaddr, 2 AS version, '{ACCOUNT}' AS account_id",
    )
    with LocalEngine(str(tmp_path), today=DAY) as engine:
        assert engine.execute(SQL).rows == [
            ("10.0.0.1", "10.0.0.9", 10, "ACCEPT"),
            ("10.0.0.2", "10.0.0.9", 20, None),
        ]
        assert reader_options(engine) == ["true"]


@pytest.mark.parametrize("first", ["INTEGER", "BIGINT"])
def test_files_whose_types_differ_are_united_by_name(tmp_path: Path, first: str) -> None:
    # by position DuckDB would cast the BIGINT file to the first file's INTEGER and fail
    other = "BIGINT" if first == "INTEGER" else "INTEGER"
    write_parquet(tmp_path, "a", v2("10.0.0.1", 10, first))
    write_parquet(tmp_path, "b", v2("10.0.0.2", 5_000_000_000 if other == "BIGINT" else 7, other))
    with LocalEngine(str(tmp_path), today=DAY) as engine:
        values = sorted(r[2] for r in engine.execute(SQL).rows)
        assert values == sorted([10, 5_000_000_000 if other == "BIGINT" else 7])
        assert reader_options(engine) == ["true"]


def test_a_replaced_parquet_file_is_read_again_by_the_same_engine(tmp_path: Path) -> None:
    path = write_parquet(tmp_path, "a", v2("10.0.0.1", 10))
    with LocalEngine(str(tmp_path), today=DAY) as engine:
        assert [r[2] for r in engine.execute(SQL).rows] == [10]
        write_parquet(tmp_path, "a", v2("10.0.0.1", 99))
        later = path.stat().st_mtime + 5  # a later modification time, as any rewrite has
        os.utime(path, (later, later))
        assert [r[2] for r in engine.execute(SQL).rows] == [99]


def test_cache_entries_of_one_header_are_read_by_position(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_text = logs / "AWSLogs" / ACCOUNT / "vpcflowlogs" / "us-east-1" / f"{DAY:%Y/%m/%d}"
    write_text.mkdir(parents=True)
    header = (
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
        "bytes start end action log-status"
    )
    for name, nbytes in (("a", 10), ("b", 20)):
        line = f"2 {ACCOUNT} eni-1 10.0.0.1 10.0.0.9 443 5000 6 1 {nbytes} 1 2 ACCEPT OK"
        target = (
            write_text / f"{ACCOUNT}_vpcflowlogs_us-east-1_fl-1_{DAY:%Y%m%d}T0000Z_{name}.log.gz"
        )
        with gzip.open(target, "wt") as handle:
            handle.write(f"{header}\n{line}\n")
    cache = tmp_path / "cache"
    answers = []
    for _ in range(2):  # the first run fills the cache, the second reads only entries
        with LocalEngine(str(logs), today=DAY, cache_dir=cache) as engine:
            answers.append(engine.execute(SQL).rows)
            assert reader_options(engine) == ["false"]
    assert (
        answers[0]
        == answers[1]
        == [
            ("10.0.0.1", "10.0.0.9", 10, "ACCEPT"),
            ("10.0.0.1", "10.0.0.9", 20, "ACCEPT"),
        ]
    )
    assert FlowLogCache.open(cache).headers() == [tuple(header.split())]


def test_files_whose_columns_are_not_known_are_united_by_name(tmp_path: Path) -> None:
    path = write_parquet(tmp_path, "a", v2("10.0.0.1", 10))
    partitions = KeyPartitions(ACCOUNT, "us-east-1", "2026/11/27", None, "parquet")
    unknown = ReadFile(path, "a", partitions, ("version", "srcaddr"), "parquet")
    assert "union_by_name=true" in parquet_group_select([unknown, unknown])
    known = ReadFile(path, "a", partitions, ("version", "srcaddr"), "parquet", "x")
    assert "union_by_name=false" in parquet_group_select([known, known])
