"""The rewrite of Trino constructs into DuckDB ones: one rule per sqlglot node type.

`RULES` maps a node type to its rule, as sqlglot's `Generator.TRANSFORMS` maps a node type to
its SQL: a small function from the node (and the `Context`: annotated types, the pinned day) to
the node that replaces it. `rewrite` applies them bottom-up, children first. The rules live by
family: `arrays`, `casts`, `conditionals`, `ip`, `numbers`, `dates`, `strings`, and `calls` for
the functions sqlglot does not know (exp.Anonymous), which it dispatches by name.
"""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.rules import (
    arrays,
    calls,
    casts,
    conditionals,
    dates,
    ip,
    numbers,
    strings,
)
from vpc_cidr_analysis.engine.translate.rules.common import Context, Rule

__all__ = ["RULES", "Context", "Rule", "rewrite"]

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
    exp.UnixToTime: dates.from_unixtime,
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
    exp.Substring: strings.substring,
    exp.Replace: strings.replace,
    exp.Pad: strings.pad,
    exp.Split: strings.split,
    exp.Concat: strings.concat,
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
    exp.EQ: arrays.equality,
    exp.NEQ: arrays.equality,
    exp.DPipe: arrays.concat_operator,
    # IPADDRESS ordering (rules/ip.py)
    exp.LT: ip.order_comparison,
    exp.LTE: ip.order_comparison,
    exp.GT: ip.order_comparison,
    exp.GTE: ip.order_comparison,
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
