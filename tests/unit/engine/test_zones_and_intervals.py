"""TIMESTAMP WITH TIME ZONE (rules/zones.py), two-field INTERVAL literals and INTERVAL as text,
date_format / date_parse with Trino's specifiers, formats from a column of one literal, and
the Teradata string functions: each checked on DuckDB against Trino's documented answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from translated import connect, one, run

from vpc_cidr_analysis.engine.translate import InvalidSqlError, UnsupportedSqlError, translate
from vpc_cidr_analysis.engine.translate.formats import mysql_to_strftime
from vpc_cidr_analysis.engine.translate.rules.zones import literal_zone, zone_name


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return connect()


# ---- zones ---------------------------------------------------------------------------------


def test_zone_names_are_canonical() -> None:
    assert zone_name("UTC") is None
    assert zone_name("+00:00") is None
    assert zone_name("+13") == "+13:00"
    assert zone_name("-07:09") == "-07:09"
    assert zone_name("Asia/Shanghai") == "Asia/Shanghai"
    with pytest.raises(InvalidSqlError, match="not a valid time zone"):
        zone_name("+15:00")
    assert literal_zone("2001-01-09 13:04:05.321 +07:09") == ("2001-01-09 13:04:05.321", "+07:09")
    assert literal_zone("2001-01-09 13:04:05 Europe/Kiev") == ("2001-01-09 13:04:05", "Europe/Kiev")


def test_a_zoned_literal_is_its_instant_and_shows_its_wall_time(
    con: duckdb.DuckDBPyConnection,
) -> None:
    literal = "TIMESTAMP '2001-01-09 13:04:05.321 +07:09'"
    assert one(con, literal) == datetime(2001, 1, 9, 5, 55, 5, 321000, tzinfo=UTC)
    assert one(con, f"date_format({literal}, '%H:%i %W')") == "13:04 Tuesday"
    assert one(con, f"hour({literal})") == 13
    assert str(one(con, "date(TIMESTAMP '2001-08-22 03:04:05.321 +07:09')")) == "2001-08-22"
    assert one(con, f"{literal} = TIMESTAMP '2001-01-09 05:55:05.321 UTC'") is True


def test_named_zones_go_through_icu(con: duckdb.DuckDBPyConnection) -> None:
    row = run(
        con,
        "SELECT with_timezone(TIMESTAMP '2001-08-22 03:04:05.321', 'America/New_York'), "
        "date_format(from_unixtime(7200, 'Asia/Tokyo'), '%Y-%m-%d %H')",
    )[0]
    assert row == (datetime(2001, 8, 22, 7, 4, 5, 321000, tzinfo=UTC), "1970-01-01 11")


def test_a_zone_from_data_is_checked_and_its_wall_time_refused(
    con: duckdb.DuckDBPyConnection,
) -> None:
    rows = run(con, "SELECT from_unixtime(0, z) FROM (VALUES ('+05:00'), ('Asia/Tokyo')) t(z)")
    assert rows == [(datetime(1970, 1, 1, tzinfo=UTC),)] * 2
    with pytest.raises(duckdb.Error):
        run(con, "SELECT from_unixtime(0, z) FROM (VALUES ('bogus'), ('UTC')) t(z)")
    with pytest.raises(UnsupportedSqlError, match="zone comes from a column"):
        translate("SELECT hour(from_unixtime(0, z)) FROM (VALUES ('bogus'), ('UTC')) t(z)")
    with pytest.raises(duckdb.Error, match="offset"):
        run(con, "SELECT from_unixtime(0, h, 0) FROM (VALUES (20), (1)) t(h)")


def test_operations_that_would_lose_the_zone_are_refused() -> None:
    with pytest.raises(UnsupportedSqlError, match="TIME ZONE"):
        translate("SELECT date_trunc('day', TIMESTAMP '2001-01-09 13:04:05 Asia/Tokyo')")
    with pytest.raises(UnsupportedSqlError, match="TIME ZONE"):
        translate("SELECT CAST(TIMESTAMP '2001-01-09 13:04:05 +01:00' AS VARCHAR)")


# ---- intervals -----------------------------------------------------------------------------


def test_two_field_interval_literals(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "INTERVAL '1 12:00:00.500' DAY TO SECOND") == timedelta(
        days=1, hours=12, milliseconds=500
    )
    assert one(con, "INTERVAL '-5 23:59:57' DAY TO SECOND") == -timedelta(
        days=5, hours=23, minutes=59, seconds=57
    )
    assert one(con, "INTERVAL '12 10' DAY TO SECOND") == timedelta(days=12, hours=10)
    assert one(con, "CAST(INTERVAL '1-2' YEAR TO MONTH AS VARCHAR)") == "1-2"
    with pytest.raises(InvalidSqlError):
        translate("SELECT INTERVAL '1 2 3 4 5' DAY TO SECOND")


def test_interval_as_text(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "CAST(INTERVAL '12 10:45:32.12' DAY TO SECOND AS VARCHAR)") == (
        "12 10:45:32.120"
    )
    assert one(con, "CAST(INTERVAL '10:45' HOUR TO MINUTE AS VARCHAR)") == "0 10:45:00.000"
    assert one(con, "CAST(INTERVAL '-3' SECOND AS VARCHAR)") == "-0 00:00:03.000"
    assert one(con, "CAST(INTERVAL '-14' MONTH AS VARCHAR)") == "-1-2"
    rows = run(con, "SELECT CAST(a AS VARCHAR) FROM (VALUES (INTERVAL '2' DAY)) t(a)")
    assert rows == [("2 00:00:00.000",)]


# ---- date_format / date_parse --------------------------------------------------------------


def test_mysql_specifiers_are_converted_as_trino_builds_its_formatter() -> None:
    assert mysql_to_strftime("%Y-%m-%d %H:%i:%s") == "%Y-%m-%d %H:%M:%S"
    assert mysql_to_strftime("%x %v %g %4 %%") == "%G %V g 4 %%"
    assert mysql_to_strftime("%W %M %c %e %k %l") == "%A %B %-m %-d %-H %-I"
    for refused in "DUuVwX":
        with pytest.raises(InvalidSqlError, match=f"%{refused} not supported"):
            mysql_to_strftime(f"%{refused}")
    with pytest.raises(InvalidSqlError):
        mysql_to_strftime("")


def test_date_parse_uses_trinos_defaults(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "date_parse('0', '%k')") == datetime(1970, 1, 1)
    assert one(con, "date_parse('2013-05-17 12:35:10', '%Y-%m-%d %h:%i:%s')") == datetime(
        2013, 5, 17, 0, 35, 10
    )
    assert one(con, "date_parse('31-MAY-69', '%d-%b-%y')") == datetime(2069, 5, 31)
    assert one(con, "date_parse('11-DEC-70', '%d-%b-%y')") == datetime(1970, 12, 11)


def test_a_format_from_a_column_of_one_literal(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(
        con,
        "SELECT date_format(ts, f), to_char(ts, g) FROM (VALUES "
        "(TIMESTAMP '2001-01-09 13:04:05', '%Y/%m/%d', 'yyyy hh24')) t(ts, f, g)",
    )
    assert rows == [("2001/01/09", "2001 13")]
    with pytest.raises(UnsupportedSqlError, match="string literal"):
        translate(
            "SELECT date_format(ts, f) FROM (VALUES (TIMESTAMP '2001-01-09', '%Y'), "
            "(TIMESTAMP '2001-01-09', '%m')) t(ts, f)"
        )


# ---- Teradata strings and small date functions ---------------------------------------------


def test_teradata_index_and_char2hexint(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "index('foobar', 'obar')") == 3
    assert one(con, "index('x', '')") == 1
    assert one(con, "index('high', 'igx')") == 0
    assert one(con, "char2hexint('ą1')") == "01050031"
    assert one(con, "char2hexint('😀')") == "D83DDE00"  # a UTF-16 surrogate pair
    assert one(con, "char2hexint('')") == ""


def test_small_date_functions(con: duckdb.DuckDBPyConnection) -> None:
    assert str(one(con, "last_day_of_month(TIMESTAMP '2019-02-01 17:00:00')")) == "2019-02-28"
    assert one(con, "year_of_week(DATE '2005-01-02')") == 2004
    assert one(con, "millisecond(TIMESTAMP '2001-01-09 13:04:05.321')") == 321
    assert one(con, "millisecond(INTERVAL '90061.234' SECOND)") == 234
    assert one(con, "to_milliseconds(INTERVAL '1' DAY)") == 86_400_000
    assert one(con, "to_iso8601(DATE '2001-08-22')") == "2001-08-22"
    with pytest.raises(UnsupportedSqlError, match="to_iso8601"):
        translate("SELECT to_iso8601(TIMESTAMP '2001-08-22 03:04:05')")


# ---- interval arithmetic and fields --------------------------------------------------------


def test_interval_divided_by_a_number_truncates_as_trino(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "INTERVAL '4' DAY / 2.5") == timedelta(days=1, hours=14, minutes=24)
    assert one(con, "INTERVAL '3' SECOND / 2") == timedelta(seconds=1.5)
    rows = run(con, "SELECT a / b FROM (VALUES (INTERVAL '60' MONTH, 2.5)) t(a, b)")
    assert rows == [(timedelta(days=24 * 30),)]  # 24 months, as DuckDB shows months
    with pytest.raises(duckdb.Error, match="divide by zero"):
        one(con, "INTERVAL '6' DAY / 0")
    with pytest.raises(duckdb.Error, match="NaN"):
        one(con, "INTERVAL '6' DAY / nan()")


def test_fields_of_an_interval_column(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(
        con,
        "SELECT day(a), hour(a), minute(a), second(a) "
        "FROM (VALUES (INTERVAL '90061.234' SECOND), (INTERVAL '-90061' SECOND)) t(a)",
    )
    assert rows == [(1, 1, 1, 1), (-1, -1, -1, -1)]


def test_date_plus_hours_is_checked_on_the_value(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(con, "SELECT d + i FROM (VALUES (DATE '2001-01-22', INTERVAL '24' HOUR)) t(d, i)")
    assert [str(r[0]) for r in rows] == ["2001-01-23"]
    with pytest.raises(duckdb.Error, match="Cannot add hour"):
        run(con, "SELECT d + i FROM (VALUES (DATE '2001-01-22', INTERVAL '3' HOUR)) t(d, i)")


def test_a_unit_from_a_column_of_one_literal(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(
        con,
        "SELECT date_add(u, 3, d), date_diff(u, d, DATE '2001-09-22') "
        "FROM (VALUES ('month', DATE '2001-08-22')) t(u, d)",
    )
    assert [(str(a), b) for a, b in rows] == [("2001-11-22", 1)]


def test_parse_duration(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "parse_duration('1.5 h')") == timedelta(hours=1, minutes=30)
    assert one(con, "to_milliseconds(parse_duration('1ns'))") == 0
    assert one(con, "to_milliseconds(parse_duration(' 2ms '))") == 2
    for text, message in (("", "empty"), ("1f", "Unknown time unit"), ("abc", "not a valid")):
        with pytest.raises(duckdb.Error, match=message):
            one(con, f"parse_duration('{text}')")


def test_date_parse_fractions_are_cut_to_milliseconds(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "date_parse('1.2006', '%s.%f')") == datetime(1970, 1, 1, 0, 0, 1, 200000)
    assert one(con, "date_parse('1.01', '%s.%f')") == datetime(1970, 1, 1, 0, 0, 1, 10000)


def test_text_to_date_ignores_white_space_and_a_plus(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(con, "SELECT CAST(t AS DATE) FROM (VALUES ('\t +2013-02-02 \n')) v(t)")
    assert [str(r[0]) for r in rows] == ["2013-02-02"]
    assert str(one(con, "CAST(' +2013-2-2' AS DATE)")) == "2013-02-02"
    with pytest.raises(duckdb.Error):
        run(con, "SELECT CAST(t AS DATE) FROM (VALUES ('+ 2013-02-02')) v(t)")


# ---- ISO 8601 and nanoseconds --------------------------------------------------------------


def test_from_iso8601(con: duckdb.DuckDBPyConnection) -> None:
    value = "from_iso8601_timestamp('2001-08-22T03:04:05.321-11:00')"
    assert one(con, value) == datetime(2001, 8, 22, 14, 4, 5, 321000, tzinfo=UTC)
    assert one(con, f"hour({value})") == 3
    assert str(one(con, "from_iso8601_date('2001-08-22')")) == "2001-08-22"
    with pytest.raises(UnsupportedSqlError, match="offset"):
        translate("SELECT from_iso8601_timestamp('2001-08-22T03:04:05')")
    with pytest.raises(InvalidSqlError, match="overflow"):
        translate("SELECT from_iso8601_timestamp('115023-03-21T10:45:30.00Z')")


def test_nanosecond_instants_are_exact_inside_and_cut_when_returned(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert one(con, "from_unixtime_nanos(1234567890123456789)") == datetime(
        2009, 2, 13, 23, 31, 30, 123456, tzinfo=UTC
    )
    assert one(con, "from_unixtime_nanos(-1)") == datetime(
        1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC
    )
    same = (
        "from_unixtime_nanos(DECIMAL '1234.5') = TIMESTAMP '1970-01-01 11:00:00.000001235 +11:00'"
    )
    assert one(con, same) is True
    differs = "from_unixtime_nanos(1235) = from_unixtime_nanos(1234)"
    assert one(con, differs) is False
    with pytest.raises(UnsupportedSqlError, match="1677-2262"):
        translate("SELECT from_unixtime_nanos(DECIMAL '12345678900123456789')")
    with pytest.raises(UnsupportedSqlError, match="only compared and returned"):
        translate("SELECT hour(from_unixtime_nanos(5))")


# ---- TIME WITH TIME ZONE and arrays of instants --------------------------------------------


def test_time_with_time_zone_literals_of_one_offset(con: duckdb.DuckDBPyConnection) -> None:
    early, late = "TIME '01:02:03.456-08:00'", "TIME '10:20:30.456-08:00'"
    assert one(con, f"ARRAY[{early}, {late}] < ARRAY[{late}, {late}]") is True
    assert one(con, f"{early} = {early}") is True
    # Trino compares normalized times; DuckDB's TIMETZ the local ones: refused when they differ.
    with pytest.raises(UnsupportedSqlError, match="different offsets"):
        translate("SELECT TIME '01:02:03-08:00' = TIME '09:02:03+00:00'")
    with pytest.raises(UnsupportedSqlError, match="only compared and returned"):
        translate(f"SELECT CAST({early} AS VARCHAR)")
    with pytest.raises(UnsupportedSqlError, match="only compared and returned"):
        translate(f"SELECT CAST(t AS VARCHAR) FROM (VALUES ({early})) v(t)")


def test_arrays_of_zoned_instants_compare_by_instant(con: duckdb.DuckDBPyConnection) -> None:
    same = (
        "ARRAY[TIMESTAMP '2012-10-31 08:00 UTC'] = "
        "ARRAY[TIMESTAMP '2012-10-31 01:00 America/Los_Angeles']"
    )
    assert one(con, same) is True
    with pytest.raises(UnsupportedSqlError, match="TIME ZONE"):
        translate("SELECT CAST(TIMESTAMP '2012-10-31 01:00 +01:00' AS VARCHAR)")
    with pytest.raises(UnsupportedSqlError, match="only 'yyyy-mm-dd"):
        translate("SELECT CAST('2012-10-31 01:00 +01:00 extra' AS TIMESTAMP WITH TIME ZONE)")


def test_an_unknown_named_zone_fails_as_in_trino(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="Unknown TimeZone"):
        one(con, "from_unixtime(0, 'Bogus/Zone')")
    with pytest.raises(duckdb.Error, match="Unknown TimeZone"):
        one(con, "at_timezone(from_unixtime(0), 'Bogus/Zone')")
    assert one(con, "at_timezone(from_unixtime(0), 'Asia/Tokyo')") == datetime(
        1970, 1, 1, tzinfo=UTC
    )
