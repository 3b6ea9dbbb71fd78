"""CAST / TRY_CAST: IPADDRESS through the macros, precisions DuckDB reads differently dropped."""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.nodes import call, is_ipaddress_type, num
from vpc_cidr_analysis.engine.translate.rules.common import Context


def cast(node: exp.Cast, context: Context) -> exp.Expr:
    """`CAST(x AS IPADDRESS)` → `athena_ipaddress(x)` (TRY_CAST: `athena_try_ipaddress`);
    `TIMESTAMP(p)` → `TIMESTAMP`; `VARCHAR(n)` → the first n characters of `VARCHAR`.
    """
    to = node.to
    if is_ipaddress_type(to):
        macro = "athena_try_ipaddress" if isinstance(node, exp.TryCast) else "athena_ipaddress"
        return call(macro, node.this)
    if to.this == exp.DataType.Type.TIMESTAMP and to.expressions:
        node.set("to", exp.DataType.build("TIMESTAMP"))
        return node
    if to.this in (exp.DataType.Type.VARCHAR,) and to.expressions:
        length = to.expressions[0]
        node.set("to", exp.DataType.build("VARCHAR"))
        return exp.Substring(this=node, start=num(1), length=length.this)
    return node
