"""Arrays: subscripts, `contains` and `array_join` with Trino's errors and NULLs."""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import ARRAY_META
from vpc_cidr_analysis.engine.translate.nodes import call, num
from vpc_cidr_analysis.engine.translate.rules.common import Context


def subscript(node: exp.Bracket, context: Context) -> exp.Expr:
    """`a[i]`: an error outside 1..cardinality(a); `element_at(a, i)`: NULL there, counting
    from the end for a negative i. Only for a base known to be an array (maps keep DuckDB's
    subscript)."""
    if not node.meta.get(ARRAY_META) or len(node.expressions) != 1:
        return node
    index = node.expressions[0]
    if node.args.get("safe"):
        return call("athena_element_at", node.this, index)
    if isinstance(index, exp.Literal) and not index.is_string:
        index = num(int(str(index.this)) + 1)  # sqlglot keeps a literal subscript 0-based
    elif isinstance(index, exp.Neg) and isinstance(index.this, exp.Literal):
        index = num(-int(str(index.this.this)) + 1)
    return call("athena_subscript", node.this, index)


def array_contains(node: exp.ArrayContains) -> exp.Expr:
    """contains(array, x): NULL, not false, when x is not found and the array holds a NULL."""
    return call("athena_array_contains", node.this, node.expression)


def array_join(node: exp.ArrayToString, context: Context) -> exp.Expr:
    """array_join(a, d): NULL elements are skipped, only NULLs give ''. With a NULL
    replacement (third argument) DuckDB's own function does what Trino does."""
    if node.args.get("null") is not None:
        return node
    return call("athena_array_join", node.this, node.expression)
