"""macros.sql: the DuckDB macros the translated SQL calls, read at run time and split safely."""

from __future__ import annotations

import duckdb

from vpc_cidr_analysis.engine.translate import MACROS, prepare_connection
from vpc_cidr_analysis.engine.translate.pipeline import split_statements


def _name(statement: str) -> str:
    return statement.split()[4].partition("(")[0]


def test_macros_are_the_create_macro_statements_of_the_file() -> None:
    assert len(MACROS) >= 10
    for statement in MACROS:
        assert statement.startswith("CREATE OR REPLACE MACRO athena_")
        assert not statement.rstrip().endswith(";")
    names = [_name(s) for s in MACROS]
    assert len(set(names)) == len(names)


def test_split_agrees_with_duckdb_statement_boundaries() -> None:
    script = ";\n".join(MACROS) + ";\n"
    con = duckdb.connect()
    theirs = [s.query.strip().rstrip(";").strip() for s in con.extract_statements(script)]
    assert list(split_statements(script)) == theirs


def test_split_ignores_semicolons_in_strings_quoted_names_and_comments() -> None:
    script = """-- header; not a statement
    SELECT 'a;b' AS "x;y"; /* c; d */ SELECT 2 -- trailing; comment
    ;
    -- nothing after the last statement;
    """
    assert split_statements(script) == ("""SELECT 'a;b' AS "x;y\"""", "SELECT 2")


def test_macros_are_created_on_a_connection() -> None:
    con = duckdb.connect()
    prepare_connection(con)
    created = {
        row[0]
        for row in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_type = 'macro'"
        ).fetchall()
    }
    for statement in MACROS:
        assert _name(statement) in created
