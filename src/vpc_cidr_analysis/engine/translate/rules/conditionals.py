"""Conditional expressions: an IN list evaluated whole where Trino evaluates it eagerly."""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.nodes import call
from vpc_cidr_analysis.engine.translate.rules.common import Context

#: `meta` key set by `mark_eager_in` on an IN list of a SELECT without FROM.
EAGER_IN_META = "athena_eager_in"

_CONSTANTS = (exp.Literal, exp.Null, exp.Boolean)


def mark_eager_in(tree: exp.Expr) -> None:
    """Mark each `x IN (list)` with a computed item in a SELECT without FROM (before the
    rewrite, which detaches nodes from their query)."""
    for node in tree.find_all(exp.In):
        select = node.find_ancestor(exp.Select)
        if select is not None and not (select.args.get("from_") or select.args.get("from")):
            node.meta[EAGER_IN_META] = True


def in_list(node: exp.In, context: Context) -> exp.Expr:
    """`x IN (a, b, ...)` in a SELECT without FROM: Trino folds the query into VALUES and
    evaluates every item, so one that fails (`5 / 0`) fails it even after a match. Over rows
    its generated code stops at the match, as DuckDB's IN does (Trino's TestExpressions
    testInShortCircuit states both). The eager form is an array, which DuckDB builds whole,
    searched with IN's NULL rules (athena_array_contains). Lists of constants stay as they
    are."""
    items = node.expressions
    if not node.meta.get(EAGER_IN_META) or not items:
        return node
    if all(_is_constant(item) for item in items):
        return node
    found = call("athena_array_contains", exp.Array(expressions=list(items)), node.this)
    return exp.Paren(this=found)


def _is_constant(node: exp.Expr) -> bool:
    if isinstance(node, (exp.Paren, exp.Neg)):
        return _is_constant(node.this)
    return isinstance(node, _CONSTANTS)
