"""sqltext: the one SQL string-literal rule, read back by DuckDB as the same text."""

from __future__ import annotations

import duckdb
from hypothesis import given
from hypothesis import strategies as st

from vpc_cidr_analysis.sqltext import sql_string


def test_quotes_are_doubled() -> None:
    assert sql_string("it's") == "'it''s'"
    assert sql_string("") == "''"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_duckdb_reads_back_the_same_text(text: str) -> None:
    assert duckdb.sql(f"SELECT {sql_string(text)}").fetchone() == (text,)
