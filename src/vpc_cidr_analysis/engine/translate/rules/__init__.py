"""The rewrite of Trino constructs into DuckDB ones: one rule per sqlglot node type.

`RULES` maps a node type to its rule, as sqlglot's `Generator.TRANSFORMS` maps a node type to
its SQL: a small function from the node (and the `Context`: annotated types, the pinned day) to
the node that replaces it. `rewrite` applies them bottom-up, children first. The rules live by
family: `arrays`, `casts`, `conditionals`, `ip`, `numbers`, `dates`, `zones` (time zones),
`strings`, `chars` (CHAR(n)), `regexps` (the regexp walk), `teradata`, and `calls` for the
functions sqlglot does not know (exp.Anonymous), which it dispatches by name.
"""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.rules import (
    arrays,
    calls,
    casts,
    chars,
    conditionals,
    dates,
    ip,
    numbers,
    regexps,
    strings,
    zones,
)
from vpc_cidr_analysis.engine.translate.rules.common import Context, Rule

__all__ = ["RULES", "Context", "Rule", "rewrite"]


def _first(*rules: Rule) -> Rule:
    """One node type's rules in turn: the first that replaces the node wins (each rule returns
    the node itself where it does not apply)."""

    def rule(node: exp.Expr, context: Context) -> exp.Expr:
        for each in rules:
            new = each(node, context)
            if new is not node:
                return new
        return node

    return rule


_EQUALITY = _first(chars.compare, arrays.equality)
_ORDER = _first(chars.compare, ip.order_comparison)

RULES: dict[type[exp.Expr], Rule] = {
    exp.Anonymous: calls.anonymous,
    exp.Cast: casts.cast,
    exp.TryCast: casts.cast,
    exp.ArrayContains: ip.contains,
    exp.Div: numbers.div,
    exp.Mod: numbers.mod,
    exp.ApproxDistinct: numbers.approx_distinct,
    exp.ArgMax: numbers.max_by,
    exp.ArgMin: numbers.max_by,
    exp.CountIf: numbers.count_if,
    exp.Try: numbers.try_,
    exp.Sqrt: numbers.sqrt_ln,
    exp.Ln: numbers.sqrt_ln,
    exp.Add: dates.date_arith,
    exp.Sub: dates.date_arith,
    exp.DateAdd: dates.date_add,
    exp.DateDiff: dates.date_diff,
    exp.TimestampTrunc: dates.date_trunc,
    exp.DateTrunc: dates.date_trunc,
    exp.CurrentDate: dates.current_date,
    exp.CurrentTimestamp: dates.current_timestamp,
    exp.Localtimestamp: dates.localtimestamp,
    exp.ParseDatetime: dates.parse_datetime,
    exp.UnixToTime: zones.from_unixtime,
    exp.Date: dates.date_of,
    exp.Interval: dates.interval_span,
    exp.LastDay: dates.last_day_of_month,
    exp.FromISO8601Date: dates.from_iso8601_date,
    exp.FromISO8601Timestamp: zones.from_iso8601_timestamp,
    exp.FromISO8601TimestampNanos: zones.from_iso8601_timestamp_nanos,
    exp.YearOfWeek: dates.year_of_week,
    exp.Extract: dates.extract,
    exp.Year: dates.field,
    exp.Month: dates.field,
    exp.Day: dates.field,
    exp.Hour: dates.field,
    exp.Minute: dates.field,
    exp.Second: dates.field,
    exp.TimeToStr: dates.date_format,
    exp.StrToTime: dates.date_parse,
    exp.SplitPart: strings.split_part,
    exp.RegexpExtract: strings.regexp_extract,
    exp.RegexpReplace: strings.regexp_replace,
    exp.RegexpCount: regexps.regexp_count,
    exp.RegexpExtractAll: regexps.regexp_extract_all,
    exp.Substring: strings.substring,
    exp.Replace: strings.replace,
    exp.Pad: strings.pad,
    exp.Split: strings.split,
    exp.Concat: strings.concat,
    exp.StrPosition: strings.strpos,
    exp.Levenshtein: strings.levenshtein,
    exp.Soundex: strings.soundex,
    exp.StrToMap: strings.split_to_map,
    exp.Normalize: strings.normalize,
    exp.Unhex: strings.from_hex,
    exp.Decode: strings.from_utf8,
    exp.Trim: strings.trim,
    exp.Bracket: arrays.subscript,
    exp.ArrayToString: arrays.array_join,
    # array functions and operators (rules/arrays.py)
    exp.ArrayMin: arrays.array_min_max,
    exp.ArrayMax: arrays.array_min_max,
    exp.ArrayPosition: arrays.array_position,
    exp.ArrayRemove: arrays.array_remove,
    exp.ArraySort: arrays.array_sort,
    exp.ArraySlice: arrays.array_slice,
    exp.Repeat: arrays.repeat,
    exp.GenerateSeries: arrays.sequence,
    exp.DPipe: _first(arrays.concat_operator, strings.dpipe),
    # comparisons: CHAR sides without their padding (rules/chars.py), arrays with Trino's
    # NULLs (rules/arrays.py), IPADDRESS in Trino's order (rules/ip.py)
    exp.EQ: _EQUALITY,
    exp.NEQ: _EQUALITY,
    exp.LT: _ORDER,
    exp.LTE: _ORDER,
    exp.GT: _ORDER,
    exp.GTE: _ORDER,
    # conditionals (rules/conditionals.py)
    exp.In: conditionals.in_list,
}


def rewrite(node: exp.Expr, context: Context) -> exp.Expr:
    """Apply `RULES` bottom-up to a tree (or subtree); returns what replaces `node`."""
    for child in list(node.iter_expressions()):
        rewrite(child, context)
    rule = RULES.get(type(node))
    if rule is None:
        return node
    # Detach first: a rule may wrap the node itself (CAST(node AS DATE)).
    spot = exp.Null()
    node.replace(spot)
    new = rule(node, context)
    spot.replace(new)
    return new
