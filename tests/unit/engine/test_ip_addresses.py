"""IPADDRESS ordering and casts from VARBINARY (rules/ip.py, rules/casts.py), as Trino."""

from __future__ import annotations

import duckdb
import pytest
from translated import connect, one, run


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return connect()


def test_ipv4_orders_as_its_mapped_ipv6_form(con: duckdb.DuckDBPyConnection) -> None:
    # Trino's IPADDRESS is 16 bytes: ::1 < ::ffff:1.2.3.5 (TestIpAddressOperators)
    assert one(con, "IPADDRESS '::1' <= IPADDRESS '1.2.3.5'") is True
    assert one(con, "IPADDRESS '1.2.3.5' > IPADDRESS '::1'") is True
    assert one(con, "IPADDRESS '1.2.3.4' < IPADDRESS '1.2.3.5'") is True
    rows = run(
        con, "SELECT a < b FROM (VALUES (IPADDRESS '2001:db8::1', IPADDRESS '10.0.0.1')) t(a, b)"
    )
    assert rows == [(False,)]


@pytest.mark.parametrize(
    ("binary", "text"),
    [
        ("x'01020304'", "1.2.3.4"),
        ("x'00000000000000000000ffff01020304'", "1.2.3.4"),
        ("x'20010db8000000000000ff0000428329'", "2001:db8::ff00:42:8329"),
    ],
)
def test_cast_from_varbinary(con: duckdb.DuckDBPyConnection, binary: str, text: str) -> None:
    assert one(con, f"CAST(CAST({binary} AS IPADDRESS) AS VARCHAR)") == text
    rows = run(con, f"SELECT CAST(CAST(a AS IPADDRESS) AS VARCHAR) FROM (VALUES ({binary})) t(a)")
    assert rows == [(text,)]


def test_cast_from_varbinary_of_another_length_fails(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.Error, match="Invalid IP address binary length"):
        one(con, "CAST(x'0102' AS IPADDRESS)")


def test_contains_with_null_address_is_null_for_any_network(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "contains('10.0.0.1/0', CAST(NULL AS IPADDRESS))") is None
    rows = run(con, "SELECT contains(n, CAST(NULL AS IPADDRESS)) FROM (VALUES ('10.0.0.1/0')) t(n)")
    assert rows == [(None,)]
