"""CAST / TRY_CAST: IPADDRESS through the macros, precisions DuckDB reads differently dropped."""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.nodes import call, is_ipaddress_type, num
from vpc_cidr_analysis.engine.translate.rules import arrays, chars
from vpc_cidr_analysis.engine.translate.rules.common import Context
from vpc_cidr_analysis.engine.translate.rules.dates import interval_of, interval_text, text_to_date
from vpc_cidr_analysis.engine.translate.rules.zones import (
    cast_from_tz,
    cast_to_timetz,
    cast_to_tz,
)


def cast(node: exp.Cast, context: Context) -> exp.Expr:
    """`CAST(x AS IPADDRESS)` → `athena_ipaddress(x)` (TRY_CAST: `athena_try_ipaddress`);
    `TIMESTAMP(p)` → `TIMESTAMP`; `VARCHAR(n)` → the first n characters of `VARCHAR`.
    """
    to = node.to
    if to.this == exp.DataType.Type.CHAR:
        return chars.cast_to_char(node, context)
    if to.this == exp.DataType.Type.TIMESTAMPTZ:
        return cast_to_tz(node, context)
    if to.this == exp.DataType.Type.TIMETZ:
        return cast_to_timetz(node, context)
    from_zoned = cast_from_tz(node, context)
    if from_zoned is not None:
        return from_zoned
    interval = interval_of(node.this)
    if to.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT) and interval is not None:
        return interval_text(node, interval)
    if to.this == exp.DataType.Type.DATE and _is_text(node.this, context):
        return text_to_date(node)
    if to.this == exp.DataType.Type.JSON:
        return arrays.cast_to_json(node, context)
    if to.this == exp.DataType.Type.ARRAY:
        return arrays.cast_to_array(node, context)
    if is_ipaddress_type(to) and arrays.is_binary_valued(node.this):
        return call("athena_ipaddress_of_binary", node.this)
    if is_ipaddress_type(to):
        macro = "athena_try_ipaddress" if isinstance(node, exp.TryCast) else "athena_ipaddress"
        return call(macro, node.this)
    if to.this == exp.DataType.Type.TIMESTAMP and to.expressions:
        node.set("to", exp.DataType.build("TIMESTAMP"))
        return node
    if to.this == exp.DataType.Type.VARCHAR and not to.expressions and _is_double(node, context):
        return call("athena_double_varchar", node.this)  # Trino writes 2.1 as 2.1E0
    if to.this in (exp.DataType.Type.VARCHAR,) and to.expressions:
        length = to.expressions[0]
        node.set("to", exp.DataType.build("VARCHAR"))
        if _is_text(node.this, context):  # text is cut to n characters
            return exp.Substring(this=node, start=num(1), length=length.this)
        return call("athena_varchar_n", node.this, length.this)  # anything else must fit
    return node


def _is_text(node: exp.Expr, context: Context) -> bool:
    if isinstance(node, exp.Literal):
        return bool(node.is_string)
    known = context.type_of(node)
    return known is not None and known.this in (
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.CHAR,
    )


def _is_double(node: exp.Cast, context: Context) -> bool:
    """Whether a cast's operand is a DOUBLE (a REAL is left as it is)."""
    operand = node.this
    return context.numeric_kind(operand) == "double" and not arrays.is_real(operand, context)
