"""Date formats (formats.py): Teradata, Joda and MySQL formats converted for DuckDB.

Expected values are Trino's documented (or source-verified) results; each case runs the
translated SQL on a real DuckDB connection prepared like the engine's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest
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


def test_teradata_format_conversion() -> None:
    assert teradata_to_strftime("yyyy/mm/dd") == "%Y/%m/%d"
    assert teradata_to_strftime("yyyy-mm-dd hh24:mi:ss") == "%Y-%m-%d %H:%M:%S"
    assert teradata_to_strftime("yy.mm.dd") == "%y.%m.%d"
    with pytest.raises(InvalidSqlError, match="offset 0"):
        teradata_to_strftime("YYYY/MM/DD")  # Trino: specifiers must be lower case
    with pytest.raises(UnsupportedSqlError, match="hh24"):
        teradata_to_strftime("yyyy-mm-dd hh:mi")


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
