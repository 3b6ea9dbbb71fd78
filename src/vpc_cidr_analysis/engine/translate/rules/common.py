"""What every rule shares: its signature, the `Context` it is given, and the argument checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import DATE_META, LITERAL_META
from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import dtype, string_literal

#: The `meta` key of each node's position in the parsed tree, which its annotated type is under.
NODE_ID = "athena_node_id"

INTEGER_DTYPES = frozenset(dtype(t) for t in ("tinyint", "smallint", "int", "bigint"))
FLOAT_DTYPES = frozenset(dtype(t) for t in ("double", "real", "float"))
DECIMAL_DTYPE = dtype("decimal(10,2)")
DATE_DTYPE = dtype("date")


@dataclass(frozen=True)
class Context:
    """What a rule may know beyond its node: the query's annotated types and the pinned day."""

    types: Mapping[int, exp.DataType]
    today: date | None = None

    def type_of(self, node: exp.Expr) -> exp.DataType | None:
        """The optimizer's type of a node of the parsed tree (None: unknown or a new node)."""
        number = node.meta.get(NODE_ID)
        return self.types.get(number) if number is not None else None

    def numeric_kind(self, node: exp.Expr) -> str:
        """'int', 'decimal', 'double', 'unknown' or 'other', with Trino's literal rules."""
        if isinstance(node, exp.Paren):
            return self.numeric_kind(node.this)
        if isinstance(node, exp.Neg):
            return self.numeric_kind(node.this)
        if isinstance(node, exp.Literal) and not node.is_string:
            text = str(node.this).lower()
            if "e" in text:
                return "double"
            return "decimal" if "." in text else "int"
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return kind_of_dtype(node.to)
        if isinstance(node, exp.Anonymous) and node.name in ("athena_int_div", "athena_int_mod"):
            return combine(
                self.numeric_kind(node.expressions[0]), self.numeric_kind(node.expressions[1])
            )
        if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
            return combine(self.numeric_kind(node.this), self.numeric_kind(node.expression))
        if isinstance(node, exp.Count):
            return "int"
        if isinstance(node, (exp.Sum, exp.Min, exp.Max, exp.Abs)) and node.this is not None:
            inner = self.numeric_kind(node.this)
            if inner != "unknown":
                return inner
        known = self.type_of(node)
        return kind_of_dtype(known) if known is not None else "unknown"

    def is_date(self, node: exp.Expr) -> bool:
        """Whether an expression is a Trino DATE (as opposed to a timestamp)."""
        if isinstance(node, exp.Paren):
            return self.is_date(node.this)
        if isinstance(node, (exp.CurrentDate, exp.Date)):
            return True
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return bool(node.to.this == DATE_DTYPE)
        if isinstance(node, exp.Anonymous):
            return str(node.name).lower() == "to_date"
        if node.meta.get(DATE_META):
            return True
        known = self.type_of(node)
        return known is not None and known.this == DATE_DTYPE


#: A rule: the node (detached from its tree, children already rewritten) and the context in,
#: the node that replaces it out (the node itself, changed or not, or a new one).
Rule = Callable[[Any, Context], exp.Expr]


def kind_of_dtype(known: exp.DataType) -> str:
    """The numeric kind of a data type (see `Context.numeric_kind`)."""
    if known.this in INTEGER_DTYPES:
        return "int"
    if known.this in FLOAT_DTYPES:
        return "double"
    if known.this == DECIMAL_DTYPE:
        return "decimal"
    if known.this in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
        return "unknown"
    return "other"


def combine(left: str, right: str) -> str:
    """The numeric kind of an operation on two kinds: the least exact wins."""
    kinds = {left, right}
    for kind in ("unknown", "other", "double", "decimal"):
        if kind in kinds:
            return kind
    return "int"


def arity(name: str, args: list[exp.Expr], count: int) -> None:
    """Refuse a call of `name` with other than `count` arguments."""
    if len(args) != count:
        raise InvalidSqlError(f"{name}() takes {count} arguments, got {len(args)}")


def folded_literal(node: exp.Expr | None) -> str | None:
    """The text of a string literal, or of a column whose every value is that same literal
    (a VALUES list or a subquery's output, see `columns.mark_literals`); None for anything
    else."""
    text = string_literal(node)
    if text is not None or node is None:
        return text
    folded: str | None = node.meta.get(LITERAL_META)
    return folded


def literal_format(name: str, node: exp.Expr) -> str:
    """The text of a format argument, which must be a string literal to be converted (or a
    column of one literal, see `folded_literal`)."""
    text = folded_literal(node)
    if text is None:
        raise UnsupportedSqlError(
            f"{name}(): the format must be a string literal to translate it, "
            f"got {node.sql(READ_DIALECT)}"
        )
    return text
