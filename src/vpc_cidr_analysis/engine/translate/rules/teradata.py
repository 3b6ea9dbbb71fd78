"""Trino's Teradata string functions (plugin trino-teradata-functions, TeradataStringFunctions):
`index` and `char2hexint`. The Teradata date functions (to_date, to_timestamp, to_char) are
in `dates`, their formats in `formats`.
"""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.nodes import call
from vpc_cidr_analysis.engine.translate.rules.common import Context, arity


def index(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`index(string, substring)`: the 1-based position of the first match, 0 when there is
    none, 1 for an empty substring — DuckDB's strpos."""
    arity("index", node.expressions, 2)
    return call("strpos", *node.expressions)


def char2hexint(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`char2hexint(string)`: the string's UTF-16BE code units in upper-case hexadecimal
    (`athena_char2hexint`)."""
    arity("char2hexint", node.expressions, 1)
    return call("athena_char2hexint", node.expressions[0])
