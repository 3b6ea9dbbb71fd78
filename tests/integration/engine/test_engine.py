"""LocalEngine: the stack's tables over flow-log files, Athena semantics, partition pruning."""

from __future__ import annotations

import gzip
import io
import ipaddress
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.local import (
    EngineError,
    LocalEngine,
    QueryResult,
    canonical_cidr,
    parse_parameter,
)
from vpc_cidr_analysis.engine.sources import SourceError
from vpc_cidr_analysis.engine.translate import UnsupportedSqlError
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample

ACCOUNT = "123456789012"
TODAY = date(2026, 11, 27)
V2 = " ".join(schema.V2_FIELDS)


def day_folder(root: Path, day: date, region: str = "us-east-1", hour: int | None = None) -> Path:
    folder = root / "AWSLogs" / ACCOUNT / "vpcflowlogs" / region / f"{day:%Y/%m/%d}"
    return folder / f"{hour:02d}" if hour is not None else folder


def write_log(folder: Path, name: str, header: str, *lines: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ACCOUNT}_vpcflowlogs_us-east-1_fl-1_{name}.log.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join([header, *lines]) + "\n")
    return path


def record(src: str, dst: str, nbytes: int = 100, status: str = "OK") -> str:
    """A v2 record line."""
    times = "1795740000 1795740060"
    return f"2 {ACCOUNT} eni-0a1 {src} {dst} 443 50000 6 1 {nbytes} {times} ACCEPT {status}"


NODATA = f"2 {ACCOUNT} eni-0a1 - - - - - - - 1795740000 1795740060 - NODATA"


@pytest.fixture
def month_of_logs(tmp_path: Path) -> Path:
    """One file per day for 30 days ending TODAY, one record each (bytes = day of month)."""
    for back in range(30):
        day = TODAY - timedelta(days=back)
        write_log(
            day_folder(tmp_path, day),
            f"{day:%Y%m%d}T0000Z_a",
            V2,
            record("10.0.0.1", "10.0.0.2", day.day),
        )
    return tmp_path


def rows(engine: LocalEngine, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return engine.execute(sql, params or []).rows


# ---- table shape and Athena read semantics -----------------------------------------------


def test_tables_have_the_glue_columns(month_of_logs: Path) -> None:
    with LocalEngine(str(month_of_logs), cidrs=["10.0.0.0/30"]) as engine:
        flow = engine.execute("SELECT * FROM vpcflowlogscidrdb.vpcflowlogstable LIMIT 1")
        cidr = engine.execute("SELECT * FROM cidrtable LIMIT 1")
        types = engine.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'vpcflowlogscidrdb' AND table_name = 'vpcflowlogstable'"
        ).fetchall()
    expected = [f.column for f in schema.FIELDS] + list(schema.PARTITION_COLUMNS)
    assert flow.columns == expected
    assert cidr.columns == ["cidr", "ip"]
    assert dict(types) == {
        **dict(schema.duckdb_columns()),
        **dict.fromkeys(schema.PARTITION_COLUMNS, "VARCHAR"),
    }


def test_text_semantics_dash_kept_numbers_null_absent_fields_null(tmp_path: Path) -> None:
    header = "version srcaddr dstaddr srcport bytes log-status"
    write_log(
        day_folder(tmp_path, TODAY, hour=7),
        "a",
        header,
        "2 10.0.0.1 10.0.0.2 443 900 OK",
        "2 - - - - NODATA",
    )
    with LocalEngine(str(tmp_path)) as engine:
        got = rows(
            engine,
            "SELECT srcaddr, dstaddr, srcport, bytes, log_status, version, action, vpc_id, "
            "aws_account_id, aws_region, day, hour FROM vpcflowlogstable ORDER BY log_status",
        )
        dash = rows(engine, "SELECT count(*) FROM vpcflowlogstable WHERE srcaddr = '-'")
    assert got == [
        ("-", "-", None, None, "NODATA", 2, None, None, ACCOUNT, "us-east-1", "2026/11/27", "07"),
        (
            "10.0.0.1",
            "10.0.0.2",
            443,
            900,
            "OK",
            2,
            None,
            None,
            ACCOUNT,
            "us-east-1",
            "2026/11/27",
            "07",
        ),
    ]
    assert dash == [(1,)]


def test_files_with_different_field_orders_are_read_by_name(tmp_path: Path) -> None:
    folder = day_folder(tmp_path, TODAY)
    write_log(folder, "a", "srcaddr dstaddr bytes", "10.0.0.1 10.0.0.2 5")
    write_log(folder, "b", "bytes dstaddr srcaddr action", "7 10.0.0.4 10.0.0.3 REJECT")
    with LocalEngine(str(tmp_path)) as engine:
        got = rows(
            engine, "SELECT srcaddr, dstaddr, bytes, action FROM vpcflowlogstable ORDER BY 1"
        )
    assert got == [("10.0.0.1", "10.0.0.2", 5, None), ("10.0.0.3", "10.0.0.4", 7, "REJECT")]


def test_ipaddress_and_timestamp_results(tmp_path: Path) -> None:
    write_log(day_folder(tmp_path, TODAY), "a", V2, record("2600:1f18:0:0::9", "10.0.0.2"))
    with LocalEngine(str(tmp_path)) as engine:
        got = rows(
            engine,
            'SELECT CAST(srcaddr AS IPADDRESS), from_unixtime("start") FROM vpcflowlogstable',
        )
    assert got[0][0] == "2600:1f18::9"
    assert got[0][1].isoformat() == "2026-11-27T00:40:00+00:00"


# ---- partition pruning -------------------------------------------------------------------


def test_last_ten_days_opens_only_their_files(month_of_logs: Path) -> None:
    # Files outside the window are corrupted: reading any of them would fail.
    for back in range(10, 30):
        for path in day_folder(month_of_logs, TODAY - timedelta(days=back)).glob("*.gz"):
            path.write_bytes(b"not gzip")
    seed_window = "TO_DATE(day,'yyyy/mm/dd') > CURRENT_DATE- interval '10' day"
    with LocalEngine(str(month_of_logs), today=TODAY) as engine:
        got = rows(engine, f"SELECT count(*), sum(bytes) FROM vpcflowlogstable WHERE {seed_window}")
        assert got == [(10, sum((TODAY - timedelta(days=b)).day for b in range(10)))]
        assert len(engine.last_files) == 10
        assert all("/2026/11/1" in f or "/2026/11/2" in f for f in engine.last_files)
        sargable = "day >= date_format(current_date - interval '9' day, '%Y/%m/%d')"
        assert rows(engine, f"SELECT count(*) FROM vpcflowlogstable WHERE {sargable}") == [(10,)]
        assert engine.files_read == 20


def test_pruning_with_parameters_and_join_conditions(month_of_logs: Path) -> None:
    with LocalEngine(str(month_of_logs), cidrs=["10.0.0.0/30"], today=TODAY) as engine:
        got = rows(
            engine,
            "SELECT count(*) FROM vpcflowlogstable WHERE day BETWEEN ? AND ?",
            ["2026/11/01", "2026/11/03"],
        )
        assert got == [(3,)] and len(engine.last_files) == 3
        scenario5 = (
            "SELECT count(*) FROM vpcflowlogscidrdb.vpcflowlogstable "
            "JOIN vpcflowlogscidrdb.cidrtable ON srcaddr=ip AND CIDR='10.0.0.0/30' "
            "and TO_DATE(day,'yyyy/mm/dd') > CURRENT_DATE- interval '10' day"
        )
        assert rows(engine, scenario5) == [(10,)] and len(engine.last_files) == 10
        aliased = (
            "SELECT count(*) FROM vpcflowlogstable f JOIN vpcflowlogstable g "
            "ON f.day = g.day AND g.day = '2026/11/20' WHERE f.day >= '2026/11/27'"
        )
        assert rows(engine, aliased) == [(0,)] and len(engine.last_files) == 2


def test_conditions_that_cannot_prune_read_everything(month_of_logs: Path) -> None:
    with LocalEngine(str(month_of_logs), today=TODAY) as engine:
        either = "SELECT count(*) FROM vpcflowlogstable WHERE day = '2026/11/27' OR bytes = 5"
        assert rows(engine, either) == [(2,)] and len(engine.last_files) == 30
        outer = (
            "SELECT count(*) FROM (VALUES 1) t(x) LEFT JOIN vpcflowlogstable f "
            "ON f.day = '2026/11/27'"
        )
        assert rows(engine, outer) == [(1,)] and len(engine.last_files) == 1
        none = "SELECT count(*) FROM vpcflowlogstable WHERE day = '1999/01/01'"
        assert rows(engine, none) == [(0,)] and engine.last_files == ()
        assert rows(engine, either) == [(2,)] and len(engine.last_files) == 30
        assert rows(engine, "SELECT 1") == [(1,)] and engine.last_files == ()


def test_hour_region_and_account_partitions_prune(tmp_path: Path) -> None:
    for hour in (0, 1, 2):
        write_log(
            day_folder(tmp_path, TODAY, hour=hour),
            f"h{hour}",
            V2,
            record("10.0.0.1", "10.0.0.2", hour),
        )
    write_log(
        day_folder(tmp_path, TODAY, region="eu-west-1"),
        "eu",
        V2,
        record("10.0.0.1", "10.0.0.2", 50),
    )
    with LocalEngine(str(tmp_path)) as engine:
        assert rows(
            engine, "SELECT sum(bytes) FROM vpcflowlogstable WHERE hour IN ('01', '02')"
        ) == [(3,)]
        assert len(engine.last_files) == 2
        assert rows(
            engine, "SELECT sum(bytes) FROM vpcflowlogstable WHERE aws_region = 'eu-west-1'"
        ) == [(50,)]
        assert len(engine.last_files) == 1
        query = "SELECT count(*) FROM vpcflowlogstable WHERE aws_account_id = ?"
        assert rows(engine, query, ["000000000000"]) == [(0,)]


# ---- cidrtable ---------------------------------------------------------------------------


def test_cidr_expansion_every_address(month_of_logs: Path) -> None:
    with LocalEngine(
        str(month_of_logs), cidrs=["10.0.0.0/30", "2600:1f18:aaaa:ab00::/126"]
    ) as engine:
        got = rows(engine, "SELECT cidr, ip FROM vpcflowlogscidrdb.cidrtable ORDER BY cidr, ip")
        assert engine.last_files == ()  # cidrtable alone opens no flow-log file
    assert got == [
        ("10.0.0.0/30", "10.0.0.0"),
        ("10.0.0.0/30", "10.0.0.1"),
        ("10.0.0.0/30", "10.0.0.2"),
        ("10.0.0.0/30", "10.0.0.3"),
        ("2600:1f18:aaaa:ab00::/126", "2600:1f18:aaaa:ab00::"),
        ("2600:1f18:aaaa:ab00::/126", "2600:1f18:aaaa:ab00::1"),
        ("2600:1f18:aaaa:ab00::/126", "2600:1f18:aaaa:ab00::2"),
        ("2600:1f18:aaaa:ab00::/126", "2600:1f18:aaaa:ab00::3"),
    ]


def test_cidr_expansion_of_a_16(month_of_logs: Path) -> None:
    with LocalEngine(str(month_of_logs), cidrs=["10.1.0.0/16"]) as engine:
        got = rows(engine, "SELECT count(*), count(DISTINCT ip), min(ip), max(ip) FROM cidrtable")
    assert got == [(65536, 65536, "10.1.0.0", "10.1.99.99")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.0.0.1/16", "has host bits set; the block that contains it is '10.0.0.0/16'"),
        ("10.0.0.0", "no prefix length"),
        ("banana/8", "'banana/8' is not a valid CIDR: Expected 4 octets"),
        ("10.0.0.0/7", r"Query the block with contains\('10.0.0.0/7', TRY_CAST"),
        ("2600::/64", "more than the limit 16,777,216"),
        ("::ffff:0:0/120", "IPv4-mapped IPv6"),
    ],
)
def test_cidr_values_are_checked(value: str, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        canonical_cidr(value)


def test_cidrtable_from_lambda_files(tmp_path: Path, month_of_logs: Path) -> None:
    folder = tmp_path / "cidrs" / "nested"
    folder.mkdir(parents=True)
    (folder / "10_0_0_0_31.csv.gz").write_bytes(
        gzip.compress(b"10.0.0.0/31,10.0.0.0\n10.0.0.0/31,10.0.0.1\n")
    )
    with LocalEngine(
        str(month_of_logs), cidr_dir=tmp_path / "cidrs", cidrs=["10.9.0.0/32"]
    ) as engine:
        got = rows(engine, "SELECT cidr, ip FROM cidrtable ORDER BY ip")
    assert got == [
        ("10.0.0.0/31", "10.0.0.0"),
        ("10.0.0.0/31", "10.0.0.1"),
        ("10.9.0.0/32", "10.9.0.0"),
    ]
    with pytest.raises(EngineError, match=r"no \*\.csv\.gz files"):
        LocalEngine(str(month_of_logs), cidr_dir=day_folder(month_of_logs, TODAY))


def test_cidrtable_rows_with_wrong_columns_are_reported(
    tmp_path: Path, month_of_logs: Path
) -> None:
    (tmp_path / "bad.csv.gz").write_bytes(gzip.compress(b"10.0.0.0/31,10.0.0.0,extra\n"))
    with (
        LocalEngine(str(month_of_logs), cidr_dir=tmp_path) as engine,
        pytest.raises(SourceError, match=r"bad\.csv\.gz line 1: expected 2 fields \(cidr,ip\)"),
    ):
        rows(engine, "SELECT * FROM cidrtable")


# ---- errors ------------------------------------------------------------------------------


def test_wrong_field_count_is_an_error_only_when_strict(tmp_path: Path) -> None:
    path = write_log(
        day_folder(tmp_path, TODAY), "a", V2, record("10.0.0.1", "10.0.0.2"), "2 only three"
    )
    with LocalEngine(str(tmp_path), strict=True) as engine, pytest.raises(SourceError) as info:
        rows(engine, "SELECT count(*) FROM vpcflowlogstable")
    message = str(info.value)
    assert str(path) in message
    assert "line 3" in message
    assert "expected 14 fields" in message and "found 3" in message
    assert "\n" not in message and "--strict" in message
    with LocalEngine(str(tmp_path)) as engine:
        assert rows(engine, "SELECT count(*), count(srcaddr) FROM vpcflowlogstable") == [(2, 1)]
        assert [(r.display, r.line, r.expected, r.found) for r in engine.last_ragged] == [
            (str(path), 3, 14, 3)
        ]


def test_lines_that_do_not_match_the_header_read_as_athena_reads_them(tmp_path: Path) -> None:
    """LazySimpleSerDe: each single space separates a field (two make an empty one), missing
    trailing fields are NULL, extra ones dropped, values that do not parse are NULL."""
    ok = record("10.0.0.1", "10.0.0.2")
    folder = day_folder(tmp_path, TODAY)
    short = write_log(folder, "short", V2, ok, "2 123 eni-0a2 10.0.0.3")
    long = write_log(folder, "long", V2, ok + " extra fields", ok.replace(" 100 ", " http "))
    double = write_log(folder, "double", V2, ok.replace(" 443 ", "  443 "))
    sql = (
        "SELECT interface_id, srcaddr, dstaddr, srcport, dstport, bytes, action, log_status "
        "FROM vpcflowlogstable"
    )
    with LocalEngine(str(tmp_path)) as engine:
        got = sorted(rows(engine, sql), key=repr)
        ragged = {(r.display, r.line, r.found) for r in engine.last_ragged}
        # a non-blocking query (rows streamed) sees the same lines as an aggregate
        counted = rows(engine, "SELECT count(*), sum(srcport) FROM vpcflowlogstable")
    full = ("eni-0a1", "10.0.0.1", "10.0.0.2", 443, 50000, 100, "ACCEPT", "OK")
    assert (
        got
        == sorted(
            [
                full,  # short's first line
                ("eni-0a2", "10.0.0.3", None, None, None, None, None, None),  # short: NULLs
                full,  # long: the extra fields dropped
                (*full[:5], None, *full[6:]),  # `http` in bytes: NULL
                # double: srcport is the empty field, every later field one place to the right
                ("eni-0a1", "10.0.0.1", "10.0.0.2", None, 443, 1, "1795740060", "ACCEPT"),
            ],
            key=repr,
        )
    )
    assert ragged == {(str(short), 3, 4), (str(long), 2, 16), (str(double), 2, 15)}
    assert counted == [(5, 443 * 3)]


def test_unknown_header_field_and_bad_gzip(tmp_path: Path) -> None:
    bad_header = write_log(day_folder(tmp_path, TODAY), "a", "version srcaddress", "2 10.0.0.1")
    with (
        LocalEngine(str(tmp_path)) as engine,
        pytest.raises(SourceError, match="unknown flow-log field 'srcaddress'") as info,
    ):
        rows(engine, "SELECT count(*) FROM vpcflowlogstable")
    assert str(bad_header) in str(info.value)
    bad_header.write_bytes(b"\x1f\x8b garbage")
    with (
        LocalEngine(str(tmp_path)) as engine,
        pytest.raises(SourceError, match="not a readable gzip"),
    ):
        rows(engine, "SELECT count(*) FROM vpcflowlogstable")


def test_parameter_count_and_binding(month_of_logs: Path) -> None:
    with LocalEngine(str(month_of_logs)) as engine:
        with pytest.raises(EngineError, match="2 \\? placeholder\\(s\\) but 1 value"):
            engine.execute("SELECT ?, ?", [1])
        # A value is bound, never pasted into SQL: quotes stay data.
        assert rows(engine, "SELECT ?, ? || 'x'", ["O'Reilly; DROP TABLE x", "a"]) == [
            ("O'Reilly; DROP TABLE x", "ax")
        ]


def test_unsupported_sql_is_refused_before_reading(month_of_logs: Path) -> None:
    with (
        LocalEngine(str(month_of_logs)) as engine,
        pytest.raises(UnsupportedSqlError, match="histogram"),
    ):
        engine.execute("SELECT histogram(srcaddr) FROM vpcflowlogstable")


def test_missing_logs_path_fails_at_once(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        LocalEngine(str(tmp_path / "missing"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10", 10),
        ("-3", -3),
        ("'10'", "10"),
        ("'it''s'", "it's"),
        ("10.0.0.0/16", "10.0.0.0/16"),
        ("2026/11/01", "2026/11/01"),
        ("", ""),
        ("true", True),
        ("NULL", None),
        ("DATE '2026-11-27'", TODAY),
        ("1e3", 1000.0),
    ],
)
def test_parse_parameter_reads_athena_literals(text: str, value: object) -> None:
    assert parse_parameter(text) == value


# ---- formats, layouts, S3 ----------------------------------------------------------------

SUMMARY = (
    "SELECT count(*), sum(bytes), count(DISTINCT nullif(srcaddr, '-')), min(day), max(day), "
    "count(DISTINCT hour) FROM vpcflowlogstable"
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    path = tmp_path_factory.mktemp("reference")
    write_sample(SampleConfig(records=400, days=3, end_date=TODAY, seed=7), path)
    with LocalEngine(str(path)) as engine:
        return rows(engine, SUMMARY)


@pytest.mark.parametrize(
    ("layout_name", "file_format", "prefix"),
    [("hive", "text", ""), ("default", "parquet", "p"), ("hive", "parquet", "")],
)
def test_every_layout_and_format_reads_the_same_records(
    tmp_path: Path,
    reference: list[tuple[Any, ...]],
    layout_name: Any,
    file_format: Any,
    prefix: str,
) -> None:
    config = SampleConfig(
        records=400,
        days=3,
        end_date=TODAY,
        seed=7,
        layout=layout_name,
        file_format=file_format,
        prefix=prefix,
    )
    write_sample(config, tmp_path)
    with LocalEngine(str(tmp_path)) as engine:
        assert rows(engine, SUMMARY) == reference


def test_hourly_layout_fills_hour(tmp_path: Path, reference: list[tuple[Any, ...]]) -> None:
    write_sample(SampleConfig(records=400, days=3, end_date=TODAY, seed=7, hourly=True), tmp_path)
    with LocalEngine(str(tmp_path)) as engine:
        got = rows(engine, SUMMARY)
    # the same number of records over the same days (other ones: windows of another size hold
    # other conversations), now in hour partitions
    assert (got[0][0], got[0][3], got[0][4]) == (reference[0][0], reference[0][3], reference[0][4])
    assert got[0][5] > 1 and reference[0][5] == 0


def test_s3_logs_download_only_selected_objects(
    tmp_path: Path, s3: Any, month_of_logs: Path
) -> None:
    for path in month_of_logs.rglob("*.log.gz"):
        key = "org/" + path.relative_to(month_of_logs).as_posix()
        s3.put_object(Bucket="flow-logs", Key=key, Body=path.read_bytes())
    engine = LocalEngine("s3://flow-logs/org", s3_client=s3, today=TODAY)
    got = rows(engine, "SELECT count(*), sum(bytes) FROM vpcflowlogstable WHERE day > '2026/11/24'")
    assert got == [(3, 27 + 26 + 25)]
    assert engine.downloads == 3
    assert all(f.startswith("s3://flow-logs/org/AWSLogs/") for f in engine.last_files)
    workdir = engine._copies.workdir
    assert len([p for p in workdir.rglob("*.log.gz")]) == 3
    engine.close()
    assert not workdir.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal(
    s3: Any, month_of_logs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in month_of_logs.rglob("*.log.gz"):
        key = path.relative_to(month_of_logs).as_posix()
        s3.put_object(Bucket="flow-logs", Key=key, Body=path.read_bytes())
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with LocalEngine("s3://flow-logs", s3_client=s3, progress=True) as engine:
        got = rows(engine, "SELECT count(*) FROM vpcflowlogstable WHERE day >= '2026/11/26'")
        again = rows(engine, "SELECT count(*) FROM vpcflowlogstable WHERE day >= '2026/11/25'")
    assert got == [(2,)] and again == [(3,)]
    shown = terminal.getvalue()
    sizes = sorted(o.size or 0 for o in engine.objects)[-3:]
    assert all(sizes) and len({o.size for o in engine.objects}) > 1  # sizes from the listing
    bar = r"\rdownloading flow-log objects \[#{30}\] %s objects, ([0-9.]+ k?B)/\1\n"
    assert re.search(bar % "2/2", shown)
    assert re.search(bar % "1/1", shown)  # only the one not yet here
    assert "[###############...............] 1/2 objects" in shown


def test_stream_returns_batches(month_of_logs: Path) -> None:
    with LocalEngine(str(month_of_logs)) as engine:
        result = engine.stream("SELECT bytes FROM vpcflowlogstable ORDER BY bytes", batch_size=7)
        values = [r[0] for r in result]
        assert result.columns == ["bytes"]
    assert len(values) == 30 and values == sorted(values)


def test_execute_returns_query_result(month_of_logs: Path) -> None:
    with LocalEngine(str(month_of_logs)) as engine:
        result = engine.execute("SELECT count(*) AS n FROM vpcflowlogstable")
    assert result == QueryResult(["n"], [(30,)])


def test_timestamp_with_time_zone_results_are_aware_utc_datetimes(month_of_logs: Path) -> None:
    """Fetched as epoch microseconds, returned as DuckDB returns them (values, NULLs, order)."""
    select = (
        "SELECT from_unixtime(t) AS ts, t FROM (VALUES (1795740000.123456), (NULL), "
        "(-5364662400.5), (4102444800), (253402300799.999999), (-62135596800)) AS v(t)"
    )
    with LocalEngine(str(month_of_logs), today=TODAY) as engine:
        fast = engine.execute(f"{select} ORDER BY t DESC")
        plain = engine.con.execute(engine.translate(f"{select} ORDER BY t DESC")).fetchall()
        by_time = engine.execute(f"{select} ORDER BY ts")  # not rewritten: ORDER BY ts
        by_time_plain = engine.con.execute(engine.translate(f"{select} ORDER BY ts")).fetchall()
        mixed = engine.execute(
            "SELECT from_unixtime(x) AS ts, TRY_CAST('10.0.0.1' AS IPADDRESS) AS ip, "
            "from_unixtime(x + 1) FROM (VALUES (1795740000), (NULL)) AS v(x) ORDER BY x"
        )
    assert fast.columns == ["ts", "t"]
    assert fast.rows == plain
    assert [type(r[0]) for r in fast.rows] == [type(r[0]) for r in plain]  # str past 9999
    assert [r[0].utcoffset() for r in fast.rows if isinstance(r[0], datetime)] == [
        r[0].utcoffset() for r in plain if isinstance(r[0], datetime)
    ]
    assert sum(isinstance(r[0], datetime) for r in fast.rows) >= 4
    assert fast.rows[2][0] == datetime(2026, 11, 27, 0, 40, 0, 123456, tzinfo=UTC)
    assert fast.rows[3][0] == datetime(1799, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)  # raw
    assert (None, None) in fast.rows
    assert by_time.rows == by_time_plain
    assert by_time.rows[-1] == (None, None)
    assert mixed.columns == ["ts", "ip", "_col2"]
    assert mixed.rows == [
        (
            datetime(2026, 11, 27, 0, 40, tzinfo=UTC),
            "10.0.0.1",
            datetime(2026, 11, 27, 0, 40, 1, tzinfo=UTC),
        ),
        (None, "10.0.0.1", None),
    ]


@pytest.mark.parametrize("block", ["10.0.0.0/30", "2001:db8::/126", "::/120"])
def test_cidr_rows_are_the_lambdas_rows(block: str, month_of_logs: Path) -> None:
    """--cidr expands with the CIDR Lambda's own code: the same rows, IPv4-compatible too."""
    from vpc_cidr_analysis.cidrtable.expand import iter_csv_text

    expected = [
        tuple(line.split(","))
        for line in "".join(iter_csv_text(ipaddress.ip_network(block))).splitlines()
    ]
    with LocalEngine(str(month_of_logs), cidrs=[block]) as engine:
        got = rows(engine, "SELECT cidr, ip FROM cidrtable")
    assert sorted(got) == sorted(expected)
    assert len(got) == ipaddress.ip_network(block).num_addresses


@pytest.mark.parametrize("progress", [False, True])
def test_duckdb_prints_no_progress_bar_into_the_output(
    month_of_logs: Path, capfd: pytest.CaptureFixture[str], progress: bool
) -> None:
    """DuckDB's own bar goes to stdout (where CSV results go) for queries past
    `progress_bar_time`; made immediate here, nothing may be printed."""
    with LocalEngine(str(month_of_logs), progress=progress) as engine:
        engine.con.execute("SET progress_bar_time = 0")
        got = engine.con.execute("SELECT sum(range % 7) FROM range(50000000)").fetchall()
    assert got == [(149_999_997,)]
    assert capfd.readouterr().out == ""
