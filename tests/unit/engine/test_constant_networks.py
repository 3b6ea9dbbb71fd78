"""A CIDR list that is the same on every row, in a WHERE clause: parsed in a one-row table
joined to its SELECT (bound once), with the rows and errors of the inline form."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from translated import TODAY, connect

from vpc_cidr_analysis.engine.translate import networks, pipeline, translate

ADDRESSES = "(VALUES ('10.0.0.5', 1), ('10.1.0.5', 2), ('192.0.2.1', 3), (NULL, 4), ('-', 5))"
INSIDE = "any_match(split(?, ','), c -> contains(trim(c), TRY_CAST(t.ip AS IPADDRESS)))"


def inline(sql: str) -> str:
    """The translation without the hoisting (what the engine ran before)."""
    original = pipeline.hoist_constant_networks
    pipeline.hoist_constant_networks = lambda tree: None
    try:
        pipeline._translated.cache_clear()
        return translate(sql, today=TODAY)
    finally:
        pipeline.hoist_constant_networks = original
        pipeline._translated.cache_clear()


def outcome(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> Any:
    """The rows of a DuckDB query, or the first line of its error."""
    try:
        return con.execute(sql, params).fetchall()
    except duckdb.Error as exc:
        return str(exc).splitlines()[0]


QUERIES = [
    f"SELECT t.n FROM {ADDRESSES} AS t(ip, n) WHERE {INSIDE} ORDER BY t.n",
    f"SELECT t.n FROM {ADDRESSES} AS t(ip, n) WHERE NOT {INSIDE} ORDER BY t.n",
    f"SELECT t.n FROM {ADDRESSES} AS t(ip, n) WHERE t.n < 3 AND {INSIDE} ORDER BY 1",
    f"SELECT count(*) FROM {ADDRESSES} AS t(ip, n) WHERE {INSIDE}",
    f"SELECT t.n FROM {ADDRESSES} AS t(ip, n) WHERE {INSIDE.replace('any_', 'none_')} ORDER BY 1",
    f"SELECT t.n FROM {ADDRESSES} AS t(ip, n) WHERE {INSIDE.replace('any_', 'all_')} ORDER BY 1",
    "WITH s AS (SELECT t.* FROM " + ADDRESSES + f" AS t(ip, n) WHERE {INSIDE}) SELECT n FROM s",
]
LISTS = [
    "10.0.0.0/16",
    "10.0.0.0/16, 10.1.0.0/16",
    "2600:1f18::/56,10.0.0.0/8",
    "10.0.0.0/16,not-a-cidr",  # an error only where no earlier network matches
    "not-a-cidr",
    "",
]


@pytest.mark.parametrize("sql", QUERIES)
@pytest.mark.parametrize("cidrs", LISTS)
def test_hoisted_lists_give_the_rows_and_errors_of_inline_ones(sql: str, cidrs: str) -> None:
    con = connect()
    hoisted = translate(sql, today=TODAY)
    assert "CROSS JOIN (SELECT ATHENA_NETWORKS(" in hoisted
    assert "athena_constant_networks_1.athena_constant_networks_1" in hoisted
    assert outcome(con, hoisted, [cidrs]) == outcome(con, inline(sql), [cidrs])


def test_an_empty_table_never_raises_for_a_bad_list() -> None:
    con = connect()
    sql = f"SELECT t.n FROM {ADDRESSES} AS t(ip, n) WHERE t.n > 9 AND {INSIDE}"
    assert con.execute(translate(sql, today=TODAY), ["nonsense"]).fetchall() == []


@pytest.mark.parametrize(
    "sql",
    [
        # an unqualified * would show the joined column
        f"SELECT * FROM {ADDRESSES} AS t(ip, n) WHERE {INSIDE}",
        # outside WHERE: a grouped SELECT would need the column in its GROUP BY
        f"SELECT {INSIDE} AS inside, count(*) FROM {ADDRESSES} AS t(ip, n) GROUP BY 1",
        # no FROM to join to
        "SELECT any_match(split(?, ','), c -> contains(c, CAST('10.0.0.1' AS IPADDRESS)))",
    ],
)
def test_other_places_keep_the_list_inline(sql: str) -> None:
    text = translate(sql, today=TODAY)
    assert "CROSS JOIN" not in text
    assert networks.CONSTANT_NETWORKS not in text
    con = connect()
    assert outcome(con, text, ["10.0.0.0/16"]) == outcome(con, inline(sql), ["10.0.0.0/16"])


def test_each_call_gets_its_own_table() -> None:
    sql = (
        f"SELECT t.n FROM {ADDRESSES} AS t(ip, n) WHERE {INSIDE} "
        f"OR {INSIDE.replace('t.ip', 't.ip || t.ip')} ORDER BY 1"
    )
    text = translate(sql, today=TODAY)
    assert text.count("CROSS JOIN") == 2
    con = connect()
    params = ["10.0.0.0/16", "10.1.0.0/16"]
    assert outcome(con, text, params) == outcome(con, inline(sql), params) == [(1,)]
