"""IP addresses and CIDR networks: contains(), CAST AS IPADDRESS, CIDR lists (networks.py).

Expected values are Trino's documented (or source-verified) results; each case runs the
translated SQL on a real DuckDB connection prepared like the engine's.
"""

from __future__ import annotations

import ipaddress

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from translated import connect, one, run

from vpc_cidr_analysis.engine.translate import InvalidSqlError, UnsupportedSqlError, translate


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return connect()


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


def test_ipv6_network_holding_ipv4_mapped_addresses(con: duckdb.DuckDBPyConnection) -> None:
    # Trino compares an IPv4 address with an IPv6 network as ::ffff:a.b.c.d
    # (TestIpAddressFunctions.testIPv4MappedAddresses): a literal network and one from a
    # column alike.
    assert one(con, "contains('::/0', TRY_CAST('10.0.0.1' AS IPADDRESS))") is True
    assert one(con, "contains('::ffff:aabb:0/112', IPADDRESS '170.187.204.221')") is True
    assert one(con, "contains('::ffff:aabb:0/112', IPADDRESS '170.188.204.221')") is False
    rows = run(
        con,
        "SELECT contains(n, IPADDRESS '170.187.204.221') FROM "
        "(VALUES ('::/0'), ('::ffff:aabb:0/112'), ('::ffff:aabc:0/112'), ('2600::/16')) t(n)",
    )
    assert rows == [(True,), (True,), (False,), (False,)]


def test_ipv4_mapped_network_text(con: duckdb.DuckDBPyConnection) -> None:
    # Trino reads ::ffff:10.0.0.0/8 as an IPv6 /8 (it holds every IPv4-mapped address); at
    # run time the IPv4 part is rewritten as two hexadecimal groups, which the inet extension
    # reads (athena_ipv6_text).
    assert one(con, "contains('::ffff:10.0.0.0/8', TRY_CAST('10.2.3.4' AS IPADDRESS))") is True
    runtime = (
        "SELECT contains(n, a) FROM (VALUES ('::ffff:10.0.0.0/8', IPADDRESS '10.2.3.4'), "
        "('64:ff9b::10.0.0.0/64', IPADDRESS '64:ff9b::f:f:f:f'), "
        "('64:ff9b::10.0.0.0/64', IPADDRESS '64:ff9b:0:1::')) t(n, a)"
    )
    assert run(con, runtime) == [(True,), (True,), (False,)]


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


_SHARED = connect()


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
    if network.version == 6 and address.version == 4:  # Trino: as ::ffff:a.b.c.d
        mapped = ipaddress.IPv6Address(int(address) + (0xFFFF << 32))
        literal = one(_SHARED, f"contains('{network}', TRY_CAST('{address}' AS IPADDRESS))")
        assert literal is (mapped in network)
        runtime = _SHARED.execute(_RUNTIME_CONTAINS, [str(network), str(address)]).fetchall()
        assert runtime == [(mapped in network,)]  # a network from a column: the same
        return
    expected = address.version == network.version and address in network
    literal = one(_SHARED, f"contains('{network}', TRY_CAST('{address}' AS IPADDRESS))")
    runtime = _SHARED.execute(_RUNTIME_CONTAINS, [str(network), str(address)]).fetchall()
    assert literal is expected
    assert runtime == [(expected,)]


# ---- CIDR lists --------------------------------------------------------------------------


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
