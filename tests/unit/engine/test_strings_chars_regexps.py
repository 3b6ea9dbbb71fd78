"""CHAR(n), the string functions and the regexp walk: translated, run on DuckDB, values checked.

Expected values follow Trino's semantics (its StringFunctions / JoniRegexpFunctions and the
Java test classes of tests/trino/), written independently of the extracted cases.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from vpc_cidr_analysis.engine.translate import (
    InvalidSqlError,
    UnsupportedSqlError,
    prepare_connection,
    translate,
)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    prepare_connection(connection)
    return connection


def value(con: duckdb.DuckDBPyConnection, expression: str) -> Any:
    """The value of a Trino expression with literal arguments."""
    return con.execute(translate(f"SELECT {expression}")).fetchall()[0][0]


def row(con: duckdb.DuckDBPyConnection, expression: str, *values: str) -> Any:
    """The value with the arguments as the columns a, b, c of a one-row VALUES."""
    names = ", ".join("abcd"[: len(values)])
    sql = f"SELECT {expression} FROM (VALUES ({', '.join(values)})) t({names})"
    return con.execute(translate(sql)).fetchall()[0][0]


# ---- CHAR(n) ---------------------------------------------------------------------------------


def test_char_is_its_text_padded_or_cut_to_n(con: duckdb.DuckDBPyConnection) -> None:
    assert value(con, "CAST('abc' AS CHAR(5))") == "abc  "
    assert value(con, "CAST('abcdef' AS CHAR(3))") == "abc"
    assert value(con, "CAST('x' AS CHAR)") == "x"
    assert value(con, "CHAR 'ab '") == "ab "
    assert value(con, "length(CAST('abc' AS CHAR(5)))") == 5
    assert value(con, "reverse(CAST('ab' AS CHAR(4)))") == "  ba"


def test_trims_of_a_char_work_without_its_padding(con: duckdb.DuckDBPyConnection) -> None:
    assert row(con, "ltrim(a)", "CAST('  ab  ' AS CHAR(8))") == "ab"
    assert row(con, "rtrim(a, 'b')", "CAST('a b' AS CHAR(6))") == "a"
    assert row(con, "trim(a)", "CAST(' a ' AS CHAR(5))") == "a"
    assert row(con, "ltrim(a, 'a')", "CAST('aab' AS CHAR(5))") == "b"


def test_comparisons_with_a_char_ignore_trailing_spaces(con: duckdb.DuckDBPyConnection) -> None:
    assert value(con, "CAST('ab' AS CHAR(5)) = 'ab'") is True
    assert value(con, "CAST('ab' AS CHAR(5)) = CAST('ab' AS CHAR(2))") is True
    assert value(con, "CAST('ab' AS CHAR(5)) < 'ab '") is False
    assert value(con, "'ab ' = 'ab'") is False  # VARCHAR keeps its spaces


def test_concat_with_a_char_pads_text_to_its_declared_length(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert value(con, "concat('ab ', CAST('a' AS CHAR(2)))") == "ab a "
    assert value(con, "'x' || CAST('' AS CHAR(2)) || 'y'") == "x  y"
    assert row(con, "concat(a, b)", "'ab '", "CAST('c' AS CHAR(2))") == "ab c "


def test_char_limits_and_refusals() -> None:
    with pytest.raises(InvalidSqlError, match="char\\(70000\\)"):
        translate("SELECT CAST('a' AS CHAR(70000))")
    with pytest.raises(InvalidSqlError, match="char\\(80000\\)"):
        translate("SELECT concat(CAST('a' AS CHAR(40000)), CAST('b' AS CHAR(40000)))")
    with pytest.raises(UnsupportedSqlError, match="not text"):
        translate("SELECT CAST(42 AS CHAR(3))")
    with pytest.raises(UnsupportedSqlError, match="unknown declared length"):
        translate("SELECT concat(action, CAST('a' AS CHAR(2))) FROM vpcflowlogstable")


# ---- string functions ------------------------------------------------------------------------


def test_strpos_with_an_occurrence_counts_overlaps_and_from_the_end(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert row(con, "strpos(a, b, c)", "'aaaa'", "'aa'", "2") == 2
    assert row(con, "strpos(a, b, c)", "'a/b/c'", "'/'", "-1") == 4
    assert row(con, "strpos(a, b, c)", "'a/b/c'", "'/'", "3") == 0
    assert row(con, "strpos(a, b, c)", "'ab'", "''", "5") == 1
    assert row(con, "strpos(a, b, c)", "'ab'", "NULL", "1") is None
    with pytest.raises(duckdb.Error, match="instance"):
        row(con, "strpos(a, b, c)", "'ab'", "'a'", "0")


def test_distances_count_code_points(con: duckdb.DuckDBPyConnection) -> None:
    assert row(con, "levenshtein_distance(a, b)", "'kitten'", "'sitting'") == 3
    assert row(con, "levenshtein_distance(a, b)", "'naïve'", "'naive'") == 1
    assert row(con, "levenshtein_distance(a, b)", "''", "'abc'") == 3
    assert row(con, "hamming_distance(a, b)", "'naïve'", "'naive'") == 1
    assert row(con, "hamming_distance(a, b)", "'abc'", "NULL") is None
    with pytest.raises(duckdb.Error, match="same length"):
        row(con, "hamming_distance(a, b)", "'ab'", "'abc'")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Robert", "R163"),
        ("Tymczak", "T522"),
        ("Ashcraft", "A261"),
        ("Pfister", "P236"),
        ("Honeyman", "H555"),
        ("a-b", "A100"),
        ("42", ""),
        ("", ""),
    ],
)
def test_soundex_is_commons_codecs_us_english(
    con: duckdb.DuckDBPyConnection, text: str, code: str
) -> None:
    assert row(con, "soundex(a)", f"'{text}'") == code


def test_soundex_stops_at_a_letter_it_cannot_map(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="not mapped: Ł"):
        row(con, "soundex(a)", "'łabc'")
    assert row(con, "soundex(a)", "'bcdfgł'") == "B231"  # three codes found before it


def test_codepoint_takes_one_character(con: duckdb.DuckDBPyConnection) -> None:
    assert row(con, "codepoint(a)", "'€'") == 8364
    assert value(con, "codepoint(chr(128077))") == 128077
    with pytest.raises(InvalidSqlError, match="varchar\\(2\\)"):
        translate("SELECT codepoint('ab')")
    with pytest.raises(UnsupportedSqlError, match="declared length"):
        translate("SELECT codepoint(action) FROM vpcflowlogstable")


def test_split_to_map_and_multimap(con: duckdb.DuckDBPyConnection) -> None:
    assert row(con, "split_to_map(a, ',', '=')", "'a=1,b=2,'") == {"a": "1", "b": "2"}
    assert row(con, "split_to_multimap(a, ',', '=')", "'a=1,a=2'") == {"a": ["1", "2"]}
    with pytest.raises(duckdb.Error, match="Duplicate keys \\(a\\)"):
        row(con, "split_to_map(a, ',', '=')", "'a=1,a=2'")
    with pytest.raises(duckdb.Error, match="Bad input: 'k'"):
        row(con, "split_to_map(a, ',', '=')", "'k'")
    with pytest.raises(duckdb.Error, match="must not be the same"):
        row(con, "split_to_multimap(a, b, b)", "''", "','")


def test_utf8_round_trip_and_refusals(con: duckdb.DuckDBPyConnection) -> None:
    assert row(con, "from_utf8(to_utf8(a))", "'schön'") == "schön"
    assert value(con, "from_utf8(from_hex('C3B6'))") == "ö"
    assert value(con, "normalize('schön')") == "schön"
    with pytest.raises(UnsupportedSqlError, match="invalid UTF-8"):
        translate("SELECT from_utf8(from_hex('58BF'))")
    with pytest.raises(UnsupportedSqlError, match="NFKC"):
        translate("SELECT normalize('x', NFKC)")
    with pytest.raises(duckdb.Error, match="single character"):
        row(con, "from_utf8(to_utf8(a), b)", "'x'", "'ab'")


# ---- regular expressions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pattern", "count"),
    [("abc", "", 4), ("", "", 1), ("aaa", "a*", 2), ("a1b22", "\\d+", 2), ("ab", "x", 0)],
)
def test_regexp_count_walks_as_trino(
    con: duckdb.DuckDBPyConnection, text: str, pattern: str, count: int
) -> None:
    assert row(con, "regexp_count(a, b)", f"'{text}'", f"'{pattern}'") == count
    assert value(con, f"regexp_count('{text}', '{pattern}')") == count


def test_regexp_position_from_a_start_and_an_occurrence(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert row(con, "regexp_position(a, b)", "'x1y2'", "'\\d'") == 2
    assert row(con, "regexp_position(a, b, 3)", "'x1y2'", "'\\d'") == 4
    assert row(con, "regexp_position(a, b, 1, 3)", "'x1y2'", "'\\d'") == -1
    assert row(con, "regexp_position(a, b, 2, 3)", "'abcd'", "''") == 4
    assert row(con, "regexp_position(a, b, 2)", "'aaa'", "'aa'") == 2  # searched from 2
    assert row(con, "regexp_position(a, b)", "'信念于x'", "'x'") == 4
    with pytest.raises(duckdb.Error, match="occurrence"):
        row(con, "regexp_position(a, b, 1, 0)", "'a'", "'a'")


def test_regexp_extract_all_gives_null_for_a_group_left_out(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert row(con, "regexp_extract_all(a, b)", "'a1b22'", "'\\d+'") == ["1", "22"]
    assert row(con, "regexp_extract_all(a, b, 1)", "'ad acd'", "'a(c)?d'") == [None, "c"]
    assert value(con, "regexp_extract('ad', 'a(c)?d', 1)") is None
    with pytest.raises(UnsupportedSqlError, match="left out"):
        translate("SELECT regexp_extract_all('ad', 'a(c*)?d', 1)")
    with pytest.raises(InvalidSqlError, match="Cannot access group 2"):
        translate("SELECT regexp_extract_all('ad', 'a(c)d', 2)")


@pytest.mark.parametrize(
    ("text", "pattern", "replacement", "result"),
    [
        ("x", ".*", "y", "yy"),  # the match and the empty one at the end
        ("ab", "", "-", "-a-b-"),
        ("a.b", "(\\w)", "[$1]", "[a].[b]"),
        ("ab", "(a)(b)", "$2$1$0", "baab"),
        ("ab", "(a)", "$10", "a0b"),  # Java's longest group number that exists
        ("ab", "(?<first>a)", "${first}!", "a!b"),
        ("a$b", "\\$", "\\$\\\\", "a$\\b"),
    ],
)
def test_regexp_replace_with_a_replacement_read_per_row(
    con: duckdb.DuckDBPyConnection, text: str, pattern: str, replacement: str, result: str
) -> None:
    assert row(con, "regexp_replace(a, b, c)", f"'{text}'", f"'{pattern}'", f"'{replacement}'") == (
        result
    )


def test_regexp_replace_replacement_errors(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="unknown group 2"):
        row(con, "regexp_replace(a, b, c)", "'ab'", "'(a)'", "'$2'")
    with pytest.raises(duckdb.Error, match="unknown group \\{ x \\}"):
        row(con, "regexp_replace(a, b, c)", "'ab'", "'(?<y>a)'", "'${x}'")
    with pytest.raises(duckdb.Error, match="Illegal replacement"):
        row(con, "regexp_replace(a, b, c)", "'ab'", "'a'", "'$'")
    assert row(con, "regexp_replace(a, b, c)", "'ab'", "'x'", "'$9'") == "ab"  # no match


def test_regexp_replace_with_a_lambda(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        row(con, "regexp_replace(a, b, x -> upper(x[1]) || x[2])", "'new york'", "'(\\w)(\\w*)'")
        == "New York"
    )
    assert row(con, "regexp_replace(a, b, x -> coalesce(x[1], '-'))", "'ad acd'", "'a(c)?d'") == (
        "- c"
    )
    assert row(con, "regexp_replace(a, b, x -> NULL)", "'ab'", "'a'") is None
    assert row(con, "regexp_replace(a, b, x -> 'z')", "'ab'", "'x'") == "ab"
    with pytest.raises(duckdb.Error, match="subscript"):
        row(con, "regexp_replace(a, b, x -> x[2])", "'ab'", "'(a)'")
    with pytest.raises(UnsupportedSqlError, match="known pattern"):
        translate("SELECT regexp_replace(action, interface_id, x -> x[1]) FROM vpcflowlogstable")


def test_regexp_group_count_read_at_run_time(con: duckdb.DuckDBPyConnection) -> None:
    assert con.execute("SELECT athena_re_group_count('(a)(?:b)(c)')").fetchall() == [(2,)]
    assert con.execute("SELECT athena_re_group_count('x')").fetchall() == [(0,)]
    sql = translate("SELECT regexp_replace(action, interface_id, '<$1>') FROM vpcflowlogstable")
    assert "ATHENA_RE_GROUP_COUNT(interface_id)" in sql
