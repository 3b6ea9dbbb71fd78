"""Dates and times: DATE arithmetic stays DATE, formats are converted, `now` can be pinned.

- `DATE ± INTERVAL`, `date_add` and `date_trunc` on dates stay DATE (DuckDB yields TIMESTAMP).
- `date_diff` counts whole units (DuckDB `date_sub`); `EXTRACT(DOW ...)` is ISO.
- `to_date` / `to_timestamp` / `to_char` (Teradata formats), `format_datetime` /
  `parse_datetime` (Joda) become strptime / strftime with the format converted by `formats`.
- `current_date`, `current_timestamp`, `now()`, `localtimestamp` are pinned to `today` when given.
- TIMESTAMP WITH TIME ZONE values are read at their wall time (`zones.wall_time`).
- A format from a column of one literal is that literal (`common.folded_literal`).
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import INTERVAL_META
from vpc_cidr_analysis.engine.translate.dialects import MYSQL_FORMAT_META, READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.formats import (
    joda_to_strftime,
    mysql_to_strftime,
    teradata_pieces,
    teradata_to_strftime,
)
from vpc_cidr_analysis.engine.translate.nodes import (
    call,
    cast,
    lit,
    num,
    string_literal,
    unit_name,
)
from vpc_cidr_analysis.engine.translate.rules.common import (
    Context,
    arity,
    folded_literal,
    literal_format,
)
from vpc_cidr_analysis.engine.translate.rules.zones import wall_time

#: The units Trino adds to (or truncates) a DATE; the others are errors there.
_DATE_UNITS = frozenset({"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"})


# ---- node rules ------------------------------------------------------------------------------


def date_arith(node: exp.Add | exp.Sub, context: Context) -> exp.Expr:
    """`date ± INTERVAL ...` stays a DATE."""
    left, right = node.this, node.expression
    interval = interval_of(right) or (interval_of(left) if isinstance(node, exp.Add) else None)
    if interval is None:
        return node
    base = left if interval_of(right) is not None else right
    if not context.is_date(base):
        return node
    unit = unit_name(interval.args.get("unit"))
    if unit not in _DATE_UNITS:
        # Trino (DateOperators) adds a day-to-second interval of whole days, and fails on
        # any other: the check runs on the interval's value.
        amount = right if base is left else left
        verb = (
            "subtract hour, minutes or seconds from"
            if isinstance(node, exp.Sub)
            else ("add hour, minutes or seconds to")
        )
        return call(
            "athena_whole_days", amount.copy(), cast(node, "DATE"), lit(f"Cannot {verb} a date")
        )
    return cast(node, "DATE")


def date_add(node: exp.DateAdd, context: Context) -> exp.Expr:
    """`date_add(unit, n, date)` stays a DATE."""
    if not context.is_date(node.this):
        return node
    unit = unit_name(node.args.get("unit"))
    if unit not in _DATE_UNITS:
        raise UnsupportedSqlError(
            f"{node.sql(READ_DIALECT)}: date_add('{unit.lower()}', ...) on a DATE fails in Trino"
        )
    return cast(node, "DATE")


def date_diff(node: exp.DateDiff, context: Context) -> exp.Expr:
    """Trino counts whole units elapsed: DuckDB's date_sub (date_diff counts boundaries)."""
    unit = unit_name(node.args.get("unit")).lower()
    return call("date_sub", lit(unit), node.expression, node.this)


def date_trunc(node: exp.Expr, context: Context) -> exp.Expr:
    """`date_trunc(unit, date)` stays a DATE."""
    if context.is_date(node.this):
        return cast(node, "DATE")
    return node


def current_date(node: exp.CurrentDate, context: Context) -> exp.Expr:
    """`current_date` as the pinned day."""
    if context.today is None:
        return node
    return cast(lit(context.today.isoformat()), "DATE")


def current_timestamp(node: exp.CurrentTimestamp, context: Context) -> exp.Expr:
    """`current_timestamp` / `now()` as midnight UTC of the pinned day."""
    if context.today is None:
        return node
    return cast(lit(f"{context.today.isoformat()} 00:00:00+00"), "TIMESTAMPTZ")


def localtimestamp(node: exp.Localtimestamp, context: Context) -> exp.Expr:
    """`localtimestamp` as midnight of the pinned day (the session zone is UTC)."""
    if context.today is None:
        return node
    return cast(lit(f"{context.today.isoformat()} 00:00:00"), "TIMESTAMP")


def parse_datetime(node: exp.ParseDatetime, context: Context) -> exp.Expr:
    """`parse_datetime(text, joda)` is refused: Trino gives the result the session's time zone
    (the pattern's zone fields are refused too), which would be read as UTC here."""
    raise UnsupportedSqlError(
        "parse_datetime() is not supported locally: its result is in the session time zone "
        "(use date_parse, whose result is a TIMESTAMP)"
    )


def extract(node: exp.Extract, context: Context) -> exp.Expr:
    """`EXTRACT(DOW ...)` and `EXTRACT(YOW ...)` are ISO (Monday is 1)."""
    unit = unit_name(node.this)
    if isinstance(node.expression, (exp.Interval, exp.Paren)):
        value = _interval_field(node.expression, unit)
        if value is not None:
            return value
    computed = interval_field(node.expression, unit)
    if computed is not None:
        return computed
    _refuse_interval_field(node, node.expression)
    node.set("expression", wall_time(node.expression, f"EXTRACT({unit})"))
    if unit in ("DOW", "DAY_OF_WEEK", "DAYOFWEEK"):
        return call("isodow", node.expression)
    if unit in ("YOW", "YEAR_OF_WEEK"):
        return call("isoyear", node.expression)
    return node


def field(node: exp.Expr, context: Context) -> exp.Expr:
    """year() / month() / day() / hour() / minute() / second() of an INTERVAL literal are
    computed here, as Trino normalizes them; of any other INTERVAL they are refused."""
    if isinstance(node.this, (exp.Interval, exp.Paren)):
        value = _interval_field(node.this, type(node).__name__.upper())
        if value is not None:
            return value
    computed = interval_field(node.this, type(node).__name__.upper())
    if computed is not None:
        return computed
    _refuse_interval_field(node, node.this)
    node.set("this", wall_time(node.this, f"{type(node).__name__.lower()}()"))
    return node


def date_of(node: exp.Date, context: Context) -> exp.Expr:
    """`date(x)`: of a TIMESTAMP WITH TIME ZONE, the day of its wall time."""
    if node.this is not None:
        node.set("this", wall_time(node.this, "date()"))
    return node


_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}
_MONTHS = {"MONTH": 1, "YEAR": 12}


def _interval_field(node: exp.Expr, field_name: str) -> exp.Expr | None:
    """A field of `INTERVAL 'n' unit` (one unit, a plain number) as Trino gives it."""
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Interval) or not isinstance(node.this, exp.Literal):
        return None
    unit = unit_name(node.args.get("unit"))
    try:
        amount = Decimal(str(node.this.this))
    except ArithmeticError:
        return None
    if unit in _SECONDS and field_name in ("DAY", "HOUR", "MINUTE", "SECOND"):
        millis = int(amount * _SECONDS[unit] * 1000)
        seconds = abs(millis) // 1000
        parts = {
            "DAY": seconds // 86400,
            "HOUR": seconds // 3600 % 24,
            "MINUTE": seconds // 60 % 60,
            "SECOND": seconds % 60,
        }
        sign = -1 if millis < 0 else 1
        return num(sign * parts[field_name])
    if unit in _MONTHS and field_name in ("YEAR", "MONTH") and amount == int(amount):
        months = abs(int(amount) * _MONTHS[unit])
        sign = -1 if amount < 0 else 1
        return num(sign * (months // 12 if field_name == "YEAR" else months % 12))
    return None


def _refuse_interval_field(node: exp.Expr, argument: exp.Expr | None) -> None:
    if interval_of(argument) is not None:
        raise UnsupportedSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: fields of an INTERVAL are not supported locally "
            "(DuckDB does not normalize them as Trino does)"
        )


_DIRECTIVE = re.compile(r"%-?.")


def date_format(node: exp.TimeToStr, context: Context) -> exp.Expr:
    """date_format(x, format): the format converted by `formats.mysql_to_strftime` (a literal,
    or a column of one literal); of a TIMESTAMP WITH TIME ZONE, its wall time."""
    node.set("this", wall_time(node.this, "date_format()"))
    text = _mysql_format(node, "date_format")
    if text is None:
        raise UnsupportedSqlError(
            "date_format(): the format must be a string literal to translate it"
        )
    node.set("format", lit(text))
    return node


def date_parse(node: exp.StrToTime, context: Context) -> exp.Expr:
    """date_parse(x, format) with Trino's defaults where DuckDB's strptime differs: no year
    is 1970 (DuckDB: 1900), `%y` 69 is 2069 (DuckDB: 1969), a 12-hour clock without `%p` is
    AM, fractions are cut to milliseconds; week dates and weekdays are refused."""
    if not node.meta.get(MYSQL_FORMAT_META):
        return node  # made by another rule (to_date, to_timestamp), already converted
    text = _mysql_format(node, "date_parse")
    if text is None:
        raise UnsupportedSqlError(
            "date_parse(): the format must be a string literal to translate it"
        )
    directives = set(_DIRECTIVE.findall(text))
    for refused, reason in (
        ({"%G", "%V"}, "week dates (%x %v)"),
        ({"%j"}, "a day of the year"),
        ({"%a", "%A"}, "a weekday"),
    ):
        if directives & refused:
            raise UnsupportedSqlError(
                f"date_parse(..., {text!r}): a format with {reason} is not supported locally"
            )
    value: exp.Expr = node.this
    if directives & {"%I", "%-I"} and "%p" not in directives:
        value = exp.DPipe(this=value, expression=lit(" AM"), safe=True)
        text += " %p"
    if not directives & {"%Y", "%y"}:
        value = exp.DPipe(this=lit("1970 "), expression=value, safe=True)
        text = "%Y " + text
    parsed: exp.Expr = exp.StrToTime(this=value, format=lit(text))
    if "%f" in directives:
        # DuckDB's %f reads 1-6 digits exactly (more is an error); Trino's result is
        # TIMESTAMP(3): the fraction is cut to milliseconds.
        parsed = exp.TimestampTrunc(this=parsed, unit=exp.var("MILLISECOND"))
    if "%y" in directives and "%Y" not in directives:
        # DuckDB reads 69 as 1969; Trino's pivot (2020) makes it 2069. Every other two-digit
        # year is read the same.
        parsed = exp.Case(
            ifs=[
                exp.If(
                    this=exp.EQ(this=exp.Year(this=parsed.copy()), expression=num(1969)),
                    true=exp.Add(
                        this=parsed.copy(),
                        expression=exp.Interval(this=num(100), unit=exp.var("YEAR")),
                    ),
                )
            ],
            default=parsed,
        )
    return parsed


def _mysql_format(node: exp.Expr, function: str) -> str | None:
    """The strftime format of date_format / date_parse's Trino format (a literal, or a column
    of one literal: `folded_literal`), None when it is neither."""
    text = folded_literal(node.args.get("format"))
    if text is None:
        return None
    return mysql_to_strftime(text, function=function)


# ---- calls sqlglot does not know (exp.Anonymous, see calls) ---------------------------------


def to_date(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`to_date(text, teradata)`: strptime with the converted format, as a DATE."""
    args = node.expressions
    arity("to_date", args, 2)
    fmt = literal_format("to_date", args[1])
    return cast(exp.StrToTime(this=args[0], format=lit(teradata_to_strftime(fmt))), "DATE")


def to_timestamp(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`to_timestamp(text, teradata)`: strptime with the converted format."""
    args = node.expressions
    arity("to_timestamp", args, 2)
    fmt = literal_format("to_timestamp", args[1])
    return exp.StrToTime(
        this=args[0], format=lit(teradata_to_strftime(fmt, function="to_timestamp"))
    )


def to_char(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`to_char(timestamp, teradata)`: strftime with the converted format; each `hh` (hour of
    half-day, 00-11) is the hour modulo 12 in two digits."""
    args = node.expressions
    arity("to_char", args, 2)
    fmt = literal_format("to_char", args[1])
    value = wall_time(args[0], "to_char()")
    parts: list[exp.Expr] = []
    for piece in teradata_pieces(fmt, function="to_char"):
        if piece is None:
            hour = exp.Mod(this=exp.Hour(this=value.copy()), expression=num(12))
            parts.append(call("lpad", cast(hour, "VARCHAR"), num(2), lit("0")))
        else:
            parts.append(call("strftime", value.copy(), lit(piece)))
    if len(parts) == 1:
        return parts[0]
    return exp.DPipe(this=_concat(parts[:-1]), expression=parts[-1], safe=True)


def _concat(parts: list[exp.Expr]) -> exp.Expr:
    if len(parts) == 1:
        return parts[0]
    return exp.DPipe(this=_concat(parts[:-1]), expression=parts[-1], safe=True)


def format_datetime(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`format_datetime(timestamp, joda)`: strftime with the converted format."""
    args = node.expressions
    arity("format_datetime", args, 2)
    fmt = literal_format("format_datetime", args[1])
    return call("strftime", args[0], lit(joda_to_strftime(fmt, function="format_datetime")))


def interval_of(node: exp.Expr | None) -> exp.Interval | None:
    """The interval of `INTERVAL '1' DAY`, `INTERVAL '1' DAY * n`, `-INTERVAL ...`."""
    if isinstance(node, exp.Interval):
        return node
    if node is not None and isinstance(node.meta.get(INTERVAL_META), exp.Interval):
        return node.meta[INTERVAL_META]  # type: ignore[no-any-return]
    if isinstance(node, (exp.Paren, exp.Neg)):
        return interval_of(node.this)
    if isinstance(node, exp.Mul):
        return interval_of(node.this) or interval_of(node.expression)
    return None


# ---- INTERVAL literals of two fields and INTERVAL as text -----------------------------------

_DAY_TIME_FIELDS = ("DAY", "HOUR", "MINUTE", "SECOND")
_FIELD_MILLIS = {"DAY": 86_400_000, "HOUR": 3_600_000, "MINUTE": 60_000, "SECOND": 1000}
_YEAR_MONTH_UNITS = frozenset({"YEAR", "MONTH", "QUARTER"})


def interval_span(node: exp.Interval, context: Context) -> exp.Expr:
    """`INTERVAL '1 12:00:00.000' DAY TO SECOND` / `INTERVAL '1-2' YEAR TO MONTH` (which
    DuckDB cannot parse) as a number of milliseconds or months, read as Trino reads them: the
    fields from the first unit on, the sign for the whole value."""
    unit = node.args.get("unit")
    if not isinstance(unit, exp.IntervalSpan):
        return node
    start, end = unit_name(unit.this), unit_name(unit.expression)
    text = string_literal(node.this)
    if text is None:
        raise UnsupportedSqlError(f"INTERVAL ... {start} TO {end}: the value must be a literal")
    body = text.strip()
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    if (start, end) == ("YEAR", "MONTH"):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", body)
        if not match:
            raise InvalidSqlError(f"Invalid INTERVAL YEAR TO MONTH value: {text}")
        months = int(match.group(1)) * 12 + int(match.group(2) or 0)
        return exp.Interval(this=num(sign * months), unit=exp.var("MONTH"))
    if start not in _DAY_TIME_FIELDS or end not in _DAY_TIME_FIELDS:
        raise UnsupportedSqlError(f"INTERVAL ... {start} TO {end} is not supported locally")
    fields = _DAY_TIME_FIELDS[_DAY_TIME_FIELDS.index(start) : _DAY_TIME_FIELDS.index(end) + 1]
    parts = re.split(r"[ :]", body) if body else []
    if (
        not parts
        or len(parts) > len(fields)
        or not all(re.fullmatch(r"\d+", p) for p in parts[:-1])
    ):
        raise InvalidSqlError(f"Invalid INTERVAL {start} TO {end} value: {text}")
    millis = Decimal(0)
    for field_name, part in zip(fields, parts, strict=False):
        if not re.fullmatch(r"\d+(\.\d+)?" if field_name == "SECOND" else r"\d+", part):
            raise InvalidSqlError(f"Invalid INTERVAL {start} TO {end} value: {text}")
        millis += Decimal(part) * _FIELD_MILLIS[field_name]
    return exp.Interval(this=num(str(sign * int(millis))), unit=exp.var("MILLISECOND"))


def interval_text(node: exp.Cast, interval: exp.Interval) -> exp.Expr:
    """`CAST(interval AS VARCHAR)` as Trino writes it: `1 02:03:04.000` (day to second) or
    `1-2` (year to month), by the unit of the interval (`athena_*_interval_text`)."""
    unit = interval.args.get("unit")
    first = unit_name(unit.this if isinstance(unit, exp.IntervalSpan) else unit)
    if unit_name(unit) == "MONTH" and isinstance(interval.this, exp.Literal):
        first = "MONTH"  # a YEAR TO MONTH literal after interval_span
    if first in _YEAR_MONTH_UNITS:
        return call("athena_year_month_interval_text", node.this)
    return call("athena_day_time_interval_text", node.this)


# ---- small date functions ------------------------------------------------------------------


def last_day_of_month(node: exp.LastDay, context: Context) -> exp.Expr:
    """`last_day_of_month(x)`: the DATE of the month's last day (of the wall time)."""
    return cast(call("last_day", wall_time(node.this, "last_day_of_month()")), "DATE")


def year_of_week(node: exp.Expr, context: Context) -> exp.Expr:
    """`year_of_week(x)` / `yow(x)`: the ISO week-based year."""
    argument = node.this if isinstance(node, exp.YearOfWeek) else node.expressions[0]
    if isinstance(node, exp.Anonymous):
        arity("yow", node.expressions, 1)
    return call("isoyear", wall_time(argument, "year_of_week()"))


def to_milliseconds(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`to_milliseconds(interval)`: whole milliseconds of a day-to-second interval."""
    arity("to_milliseconds", node.expressions, 1)
    return exp.IntDiv(this=call("epoch_us", node.expressions[0]), expression=num(1000))


def millisecond(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`millisecond(x)`: the millisecond of the second, 0-999 (DuckDB's counts the seconds
    too); of an interval, of its milliseconds."""
    arity("millisecond", node.expressions, 1)
    argument = node.expressions[0]
    if interval_of(argument) is not None:
        return exp.Mod(
            this=exp.IntDiv(this=call("epoch_us", argument), expression=num(1000)),
            expression=num(1000),
        )
    millis = call("millisecond", wall_time(argument, "millisecond()"))
    return exp.Mod(this=millis, expression=num(1000))


def to_iso8601(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`to_iso8601(x)` of a DATE (`2001-08-22`); of timestamps refused (Trino writes the
    fraction to the type's precision, which is not known here)."""
    arity("to_iso8601", node.expressions, 1)
    argument = node.expressions[0]
    if context.is_date(argument):
        return call("strftime", argument, lit("%Y-%m-%d"))
    raise UnsupportedSqlError(
        "to_iso8601() of a timestamp is not supported locally (the fraction's digits depend "
        "on the timestamp's precision)"
    )


def _is_year_month(interval: exp.Interval) -> bool:
    unit = interval.args.get("unit")
    first = unit_name(unit.this if isinstance(unit, exp.IntervalSpan) else unit)
    return first in _YEAR_MONTH_UNITS


def interval_div(node: exp.Div, context: Context) -> exp.Expr:
    """`interval / x`: Trino divides the milliseconds (or months) as doubles and truncates
    (IntervalDayTimeOperators.divideByDouble); dividing by 0 or NaN is an error."""
    interval = interval_of(node.this)
    assert interval is not None
    macro = (
        "athena_year_month_interval_div"
        if _is_year_month(interval)
        else "athena_day_time_interval_div"
    )
    return call(macro, node.this, node.expression)


def interval_field(node: exp.Expr, field_name: str) -> exp.Expr | None:
    """day() / hour() / minute() / second() of a day-to-second INTERVAL from a column: its
    milliseconds split as Trino splits them (Java's truncating division and remainder)."""
    interval = interval_of(node)
    if interval is None or _is_year_month(interval) or field_name not in _FIELD_MILLIS:
        return None
    millis = exp.IntDiv(this=call("epoch_us", node), expression=num(1000))
    whole = exp.IntDiv(this=call("abs", millis), expression=num(_FIELD_MILLIS[field_name]))
    modulus = {"DAY": None, "HOUR": 24, "MINUTE": 60, "SECOND": 60}[field_name]
    part: exp.Expr = whole if modulus is None else exp.Mod(this=whole, expression=num(modulus))
    return exp.Mul(this=call("sign", millis.copy()), expression=exp.Paren(this=part))


def from_iso8601_date(node: exp.FromISO8601Date, context: Context) -> exp.Expr:
    """`from_iso8601_date(text)`: a calendar date `yyyy-MM-dd`; the other ISO forms Trino
    reads (week dates, ordinal dates, `yyyy-MM`) are an error here, when the query runs."""
    text = node.this
    checked = exp.Case(
        ifs=[
            exp.If(
                this=call("regexp_full_match", text.copy(), lit(r"\d{4}-\d{2}-\d{2}")),
                true=cast(text.copy(), "DATE"),
            ),
            exp.If(
                this=exp.Not(this=exp.Is(this=text.copy(), expression=exp.null())),
                true=call(
                    "error",
                    exp.DPipe(
                        this=lit("from_iso8601_date(): only yyyy-MM-dd is supported locally: "),
                        expression=text.copy(),
                    ),
                ),
            ),
        ]
    )
    return cast(checked, "DATE")


def parse_duration(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`parse_duration(text)`: airlift's Duration (a number and a unit ns us ms s m h d) as
    a day-to-second interval of whole milliseconds (`athena_parse_duration`)."""
    arity("parse_duration", node.expressions, 1)
    return call("athena_parse_duration", node.expressions[0])


#: The white space Trino's CAST to DATE ignores around the text (Java's isWhitespace, ASCII).
_DATE_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"


def text_to_date(node: exp.Cast) -> exp.Expr:
    """`CAST(text AS DATE)`: Trino ignores white space around the date and a `+` before the
    year (DuckDB rejects both); the rest is DuckDB's reading of `yyyy-m-d`."""
    text = node.this
    literal = string_literal(text)
    if literal is not None:  # the same rule, applied now
        trimmed_text = re.sub(f"^{_DATE_SPACE}*\\+?([0-9])", r"\1", literal)
        node.set("this", lit(re.sub(f"{_DATE_SPACE}+$", "", trimmed_text)))
        return node
    trimmed = call(
        "regexp_replace",
        call("regexp_replace", text, lit(f"^{_DATE_SPACE}*\\+?([0-9])"), lit("\\1")),
        lit(f"{_DATE_SPACE}+$"),
        lit(""),
    )
    node.set("this", trimmed)
    return node
