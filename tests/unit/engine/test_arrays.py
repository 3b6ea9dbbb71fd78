"""Array functions and operators (rules/arrays.py) against Trino's documented results.

Expected values are Trino's (its ArrayOperators tests and function sources at 3a6b26414f9a);
each case runs the translated SQL on a DuckDB connection prepared like the engine's.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest
from translated import connect, one, run

from vpc_cidr_analysis.engine.translate import InvalidSqlError, UnsupportedSqlError, translate


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return connect()


def _row(con: duckdb.DuckDBPyConnection, expression: str, *values: str) -> object:
    """`expression` over the one-row VALUES of `values` (columns a0, a1, ...): Trino's form."""
    names = ", ".join(f"a{i}" for i in range(len(values)))
    rows = run(con, f"SELECT {expression} FROM (VALUES ({', '.join(values)})) t({names})")
    return rows[0][0]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("ARRAY[1, 2]", "ARRAY[NULL, 2]", True),
        ("ARRAY[2, 1]", "ARRAY[NULL, 3]", None),
        ("ARRAY[1, 3]", "ARRAY[2, 4]", False),
        ("ARRAY[]", "ARRAY[NULL]", False),
        ("ARRAY[ARRAY[1, 2], ARRAY[3]]", "ARRAY[ARRAY[4], ARRAY[1, 2]]", True),
    ],
)
def test_arrays_overlap(
    con: duckdb.DuckDBPyConnection, left: str, right: str, expected: object
) -> None:
    assert one(con, f"arrays_overlap({left}, {right})") is expected
    assert _row(con, "arrays_overlap(a0, a1)", left, right) is expected


def test_array_min_max_nulls_and_nan(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "array_min(ARRAY[NULL, 2, 3])") is None
    assert one(con, "array_max(ARRAY[2, nan(), 3])") == 3.0
    assert one(con, "array_min(ARRAY[nan(), 2, 3])") == 2.0
    assert str(one(con, "array_max(ARRAY[nan()])")) == "nan"
    assert one(con, "array_max(ARRAY['puppies', 'kittens'])") == "puppies"
    assert one(con, "array_min(ARRAY[])") is None


def test_array_position_and_nested_nulls(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "array_position(ARRAY[10, 20, 30, 40], 30)") == 3
    assert one(con, "array_position(ARRAY[NULL, 1], 5)") == 0
    assert one(con, "array_position(ARRAY[1, NULL, 2], NULL)") is None
    assert one(con, "array_position(ARRAY[ARRAY[1, 11], ARRAY[3, 13]], ARRAY[3, 13])") == 2
    with pytest.raises(duckdb.Error, match="does not support arrays with elements that are null"):
        one(con, "array_position(ARRAY[ARRAY[NULL]], ARRAY[1])")
    with pytest.raises(duckdb.Error, match="does not support arrays with elements that are null"):
        one(con, "contains(ARRAY[ARRAY[1.1, 2.2], ARRAY[3.3, 4.3]], ARRAY[1.1, NULL])")
    assert one(con, "array_remove(ARRAY[1, NULL, 2, 1], 1)") == [None, 2]


def test_array_equality_is_null_with_null_elements(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "ARRAY[1, 2, NULL] = ARRAY[1, 2, NULL]") is None
    assert one(con, "ARRAY[1, 2, NULL] = ARRAY[1, 3, NULL]") is False
    assert one(con, "ARRAY[1, 2] != ARRAY[1, 2, 3]") is True
    assert _row(con, "a0 = a1", "ARRAY[ARRAY[1], ARRAY[NULL]]", "ARRAY[ARRAY[1], ARRAY[2]]") is None
    with pytest.raises(UnsupportedSqlError, match="comparing arrays"):
        translate("SELECT split(srcaddr, '.') = ARRAY[ARRAY['1']] FROM t")


def test_sequence(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "sequence(1, 5, 2)") == [1, 3, 5]
    assert one(con, "sequence(3, 1)") == [3, 2, 1]
    assert _row(con, "sequence(a0, a1)", "DATE '2016-04-14'", "DATE '2016-04-12'") == [
        date(2016, 4, 14),
        date(2016, 4, 13),
        date(2016, 4, 12),
    ]
    assert one(con, "sequence(DATE '2016-01-31', DATE '2016-03-31', INTERVAL '1' MONTH)") == [
        date(2016, 1, 31),
        date(2016, 2, 29),
        date(2016, 3, 31),
    ]
    assert one(
        con,
        "sequence(TIMESTAMP '2016-04-16 01:00:10', TIMESTAMP '2016-04-16 01:07:00', "
        "INTERVAL '3' MINUTE)",
    ) == [
        datetime(2016, 4, 16, 1, 0, 10),
        datetime(2016, 4, 16, 1, 3, 10),
        datetime(2016, 4, 16, 1, 6, 10),
    ]
    for bad, message in [
        ("sequence(2, -1, 1)", "sequence stop value should be greater"),
        ("sequence(1, 1000000)", "must not have more than 10000 entries"),
        ("sequence(1, 2, 0)", "step must not be zero"),
        ("sequence(DATE '2018-01-01', DATE '2018-01-04', INTERVAL '18' HOUR)", "day interval"),
    ]:
        with pytest.raises(duckdb.Error, match=message):
            one(con, bad)


def test_slice_repeat_sort(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "slice(ARRAY[1, 2, 3, 4], -2, 5)") == [3, 4]
    assert one(con, "slice(ARRAY[1, 2, 3, 4], 2, 2)") == [2, 3]
    with pytest.raises(duckdb.Error, match="SQL array indices start at 1"):
        one(con, "slice(ARRAY[1, 2], 0, 1)")
    assert one(con, "repeat('ab', 2)") == ["ab", "ab"]
    with pytest.raises(duckdb.Error, match="must not take more than 1000000 bytes"):
        one(con, f"repeat('{'x' * 100}', 9999)")
    assert one(con, "repeat(ARRAY[1, 2], 2)") == [[1, 2], [1, 2]]
    twenty = ", ".join(str(i) for i in range(20))  # Trino's block: 20 * 5 + 5 bytes > 100
    with pytest.raises(duckdb.Error, match="must not take more than 1000000 bytes"):
        one(con, f"repeat(ARRAY[{twenty}], 9999)")
    assert one(con, "array_sort(ARRAY[3, NULL, 1])") == [1, 3, None]
    descending = "(x, y) -> IF(x < y, 1, IF(x = y, 0, -1))"
    assert one(con, f"array_sort(ARRAY[1, 3, 2, 3], {descending})") == [3, 3, 2, 1]
    nulls_first = (
        "(x, y) -> CASE WHEN x IS NULL THEN -1 WHEN y IS NULL THEN 1 "
        "WHEN x < y THEN 1 WHEN x = y THEN 0 ELSE -1 END"
    )
    assert _row(con, f"array_sort(a0, {nulls_first})", "ARRAY[2, NULL, 1, NULL]") == [
        None,
        None,
        2,
        1,
    ]
    with pytest.raises(duckdb.Error, match="must return either -1, 0, or 1"):
        one(con, "array_sort(ARRAY[2, 1, 2, 4], (x, y) -> y - x)")
    with pytest.raises(duckdb.Error, match="not a consistent order"):
        one(con, "array_sort(ARRAY[5, 3], (x, y) -> -1)")


def test_concatenation(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "ARRAY[2.0, 3.11] || 1.0") == [
        Decimal("2.00"),
        Decimal("3.11"),
        Decimal("1.00"),
    ]
    assert _row(con, "a0 || a1", "1", "ARRAY[2]") == [1, 2]
    assert one(con, "ARRAY[1] || CAST(NULL AS ARRAY(INTEGER))") is None
    with pytest.raises(InvalidSqlError, match="FUNCTION_NOT_FOUND"):
        translate("SELECT ARRAY[ARRAY[1]] || ARRAY[ARRAY[true]]")
    with pytest.raises(InvalidSqlError, match="AMBIGUOUS"):
        translate("SELECT ARRAY[ARRAY[1]] || ARRAY[NULL]")


def test_array_join(con: duckdb.DuckDBPyConnection) -> None:
    assert _row(con, "array_join(a0, a1)", "ARRAY[1, NULL, 2]", "','") == "1,2"
    assert _row(con, "array_join(a0, a1, a2)", "ARRAY['a', NULL]", "'-'", "'N/A'") == "a-N/A"
    assert one(con, "array_join(ARRAY[NULL], '=')") == ""
    with pytest.raises(InvalidSqlError, match="OPERATOR_NOT_FOUND"):
        translate("SELECT array_join(ARRAY[ARRAY[1]], '-')")
    assert one(con, "array_join(ARRAY[1.0E0, NULL, 2.5E0], 'x')") == "1.0E0x2.5E0"
    with pytest.raises(UnsupportedSqlError, match="reals"):
        translate("SELECT array_join(ARRAY[REAL '1.5'], 'x')")


def test_cast_to_json(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "CAST(ARRAY[12345.12345, 3.0] AS JSON)") == "[12345.12345,3.00000]"
    assert one(con, "CAST(ARRAY[ARRAY[1, 2], ARRAY[], NULL] AS JSON)") == "[[1,2],[],null]"
    assert _row(con, "CAST(a0 AS JSON)", "ARRAY['a', NULL, 'b\"c']") == '["a",null,"b\\"c"]'
    assert one(con, "CAST(ARRAY[DATE '2001-08-22'] AS JSON)") == '["2001-08-22"]'
    assert one(con, "CAST(ARRAY[DECIMAL '3.14'] AS JSON)") == "[3.14]"
    assert one(con, "CAST(CAST(NULL AS ARRAY(BIGINT)) AS JSON)") is None
    with pytest.raises(UnsupportedSqlError, match="CAST to JSON of"):
        translate("SELECT CAST(ARRAY[1.5E0] AS JSON)")


def test_decimal_literal_keeps_its_digits(con: duckdb.DuckDBPyConnection) -> None:
    assert str(one(con, "DECIMAL '3.14'")) == "3.14"
    assert str(one(con, "DECIMAL '-0012.30'")) == "-12.30"
