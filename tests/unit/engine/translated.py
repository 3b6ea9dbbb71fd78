"""Helpers of the translator's tests: Athena SQL translated and run on a prepared DuckDB."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from vpc_cidr_analysis.engine.translate import prepare_connection, translate

#: The day `current_date` is pinned to.
TODAY = date(2026, 11, 27)


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection prepared like the engine's (inet, UTC, macros)."""
    connection = duckdb.connect()
    prepare_connection(connection)
    return connection


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Any]:
    """The rows of an Athena query, translated with `TODAY` pinned."""
    return con.execute(translate(sql, today=TODAY), params or []).fetchall()


def one(con: duckdb.DuckDBPyConnection, expression: str, params: list[Any] | None = None) -> Any:
    """The value of one Athena expression."""
    rows = run(con, f"SELECT {expression}", params)
    assert len(rows) == 1
    return rows[0][0]
