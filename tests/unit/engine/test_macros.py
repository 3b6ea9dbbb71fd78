"""macros.sql: the DuckDB macros the translated SQL calls, read at run time and split safely;
a connection gets all of them, or only those a query calls (with the macros they call)."""

from __future__ import annotations

import duckdb
import pytest

from vpc_cidr_analysis.engine.translate import (
    create_macros,
    macro_statements,
    macros_called,
    prepare_connection,
    translate,
)
from vpc_cidr_analysis.engine.translate.pipeline import macro_calls, split_statements


def _name(statement: str) -> str:
    return statement.split()[4].partition("(")[0]


def _created(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT function_name FROM duckdb_functions() WHERE function_type = 'macro' "
        "AND function_name LIKE 'athena_%'"
    ).fetchall()
    return {str(row[0]) for row in rows}


def test_macros_are_the_create_macro_statements_of_the_file() -> None:
    statements = macro_statements()
    assert len(statements) >= 10
    for statement in statements:
        assert statement.startswith("CREATE OR REPLACE MACRO athena_")
        assert not statement.rstrip().endswith(";")
    names = [_name(s) for s in statements]
    assert len(set(names)) == len(names)
    assert list(macro_calls()) == names


def test_split_agrees_with_duckdb_statement_boundaries() -> None:
    script = ";\n".join(macro_statements()) + ";\n"
    con = duckdb.connect()
    theirs = [s.query.strip().rstrip(";").strip() for s in con.extract_statements(script)]
    assert list(split_statements(script)) == theirs


def test_split_ignores_semicolons_in_strings_quoted_names_and_comments() -> None:
    script = """-- header; not a statement
    SELECT 'a;b' AS "x;y"; /* c; d */ SELECT 2 -- trailing; comment
    ;
    -- nothing after the last statement;
    """
    assert split_statements(script) == (
        """SELECT 'a;b' AS "x;y\"""",
        "SELECT 2 -- trailing; comment",
    )


def test_split_counts_positions_in_utf8_bytes() -> None:
    # DuckDB's tokenizer gives byte offsets: text before a statement that is not ASCII
    # must not shift it
    script = "-- é … ü\nSELECT 'ä;ö' AS x; SELECT lower('é')"
    assert split_statements(script) == ("SELECT 'ä;ö' AS x", "SELECT lower('é')")


def test_every_macro_is_created_by_prepare_connection() -> None:
    con = duckdb.connect()
    prepare_connection(con)
    assert _created(con) == {_name(s) for s in macro_statements()}


def test_a_connection_without_macros_has_none() -> None:
    con = duckdb.connect()
    prepare_connection(con, macros=False)
    assert _created(con) == set()


def test_macros_called_follow_the_macros_they_call_in_the_files_order() -> None:
    # athena_ipaddress calls athena_try_ipaddress, which calls athena_unmap_ipv4
    assert macros_called("SELECT athena_ipaddress(x) FROM t") == (
        "athena_unmap_ipv4",
        "athena_try_ipaddress",
        "athena_ipaddress",
    )
    assert macros_called("SELECT lower(x), 'athena_ipaddress(' AS t") == ()
    assert macros_called('SELECT "athena_ipaddress" FROM t') == ()  # a column, not a call


def test_the_closure_of_every_macro_is_what_its_text_calls() -> None:
    # each macro's dependencies found by the tokenizer are the macros whose `name(` its
    # statement holds (the file's macro names are distinct words)
    statements = {_name(s): s.lower() for s in macro_statements()}
    calls = macro_calls()
    for name, text in statements.items():
        body = text.partition(f"{name}(")[2]
        expected = {other for other in statements if other != name and f"{other}(" in body}
        assert calls[name] & set(statements) == expected, name


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT CAST('::ffff:10.0.0.1' AS IPADDRESS)",
        "SELECT contains('10.0.0.0/8', CAST('10.1.2.3' AS IPADDRESS))",
        "SELECT try(7 / 0), regexp_count('aXbXc', 'X'), soundex('Robert')",
        "SELECT any_match(ARRAY['10.0.0.0/8'], c -> contains(c, CAST('10.0.0.1' AS IPADDRESS)))",
    ],
)
def test_a_query_runs_with_only_the_macros_it_calls(sql: str) -> None:
    text = translate(sql)
    full = duckdb.connect()
    prepare_connection(full)
    lean = duckdb.connect()
    prepare_connection(lean, macros=False)
    created: set[str] = set()
    create_macros(lean, text, created)
    assert created == set(macros_called(text)) == _created(lean)
    assert created and len(created) < len(macro_statements())
    assert lean.execute(text).fetchall() == full.execute(text).fetchall()
    create_macros(lean, text, created)  # nothing again
    assert _created(lean) == created
