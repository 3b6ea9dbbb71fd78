"""`contains(network, address)`: the inet extension's `<<=` when the address is an IPADDRESS."""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT, InetContainedBy
from vpc_cidr_analysis.engine.translate.errors import UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.networks import trino_network
from vpc_cidr_analysis.engine.translate.nodes import call, cast, lit, string_literal
from vpc_cidr_analysis.engine.translate.rules.common import Context


def contains(node: exp.ArrayContains, context: Context) -> exp.Expr:
    """`address <<= INET network`: false when the families differ, NULL for a NULL address.

    A literal network is checked here (`trino_network`), any other at run time by the
    `athena_contains` macro. With an argument that is not an IPADDRESS it stays array
    containment; Athena has no contains(varchar, varchar).
    """
    network, address = node.this, node.expression
    if not _is_ip_expression(address):
        if isinstance(network, exp.Literal) and network.is_string:
            raise UnsupportedSqlError(
                f"contains({network.sql(READ_DIALECT)}, {address.sql()}): the address must "
                "be an IPADDRESS, e.g. contains('10.0.0.0/16', TRY_CAST(srcaddr AS "
                "IPADDRESS)); Athena has no contains(varchar, varchar)"
            )
        return node
    text = string_literal(network)
    if text is not None:
        return InetContainedBy(this=address, expression=cast(lit(trino_network(text)), "INET"))
    return call("athena_contains", network, address)


def _is_ip_expression(node: exp.Expr) -> bool:
    """Whether a (rewritten) expression is an IPADDRESS cast (see casts.cast)."""
    return isinstance(node, exp.Anonymous) and str(node.name) in (
        "athena_ipaddress",
        "athena_try_ipaddress",
    )
