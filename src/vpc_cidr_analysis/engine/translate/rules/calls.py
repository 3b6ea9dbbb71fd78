"""Calls sqlglot does not know (exp.Anonymous), by name: placeholders, Teradata and Joda date
functions, `every`, and `any_match` / `all_match` / `none_match` with Trino's three values.
"""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.errors import UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.networks import NETWORK_CALLS, hoist_network
from vpc_cidr_analysis.engine.translate.nodes import PARAM_MARK, call, cast, num
from vpc_cidr_analysis.engine.translate.rules import (
    arrays,
    dates,
    numbers,
    regexps,
    strings,
    teradata,
    zones,
)
from vpc_cidr_analysis.engine.translate.rules.common import Context, Rule, arity


def anonymous(node: exp.Anonymous, context: Context) -> exp.Expr:
    """The rule of the call's name (`CALLS`); the calls networks.py made stay as they are."""
    name = str(node.name).lower()
    rule = CALLS.get(name)
    if rule is not None:
        return rule(node, context)
    if name in NETWORK_CALLS:  # made by networks.precompute_networks
        return node
    raise UnsupportedSqlError(f"Trino function {name}() has no DuckDB translation here")


def parameter(node: exp.Anonymous, context: Context) -> exp.Expr:
    """The marker of the n-th `?` (see pipeline) as the DuckDB parameter `$n`."""
    return exp.Parameter(this=exp.Literal.number(int(node.expressions[0].name)))


def every(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`every(x)` is `bool_and(x)`."""
    arity("every", node.expressions, 1)
    return call("bool_and", node.expressions[0])


def match(node: exp.Anonymous, context: Context) -> exp.Expr:
    """any/all/none_match with Trino's NULL rules, in one pass over the array.

    Each element's predicate becomes 2 (true), 1 (NULL) or 0 (false); any_match is the
    maximum (empty array: 0), all_match the minimum (empty array: 2), none_match is NOT
    any_match; the code picks FALSE, NULL or TRUE from a list. The aggregate appears once
    in the output: DuckDB expands a simple CASE or NULLIF by repeating its operand, which
    would evaluate the lambda again.
    """
    name = str(node.name).lower()
    arity(name, node.expressions, 2)
    array, fn = node.expressions
    if not isinstance(fn, exp.Lambda):
        raise UnsupportedSqlError(f"{name}(): the second argument must be a lambda")
    original = array
    array, fn = hoist_network(array, fn)
    body = fn.this
    coded = exp.Coalesce(
        this=exp.Mul(this=cast(exp.Paren(this=body), "INTEGER"), expression=num(2)),
        expressions=[num(1)],
    )
    lam = exp.Lambda(this=coded, expressions=fn.expressions)
    listed = call("list_transform", array.copy(), lam)
    aggregate = call("list_max" if name != "all_match" else "list_min", listed)
    empty = num(2) if name == "all_match" else num(0)
    code = exp.Add(this=exp.Coalesce(this=aggregate, expressions=[empty]), expression=num(1))
    outcomes = exp.Array(expressions=[exp.false(), exp.null(), exp.true()])
    value = call("list_extract", outcomes, code)
    result = exp.Case(
        ifs=[exp.If(this=exp.Is(this=original.copy(), expression=exp.null()), true=exp.null())],
        default=value,
    )
    if name == "none_match":
        return exp.Not(this=exp.Paren(this=result))
    return exp.Paren(this=result)


#: The rule of each call name (lower case). supported.ANONYMOUS lets these names through.
CALLS: dict[str, Rule] = {
    PARAM_MARK: parameter,
    "to_date": dates.to_date,
    "to_timestamp": dates.to_timestamp,
    "to_char": dates.to_char,
    "format_datetime": dates.format_datetime,
    "every": every,
    "any_match": match,
    "all_match": match,
    "none_match": match,
    "hamming_distance": strings.hamming_distance,
    "codepoint": strings.codepoint,
    "split_to_multimap": strings.split_to_multimap,
    "regexp_position": regexps.regexp_position,
    # time zones (rules/zones.py)
    "with_timezone": zones.with_timezone,
    "at_timezone": zones.at_timezone,
    "from_unixtime_nanos": zones.from_unixtime_nanos,
    # dates (rules/dates.py)
    "yow": dates.year_of_week,
    "to_milliseconds": dates.to_milliseconds,
    "millisecond": dates.millisecond,
    "to_iso8601": dates.to_iso8601,
    "parse_duration": dates.parse_duration,
    # Teradata strings (rules/teradata.py)
    "index": teradata.index,
    "char2hexint": teradata.char2hexint,
    # arrays (rules/arrays.py) and floating-point constants (rules/numbers.py)
    "arrays_overlap": arrays.arrays_overlap,
    "nan": numbers.nan,
    "infinity": numbers.infinity,
}
