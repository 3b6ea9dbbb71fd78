"""The checked subset: the functions and cast types let through, and the check refusing the rest.

Each function or type here was checked against Trino's documented semantics: it means the same
in DuckDB, or a rule rewrites it. Anything else raises `UnsupportedSqlError` naming it, before
any rewriting.
"""

from __future__ import annotations

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import PARAM_MARK, dtype, is_ipaddress_type

#: Functions (sqlglot node types) that mean the same in DuckDB, or that a rule rewrites.
PASS_FUNCTIONS: tuple[type[exp.Expr], ...] = (
    # logic and conditionals
    exp.And,
    exp.Or,
    exp.Xor,
    exp.Case,
    exp.If,
    exp.Coalesce,
    exp.Nullif,
    exp.Exists,
    exp.Greatest,
    exp.Least,
    exp.Try,
    # aggregates
    exp.Count,
    exp.Sum,
    exp.Avg,
    exp.Min,
    exp.Max,
    exp.CountIf,
    exp.ApproxDistinct,
    exp.ApproxQuantile,
    exp.AnyValue,
    exp.ArgMax,
    exp.ArgMin,
    exp.LogicalAnd,
    exp.LogicalOr,
    exp.ArrayAgg,
    exp.Stddev,
    exp.StddevPop,
    exp.StddevSamp,
    exp.Variance,
    exp.VariancePop,
    exp.Grouping,
    # window functions
    exp.RowNumber,
    exp.Rank,
    exp.DenseRank,
    exp.PercentRank,
    exp.CumeDist,
    exp.Ntile,
    exp.Lag,
    exp.Lead,
    exp.FirstValue,
    exp.LastValue,
    exp.NthValue,
    # strings
    exp.Lower,
    exp.Upper,
    exp.Length,
    exp.Substring,
    exp.Concat,
    exp.ConcatWs,
    exp.Trim,
    exp.Replace,
    exp.StrPosition,
    exp.StartsWith,
    exp.Reverse,
    exp.Pad,
    exp.Split,
    exp.RegexpLike,
    exp.Chr,
    exp.Levenshtein,
    exp.Soundex,
    exp.Translate,
    exp.StrToMap,
    exp.Normalize,
    exp.Unhex,
    exp.Encode,
    exp.Decode,
    # numbers
    exp.Abs,
    exp.Ceil,
    exp.Floor,
    exp.Round,
    exp.Sign,
    exp.Sqrt,
    exp.Pow,
    exp.Ln,
    exp.Log,
    exp.Exp,
    exp.Rand,
    # dates and times
    exp.CurrentDate,
    exp.CurrentTimestamp,
    exp.Localtimestamp,
    exp.Date,
    exp.TimeToStr,
    exp.StrToTime,
    exp.UnixToTime,
    exp.TimeToUnix,
    exp.DateAdd,
    exp.DateDiff,
    exp.TimestampTrunc,
    exp.DateTrunc,
    exp.Extract,
    exp.Year,
    exp.Quarter,
    exp.Month,
    exp.Day,
    exp.Hour,
    exp.Minute,
    exp.Second,
    exp.DayOfWeekIso,
    exp.DayOfYear,
    exp.WeekOfYear,
    exp.LastDay,
    exp.FromISO8601Date,
    exp.FromISO8601Timestamp,
    exp.FromISO8601TimestampNanos,
    exp.YearOfWeek,
    # arrays and lambdas
    exp.Array,
    exp.ArraySize,
    exp.ArrayContains,
    exp.ArrayToString,
    exp.ArrayFilter,
    exp.Transform,
    exp.Explode,
    exp.Unnest,
    exp.ArrayMin,
    exp.ArrayMax,
    exp.ArrayPosition,
    exp.ArrayRemove,
    exp.ArraySort,
    exp.ArraySlice,
    exp.Repeat,
    exp.GenerateSeries,
    # casts (types are checked separately)
    exp.Cast,
    exp.TryCast,
    # rewritten by the rules
    exp.SplitPart,
    exp.RegexpExtract,
    exp.RegexpReplace,
    exp.RegexpCount,
    exp.RegexpExtractAll,
    exp.ParseDatetime,
)


#: Trino functions sqlglot does not know (exp.Anonymous) that are rewritten here.
ANONYMOUS = frozenset(
    {
        "to_date",
        "to_timestamp",
        "to_char",
        "format_datetime",
        "any_match",
        "all_match",
        "none_match",
        "every",
        "hamming_distance",
        "codepoint",
        "split_to_multimap",
        "regexp_position",
        # time zones (rules/zones.py)
        "with_timezone",
        "at_timezone",
        "from_unixtime_nanos",
        # dates (rules/dates.py)
        "yow",
        "to_milliseconds",
        "millisecond",
        "to_iso8601",
        "parse_duration",
        # Teradata strings (rules/teradata.py)
        "index",
        "char2hexint",
        # arrays and floating-point constants
        "arrays_overlap",
        "nan",
        "infinity",
    }
)


#: Cast target types that mean the same in Trino and DuckDB.
CAST_TYPES = frozenset(
    dtype(t)
    for t in (
        "tinyint",
        "smallint",
        "int",
        "bigint",
        "double",
        "real",
        "decimal(10,2)",
        "varchar",
        "date",
        "timestamp",
        "boolean",
        "char",
        # TIMESTAMP WITH TIME ZONE: the instant, its zone kept while translating (rules/zones.py)
        "timestamptz",
        # TIME WITH TIME ZONE literals of one offset per query (rules/zones.py)
        "timetz",
    )
)


def _fn_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Func) and not isinstance(node, exp.Anonymous):
        return str(node.sql_name()).lower()
    return str(node.name).lower()


def check_supported(tree: exp.Expr) -> None:
    """Refuse functions and types outside the checked subset, naming them."""
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            name = str(node.name).lower()
            if name == PARAM_MARK or name in ANONYMOUS:
                continue
            raise UnsupportedSqlError(
                f"Trino function {name}() has no faithful DuckDB translation here"
            )
        if isinstance(node, exp.Func) and not isinstance(node, PASS_FUNCTIONS):
            raise UnsupportedSqlError(
                f"Trino function {_fn_name(node)}() ({node.sql(READ_DIALECT)[:60]}) has no "
                "faithful DuckDB translation here"
            )
        if isinstance(node, (exp.Cast, exp.TryCast)):
            _check_cast_type(node)
        if isinstance(node, exp.Lateral) or (
            isinstance(node, exp.Unnest) and node.args.get("offset")
        ):
            raise UnsupportedSqlError(
                f"{node.sql(READ_DIALECT)[:60]}: LATERAL / WITH ORDINALITY are not supported"
            )


def _check_cast_type(node: exp.Cast) -> None:
    to = node.to
    if is_ipaddress_type(to) or to.this in CAST_TYPES or to.this == exp.DataType.Type.JSON:
        return  # JSON: rules.arrays.cast_to_json checks what is cast
    leaf = to
    while leaf.this == exp.DataType.Type.ARRAY and leaf.expressions:
        leaf = leaf.expressions[0]  # ARRAY(T): T is checked (rules.arrays.cast_to_array)
    if leaf is not to and leaf.this in CAST_TYPES:
        return
    raise UnsupportedSqlError(
        f"CAST to {to.sql(READ_DIALECT)} is not supported locally (supported: IPADDRESS, "
        "VARCHAR, CHAR, integer types, DOUBLE, REAL, DECIMAL, DATE, TIMESTAMP, BOOLEAN)"
    )
