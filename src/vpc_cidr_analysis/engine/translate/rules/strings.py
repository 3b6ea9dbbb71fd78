"""Strings: split_part and regexp_extract are NULL when nothing is there; `$1` becomes `\\1`."""

from __future__ import annotations

import re

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.errors import UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, lit, num, string_literal
from vpc_cidr_analysis.engine.translate.rules.common import Context


def split_part(node: exp.SplitPart, context: Context) -> exp.Expr:
    """split_part: NULL past the last field, an error for an index below 1 (the macro)."""
    return call(
        "athena_split_part",
        node.this,
        node.args["delimiter"],
        node.args["part_index"],
    )


def regexp_extract(node: exp.RegexpExtract, context: Context) -> exp.Expr:
    """regexp_extract: NULL when the pattern does not match (the macro)."""
    group = node.args.get("group") or num(0)
    return call("athena_regexp_extract", node.this, node.expression, group)


def regexp_replace(node: exp.RegexpReplace, context: Context) -> exp.Expr:
    """regexp_replace: the Java replacement's `$n` group references in RE2's `\\n` form."""
    replacement = node.args.get("replacement")
    if replacement is None:
        return node
    text = string_literal(replacement)
    if text is None:
        raise UnsupportedSqlError(
            "regexp_replace(): the replacement must be a string literal to translate "
            "its $n group references"
        )
    node.set("replacement", lit(java_replacement(text)))
    return node


_JAVA_GROUP = re.compile(r"\\(.)|\$(\d+|\{[A-Za-z][A-Za-z0-9]*\})")


def java_replacement(text: str) -> str:
    """A Java/Trino regexp replacement (`$1`, `\\$`) as an RE2/DuckDB one (`\\1`, `$`)."""

    def sub(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            ch = match.group(1)
            return "\\\\" if ch == "\\" else ch
        group = match.group(2)
        if group.startswith("{"):
            raise UnsupportedSqlError(
                f"regexp_replace(): named group reference {group} is not supported locally"
            )
        return "\\" + group

    return _JAVA_GROUP.sub(sub, text)
