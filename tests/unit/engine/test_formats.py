"""Date formats (formats.py): Teradata, Joda and MySQL formats converted for DuckDB.

Expected values are Trino's documented (or source-verified) results; each case runs the
translated SQL on a real DuckDB connection prepared like the engine's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from translated import connect, one, run

from vpc_cidr_analysis.engine.translate import (
    InvalidSqlError,
    UnsupportedSqlError,
    joda_to_strftime,
    teradata_to_strftime,
    translate,
)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return connect()


_SHARED = connect()


# ---- Teradata: to_date, to_timestamp, to_char --------------------------------------------


def test_seed_to_date_with_teradata_format(con: duckdb.DuckDBPyConnection) -> None:
    # Teradata 'mm' is the month: 2026/11/05 is November 5th, not minute 11.
    assert one(con, "TO_DATE('2026/11/05', 'yyyy/mm/dd')") == date(2026, 11, 5)
    assert one(con, "TO_DATE('2026-11-05 10:11:12', 'yyyy-mm-dd hh24:mi:ss')") == date(2026, 11, 5)
    window = "TO_DATE(d, 'yyyy/mm/dd') > CURRENT_DATE - interval '10' day"
    rows = run(
        con,
        f"SELECT d FROM (VALUES ('2026/11/17'), ('2026/11/18'), ('2026/11/27')) t(d) "
        f"WHERE {window} ORDER BY d",
    )
    assert rows == [("2026/11/18",), ("2026/11/27",)]


@pytest.mark.parametrize(
    ("token", "spec"),
    [
        # Trino's tokens (DateFormat.g4): lower case, the longest match first
        ("yyyy", "%Y"),
        ("yy", "%y"),
        ("mm", "%m"),  # the month ...
        ("mi", "%M"),  # ... and the minute
        ("dd", "%d"),
        ("hh24", "%H"),
        ("ss", "%S"),
        ("yyyyyy", "%Y%y"),  # yyyy then yy, as Trino's lexer splits it
        ("- / , . ; : \t\r\n", "- / , . ; : \t\r\n"),  # the text Trino allows
    ],
)
def test_teradata_tokens_as_trino_reads_them(token: str, spec: str) -> None:
    assert teradata_to_strftime(token, function="to_char") == spec
    if "yy" not in token.replace("yyyy", ""):
        assert teradata_to_strftime(token, function="to_date") == spec
        assert teradata_to_strftime(token, function="to_timestamp") == spec


def test_teradata_format_conversion() -> None:
    assert teradata_to_strftime("yyyy/mm/dd") == "%Y/%m/%d"
    assert teradata_to_strftime("yyyy-mm-dd hh24:mi:ss") == "%Y-%m-%d %H:%M:%S"
    assert teradata_to_strftime("yy.mm.dd", function="to_char") == "%y.%m.%d"


@pytest.mark.parametrize(
    "fmt",
    [
        "YYYY/MM/DD",  # Trino: specifiers are lower case only
        "yyyy-mm-ddThh24",  # no quoted or other letters
        "yyy",  # yy, then a y that is no token
        "hh23",  # hh, then a 2 that is no token
        "%Y",  # not a MySQL format
        "",  # Trino's formatter needs at least one token
    ],
)
@pytest.mark.parametrize("function", ["to_date", "to_timestamp", "to_char"])
def test_formats_trino_rejects_are_invalid(fmt: str, function: str) -> None:
    with pytest.raises(InvalidSqlError, match=function):
        teradata_to_strftime(fmt, function=function)
    with pytest.raises(InvalidSqlError, match=function):
        translate(f"SELECT {function}(x, '{fmt}') FROM t")


@pytest.mark.parametrize("function", ["to_date", "to_timestamp"])
def test_hh_hour_of_half_day_is_not_read(function: str) -> None:
    # Trino's hh is Joda's hour of half-day, 00-11 with no AM/PM; strptime has no such field.
    with pytest.raises(UnsupportedSqlError, match=r"'hh' .*use 'hh24'"):
        translate(f"SELECT {function}(x, 'yyyy/mm/dd hh:mi') FROM t")


def test_to_char_prints_hh_as_the_hour_of_half_day(con: duckdb.DuckDBPyConnection) -> None:
    # DateFormatParser: appendHourOfHalfday(2) — 13:00 prints 01, noon 00, 02:00 02.
    for hour, want in (("13", "01"), ("12", "00"), ("02", "02"), ("00", "00")):
        value = one(con, f"to_char(TIMESTAMP '1988-04-08 {hour}:03:04', 'yyyy/mm/dd hh:mi:ss')")
        assert value == f"1988/04/08 {want}:03:04"


@pytest.mark.parametrize("function", ["to_date", "to_timestamp"])
def test_two_digit_years_are_not_read(function: str) -> None:
    # Trino reads yy as 2000-2099 ('99' is 2099); DuckDB's %y reads 69-99 as 19xx.
    with pytest.raises(UnsupportedSqlError, match="2099"):
        translate(f"SELECT {function}('99/01/02', 'yy/mm/dd')")


def test_to_char_goes_through_the_same_converter(con: duckdb.DuckDBPyConnection) -> None:
    at = "TIMESTAMP '2026-11-05 13:07:09'"
    assert one(con, f"to_char({at}, 'yyyy/mm/dd hh24:mi:ss')") == "2026/11/05 13:07:09"
    assert one(con, f"to_char({at}, 'mm mi')") == "11 07"
    assert one(con, f"to_char({at}, 'yy')") == "26"
    assert one(con, "to_char(from_unixtime(1795773600), 'yyyy-mm-dd hh24')") == "2026-11-27 10"
    with pytest.raises(UnsupportedSqlError, match="string literal"):
        translate("SELECT to_char(x, fmt) FROM t")
    with pytest.raises(InvalidSqlError, match="2 arguments"):
        translate("SELECT to_char(x) FROM t")


@settings(max_examples=100, deadline=None)
@given(at=st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_teradata_formats_print_and_read_back_like_trino(at: datetime) -> None:
    """Printed as Joda prints Trino's fields (zero-padded), and read back to the second."""
    at = at.replace(microsecond=0)
    literal = f"TIMESTAMP '{at.isoformat(sep=' ')}'"
    fmt = "yyyy-mm-dd hh24:mi:ss"
    printed = _SHARED.execute(translate(f"SELECT to_char({literal}, '{fmt} yy')")).fetchall()
    want = (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}:"
        f"{at.second:02d} {at.year % 100:02d}"
    )
    assert printed == [(want,)]
    text = want.rpartition(" ")[0]
    read = _SHARED.execute(translate(f"SELECT to_timestamp('{text}', '{fmt}')")).fetchall()
    assert read == [(at,)]
    day = _SHARED.execute(translate(f"SELECT to_date('{text}', '{fmt}')")).fetchall()
    assert day == [(at.date(),)]


def test_to_date_needs_a_literal_format() -> None:
    with pytest.raises(UnsupportedSqlError, match="string literal"):
        translate("SELECT TO_DATE(day, fmt) FROM t")


# ---- Joda: format_datetime, parse_datetime -----------------------------------------------


def test_joda_format_conversion(con: duckdb.DuckDBPyConnection) -> None:
    assert joda_to_strftime("yyyy-MM-dd HH:mm:ss.SSS") == "%Y-%m-%d %H:%M:%S.%g"
    assert joda_to_strftime("yyyy-MM-dd'T'HH") == "%Y-%m-%dT%H"
    with pytest.raises(UnsupportedSqlError, match="'Z'"):
        joda_to_strftime("yyyy-MM-dd Z")
    value = one(con, "format_datetime(TIMESTAMP '2026-11-05 10:11:12', 'yyyy/MM/dd HH:mm')")
    assert value == "2026/11/05 10:11"


# ---- MySQL: date_format, date_parse (converted by sqlglot) --------------------------------


def test_mysql_formats_and_unix_times(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "date_format(from_unixtime(1795773600), '%Y/%m/%d %H:%i:%s')") == (
        "2026/11/27 10:00:00"
    )
    assert one(con, "from_unixtime(1795773600)") == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert one(con, "to_unixtime(from_unixtime(1795773600))") == 1795773600.0
    assert one(con, "date_parse('2026/11/05 07', '%Y/%m/%d %H')") == datetime(2026, 11, 5, 7)
    assert one(con, "date_format(DATE '2026-11-05', '%W %e %c %j')") == "Thursday 5 11 309"
