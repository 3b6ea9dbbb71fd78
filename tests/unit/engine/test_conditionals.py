"""try() and IN lists (rules/numbers.py, rules/conditionals.py) with Trino's evaluation."""

from __future__ import annotations

import duckdb
import pytest
from translated import connect, one, run

from vpc_cidr_analysis.engine.translate import UnsupportedSqlError, translate


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return connect()


def test_try_of_division_by_zero_is_null(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "try(1 / 0)") is None
    assert one(con, "try(7 % 0)") is None
    assert run(con, "SELECT try(10 / a) FROM (VALUES (0), (3)) t(a)") == [(None,), (3,)]


def test_try_of_another_failing_macro_is_refused() -> None:
    with pytest.raises(UnsupportedSqlError, match="athena_subscript"):
        translate("SELECT try(ARRAY[1][5])")


def test_in_list_without_from_evaluates_every_item(con: duckdb.DuckDBPyConnection) -> None:
    # Trino folds a FROM-less query into VALUES and evaluates the whole list
    # (TestExpressions.testInShortCircuit); over rows it stops at the match, as DuckDB does.
    with pytest.raises(duckdb.Error, match="Division by zero"):
        one(con, "3 IN (2, 4, 3, 5 / 0)")
    assert run(con, "SELECT 3 IN (2, 4, 3, 5 / 0) FROM (VALUES (1)) t(x)") == [(True,)]
    assert one(con, "3 IN (2, abs(-3))") is True
    assert one(con, "3 IN (2, abs(-4), NULL)") is None
    assert "IN (" in translate("SELECT action IN ('ACCEPT', 'REJECT') FROM t")


def test_double_as_varchar_is_written_as_trino_does(con: duckdb.DuckDBPyConnection) -> None:
    # DoubleOperators.castToVarchar: DecimalFormat("0.0###################E0")
    assert one(con, "CAST(2.1E0 AS VARCHAR)") == "2.1E0"
    assert one(con, "CAST(DOUBLE '100' AS VARCHAR)") == "1.0E2"
    assert one(con, "CAST(DOUBLE '0.001' AS VARCHAR)") == "1.0E-3"
    assert one(con, "CAST(-3.5E0 AS VARCHAR)") == "-3.5E0"
    assert one(con, "CAST(nan() AS VARCHAR)") == "NaN"
    assert one(con, "array_join(ARRAY[1.0, DOUBLE '002.100', 3.3], 'x')") == "1.0E0x2.1E0x3.3E0"
    assert one(con, "CAST(1.5 AS VARCHAR)") == "1.5"  # a decimal keeps its digits


def test_sqrt_and_ln_outside_their_domain(con: duckdb.DuckDBPyConnection) -> None:
    assert str(one(con, "sqrt(-1)")) == "nan"
    assert one(con, "ln(0)") == float("-inf")
    assert one(con, "sqrt(4)") == 2.0
