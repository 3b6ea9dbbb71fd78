"""translate(): Athena (Trino) SQL run on DuckDB returns what Athena returns (the rules).

IP addresses and CIDR networks are in test_networks.py, date formats in test_formats.py.
Expected values are Trino's documented (or source-verified) results; each case runs the
translated SQL on a real DuckDB connection prepared like the engine's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import pytest
from sqlglot import exp
from translated import TODAY, connect, one, run

from vpc_cidr_analysis.engine.translate import (
    InvalidSqlError,
    UnsupportedSqlError,
    translate,
    translate_query,
)
from vpc_cidr_analysis.engine.translate.nodes import PARAM_MARK
from vpc_cidr_analysis.engine.translate.rules.calls import CALLS
from vpc_cidr_analysis.engine.translate.supported import ANONYMOUS, PASS_FUNCTIONS


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return connect()


# ---- dates and times ---------------------------------------------------------------------


def test_from_unixtime_in_other_zones_keeps_the_zone(con: duckdb.DuckDBPyConnection) -> None:
    # The instant is the same in every zone; the zone shows in the wall time.
    assert "TO_TIMESTAMP" in translate("SELECT from_unixtime(start, 'UTC') FROM t")
    row = run(
        con,
        "SELECT from_unixtime(7200, 'America/New_York'), "
        "hour(from_unixtime(7200, 'America/New_York')), "
        "date_format(from_unixtime(7200, 2, 30), '%H:%i')",
    )[0]
    assert row == (datetime(1970, 1, 1, 2, tzinfo=UTC), 21, "04:30")
    with pytest.raises(UnsupportedSqlError, match="TIME ZONE"):
        translate("SELECT from_unixtime(start, 'America/New_York') + INTERVAL '1' DAY FROM t")


def test_current_date_and_now_are_pinned(con: duckdb.DuckDBPyConnection) -> None:
    row = run(con, "SELECT current_date, now(), current_timestamp, localtimestamp")[0]
    midnight = datetime(2026, 11, 27, tzinfo=UTC)
    assert row == (TODAY, midnight, midnight, datetime(2026, 11, 27))
    unpinned = translate("SELECT current_date")
    assert "CURRENT_DATE" in unpinned


def test_date_arithmetic_stays_date(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "current_date - interval '10' day") == date(2026, 11, 17)
    assert one(con, "date_add('day', -9, current_date)") == date(2026, 11, 18)
    assert one(con, "date_add('month', 1, DATE '2024-01-31')") == date(2024, 2, 29)
    assert one(con, "date_trunc('month', DATE '2026-11-27')") == date(2026, 11, 1)
    assert one(con, "current_date - interval '1' day * (? - 1)", [10]) == date(2026, 11, 18)
    # Trino (DateOperators) adds day-to-second intervals of whole days and fails on others.
    assert one(con, "DATE '2026-11-27' + interval '48' hour") == date(2026, 11, 29)
    with pytest.raises(duckdb.Error, match="Cannot subtract hour, minutes or seconds"):
        one(con, "current_date - interval '1' hour")


def test_date_diff_counts_whole_units(con: duckdb.DuckDBPyConnection) -> None:
    value = "date_diff('day', TIMESTAMP '2026-11-01 23:00:00', TIMESTAMP '2026-11-02 01:00:00')"
    assert one(con, value) == 0  # DuckDB's date_diff would say 1 (a boundary crossed)
    assert (
        one(
            con,
            "date_diff('hour', TIMESTAMP '2026-11-01 23:00:00', TIMESTAMP '2026-11-02 01:00:00')",
        )
        == 2
    )


def test_extract_dow_is_iso(con: duckdb.DuckDBPyConnection) -> None:
    # 2026-11-29 is a Sunday: 7 in Trino (ISO), 0 in DuckDB's plain DOW.
    assert one(con, "extract(dow FROM DATE '2026-11-29')") == 7
    assert one(con, "day_of_week(DATE '2026-11-29')") == 7


# ---- numbers -----------------------------------------------------------------------------


def test_integer_division_truncates_like_trino(con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, "SELECT 5 / 2, -5 / 2, 5 % 3, -5 % 3, 5e0 / 2") == [(2, -2, 2, -2, 2.5)]
    rows = run(con, "SELECT sum(b) / 1024 FROM (VALUES (CAST(3000 AS BIGINT))) t(b)")
    assert rows == [(2,)]


def test_integer_division_by_zero_fails_like_trino(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="Division by zero"):
        one(con, "7 / 0")
    with pytest.raises(duckdb.Error, match="Division by zero"):
        one(con, "7 % 0")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("7.0 / 2", Decimal("3.5")),
        ("1.0 / 3", Decimal("0.3")),  # scale of the operands, not 0.333…
        ("3 / 40.0", Decimal("0.1")),  # 0.075 rounds half up at scale 1
        ("CAST(3 AS BIGINT) / 40.00", Decimal("0.08")),
        ("-3 / 40.00", Decimal("-0.08")),
        ("12345 / 1024.0", Decimal("12.1")),
        ("10.25 / 0.5", Decimal("20.50")),
        ("CAST(1.5 AS DECIMAL(10, 2)) / 4", Decimal("0.38")),
        ("3000000000000000000 / 0.7", Decimal("4285714285714285714.3")),
    ],
)
def test_decimal_division_keeps_trino_scale_and_rounding(
    con: duckdb.DuckDBPyConnection, expression: str, expected: Decimal
) -> None:
    value = one(con, expression)
    assert isinstance(value, Decimal)
    assert value == expected and value.as_tuple().exponent == expected.as_tuple().exponent


def test_sum_over_decimal_literal(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(con, "SELECT sum(b) / 1024.0 FROM (VALUES (CAST(3000 AS BIGINT)), (100)) t(b)")
    assert rows == [(Decimal("3.0"),)]
    with pytest.raises(duckdb.Error, match="Division by zero"):
        one(con, "5 / 0.0")


def test_unknown_scale_and_unknown_divisions_are_refused() -> None:
    with pytest.raises(UnsupportedSqlError, match="decimal division"):
        translate("SELECT sum(x * 1.5) / 2.0 FROM (VALUES 1) t(x)")
    with pytest.raises(UnsupportedSqlError, match="CAST an operand"):
        translate("SELECT ? / 2")
    assert translate("SELECT 1 / CAST(? AS DOUBLE)") == "SELECT 1 / CAST($1 AS DOUBLE) AS _col0"


# ---- strings -----------------------------------------------------------------------------


def test_split_part_and_regexp_extract_are_null_when_absent(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "split_part('10.0.1.2', '.', 3)") == "1"
    assert one(con, "split_part('-', '.', 2)") is None  # DuckDB alone gives ''
    assert one(con, "regexp_extract('eni-0abc', 'eni-([0-9a-f]+)', 1)") == "0abc"
    assert one(con, "regexp_extract('i-0abc', 'eni-([0-9a-f]+)', 1)") is None
    with pytest.raises(duckdb.Error, match="greater than zero"):
        one(con, "split_part('a.b', '.', 0)")


def test_regexp_replace_group_references(con: duckdb.DuckDBPyConnection) -> None:
    value = r"regexp_replace('10.0.1.2', '(\d+)\.(\d+)\.(\d+)\.(\d+)', '$4.$3.$2.$1')"
    assert one(con, value) == "2.1.0.10"
    assert one(con, "regexp_replace('a1b22', '\\d')") == "ab"
    assert one(con, "regexp_replace('cost', 'cost', '\\$5')") == "$5"


def test_varchar_length_truncates(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "CAST('abcdef' AS VARCHAR(3))") == "abc"


def test_concat_and_greatest_propagate_null(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "concat('a', NULL)") is None
    assert one(con, "greatest(1, NULL)") is None


# ---- arrays and aggregates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("any_match(ARRAY[1, 2, 3], x -> x > 2)", True),
        ("any_match(ARRAY[1, NULL], x -> x > 2)", None),
        ("any_match(filter(ARRAY[1], x -> x > 5), x -> x > 1)", False),
        ("all_match(ARRAY[1, 2], x -> x > 0)", True),
        ("all_match(ARRAY[1, NULL], x -> x > 0)", None),
        ("all_match(ARRAY[0, NULL], x -> x > 0)", False),
        ("all_match(filter(ARRAY[1], x -> x > 5), x -> x > 1)", True),
        ("none_match(ARRAY[1, 2], x -> x > 5)", True),
        ("none_match(ARRAY[1, NULL], x -> x > 5)", None),
    ],
)
def test_match_functions_keep_three_valued_logic(
    con: duckdb.DuckDBPyConnection, expression: str, expected: bool | None
) -> None:
    assert one(con, expression) is expected


def test_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(
        con,
        "SELECT count(*), approx_distinct(x), approx_distinct(x, 0.01), sum(x), avg(x), "
        "count_if(x > 1), max_by(x, y), min_by(x, y), arbitrary(x) IS NOT NULL "
        "FROM (VALUES (1, 2), (2, 1), (3, 0)) AS t(x, y)",
    )
    assert rows == [(3, 3, 3, 6, 2.0, 2, 1, 3, True)]


def test_decimal_literal_stays_exact(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "1.5 * 3") == Decimal("4.5")


# ---- names, parameters, statements -------------------------------------------------------


def test_output_columns_are_named_like_athena(con: duckdb.DuckDBPyConnection) -> None:
    cursor = con.execute(translate("SELECT 1 AS One, count(*), 'x' FROM (VALUES 1) t(Y)"))
    assert [d[0] for d in cursor.description] == ["one", "_col1", "_col2"]


def test_placeholders_are_numbered_in_text_order(con: duckdb.DuckDBPyConnection) -> None:
    translation = translate_query("SELECT ?, '?', ? -- ?\n")
    assert translation.parameter_count == 2
    assert "$1" in translation.sql and "$2" in translation.sql
    assert con.execute(translation.sql, ["a", 2]).fetchall() == [("a", "?", 2)]


def test_catalog_prefix_is_accepted() -> None:
    sql = translate('SELECT * FROM "AwsDataCatalog".vpcflowlogscidrdb.vpcflowlogstable')
    assert sql == "SELECT * FROM vpcflowlogscidrdb.vpcflowlogstable"


@pytest.mark.parametrize(
    ("sql", "error", "message"),
    [
        ("SELECT histogram(srcaddr) FROM t", UnsupportedSqlError, "histogram"),
        ("SELECT url_extract_host(u) FROM t", UnsupportedSqlError, "url_extract_host"),
        ("SELECT CAST(1.5E0 AS JSON) FROM t", UnsupportedSqlError, "JSON"),
        ("SELECT CAST(x AS IPPREFIX) FROM t", UnsupportedSqlError, "IPPREFIX"),
        ("SELECT 1; SELECT 2", UnsupportedSqlError, "2 statements"),
        ("DROP TABLE vpcflowlogstable", UnsupportedSqlError, "DROP"),
        ("SELECT FROM WHERE", InvalidSqlError, "not valid Athena SQL"),
        ("-- only a comment\n", InvalidSqlError, "no SQL statement found"),
    ],
)
def test_constructs_without_a_faithful_translation_are_named(
    sql: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        translate(sql)


def test_every_call_let_through_has_a_rule() -> None:
    assert set(CALLS) == {PARAM_MARK, *ANONYMOUS}
    for function in PASS_FUNCTIONS:
        assert function is not exp.Anonymous
