"""Building and recognising sqlglot nodes: the small helpers every pass shares."""

from __future__ import annotations

from typing import Any

from sqlglot import exp

#: The call each `?` placeholder becomes before parsing, `athena_param__(n)` (see pipeline).
PARAM_MARK = "athena_param__"


def dtype(name: str) -> Any:
    """The `exp.DataType.Type` of a type name (`bigint`, `decimal(10,2)`)."""
    return exp.DataType.build(name).this


def string_literal(node: exp.Expr | None) -> str | None:
    """The text of a string literal, None for anything else."""
    if isinstance(node, exp.Literal) and node.is_string:
        return str(node.this)
    return None


def call(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A call of a DuckDB function or macro, `name(args...)`."""
    return exp.Anonymous(this=name, expressions=list(args))


def cast(node: exp.Expr, to: str) -> exp.Cast:
    """`CAST(node AS to)`, the type read as DuckDB's."""
    return exp.Cast(this=node, to=exp.DataType.build(to, dialect="duckdb"))


def lit(text: str) -> exp.Literal:
    """A string literal."""
    return exp.Literal.string(text)


def num(value: int | str) -> exp.Expr:
    """A number literal (an int, or the digits of one)."""
    return exp.Literal.number(value)


def unit_name(node: exp.Expr | None) -> str:
    """The upper-case name of a date unit (`'day'`, `DAY`); DAY when there is none."""
    if node is None:
        return "DAY"
    text = node.name if isinstance(node, (exp.Var, exp.Literal)) else node.sql()
    return str(text).upper().strip("'")


def is_ipaddress_type(to: exp.DataType) -> bool:
    """Whether a cast target is Trino's IPADDRESS."""
    return bool(to.this == exp.DataType.Type.IPADDRESS)


def lambda_variables(node: exp.Expr) -> set[str]:
    """Lambda variables used in an expression: bare identifiers (columns wrap theirs)."""
    return {
        i.name.lower()
        for i in node.find_all(exp.Identifier)
        if not isinstance(i.parent, (exp.Column, exp.Table, exp.TableAlias, exp.Alias))
    }
