"""translate(): Athena (Trino) SQL run on DuckDB returns what Athena returns.

Expected values are Trino's documented (or source-verified) results; each case runs the
translated SQL on a real DuckDB connection prepared like the engine's.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vpc_cidr_analysis.engine.translate import (
    InvalidSqlError,
    UnsupportedSqlError,
    joda_to_strftime,
    prepare_connection,
    teradata_to_strftime,
    translate,
    translate_query,
)

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    prepare_connection(connection)
    return connection


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Any]:
    return con.execute(translate(sql, today=TODAY), params or []).fetchall()


def one(con: duckdb.DuckDBPyConnection, expression: str, params: list[Any] | None = None) -> Any:
    rows = run(con, f"SELECT {expression}", params)
    assert len(rows) == 1
    return rows[0][0]


# ---- contains() and IPADDRESS ------------------------------------------------------------


@pytest.mark.parametrize(
    ("network", "address", "expected"),
    [
        ("10.0.0.0/8", "10.255.255.255", True),
        ("10.0.0.0/8", "11.255.255.255", False),
        ("10.0.0.0/16", "10.0.3.4", True),
        ("10.0.0.0/16", "10.1.0.0", False),
        ("0.0.0.0/0", "203.0.113.9", True),
        ("10.0.0.5/32", "10.0.0.5", True),
        ("2001:db8::/32", "2001:db8::5", True),
        ("2001:db8::/32", "2001:db9::5", False),
        ("2001:db8::1/64", "2001:db8::ff", True),  # IPv6 host bits are allowed by Trino
        # families differ: false, not an error (Trino IpAddressFunctions.contains)
        ("10.0.0.0/8", "::1", False),
        ("::/0", "10.0.0.1", False),
        # an IPv4-mapped IPv6 address is IPv4 in Trino's IPADDRESS
        ("10.0.0.0/8", "::ffff:10.1.2.3", True),
    ],
)
def test_contains_literal_and_runtime_network(
    con: duckdb.DuckDBPyConnection, network: str, address: str, expected: bool
) -> None:
    literal = f"contains('{network}', TRY_CAST('{address}' AS IPADDRESS))"
    assert one(con, literal) is expected
    from_column = "contains(n, TRY_CAST(a AS IPADDRESS))"
    rows = run(con, f"SELECT {from_column} FROM (VALUES ('{network}', '{address}')) AS t(n, a)")
    assert rows == [(expected,)]


def test_ipv4_mapped_network_text(con: duckdb.DuckDBPyConnection) -> None:
    # Trino reads ::ffff:10.0.0.0/8 as the IPv4 network 10.0.0.0/8: so does a literal here;
    # at run time such text is refused rather than read as an IPv6 /8.
    assert one(con, "contains('::ffff:10.0.0.0/8', TRY_CAST('10.2.3.4' AS IPADDRESS))") is True
    runtime = (
        "SELECT contains(n, TRY_CAST('10.2.3.4' AS IPADDRESS)) "
        "FROM (VALUES ('::ffff:10.0.0.0/8')) t(n)"
    )
    with pytest.raises(duckdb.Error, match="IPv4 part is not supported locally"):
        run(con, runtime)


def test_contains_is_null_for_null_or_invalid_address(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "contains('10.0.0.0/8', TRY_CAST('-' AS IPADDRESS))") is None
    assert one(con, "contains('10.0.0.0/8', TRY_CAST(NULL AS IPADDRESS))") is None
    rows = run(
        con, "SELECT contains(n, TRY_CAST('10.0.0.1' AS IPADDRESS)) FROM (VALUES (NULL)) t(n)"
    )
    assert rows == [(None,)]


@pytest.mark.parametrize(
    ("network", "message"),
    [
        ("10.0.0.1/8", "Invalid CIDR"),  # IPv4 host bits set
        ("10.0.0.0", "Invalid CIDR"),
        ("10.0.0.0/33", "Prefix length exceeds address length"),
        ("bad/8", "Invalid network IP address"),
        ("10.0.0.0/-1", "Invalid prefix length"),
    ],
)
def test_contains_rejects_invalid_networks_like_trino(
    con: duckdb.DuckDBPyConnection, network: str, message: str
) -> None:
    with pytest.raises(InvalidSqlError, match=message):
        translate(f"SELECT contains('{network}', TRY_CAST(srcaddr AS IPADDRESS)) FROM t")
    runtime = (
        f"SELECT contains(n, TRY_CAST('10.0.0.1' AS IPADDRESS)) FROM (VALUES ('{network}')) t(n)"
    )
    with pytest.raises(duckdb.Error, match=message):
        run(con, runtime)


def test_contains_on_arrays_stays_array_containment(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "contains(ARRAY['a', 'b'], 'b')") is True
    assert one(con, "contains(ARRAY[1, 2], 3)") is False


def test_contains_of_two_strings_is_refused() -> None:
    with pytest.raises(UnsupportedSqlError, match="must be an IPADDRESS"):
        translate("SELECT contains('10.0.0.0/8', srcaddr) FROM t")


def test_cast_to_ipaddress(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "CAST(CAST('2001:0db8:0:0:0:0:0:1' AS IPADDRESS) AS VARCHAR)") == "2001:db8::1"
    assert one(con, "TRY_CAST('10.0.0.0/8' AS IPADDRESS)") is None  # a network, not an address
    assert one(con, "TRY_CAST('-' AS IPADDRESS)") is None
    assert one(con, "CAST('10.0.0.1' AS IPADDRESS) = IPADDRESS '10.0.0.1'") is True
    with pytest.raises(duckdb.Error, match="Cannot cast value to IPADDRESS: -"):
        one(con, "CAST('-' AS IPADDRESS)")


_SHARED = duckdb.connect()
prepare_connection(_SHARED)
_RUNTIME_CONTAINS = translate("SELECT contains(?, TRY_CAST(? AS IPADDRESS))")


@settings(max_examples=150, deadline=None)
@given(
    network=st.one_of(
        st.builds(
            lambda a, p: ipaddress.ip_network((a, p), strict=False),
            st.integers(0, 2**32 - 1),
            st.integers(0, 32),
        ),
        st.builds(
            lambda a, p: ipaddress.ip_network((a, p), strict=False),
            st.integers(0, 2**128 - 1),
            st.integers(0, 128),
        ),
    ),
    address=st.one_of(
        st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address),
        st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address),
    ),
    near=st.booleans(),
)
def test_contains_agrees_with_ipaddress(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    near: bool,
) -> None:
    """For any network and address: in the network iff same family and the prefix matches."""
    if near and address.version == network.version:  # half the time, an address inside
        offset = int(address) % network.num_addresses
        address = ipaddress.ip_address(int(network.network_address) + offset)
    if address.version == 6 and address.ipv4_mapped is not None:
        return  # mapped addresses are IPv4 in Trino; covered by the examples above
    if network.version == 6 and (
        network.subnet_of(ipaddress.ip_network("::ffff:0:0/96"))  # type: ignore[arg-type]
    ):
        return
    expected = address.version == network.version and address in network
    literal = one(_SHARED, f"contains('{network}', TRY_CAST('{address}' AS IPADDRESS))")
    runtime = _SHARED.execute(_RUNTIME_CONTAINS, [str(network), str(address)]).fetchall()
    assert literal is expected
    assert runtime == [(expected,)]


# ---- dates and times ---------------------------------------------------------------------


def test_seed_to_date_with_teradata_format(con: duckdb.DuckDBPyConnection) -> None:
    # Teradata 'mm' is the month: 2026/11/05 is November 5th, not minute 11.
    assert one(con, "TO_DATE('2026/11/05', 'yyyy/mm/dd')") == date(2026, 11, 5)
    assert one(con, "TO_DATE('2026-11-05 10:11:12', 'yyyy-mm-dd hh24:mi:ss')") == date(2026, 11, 5)
    window = "TO_DATE(d, 'yyyy/mm/dd') > CURRENT_DATE - interval '10' day"
    rows = run(
        con,
        f"SELECT d FROM (VALUES ('2026/11/17'), ('2026/11/18'), ('2026/11/27')) t(d) "
        f"WHERE {window} ORDER BY d",
    )
    assert rows == [("2026/11/18",), ("2026/11/27",)]


def test_teradata_format_conversion() -> None:
    assert teradata_to_strftime("yyyy/mm/dd") == "%Y/%m/%d"
    assert teradata_to_strftime("yyyy-mm-dd hh24:mi:ss") == "%Y-%m-%d %H:%M:%S"
    assert teradata_to_strftime("yy.mm.dd") == "%y.%m.%d"
    with pytest.raises(InvalidSqlError, match="offset 0"):
        teradata_to_strftime("YYYY/MM/DD")  # Trino: specifiers must be lower case
    with pytest.raises(UnsupportedSqlError, match="hh24"):
        teradata_to_strftime("yyyy-mm-dd hh:mi")


def test_to_date_needs_a_literal_format() -> None:
    with pytest.raises(UnsupportedSqlError, match="string literal"):
        translate("SELECT TO_DATE(day, fmt) FROM t")


def test_joda_format_conversion(con: duckdb.DuckDBPyConnection) -> None:
    assert joda_to_strftime("yyyy-MM-dd HH:mm:ss.SSS") == "%Y-%m-%d %H:%M:%S.%g"
    assert joda_to_strftime("yyyy-MM-dd'T'HH") == "%Y-%m-%dT%H"
    with pytest.raises(UnsupportedSqlError, match="'Z'"):
        joda_to_strftime("yyyy-MM-dd Z")
    value = one(con, "format_datetime(TIMESTAMP '2026-11-05 10:11:12', 'yyyy/MM/dd HH:mm')")
    assert value == "2026/11/05 10:11"


def test_mysql_formats_and_unix_times(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "date_format(from_unixtime(1795773600), '%Y/%m/%d %H:%i:%s')") == (
        "2026/11/27 10:00:00"
    )
    assert one(con, "from_unixtime(1795773600)") == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert one(con, "to_unixtime(from_unixtime(1795773600))") == 1795773600.0
    assert one(con, "date_parse('2026/11/05 07', '%Y/%m/%d %H')") == datetime(2026, 11, 5, 7)
    assert one(con, "date_format(DATE '2026-11-05', '%W %e %c %j')") == "Thursday 5 11 309"


def test_from_unixtime_in_other_zones_is_refused() -> None:
    with pytest.raises(UnsupportedSqlError, match="UTC"):
        translate("SELECT from_unixtime(start, 'America/New_York') FROM t")
    assert "TO_TIMESTAMP" in translate("SELECT from_unixtime(start, 'UTC') FROM t")


def test_current_date_and_now_are_pinned(con: duckdb.DuckDBPyConnection) -> None:
    row = run(con, "SELECT current_date, now(), current_timestamp, localtimestamp")[0]
    midnight = datetime(2026, 11, 27, tzinfo=UTC)
    assert row == (TODAY, midnight, midnight, datetime(2026, 11, 27))
    unpinned = translate("SELECT current_date")
    assert "CURRENT_DATE" in unpinned


def test_date_arithmetic_stays_date(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "current_date - interval '10' day") == date(2026, 11, 17)
    assert one(con, "date_add('day', -9, current_date)") == date(2026, 11, 18)
    assert one(con, "date_add('month', 1, DATE '2024-01-31')") == date(2024, 2, 29)
    assert one(con, "date_trunc('month', DATE '2026-11-27')") == date(2026, 11, 1)
    assert one(con, "current_date - interval '1' day * (? - 1)", [10]) == date(2026, 11, 18)
    with pytest.raises(UnsupportedSqlError, match="HOUR"):
        translate("SELECT current_date - interval '1' hour")


def test_date_diff_counts_whole_units(con: duckdb.DuckDBPyConnection) -> None:
    value = "date_diff('day', TIMESTAMP '2026-11-01 23:00:00', TIMESTAMP '2026-11-02 01:00:00')"
    assert one(con, value) == 0  # DuckDB's date_diff would say 1 (a boundary crossed)
    assert (
        one(
            con,
            "date_diff('hour', TIMESTAMP '2026-11-01 23:00:00', TIMESTAMP '2026-11-02 01:00:00')",
        )
        == 2
    )


def test_extract_dow_is_iso(con: duckdb.DuckDBPyConnection) -> None:
    # 2026-11-29 is a Sunday: 7 in Trino (ISO), 0 in DuckDB's plain DOW.
    assert one(con, "extract(dow FROM DATE '2026-11-29')") == 7
    assert one(con, "day_of_week(DATE '2026-11-29')") == 7


# ---- numbers -----------------------------------------------------------------------------


def test_integer_division_truncates_like_trino(con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, "SELECT 5 / 2, -5 / 2, 5 % 3, -5 % 3, 5e0 / 2") == [(2, -2, 2, -2, 2.5)]
    rows = run(con, "SELECT sum(b) / 1024 FROM (VALUES (CAST(3000 AS BIGINT))) t(b)")
    assert rows == [(2,)]


def test_integer_division_by_zero_fails_like_trino(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="Division by zero"):
        one(con, "7 / 0")
    with pytest.raises(duckdb.Error, match="Division by zero"):
        one(con, "7 % 0")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("7.0 / 2", Decimal("3.5")),
        ("1.0 / 3", Decimal("0.3")),  # scale of the operands, not 0.333…
        ("3 / 40.0", Decimal("0.1")),  # 0.075 rounds half up at scale 1
        ("CAST(3 AS BIGINT) / 40.00", Decimal("0.08")),
        ("-3 / 40.00", Decimal("-0.08")),
        ("12345 / 1024.0", Decimal("12.1")),
        ("10.25 / 0.5", Decimal("20.50")),
        ("CAST(1.5 AS DECIMAL(10, 2)) / 4", Decimal("0.38")),
        ("3000000000000000000 / 0.7", Decimal("4285714285714285714.3")),
    ],
)
def test_decimal_division_keeps_trino_scale_and_rounding(
    con: duckdb.DuckDBPyConnection, expression: str, expected: Decimal
) -> None:
    value = one(con, expression)
    assert isinstance(value, Decimal)
    assert value == expected and value.as_tuple().exponent == expected.as_tuple().exponent


def test_sum_over_decimal_literal(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(con, "SELECT sum(b) / 1024.0 FROM (VALUES (CAST(3000 AS BIGINT)), (100)) t(b)")
    assert rows == [(Decimal("3.0"),)]
    with pytest.raises(duckdb.Error, match="Division by zero"):
        one(con, "5 / 0.0")


def test_unknown_scale_and_unknown_divisions_are_refused() -> None:
    with pytest.raises(UnsupportedSqlError, match="decimal division"):
        translate("SELECT sum(x * 1.5) / 2.0 FROM (VALUES 1) t(x)")
    with pytest.raises(UnsupportedSqlError, match="CAST an operand"):
        translate("SELECT ? / 2")
    assert translate("SELECT 1 / CAST(? AS DOUBLE)") == "SELECT 1 / CAST($1 AS DOUBLE) AS _col0"


# ---- strings -----------------------------------------------------------------------------


def test_split_part_and_regexp_extract_are_null_when_absent(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "split_part('10.0.1.2', '.', 3)") == "1"
    assert one(con, "split_part('-', '.', 2)") is None  # DuckDB alone gives ''
    assert one(con, "regexp_extract('eni-0abc', 'eni-([0-9a-f]+)', 1)") == "0abc"
    assert one(con, "regexp_extract('i-0abc', 'eni-([0-9a-f]+)', 1)") is None
    with pytest.raises(duckdb.Error, match="greater than zero"):
        one(con, "split_part('a.b', '.', 0)")


def test_regexp_replace_group_references(con: duckdb.DuckDBPyConnection) -> None:
    value = r"regexp_replace('10.0.1.2', '(\d+)\.(\d+)\.(\d+)\.(\d+)', '$4.$3.$2.$1')"
    assert one(con, value) == "2.1.0.10"
    assert one(con, "regexp_replace('a1b22', '\\d')") == "ab"
    assert one(con, "regexp_replace('cost', 'cost', '\\$5')") == "$5"


def test_varchar_length_truncates(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "CAST('abcdef' AS VARCHAR(3))") == "abc"


def test_concat_and_greatest_propagate_null(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "concat('a', NULL)") is None
    assert one(con, "greatest(1, NULL)") is None


# ---- arrays and aggregates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("any_match(ARRAY[1, 2, 3], x -> x > 2)", True),
        ("any_match(ARRAY[1, NULL], x -> x > 2)", None),
        ("any_match(filter(ARRAY[1], x -> x > 5), x -> x > 1)", False),
        ("all_match(ARRAY[1, 2], x -> x > 0)", True),
        ("all_match(ARRAY[1, NULL], x -> x > 0)", None),
        ("all_match(ARRAY[0, NULL], x -> x > 0)", False),
        ("all_match(filter(ARRAY[1], x -> x > 5), x -> x > 1)", True),
        ("none_match(ARRAY[1, 2], x -> x > 5)", True),
        ("none_match(ARRAY[1, NULL], x -> x > 5)", None),
    ],
)
def test_match_functions_keep_three_valued_logic(
    con: duckdb.DuckDBPyConnection, expression: str, expected: bool | None
) -> None:
    assert one(con, expression) is expected


def test_any_match_over_cidr_list_parameter(con: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "SELECT a, any_match(split(?, ','), c -> contains(trim(c), TRY_CAST(a AS IPADDRESS))) "
        "FROM (VALUES ('10.1.2.3'), ('192.168.0.1'), ('-'), ('2600:1f18::9')) t(a) ORDER BY a"
    )
    rows = run(con, sql, ["10.0.0.0/8, 2600:1f18::/32"])
    assert rows == [("-", None), ("10.1.2.3", True), ("192.168.0.1", False), ("2600:1f18::9", True)]


_PARAMS_MATCH = (
    "WITH params AS (SELECT split(?, ',') AS cidrs) "
    "SELECT a, {fn}(p.cidrs, c -> contains(trim(c), TRY_CAST(a AS IPADDRESS))) "
    "FROM (VALUES ('10.1.2.3'), ('192.168.0.1'), ('-'), ('2600:1f18::9')) t(a) "
    "CROSS JOIN params p ORDER BY a"
)


def test_cidr_list_of_a_params_cte_is_parsed_once(con: duckdb.DuckDBPyConnection) -> None:
    sql = _PARAMS_MATCH.format(fn="any_match")
    assert "ATHENA_NETWORKS(" in translate(sql)  # a column of the one-row CTE
    # a row-independent list (a parameter) is parsed once too: a constant DuckDB folds
    inline = sql.replace("p.cidrs", "split(?, ',')")
    assert "ATHENA_NETWORKS(" in translate(inline)
    assert run(con, inline, ["unused", "10.0.0.0/8, 2600:1f18::/32"])[1] == ("10.1.2.3", True)
    per_row = sql.replace("p.cidrs", "split(a, ',')")  # depends on the row: not hoisted
    assert "ATHENA_NETWORKS(" not in translate(per_row)
    rows = run(con, sql, ["10.0.0.0/8, 2600:1f18::/32"])
    assert rows == [("-", None), ("10.1.2.3", True), ("192.168.0.1", False), ("2600:1f18::9", True)]


@pytest.mark.parametrize(
    ("fn", "cidrs", "expected"),
    [
        # families differ: false; NULL address: NULL
        ("any_match", "10.0.0.0/8", [None, True, False, False]),
        ("all_match", "10.0.0.0/8,10.1.0.0/16", [None, True, False, False]),
        ("all_match", "10.0.0.0/8,2600:1f18::/32", [None, False, False, False]),
        ("none_match", "10.0.0.0/8", [None, False, True, True]),
        # an empty network text is invalid: reached only after no match (Trino evaluates
        # elements in order and stops at the first match), never for a NULL address
        ("any_match", "10.0.0.0/8,", [None, True, "error", "error"]),
        ("all_match", "192.168.0.0/16,", [None, False, "error", False]),
    ],
)
def test_params_cte_matches_keep_trino_results_and_errors(
    con: duckdb.DuckDBPyConnection, fn: str, cidrs: str, expected: list[object]
) -> None:
    sql = (
        _PARAMS_MATCH.format(fn=fn)
        .replace("SELECT a, ", "SELECT a, CAST(")
        .replace(" FROM (VALUES", " AS VARCHAR) FROM (VALUES")
    )
    addresses = ["-", "10.1.2.3", "192.168.0.1", "2600:1f18::9"]
    for address, want in zip(addresses, expected, strict=True):
        one_row = sql.replace("ORDER BY a", f"WHERE a = '{address}'")
        if want == "error":
            with pytest.raises(duckdb.Error, match=r"Invalid CIDR: $"):
                run(con, one_row, [cidrs])
        else:
            text = None if want is None else str(want).lower()
            assert run(con, one_row, [cidrs]) == [(address, text)]


def test_params_cte_invalid_network_is_named(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match=r"Invalid CIDR: 10\.0\.0\.1/8"):
        run(con, _PARAMS_MATCH.format(fn="any_match"), ["192.168.0.0/16, 10.0.0.1/8"])
    rows = run(con, _PARAMS_MATCH.format(fn="any_match"), [None])
    assert [r[1] for r in rows] == [None, None, None, None]


def test_params_cte_read_with_star_is_left_as_it_is(con: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "WITH params AS (SELECT split(?, ',') AS cidrs) "
        "SELECT * FROM params p "
        "WHERE any_match(p.cidrs, c -> contains(c, TRY_CAST(? AS IPADDRESS)))"
    )
    assert "ATHENA_NETWORKS(" not in translate(sql)
    assert run(con, sql, ["10.0.0.0/8", "10.0.0.1"]) == [(["10.0.0.0/8"],)]


_CIDR_LISTS = st.lists(
    st.one_of(
        st.builds(
            lambda a, p: str(ipaddress.ip_network((a, p), strict=False)),
            st.integers(0, 2**32 - 1),
            st.integers(0, 32),
        ),
        st.builds(
            lambda a, p: str(ipaddress.ip_network((a, p), strict=False)),
            st.integers(0, 2**128 - 1),
            st.integers(0, 128),
        ),
    ),
    max_size=4,
)
_MATCH_FORMS = {
    fn: (
        translate(
            "WITH params AS (SELECT split(?, ',') AS cidrs) SELECT "
            f"{fn}(p.cidrs, c -> contains(trim(c), TRY_CAST(? AS IPADDRESS))) FROM params p"
        ),
        translate(f"SELECT {fn}(split(?, ','), c -> contains(trim(c), TRY_CAST(? AS IPADDRESS)))"),
    )
    for fn in ("any_match", "all_match", "none_match")
}


@settings(max_examples=100, deadline=None)
@given(
    cidrs=_CIDR_LISTS,
    address=st.one_of(
        st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n))),
        st.integers(0, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n))),
        st.just("-"),
    ),
    fn=st.sampled_from(sorted(_MATCH_FORMS)),
)
def test_params_cte_matches_agree_with_per_row_translation(
    cidrs: list[str], address: str, fn: str
) -> None:
    """Valid CIDR lists: the parsed-once form returns what the per-row form returns."""
    if address.startswith("::ffff:"):
        return  # IPv4-mapped: IPv4 in Trino, covered above
    text = ",".join(cidrs) if cidrs else None  # split('') is [''], an invalid CIDR
    once, per_row = _MATCH_FORMS[fn]
    got = _SHARED.execute(once, [text, address]).fetchall()
    assert got == _SHARED.execute(per_row, [text, address]).fetchall()
    if text is not None and address != "-":
        parsed = ipaddress.ip_address(address)
        inside = [
            parsed.version == (6 if ":" in c else 4) and parsed in ipaddress.ip_network(c)
            for c in cidrs
        ]
        want = {"any_match": any(inside), "all_match": all(inside), "none_match": not any(inside)}
        assert got == [(want[fn],)]


def test_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    rows = run(
        con,
        "SELECT count(*), approx_distinct(x), approx_distinct(x, 0.01), sum(x), avg(x), "
        "count_if(x > 1), max_by(x, y), min_by(x, y), arbitrary(x) IS NOT NULL "
        "FROM (VALUES (1, 2), (2, 1), (3, 0)) AS t(x, y)",
    )
    assert rows == [(3, 3, 3, 6, 2.0, 2, 1, 3, True)]


def test_decimal_literal_stays_exact(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "1.5 * 3") == Decimal("4.5")


# ---- names, parameters, statements -------------------------------------------------------


def test_output_columns_are_named_like_athena(con: duckdb.DuckDBPyConnection) -> None:
    cursor = con.execute(translate("SELECT 1 AS One, count(*), 'x' FROM (VALUES 1) t(Y)"))
    assert [d[0] for d in cursor.description] == ["one", "_col1", "_col2"]


def test_placeholders_are_numbered_in_text_order(con: duckdb.DuckDBPyConnection) -> None:
    translation = translate_query("SELECT ?, '?', ? -- ?\n")
    assert translation.parameter_count == 2
    assert "$1" in translation.sql and "$2" in translation.sql
    assert con.execute(translation.sql, ["a", 2]).fetchall() == [("a", "?", 2)]


def test_catalog_prefix_is_accepted() -> None:
    sql = translate('SELECT * FROM "AwsDataCatalog".vpcflowlogscidrdb.vpcflowlogstable')
    assert sql == "SELECT * FROM vpcflowlogscidrdb.vpcflowlogstable"


@pytest.mark.parametrize(
    ("sql", "error", "message"),
    [
        ("SELECT histogram(srcaddr) FROM t", UnsupportedSqlError, "histogram"),
        ("SELECT url_extract_host(u) FROM t", UnsupportedSqlError, "url_extract_host"),
        ("SELECT CAST(x AS JSON) FROM t", UnsupportedSqlError, "JSON"),
        ("SELECT CAST(x AS IPPREFIX) FROM t", UnsupportedSqlError, "IPPREFIX"),
        ("SELECT 1; SELECT 2", UnsupportedSqlError, "2 statements"),
        ("DROP TABLE vpcflowlogstable", UnsupportedSqlError, "DROP"),
        ("SELECT FROM WHERE", InvalidSqlError, "not valid Athena SQL"),
        ("-- only a comment\n", InvalidSqlError, "no SQL statement found"),
    ],
)
def test_constructs_without_a_faithful_translation_are_named(
    sql: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        translate(sql)
