"""The pack's derived forms follow a query's syntax, not its exact text; placeholders are tokens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from hypothesis import given
from hypothesis import strategies as st
from sql_variants import lower_keywords, meaning, reformatted
from sqlglot.tokenizer_core import TokenType

from vpc_cidr_analysis.pack.forms import (
    RAW_CONNECTION_SELECT,
    RAW_SELECT,
    cidrtable_form,
    has_membership_test,
    raw_form,
    saved_forms,
)
from vpc_cidr_analysis.pack.queries import (
    QueryError,
    count_placeholders,
    load_queries,
    parse_query_file,
    placeholder_spots,
    placeholders,
)

QUERIES = load_queries()
#: Queries testing a parameter's blocks (contains(trim(c), …)); `networks` table joins are not.
MEMBERSHIP = sorted(n for n, q in QUERIES.items() if "contains(trim(" in q.sql)
USAGE = sorted(set(QUERIES) - set(MEMBERSHIP))

SMALL = """WITH records AS (SELECT * FROM t),
conversations AS (
  SELECT srcaddr, count(*) AS flows FROM records GROUP BY srcaddr  -- aggregated
),
matched AS (
  SELECT w.*
  FROM conversations w
  WHERE any_match(split(? /* vpc_cidrs */, ','), c -> contains(trim(c), TRY_CAST(w.srcaddr AS IPADDRESS)))
)
SELECT srcaddr, flows FROM matched  -- the rows
"""  # noqa: E501

LOOKUP = (
    "(w.srcaddr IN (SELECT ct.ip FROM vpcflowlogscidrdb.cidrtable ct WHERE "
    "any_match(split(? /* vpc_cidrs */, ','), c -> trim(c) = ct.cidr)))"
)
TEST = (
    "any_match(split(? /* vpc_cidrs */, ','), c -> contains(trim(c), "
    "TRY_CAST(w.srcaddr AS IPADDRESS)))"
)


def test_raw_form_replaces_the_conversations_body_and_the_main_query() -> None:
    head, _, rest = SMALL.partition("conversations AS (\n")
    assert raw_form(SMALL) == (
        head
        + "conversations AS (\n  SELECT * FROM records\n),\n"
        + rest[rest.index("matched AS (") : rest.index("SELECT srcaddr, flows")]
        + 'SELECT *\nFROM matched\nORDER BY "start", srcaddr, dstaddr\n'
    )


def test_cidrtable_form_replaces_only_the_membership_test() -> None:
    assert cidrtable_form(SMALL) == SMALL.replace(TEST, LOOKUP)
    assert cidrtable_form(raw_form(SMALL)) == raw_form(SMALL).replace(TEST, LOOKUP)


def test_forms_keep_quoted_names_as_written() -> None:
    quoted = TEST.replace("w.srcaddr AS", '"W"."srcaddr" AS')
    lookup = LOOKUP.replace("(w.srcaddr IN", '("W"."srcaddr" IN')
    assert cidrtable_form(SMALL.replace(TEST, quoted)) == SMALL.replace(TEST, lookup)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_reformatted_query_has_forms_of_the_same_meaning(name: str) -> None:
    sql = QUERIES[name].sql
    variant = reformatted(sql)
    assert variant != sql and meaning(variant) == meaning(sql)
    assert placeholders(variant) == placeholders(sql)
    assert meaning(raw_form(variant)) == meaning(raw_form(sql))
    assert placeholders(raw_form(variant)) == placeholders(raw_form(sql))
    assert has_membership_test(variant) == has_membership_test(sql) == (name in MEMBERSHIP)
    if name in MEMBERSHIP:
        for original, changed in [(sql, variant), (raw_form(sql), raw_form(variant))]:
            assert meaning(cidrtable_form(changed)) == meaning(cidrtable_form(original))
            assert placeholders(cidrtable_form(changed)) == placeholders(cidrtable_form(original))


@pytest.mark.parametrize("name", MEMBERSHIP)
def test_reformatted_forms_keep_the_text_outside_what_they_replace(name: str) -> None:
    variant = reformatted(QUERIES[name].sql)
    converted = cidrtable_form(variant)
    assert "contains(" not in converted
    tests = variant.count("contains(")  # each takes its split(/* the blocks */ ? …) along
    assert converted.count("/* the blocks */") == variant.count("/* the blocks */") - tests
    for kept in (
        "with /* records first */ records",
        "-- the next CTE\nmatched\n  as\n(",
        "-- the end",
    ):
        assert converted.count(kept) == variant.count(kept) == 1
    raw = raw_form(variant)
    # a connection query keeps every CTE; its main query selects the matched groups' records
    # (a Transit Gateway query's `matched` holds the records themselves: it selects them all)
    select = RAW_SELECT if name.startswith("tgw_") else RAW_CONNECTION_SELECT
    assert raw.endswith(select)
    kept = raw[: -len(select)]
    assert variant.startswith(kept) and "-- the next CTE\nmatched\n  as\n(" in kept
    assert "-- the end" not in raw  # everything after the CTEs is the new main query


def test_cte_header_on_two_lines_and_lower_case_keywords() -> None:
    sql = lower_keywords(SMALL).replace("conversations as (", "conversations\nas (")
    assert raw_form(sql).startswith(
        "with records as (select * from t),\nconversations\nas (\n  SELECT * FROM records\n),"
    )
    assert "(w.srcaddr IN (SELECT ct.ip" in cidrtable_form(sql)


def test_pack_forms_are_those_the_stack_saves() -> None:
    for name, query in QUERIES.items():
        forms = dict(saved_forms(query))
        assert forms[name] == query.sql
        assert (f"{name} (cidrtable)" in forms) == (name in MEMBERSHIP)
    assert {"external", "between", "top_talkers", "tgw_route_usage"} <= set(MEMBERSHIP)
    assert set(USAGE) == {
        "eni_usage", "eni_ports", "sg_connections", "network_matrix", "network_servers",
        "aws_services", "tgw_attachments", "tgw_top_talkers", "tgw_drops",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("test", "reason"),
    [
        (TEST.replace("any_match", "all_match"), "its lambda is not any_match's second argument"),
        (TEST.replace("trim(c)", "c"), "its first argument is not trim(c)"),
        (TEST.replace("trim(c)", "trim(BOTH ' ' FROM c)"), "its first argument is not trim(c)"),
        (TEST.replace("trim(c)", "trim(w.c)"), "its first argument is not trim(c)"),
        (TEST.replace("TRY_CAST", "CAST"), "second argument is not TRY_CAST(alias.column AS"),
        (TEST.replace("w.srcaddr", "srcaddr"), "second argument is not TRY_CAST(alias.column AS"),
        (TEST.replace("IPADDRESS", "VARCHAR"), "second argument is not TRY_CAST(alias.column AS"),
        (TEST.replace("','", "';'"), "any_match does not read split(?, ',')"),
        (TEST.replace("? /* vpc_cidrs */", "'10.0.0.0/8'"), "any_match does not read split"),
        (TEST.replace("c -> contains", "c -> NOT contains"), "not the body of a one-argument"),
        ("contains(ARRAY['10.0.0.1'], w.srcaddr)", "not the body of a one-argument lambda"),
    ],
)
def test_unrecognised_contains_is_an_error(test: str, reason: str) -> None:
    sql = SMALL.replace(TEST, f"{TEST}\n    AND {test}")
    with pytest.raises(QueryError, match=re.escape(reason)):
        cidrtable_form(sql, "x.sql")
    with pytest.raises(QueryError, match=r"^x\.sql: contains\(\) on line 9 is not a CIDR"):
        has_membership_test(sql, "x.sql")
    assert raw_form(sql)  # the raw form does not depend on contains()


def test_membership_test_without_a_tag_is_an_error() -> None:
    sql = SMALL.replace("? /* vpc_cidrs */", "?")
    with pytest.raises(QueryError, match="its '\\?' carries no /\\* name \\*/ tag"):
        cidrtable_form(sql)


def test_saved_forms_name_the_file_of_a_query_they_cannot_derive(tmp_path: Path) -> None:
    path = tmp_path / "odd.sql"
    body = SMALL.replace("trim(c)", "c")
    path.write_text(
        "-- name: odd\n-- title: t\n-- description: d\n"
        "-- param: vpc_cidrs | cidr_list | default 10.0.0.0/16 | example 10.0.0.0/16 | d\n"
        "-- column: srcaddr | varchar | d\n" + body
    )
    with pytest.raises(QueryError, match=f"^{path}: contains\\(\\) on line 8 .*trim\\(c\\)"):
        saved_forms(parse_query_file(path))


def test_query_without_contains_has_no_cidrtable_form() -> None:
    sql = SMALL.replace(TEST, "w.srcaddr LIKE '10.%'")
    assert not has_membership_test(sql)
    with pytest.raises(QueryError, match=r"q\.sql: the query has no contains\(\) membership"):
        cidrtable_form(sql, "q.sql")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1", "q.sql: the query has no WITH clause"),
        ("WITH a AS (SELECT 1) SELECT * FROM a", "q.sql: the query has no `matched` CTE"),
        ("WITH matched AS (SELECT 1 FROM", "q.sql: not valid Athena SQL"),
        ("SELECT 1; SELECT 2", "q.sql: expected one SQL statement, found 2"),
        (
            "WITH conversations AS (SELECT 1), matched AS (SELECT 1) SELECT 1",
            "`conversations` must follow a `records` CTE",
        ),
    ],
)
def test_raw_form_errors(sql: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        raw_form(sql, "q.sql")


def test_cte_column_lists_are_skipped() -> None:
    sql = "WITH records (a) AS (SELECT 1), matched (a) AS (SELECT a FROM records)\n"
    sql += "SELECT a FROM matched"
    assert raw_form(sql) == sql[: sql.index("SELECT a FROM matched")] + (
        'SELECT *\nFROM matched\nORDER BY "start", srcaddr, dstaddr\n'
    )


# ------------------------------------------------------------------------------ placeholders


def test_placeholders_in_literals_quoted_names_and_comments_do_not_count() -> None:
    sql = (
        "SELECT '?', 'it''s ?', \"a?\", \"b\"\"?\", U&'?' -- ? /* x */\n"
        "FROM t /* ? */ WHERE a = ? /* first */ AND b = ?\n   /* second */ AND c = '\\' -- '\n"
    )
    assert placeholders(sql) == ["first", "second"]
    assert count_placeholders(sql) == 2


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1 WHERE a = ? AND b = '? /* a */'", "1 '\\?' placeholders but 0 carry"),
        ("SELECT 1 WHERE a = ? -- a\n", "1 '\\?' placeholders but 0 carry"),
        ("SELECT 1 WHERE a = ? + 1 /* a */", "1 '\\?' placeholders but 0 carry"),
        ("SELECT 1 WHERE a = /* a */ ?", "1 '\\?' placeholders but 0 carry"),
        ("SELECT 1 WHERE a = ? /* a */ AND b = ?", "untagged: '\\?' number 2\\)"),
    ],
)
def test_every_placeholder_needs_its_own_tag(sql: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        placeholders(sql)


FRAGMENTS = [
    "'it''s ?'", "'?'", "'a\\'", '"a?"', '"b""?"', "U&'?'", "X'0a'", "-- note ? /* p */\n",
    "/* ? */", "/* -- ? */", "? /* p */", "?", "?/*q*/", "x", ",", "(", ")", "1", "\n", "+",
]  # fmt: skip


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_placeholder_scan_agrees_with_sqlglots_tokenizer(fragments: list[str]) -> None:
    sql = " ".join(fragments)
    tokens = sqlglot.Dialect.get_or_raise("athena").tokenize(sql)
    expected = [t.start for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    assert [offset for offset, _ in placeholder_spots(sql)] == expected
    assert count_placeholders(sql) == len(expected)
    if "?" not in fragments:  # every real `?` is tagged
        assert len(placeholders(sql)) == len(expected)


def test_connection_query_raw_form_keeps_its_ctes() -> None:
    sql = (
        "WITH records AS (SELECT * FROM t),\nconnections AS (SELECT * FROM records),\n"
        "matched AS (SELECT * FROM connections)\nSELECT client FROM matched"
    )
    assert raw_form(sql) == sql[: sql.index("SELECT client")] + RAW_CONNECTION_SELECT
    with pytest.raises(QueryError, match="`connections` must follow a `records` CTE"):
        raw_form(
            "WITH connections AS (SELECT 1), records AS (SELECT 2), matched AS (SELECT 3) SELECT 4"
        )
