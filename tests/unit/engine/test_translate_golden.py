"""Golden translations: tests/golden/translate/<case>.athena.sql in, <case>.duckdb.sql out.

Each expected file is the exact DuckDB text `translate(..., today=2026-11-27, pretty=True)`
returns, reviewed by hand. After an intended change, regenerate with
`UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/engine/test_translate_golden.py` and review the diff.
Every translated case must also bind on DuckDB (with the engine's tables), so a golden file
can never hold SQL that does not run.
"""

from __future__ import annotations

import os
from datetime import date

import duckdb
import pytest
from paths import GOLDEN

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.translate import prepare_connection, translate

TRANSLATIONS = GOLDEN / "translate"
TODAY = date(2026, 11, 27)
CASES = sorted(p.name.removesuffix(".athena.sql") for p in TRANSLATIONS.glob("*.athena.sql"))


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES)
def test_golden_translation(case: str) -> None:
    athena = (TRANSLATIONS / f"{case}.athena.sql").read_text(encoding="utf-8")
    expected_path = TRANSLATIONS / f"{case}.duckdb.sql"
    actual = translate(athena, today=TODAY, pretty=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path.name}: run with UPDATE_GOLDEN=1"
    assert actual == expected_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tables() -> duckdb.DuckDBPyConnection:
    """A connection with empty tables shaped like the engine's (and the Glue database's)."""
    con = duckdb.connect()
    prepare_connection(con)
    flow = ", ".join(f'"{c}" {t}' for c, t in schema.duckdb_columns())
    partitions = ", ".join(f'"{c}" VARCHAR' for c in schema.PARTITION_COLUMNS)
    con.execute(f"CREATE SCHEMA {schema.DATABASE}")
    con.execute(f"CREATE TABLE {schema.DATABASE}.{schema.FLOW_TABLE} ({flow}, {partitions})")
    con.execute(f"CREATE TABLE {schema.DATABASE}.{schema.CIDR_TABLE} (cidr VARCHAR, ip VARCHAR)")
    for table in (schema.FLOW_TABLE, schema.CIDR_TABLE):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM {schema.DATABASE}.{table}")
    return con


@pytest.mark.parametrize("case", CASES)
def test_golden_output_binds_on_duckdb(case: str, tables: duckdb.DuckDBPyConnection) -> None:
    sql = (TRANSLATIONS / f"{case}.duckdb.sql").read_text(encoding="utf-8")
    count = sql.count("$")
    # Describe binds every name and type without running the query.
    params = {
        "contains_parameter": ["10.0.0.0/16", "2026/11/01", "2026/11/27"],
        "lambdas_any_match": ["10.0.0.0/16,10.1.0.0/16"],
        "pinned_now": [10],
        "pack_between": ["10.0.0.0/16", "10.1.0.0/16", "both", "", 10, ""],
    }.get(case, [])
    assert count == 0 or params, f"{case}: give parameter values for its $n"
    tables.execute(sql, params).fetchall()  # raises when a name, type or macro is wrong
