"""Arithmetic and aggregates: integer `/` and `%` truncate, decimal `/` keeps Trino's scale.

Integer division and modulo truncate and fail on zero (`athena_int_div` / `athena_int_mod`).
Decimal division (`sum(bytes) / 1024.0`) keeps Trino's scale and half-up rounding, computed
exactly in integers, when both operands' scales are known; otherwise it is refused rather than
run as floating point.
"""

from __future__ import annotations

import functools

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, cast, lit, num
from vpc_cidr_analysis.engine.translate.rules.common import DECIMAL_DTYPE, Context, arity, combine
from vpc_cidr_analysis.engine.translate.rules.dates import interval_div, interval_of


def div(node: exp.Div, context: Context) -> exp.Expr:
    """`a / b` by the operands' kind: int truncates, decimal is exact, double stays."""
    if interval_of(node.this) is not None:  # an INTERVAL divided by a number: dates
        return interval_div(node, context)
    kind = combine(context.numeric_kind(node.this), context.numeric_kind(node.expression))
    if kind == "int":
        return call("athena_int_div", node.this, node.expression)
    if kind == "double":
        return node
    text = node.sql(READ_DIALECT)
    if kind == "decimal":
        dividend = _decimal_operand(node.this, context)
        divisor = _decimal_operand(node.expression, context)
        if dividend is not None and divisor is not None:
            return _decimal_division(dividend, divisor)
        raise UnsupportedSqlError(
            f"decimal division {text}: Trino rounds the quotient to the operands' scale, "
            "which is only reproduced here for integer and decimal-literal (or CAST AS "
            "DECIMAL) operands; cast an operand to DOUBLE to run it"
        )
    raise UnsupportedSqlError(
        f"cannot tell whether {text} divides integers (Trino truncates) or floating-point "
        "numbers; CAST an operand to BIGINT or DOUBLE"
    )


def mod(node: exp.Mod, context: Context) -> exp.Expr:
    """`a % b` of integers (or of unknown kinds) fails on zero as in Trino."""
    kind = combine(context.numeric_kind(node.this), context.numeric_kind(node.expression))
    if kind in ("int", "unknown"):
        return call("athena_int_mod", node.this, node.expression)
    return node


def approx_distinct(node: exp.ApproxDistinct, context: Context) -> exp.Expr:
    """approx_distinct(x, e): the standard-error argument only tunes the estimate; DuckDB's
    HyperLogLog is fixed, so it is dropped."""
    node.set("accuracy", None)
    return node


def _decimal_operand(node: exp.Expr, context: Context) -> tuple[exp.Expr, int] | None:
    """(unscaled value as HUGEINT, scale) of an integer or known-scale decimal operand."""
    if isinstance(node, exp.Paren):
        return _decimal_operand(node.this, context)
    if isinstance(node, exp.Neg):
        inner = _decimal_operand(node.this, context)
        return (exp.Neg(this=exp.Paren(this=inner[0])), inner[1]) if inner else None
    if isinstance(node, exp.Literal) and not node.is_string and "e" not in node.name.lower():
        whole, _, fraction = node.name.partition(".")
        return cast(num(str(int(whole + fraction or "0"))), "HUGEINT"), len(fraction)
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this == DECIMAL_DTYPE:
        params = node.to.expressions
        scale = int(params[1].name) if len(params) > 1 else 0
        scaled = exp.Mul(this=node, expression=num(str(10**scale)))
        return cast(scaled, "HUGEINT"), scale
    if context.numeric_kind(node) == "int":
        return cast(exp.Paren(this=node), "HUGEINT"), 0
    return None


def _decimal_division(dividend: tuple[exp.Expr, int], divisor: tuple[exp.Expr, int]) -> exp.Expr:
    """Trino's decimal quotient: scale max(s1, s2), rounded half away from zero, exactly.

    With a = A/10^s1 and b = B/10^s2 (A, B the unscaled integers), the result's unscaled
    value is round(A * 10^(s2 + s - s1) / B); it is computed in HUGEINT and scaled back by
    multiplying with a decimal literal, so no floating point is involved.
    """
    (a, s1), (b, s2) = dividend, divisor
    scale = max(s1, s2)
    numerator = exp.Mul(this=a, expression=num(str(10 ** (s2 + scale - s1))))
    quotient = cast(call("athena_round_div", numerator, b), "DECIMAL(38, 0)")
    if scale == 0:
        return quotient
    unit = num("0." + "0" * (scale - 1) + "1")
    return exp.Paren(this=exp.Mul(this=quotient, expression=unit))


def max_by(node: exp.ArgMax | exp.ArgMin, context: Context) -> exp.Expr:
    """max_by / min_by: the winning row's value even when it is NULL (DuckDB's arg_max skips
    rows whose value is NULL; arg_max_null does not). A NaN key never wins in Trino (DuckDB
    orders NaN above every number), so a key that may be a double passes NaN as NULL."""
    if node.args.get("count") is not None:
        return node
    name = "arg_max_null" if isinstance(node, exp.ArgMax) else "arg_min_null"
    key = node.expression
    if context.numeric_kind(key) in ("double", "unknown"):
        key = call("athena_nan_as_null", key)
    return call(name, node.this, key)


def count_if(node: exp.CountIf, context: Context) -> exp.Expr:
    """count_if over no rows, or only NULLs, is 0 in Trino (DuckDB: NULL)."""
    return exp.Coalesce(this=node, expressions=[num(0)])


def nan(node: exp.Anonymous, context: Context) -> exp.Expr:
    """nan(): the double NaN."""
    arity("nan", node.expressions, 0)
    return cast(lit("NaN"), "DOUBLE")


def infinity(node: exp.Anonymous, context: Context) -> exp.Expr:
    """infinity(): the double +Infinity."""
    arity("infinity", node.expressions, 0)
    return cast(lit("Infinity"), "DOUBLE")


#: Macros whose error TRY turns into NULL, and the macro that returns NULL instead.
_TRY_VARIANTS = {
    "athena_int_div": "athena_int_div_or_null",
    "athena_int_mod": "athena_int_mod_or_null",
    "athena_round_div": "athena_round_div_or_null",
}


def try_(node: exp.Try, context: Context) -> exp.Expr:
    """try(x): NULL where x fails. DuckDB's TRY does not take the macros that raise Trino's
    errors (error() is volatile), so division and modulo use their NULL-returning forms; any
    other raising macro inside is refused, naming it."""
    for inner in list(node.this.find_all(exp.Anonymous)):
        name = str(inner.name).lower()
        if name in _TRY_VARIANTS:
            inner.set("this", _TRY_VARIANTS[name])
        elif name in _raising_macros():
            raise UnsupportedSqlError(
                f"try() of an expression that runs {name}() is not supported locally"
            )
    return node


@functools.cache
def _raising_macros() -> frozenset[str]:
    """The macros of macros.sql that may call error(), also through another macro."""
    from vpc_cidr_analysis.engine.translate.pipeline import macro_calls  # pipeline imports rules

    calls = macro_calls()
    raising = {name for name, called in calls.items() if "error" in called}
    grown = True
    while grown:
        more = {n for n, called in calls.items() if n not in raising and called & raising}
        raising |= more
        grown = bool(more)
    return frozenset(raising)


def sqrt_ln(node: exp.Sqrt | exp.Ln, context: Context) -> exp.Expr:
    """sqrt / ln: NaN for a negative number and ln(0) -Infinity, as Java's Math gives
    Trino; DuckDB raises an error."""
    return call("athena_sqrt" if isinstance(node, exp.Sqrt) else "athena_ln", node.this)
