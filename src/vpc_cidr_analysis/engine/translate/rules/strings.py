"""Strings: split_part and regexp_extract are NULL when nothing is there; `$1` becomes `\\1`;
substr, replace, lpad/rpad, split with a limit, concat and trim with Trino's edge cases."""

from __future__ import annotations

import re

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
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
    """regexp_extract: NULL when the pattern does not match (the macro); a literal group past
    a literal pattern's groups is an error, as in Trino."""
    group = node.args.get("group") or num(0)
    groups = _group_count(string_literal(node.expression))
    literal_group = isinstance(group, exp.Literal) and not group.is_string
    if groups is not None and literal_group and int(str(group.this)) > groups:
        raise InvalidSqlError(
            f"regexp_extract(): pattern has {groups} groups. Cannot access group {group.this}"
        )
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
    pattern = string_literal(node.expression)
    if pattern is None and "$" in text:
        raise UnsupportedSqlError(
            "regexp_replace(): a replacement with $n group references needs a literal pattern"
        )
    if pattern is not None and _matches_empty(pattern, string_literal(node.this)):
        raise UnsupportedSqlError(
            f"regexp_replace(..., {pattern!r}, ...): a pattern that matches the empty string "
            "replaces differently in DuckDB (RE2) than in Trino"
        )
    node.set("replacement", lit(java_replacement(text, _group_count(pattern))))
    return node


def _group_count(pattern: str | None) -> int | None:
    """The number of groups of a literal pattern (Python's reading; None if it differs)."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern).groups
    except re.error:
        return None


def _matches_empty(pattern: str, subject: str | None) -> bool:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return False
    probe = subject if subject is not None else ""
    return any(m.start() == m.end() for m in compiled.finditer(probe)) or bool(
        compiled.fullmatch("")
    )


def java_replacement(text: str, groups: int | None = None) -> str:
    """A Java/Trino regexp replacement (`$1`, `\\$`) as an RE2/DuckDB one (`\\1`, `$`).

    As in Java, `$` takes the longest group number that exists (`$10` is group 1 then `0`
    with fewer than 10 groups); a `$` without a group, a group that does not exist and a
    trailing `\\` are errors. Groups above 9 (RE2 has `\\0`-`\\9`) are refused.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise InvalidSqlError("regexp_replace(): character to be escaped is missing")
            nxt = text[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
            continue
        if ch != "$":
            out.append(ch)
            i += 1
            continue
        if text[i + 1 : i + 2] == "{":
            raise UnsupportedSqlError(
                f"regexp_replace(): named group reference in {text!r} is not supported locally"
            )
        j = i + 1
        if j >= len(text) or not text[j].isdigit():
            raise InvalidSqlError(f"regexp_replace(): illegal group reference in {text!r}")
        number = int(text[j])
        j += 1
        while groups is not None and j < len(text) and text[j].isdigit():
            longer = number * 10 + int(text[j])
            if longer > groups:
                break
            number = longer
            j += 1
        if groups is not None and number > groups:
            raise InvalidSqlError(f"regexp_replace(): no group {number} in the pattern")
        if number > 9:
            raise UnsupportedSqlError(
                f"regexp_replace(): group ${number} is not supported locally (only $0-$9)"
            )
        out.append("\\" + str(number))
        i = j
    return "".join(out)


def substring(node: exp.Substring, context: Context) -> exp.Expr:
    """substr(s, p[, n]): '' for position 0 or one before the start (DuckDB: the string)."""
    length = node.args.get("length")
    if length is None:
        return call("athena_substr", node.this, node.args["start"])
    return call("athena_substr_len", node.this, node.args["start"], length)


def replace(node: exp.Replace, context: Context) -> exp.Expr:
    """replace(s, '', x) inserts x around every character (DuckDB: unchanged)."""
    search = string_literal(node.expression)
    if search:
        return node
    replacement = node.args.get("replacement") or lit("")
    return call("athena_replace", node.this, node.expression, replacement)


def pad(node: exp.Pad, context: Context) -> exp.Expr:
    """lpad / rpad: an empty padding string is an error (DuckDB: the string cut or kept)."""
    fill = node.args.get("fill_pattern")
    if fill is None or string_literal(fill):
        return node
    return call("athena_pad_check", fill.copy(), node)


def split(node: exp.Split, context: Context) -> exp.Expr:
    """split(s, d, limit): at most `limit` parts (DuckDB's string_split has no limit)."""
    limit = node.args.get("limit")
    if limit is None:
        return node
    return call("athena_split_limit", node.this, node.expression, limit)


def concat(node: exp.Concat, context: Context) -> exp.Expr:
    """concat() needs two arguments or more in Trino."""
    if len(node.expressions) < 2:
        raise InvalidSqlError("concat(): There must be two or more concatenation arguments")
    return node


def trim(node: exp.Trim, context: Context) -> exp.Expr:
    """trim / ltrim / rtrim of one argument remove Java whitespace (DuckDB: spaces)."""
    if node.args.get("expression") is not None:
        return node
    position = str(node.args.get("position") or "").upper()
    name = {"LEADING": "athena_ltrim", "TRAILING": "athena_rtrim"}.get(position, "athena_trim")
    return call(name, node.this)
