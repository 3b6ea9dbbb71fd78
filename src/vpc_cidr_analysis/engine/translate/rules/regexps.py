"""Regular expressions walked as Trino walks them: regexp_count, regexp_position,
regexp_extract_all, and regexp_replace with a replacement read at run time or a lambda.

Trino (Joni) finds a match, goes on at its end, or one character further after an empty
match; the macros (macros.sql, "Regular expressions") rebuild that walk from DuckDB's
regexp_extract_all. Patterns run on RE2: a Java construct RE2 lacks (lookaround,
backreferences, possessive quantifiers) is an error there, never another answer. Java's
named groups `(?<name>…)` are spelled `(?P<name>…)` for RE2.

What the translator must know about a pattern (its groups, whether a group can be left out of
a match, where its named groups are) it reads from the pattern's text when that is a literal
or a column of literals (`chars.literal_texts`); otherwise the macros read it at run time or
the construct is refused.
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import ARRAY_META
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, lit, num
from vpc_cidr_analysis.engine.translate.rules import arrays, chars
from vpc_cidr_analysis.engine.translate.rules.common import Context

#: The most groups the macros can read (DuckDB reads groups 0-9).
MAX_GROUPS = 9

_NAMED = re.compile(r"\(\?<([A-Za-z][A-Za-z0-9]*)>")
#: The SQL macro athena_re_opens' reading of a pattern's capture groups (keep them alike).
_OPENS = re.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]|\(\?P?<[A-Za-z][A-Za-z0-9]*>|\(\?|\(")


def re2_pattern(pattern: str) -> str:
    """A Java pattern's named groups in RE2's (and Python's) spelling."""
    return _NAMED.sub(r"(?P<\1>", pattern)


def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(re2_pattern(pattern))
    except re.error:
        return None


def group_count(patterns: tuple[str, ...] | None) -> int | None:
    """The number of groups every one of the known patterns has (None: not known)."""
    if not patterns:
        return None
    counts = set()
    for pattern in patterns:
        compiled = _compiled(pattern)
        if compiled is None:
            return None
        counts.add(compiled.groups)
    return counts.pop() if len(counts) == 1 else None


def optional_groups(pattern: str) -> dict[int, bool] | None:
    """Groups that a match may leave out (under ?, *, {0,…} or |), each with whether it can
    also match the empty string (then '' cannot tell it from left out); None: not known."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(re2_pattern(pattern))
    except Exception:
        return None
    found: dict[int, bool] = {}

    def walk(items: Any, optional: bool) -> None:
        for op, value in items:
            name = str(op)
            if name == "SUBPATTERN":
                group, _, _, body = value
                if group is not None and optional:
                    found[group] = body.getwidth()[0] == 0
                walk(body, optional)
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, _, body = value
                walk(body, optional or low == 0)
            elif name == "BRANCH":
                for branch in value[1]:
                    walk(branch, True)
            elif name == "ATOMIC_GROUP":
                walk(value, optional)
            elif name in ("ASSERT", "ASSERT_NOT"):
                walk(value[1], True)
            elif name == "GROUPREF_EXISTS":
                walk(value[1], True)
                if value[2] is not None:
                    walk(value[2], True)

    walk(tree, False)
    return found


def left_out_as_empty(patterns: tuple[str, ...] | None, groups: range) -> set[int] | None:
    """The groups among `groups` that a match may leave out, when every one of them cannot
    match the empty string (so '' means left out: NULL); None when that is not known."""
    if patterns is None:
        return None
    out: set[int] = set()
    for pattern in patterns:
        optional = optional_groups(pattern)
        if optional is None:
            return None
        for group in groups:
            if group in optional:
                if optional[group]:
                    return None
                out.add(group)
    return out


def _may_leave_out(patterns: tuple[str, ...] | None, groups: range) -> bool:
    """Whether a match may leave out one of `groups` in a way '' cannot tell."""
    return left_out_as_empty(patterns, groups) is None


def _nullif_empty(node: exp.Expr) -> exp.Expr:
    return exp.Nullif(this=node, expression=lit(""))


def _opens_agree(pattern: str) -> bool:
    """Whether athena_re_opens reads the named groups where Python's parser finds them."""
    compiled = _compiled(pattern)
    if compiled is None:
        return False
    opens = [t for t in _OPENS.findall(re2_pattern(pattern)) if t == "(" or t.startswith("(?P<")]
    read = {t[4:-1]: i + 1 for i, t in enumerate(opens) if t.startswith("(?P<")}
    return len(opens) == compiled.groups and read == dict(compiled.groupindex)


def _pattern_arg(node: exp.Expr) -> tuple[exp.Expr, tuple[str, ...] | None]:
    """The pattern as DuckDB gets it (literals already in RE2's spelling) and its texts."""
    texts = chars.literal_texts(node)
    if isinstance(node, exp.Literal) and texts is not None:
        return lit(re2_pattern(texts[0])), texts
    return node, texts


def regexp_count(node: exp.RegexpCount, context: Context) -> exp.Expr:
    """regexp_count(s, p): Trino's matches, empty ones included."""
    pattern, _ = _pattern_arg(node.expression)
    return call("athena_regexp_count", node.this, pattern)


def regexp_position(node: exp.Anonymous, context: Context) -> exp.Expr:
    """regexp_position(s, p[, start[, occurrence]]): the character position, or -1."""
    args = list(node.expressions)
    if not 2 <= len(args) <= 4:
        raise InvalidSqlError(f"regexp_position() takes 2 to 4 arguments, got {len(args)}")
    pattern, _ = _pattern_arg(args[1])
    start = args[2] if len(args) > 2 else num(1)
    occurrence = args[3] if len(args) > 3 else num(1)
    return call("athena_regexp_position", args[0], pattern, start, occurrence)


def _literal_int(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string:
        return int(str(node.this))
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return -int(str(node.this.this))
    return None


def _group_errors(group: exp.Expr, groups: int | None) -> list[exp.If]:
    """Trino's errors for a group below 0 or past the pattern's groups, as CASE branches."""
    checks = [
        exp.If(
            this=exp.LT(this=group.copy(), expression=num(0)),
            true=call("error", lit("Group cannot be negative")),
        )
    ]
    if groups is not None:
        message = exp.DPipe(
            this=lit(f"Pattern has {groups} groups. Cannot access group "),
            expression=exp.Cast(this=group.copy(), to=exp.DataType.build("VARCHAR")),
        )
        checks.append(
            exp.If(
                this=exp.GT(this=group.copy(), expression=num(groups)),
                true=call("error", message),
            )
        )
    return checks


def regexp_extract_all(node: exp.RegexpExtractAll, context: Context) -> exp.Expr:
    """regexp_extract_all(s, p[, g]): group g of every match; a group a match leaves out is
    NULL in Trino (DuckDB: ''), so a group that may be left out is refused."""
    pattern, texts = _pattern_arg(node.expression)
    group = node.args.get("group") or num(0)
    groups = group_count(texts)
    literal = _literal_int(group)
    if literal is not None:
        if literal < 0:
            raise InvalidSqlError("regexp_extract_all(): Group cannot be negative")
        if groups is not None and literal > groups:
            raise InvalidSqlError(
                f"regexp_extract_all(): Pattern has {groups} groups. Cannot access group {literal}"
            )
        if literal > MAX_GROUPS:
            raise UnsupportedSqlError("regexp_extract_all(): groups above 9 are not supported")
        left_out = left_out_as_empty(texts, range(literal, literal + 1)) if literal else set()
        if left_out is None:
            raise UnsupportedSqlError(
                f"regexp_extract_all(): group {literal} may be left out of a match (Trino "
                "gives NULL there); a pattern where it cannot is supported"
            )
        found = call("athena_regexp_extract_all", node.this, pattern, num(literal))
        if left_out:
            element = exp.to_identifier("athena_x")
            return call(
                "list_transform",
                found,
                exp.Lambda(this=_nullif_empty(exp.column("athena_x")), expressions=[element]),
            )
        return found
    if groups is None or groups > MAX_GROUPS or _may_leave_out(texts, range(1, groups + 1)):
        raise UnsupportedSqlError(
            "regexp_extract_all(): a group that is not a literal needs a known pattern whose "
            "groups are in every match"
        )
    branches = _group_errors(group, groups)
    branches += [
        exp.If(
            this=exp.EQ(this=group.copy(), expression=num(k)),
            true=call("athena_regexp_extract_all", node.this.copy(), pattern.copy(), num(k)),
        )
        for k in range(groups + 1)
    ]
    return exp.Case(ifs=branches)


def regexp_extract_group(node: exp.RegexpExtract, texts: tuple[str, ...] | None) -> exp.Expr:
    """regexp_extract(s, p, g) with g not a literal: one branch per group (DuckDB needs a
    constant group), after Trino's checks."""
    group = node.args["group"]
    groups = group_count(texts)
    if groups is None or groups > MAX_GROUPS or _may_leave_out(texts, range(1, groups + 1)):
        raise UnsupportedSqlError(
            "regexp_extract(): a group that is not a literal needs a known pattern whose "
            "groups are in every match"
        )
    branches = _group_errors(group, groups)
    branches += [
        exp.If(
            this=exp.EQ(this=group.copy(), expression=num(k)),
            true=call("athena_regexp_extract", node.this.copy(), node.expression.copy(), num(k)),
        )
        for k in range(groups + 1)
    ]
    return exp.Case(ifs=branches)


def _groups_arg(pattern: exp.Expr, texts: tuple[str, ...] | None) -> exp.Expr:
    """The pattern's group count: known here, or read by the macro at run time (up to 8)."""
    groups = group_count(texts)
    if groups is None:
        return call("athena_re_group_count", pattern.copy())
    return num(groups)


def regexp_replace_at_run_time(node: exp.RegexpReplace, replacement: exp.Expr) -> exp.Expr:
    """regexp_replace(s, p, r) with the replacement's $n / ${name} / \\x read per row."""
    pattern, texts = _pattern_arg(node.expression)
    groups = group_count(texts)
    replacements = chars.literal_texts(replacement)
    if groups is not None and groups > MAX_GROUPS:
        from vpc_cidr_analysis.engine.translate.rules.strings import java_replacement

        if replacements is None or any(
            java_replacement(r, groups) != java_replacement(r, MAX_GROUPS) for r in replacements
        ):
            raise UnsupportedSqlError(
                "regexp_replace(): references to groups above 9 are not supported locally"
            )
        groups = MAX_GROUPS
    named = replacements is None or any("${" in r for r in replacements)
    if named:
        if texts is None and replacements is not None:
            raise UnsupportedSqlError(
                "regexp_replace(): a named group reference needs a known pattern"
            )
        if texts is not None and not all(_opens_agree(t) for t in texts):
            raise UnsupportedSqlError(
                "regexp_replace(): the named groups of this pattern cannot be located locally"
            )
    count = num(groups) if groups is not None else _groups_arg(pattern, texts)
    return call("athena_regexp_replace", node.this, pattern, replacement, count)


def regexp_replace_lambda(node: exp.RegexpReplace, fn: exp.Lambda, context: Context) -> exp.Expr:
    """regexp_replace(s, p, x -> …): the lambda gets the array of each match's groups."""
    pattern, texts = _pattern_arg(node.expression)
    groups = group_count(texts)
    if groups is not None and groups > MAX_GROUPS:
        raise UnsupportedSqlError("regexp_replace(): a lambda over more than 9 groups")
    names = {str(v.name).lower() for v in fn.expressions}
    used = [
        c
        for c in fn.this.find_all(exp.Column, exp.Identifier)
        if str(c.name).lower() in names and not isinstance(c.parent, exp.Column)
    ]
    if used and groups is None:
        raise UnsupportedSqlError(
            "regexp_replace(): a lambda over the groups needs a known pattern (Trino gives "
            "NULL for a group a match leaves out)"
        )
    left_out = left_out_as_empty(texts, range(1, (groups or 0) + 1)) if used else set()
    if left_out is None:
        raise UnsupportedSqlError(
            "regexp_replace(): a lambda over groups that a match may leave out (Trino gives "
            "them as NULL) is not supported locally"
        )
    for bracket in list(fn.this.find_all(exp.Bracket)):
        base = bracket.this
        if isinstance(base, (exp.Column, exp.Identifier)) and str(base.name).lower() in names:
            bracket.meta[ARRAY_META] = True
            bracket.replace(arrays.subscript(bracket.copy(), context))
    count = num(groups) if groups is not None else _groups_arg(pattern, texts)
    matches: exp.Expr = call("athena_re_match_groups", node.this.copy(), pattern.copy(), count)
    if left_out and groups:
        each = exp.column("athena_x")
        items = [
            _nullif_empty(_element(each, k)) if k in left_out else _element(each, k)
            for k in range(1, groups + 1)
        ]
        lam = exp.Lambda(
            this=exp.Array(expressions=items), expressions=[exp.to_identifier("athena_x")]
        )
        matches = call("list_transform", matches, lam)
    texts_of = call("list_transform", matches, fn)
    return call("athena_regexp_replace_lambda", node.this, pattern, texts_of)


def _element(array: exp.Expr, k: int) -> exp.Expr:
    """`array[k]` (1-based) as DuckDB's list_extract."""
    return call("list_extract", array.copy(), num(k))
