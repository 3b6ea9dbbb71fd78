"""`contains(network, address)`: the inet extension's `<<=` when the address is an IPADDRESS."""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import column_sources
from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT, InetContainedBy
from vpc_cidr_analysis.engine.translate.errors import UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.networks import mapped_ipv4_part, trino_network
from vpc_cidr_analysis.engine.translate.nodes import (
    call,
    cast,
    is_ipaddress_type,
    lit,
    num,
    string_literal,
)
from vpc_cidr_analysis.engine.translate.rules.arrays import array_contains
from vpc_cidr_analysis.engine.translate.rules.common import Context


def contains(node: exp.ArrayContains, context: Context) -> exp.Expr:
    """`address <<= INET network`: false when the families differ, NULL for a NULL address.

    A literal network is checked here (`trino_network`), any other at run time by the
    `athena_contains` macro. With an argument that is not an IPADDRESS it stays array
    containment; Athena has no contains(varchar, varchar).
    """
    network, address = node.this, node.expression
    if _is_null(address):  # Trino returns NULL before it looks at the network
        return cast(exp.null(), "BOOLEAN")
    if not (node.meta.get(IP_ADDRESS_META) or _is_ip_expression(address)):
        if isinstance(network, exp.Literal) and network.is_string:
            raise UnsupportedSqlError(
                f"contains({network.sql(READ_DIALECT)}, {address.sql()}): the address must "
                "be an IPADDRESS, e.g. contains('10.0.0.0/16', TRY_CAST(srcaddr AS "
                "IPADDRESS)); Athena has no contains(varchar, varchar)"
            )
        return array_contains(node)
    text = string_literal(network)
    if text is not None:
        network_text = trino_network(text)
        test = InetContainedBy(this=address, expression=cast(lit(network_text), "INET"))
        ipv4 = mapped_ipv4_part(network_text)
        if ipv4 is None:
            return test
        mapped = InetContainedBy(this=address.copy(), expression=cast(lit(ipv4), "INET"))
        return exp.paren(exp.or_(test, mapped))
    return call("athena_contains", network, address)


#: `meta` key set by `mark_ip_contains` on a contains() whose address is an IPADDRESS column.
IP_ADDRESS_META = "athena_ip_address"


def mark_ip_contains(tree: exp.Expr) -> None:
    """Mark each `contains(x, column)` whose column is an IPADDRESS (before the rewrite, which
    detaches nodes from their query)."""
    for node in tree.find_all(exp.ArrayContains):
        if is_ip_valued(node.expression):
            node.meta[IP_ADDRESS_META] = True
    for comparison in tree.find_all(*_ORDERINGS):
        operands = [comparison.this, comparison.expression]
        if any(is_ip_valued(operand) for operand in operands if operand is not None):
            comparison.meta[IP_ORDER_META] = True


#: `meta` key set by `mark_ip_contains` on a comparison (<, <=, >, >=) of IPADDRESS values.
IP_ORDER_META = "athena_ip_order"
_ORDERINGS = (exp.LT, exp.LTE, exp.GT, exp.GTE)


def order_comparison(node: exp.LT | exp.LTE | exp.GT | exp.GTE, context: Context) -> exp.Expr:
    """`a < b` of IPADDRESS values: Trino orders every address as 16 bytes, an IPv4 address
    as its IPv4-mapped IPv6 form, so `IPADDRESS '::1' < IPADDRESS '1.2.3.5'` (DuckDB's INET
    orders IPv4 before IPv6)."""
    if not node.meta.get(IP_ORDER_META):
        return node
    node.set("this", call("athena_ip_cmp", node.this, node.expression))
    node.set("expression", num(0))
    return node


def _is_null(node: exp.Expr) -> bool:
    """A NULL literal, also cast (to IPADDRESS: the cast's macro call)."""
    if isinstance(node, exp.Paren):
        return _is_null(node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return _is_null(node.this)
    if isinstance(node, exp.Anonymous) and str(node.name) in (
        "athena_ipaddress",
        "athena_try_ipaddress",
    ):
        return _is_null(node.expressions[0])
    return isinstance(node, exp.Null)


def _is_ip_expression(node: exp.Expr) -> bool:
    """Whether a (rewritten) expression is an IPADDRESS cast (see casts.cast)."""
    if isinstance(node, exp.Paren):
        return _is_ip_expression(node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)) and is_ipaddress_type(node.to):
        return True
    return isinstance(node, exp.Anonymous) and str(node.name) in (
        "athena_ipaddress",
        "athena_try_ipaddress",
    )


def is_ip_valued(node: exp.Expr, depth: int = 0) -> bool:
    """Whether an expression is an IPADDRESS: a cast to it, or a column that is one.

    A column is followed to its source when that is a `VALUES` list with column aliases (every
    row's value an IPADDRESS or NULL) or a subquery / CTE whose output of that name is one.
    """
    if _is_ip_expression(node):
        return True
    if not isinstance(node, exp.Column) or depth > 8:
        return False
    values = column_sources(node)
    known = [v for v in values if not isinstance(v, exp.Null)]
    return bool(known) and all(is_ip_valued(v, depth + 1) for v in known)
