"""TIMESTAMP WITH TIME ZONE: the instant in DuckDB, its zone known while translating.

A Trino `timestamp with time zone` is an instant and a zone (`+07:09`, `Asia/Shanghai`); the zone
shows in what is computed from the value's wall time (date_format, hour(), date(), CAST to
TIMESTAMP or DATE). DuckDB's TIMESTAMPTZ is only the instant, read in the session zone (UTC, as
Athena's). So the value is the TIMESTAMPTZ instant, and the zone is a property of the
expression, worked out before the rules run (`mark_zones`) and kept in `ZONE_META`:

- none (UTC): `from_unixtime(x)`, casts of timestamps, literals in UTC — DuckDB's own reading;
- an offset or a named zone (through DuckDB's built-in ICU) from a literal: the literal's zone,
  `with_timezone(ts, 'zone')`, `at_timezone(tz, 'zone')`, `from_unixtime(x, 'zone')`,
  `from_unixtime(x, h, m)` with literal h, m; a column whose every source has that zone;
- `UNKNOWN_ZONE` when the zone comes from a column (`from_unixtime(x, zone_column)`).

The rules that read the wall time (`wall_time`) use the zone; anything else given a value with a
zone other than UTC is refused by `check_zones` after the rules (comparisons, the query's output
and `to_unixtime` only need the instant, and are let through).
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlglot import exp

from vpc_cidr_analysis.engine.translate.columns import column_sources
from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.nodes import call, cast, lit, num, string_literal
from vpc_cidr_analysis.engine.translate.rules.common import Context, folded_literal

#: `meta` key: the zone of an expression whose value is a TIMESTAMP WITH TIME ZONE in a zone
#: other than UTC (`+07:09`, `Asia/Shanghai`, or `UNKNOWN_ZONE`).
ZONE_META = "athena_zone"
#: The zone of a value whose zone comes from data: only its instant is known.
UNKNOWN_ZONE = "?"

_TZ = exp.DataType.Type.TIMESTAMPTZ
_OFFSET = re.compile(r"^([+-])(\d{1,2})(?::?(\d{2}))?$")
_NAMED = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*$")
_UTC_NAMES = frozenset({"UTC", "Z", "GMT", "UT", "ETC/UTC", "ETC/GMT", "ZULU", "UCT"})
#: A timestamp literal's text, then its zone (Trino: `yyyy-mm-dd[ hh:mm[:ss[.f]]] zone`).
_ZONED_TEXT = re.compile(
    r"^\s*(\d{4,}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d{1,12})?)?)?)"
    r"\s*(Z|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z][A-Za-z0-9_/+\-]*)\s*$"
)
_PLAIN_TEXT = re.compile(
    r"^\s*\d{4,}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d{1,12})?)?)?\s*$"
)
#: Trino's largest offset, ±14:00 (TimeZoneKey.MAX_OFFSET).
_MAX_OFFSET_MINUTES = 14 * 60


def zone_name(text: str) -> str | None:
    """A zone's canonical text: None for UTC, `±hh:mm` for an offset, else the region name.

    Raises InvalidSqlError for text that is no zone at all (Trino: not a valid time zone).
    """
    text = text.strip()
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        total = hours * 60 + minutes
        if minutes > 59 or total > _MAX_OFFSET_MINUTES:
            raise InvalidSqlError(f"'{text}' is not a valid time zone")
        if total == 0:
            return None
        return f"{sign}{hours:02d}:{minutes:02d}"
    if text.upper() in _UTC_NAMES:
        return None
    if not _NAMED.match(text):
        raise InvalidSqlError(f"'{text}' is not a valid time zone")
    return text


def offset_minutes(zone: str) -> int | None:
    """The minutes east of UTC of an offset zone (`+07:09` → 429), None for a named zone."""
    match = _OFFSET.match(zone)
    if not match:
        return None
    total = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return -total if match.group(1) == "-" else total


# ---- the zone of an expression, before the rules -------------------------------------------


def static_zone(node: exp.Expr, depth: int = 0) -> str | None:
    """The zone of a TIMESTAMP WITH TIME ZONE expression of the Athena tree (None: UTC)."""
    if isinstance(node, exp.Paren):
        return static_zone(node.this, depth)
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this == _TZ:
        text = string_literal(node.this)
        if text is not None:
            return literal_zone(text)[1]
        return static_zone(node.this, depth)
    if isinstance(node, exp.UnixToTime):
        return _from_unixtime_zone(node)
    if isinstance(node, exp.Anonymous) and str(node.name).lower() in (
        "with_timezone",
        "at_timezone",
    ):
        if len(node.expressions) != 2:
            return None
        text = folded_literal(node.expressions[1])
        return zone_name(text) if text is not None else UNKNOWN_ZONE
    if isinstance(node, exp.Column) and depth <= 8:
        known = [v for v in column_sources(node) if not isinstance(v, exp.Null)]
        zones = {static_zone(v, depth + 1) for v in known}
        if len(zones) == 1:
            return zones.pop()
        return UNKNOWN_ZONE if len(zones) > 1 else None
    return None


def _from_unixtime_zone(node: exp.UnixToTime) -> str | None:
    zone = node.args.get("zone")
    hours, minutes = node.args.get("hours"), node.args.get("minutes")
    if zone is not None:
        text = folded_literal(zone)
        return zone_name(text) if text is not None else UNKNOWN_ZONE
    if hours is not None or minutes is not None:
        values = [_integer(v) for v in (hours, minutes)]
        if None in values:
            return UNKNOWN_ZONE
        total = (values[0] or 0) * 60 + (values[1] or 0)
        if abs(total) > _MAX_OFFSET_MINUTES:
            return UNKNOWN_ZONE  # the run-time check raises Trino's error
        sign = "-" if total < 0 else "+"
        return zone_name(f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}")
    return None


def _integer(node: exp.Expr | None) -> int | None:
    if node is None:
        return 0
    if isinstance(node, exp.Neg):
        inner = _integer(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string and node.this.lstrip("-").isdigit():
        return int(node.this)
    return None


def literal_zone(text: str) -> tuple[str, str | None]:
    """A TIMESTAMP WITH TIME ZONE literal's (wall time text, zone); no zone is UTC."""
    match = _ZONED_TEXT.match(text)
    if match:
        return match.group(1), zone_name(match.group(2))
    if _PLAIN_TEXT.match(text):
        return text.strip(), None  # no zone: the session's, UTC
    raise UnsupportedSqlError(
        f"TIMESTAMP WITH TIME ZONE '{text}': only 'yyyy-mm-dd hh:mm:ss.fff zone' text is "
        "supported locally"
    )


def mark_zones(tree: exp.Expr) -> None:
    """Set `ZONE_META` on each column of TIMESTAMP WITH TIME ZONE values not in UTC."""
    for column in tree.find_all(exp.Column):
        zone = static_zone(column)
        if zone is not None:
            column.meta[ZONE_META] = zone
        if all(_is_nanos_source(v) for v in column_sources(column)) and column_sources(column):
            column.meta[NANOS_META] = True
    for call_node in tree.find_all(exp.Anonymous):
        if str(call_node.name).lower() == "from_unixtime_nanos" and call_node.expressions:
            values = {_static_number(call_node.expressions[0], 0)}
            if len(values) == 1 and None not in values:
                call_node.meta[_NANOS_VALUE] = values.pop()


def zone_of(node: exp.Expr) -> str | None:
    """The zone `ZONE_META` records for a (rewritten) expression; None is UTC."""
    while isinstance(node, exp.Paren) and ZONE_META not in node.meta:
        node = node.this
    zone: str | None = node.meta.get(ZONE_META)
    return zone


def _zoned(node: exp.Expr, zone: str | None) -> exp.Expr:
    if zone is not None:
        node.meta[ZONE_META] = zone
    return node


# ---- building the instant and the wall time ------------------------------------------------


def instant(wall: exp.Expr, zone: str | None) -> exp.Expr:
    """The TIMESTAMPTZ of a wall time (a TIMESTAMP) in a zone known while translating."""
    if zone is None:
        return cast(wall, "TIMESTAMPTZ")
    minutes = offset_minutes(zone)
    if minutes is not None:
        shifted = exp.Sub(this=wall, expression=_minutes(minutes))
        return cast(exp.Paren(this=shifted), "TIMESTAMPTZ")
    return call("timezone", lit(zone), wall)


def wall_time(node: exp.Expr, what: str) -> exp.Expr:
    """The wall time (a TIMESTAMP) of a TIMESTAMP WITH TIME ZONE in its own zone, for `what`."""
    if is_nanos(node):
        raise UnsupportedSqlError(
            f"{what}: a TIMESTAMP(7..9) WITH TIME ZONE is only compared and returned locally"
        )
    zone = zone_of(node)
    node.meta.pop(ZONE_META, None)
    if zone is None:
        return node
    if zone == UNKNOWN_ZONE:
        raise UnsupportedSqlError(
            f"{what}: a TIMESTAMP WITH TIME ZONE whose zone comes from a column is not "
            "supported locally (only its instant is known)"
        )
    minutes = offset_minutes(zone)
    if minutes is not None:
        return exp.Paren(this=exp.Add(this=cast(node, "TIMESTAMP"), expression=_minutes(minutes)))
    return call("timezone", lit(zone), node)


def _minutes(minutes: int) -> exp.Expr:
    return exp.Interval(this=num(minutes), unit=exp.var("MINUTE"))


def is_zoned(node: exp.Expr) -> bool:
    """Whether a (rewritten) expression is a TIMESTAMP WITH TIME ZONE not in UTC."""
    return zone_of(node) is not None


# ---- rules ---------------------------------------------------------------------------------


def cast_to_tz(node: exp.Cast, context: Context) -> exp.Expr:
    """`CAST(x AS TIMESTAMP(p) WITH TIME ZONE)`: a literal's zone is kept (`ZONE_META`); a
    TIMESTAMP is read in the session zone, UTC; a TIMESTAMP WITH TIME ZONE stays as it is."""
    text = string_literal(node.this)
    if text is not None:
        wall, zone = literal_zone(text)
        if _fraction_digits(wall) > _MICRO_DIGITS:
            return _nanos(instant_ns(cast(lit(wall), "TIMESTAMP_NS"), zone), zone)
        value = instant(cast(lit(wall), "TIMESTAMP"), zone)
        if isinstance(node, exp.TryCast):
            value = exp.TryCast(this=value, to=exp.DataType.build("TIMESTAMPTZ"))
        return _zoned(value, zone)
    zone = zone_of(node.this)
    if zone is None and not _is_timestamp(node.this, context):
        raise UnsupportedSqlError(
            f"{node.sql(READ_DIALECT)[:60]}: CAST of text from a column to TIMESTAMP WITH "
            "TIME ZONE is not supported locally (only of literals and timestamps)"
        )
    node.set("to", exp.DataType.build("TIMESTAMPTZ"))
    return _zoned(node, zone)


def _is_timestamp(node: exp.Expr, context: Context) -> bool:
    known = context.type_of(node)
    return known is not None and known.this in (
        exp.DataType.Type.TIMESTAMP,
        exp.DataType.Type.TIMESTAMPTZ,
        exp.DataType.Type.DATE,
    )


def cast_from_tz(node: exp.Cast, context: Context) -> exp.Expr | None:
    """CAST of a zoned TIMESTAMP WITH TIME ZONE to TIMESTAMP / DATE: of its wall time; to
    anything else: refused. None when the value is not zoned (the cast stays as it is)."""
    if not is_zoned(node.this):
        return None
    to = node.to.this
    if to in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATE):
        node.set("this", wall_time(node.this, "CAST"))
        return node
    raise UnsupportedSqlError(
        f"{node.sql(READ_DIALECT)[:60]}: CAST of a TIMESTAMP WITH TIME ZONE in a zone other "
        f"than UTC to {node.to.sql(READ_DIALECT)} is not supported locally"
    )


def with_timezone(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`with_timezone(timestamp, zone)`: the wall time read in that zone."""
    if len(node.expressions) != 2:
        raise InvalidSqlError("with_timezone() takes 2 arguments")
    ts, zone_arg = node.expressions
    text = folded_literal(zone_arg)
    if text is None:
        raise UnsupportedSqlError("with_timezone(): the zone must be a string literal")
    zone = zone_name(text)
    return _zoned(instant(cast(ts, "TIMESTAMP"), zone), zone)


def at_timezone(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`at_timezone(tz, zone)`: the same instant in another zone."""
    if len(node.expressions) != 2:
        raise InvalidSqlError("at_timezone() takes 2 arguments")
    value, zone_arg = node.expressions
    text = folded_literal(zone_arg)
    if text is None:
        raise UnsupportedSqlError("at_timezone(): the zone must be a string literal")
    value.meta.pop(ZONE_META, None)
    zone = zone_name(text)
    return _zoned(_named_zone_checked(cast(value, "TIMESTAMPTZ"), zone), zone)


def _named_zone_checked(value: exp.Expr, zone: str | None) -> exp.Expr:
    """The value, with a named zone checked against ICU when the query runs (the instant
    does not use the zone, so an unknown one would otherwise pass where Trino fails)."""
    if zone is None or zone == UNKNOWN_ZONE or offset_minutes(zone) is not None:
        return value
    return call("athena_zone_checked", value, lit(zone))


def from_unixtime(node: exp.UnixToTime, context: Context) -> exp.Expr:
    """`from_unixtime(x[, zone | hours, minutes])`: the instant, its zone in `ZONE_META`.

    A zone from a column is checked when the query runs (`athena_time_zone`); hours and
    minutes from columns too (Trino's offsets are within ±14:00)."""
    zone = _from_unixtime_zone(node)
    zone_arg = node.args.get("zone")
    hours, minutes = node.args.get("hours"), node.args.get("minutes")
    for key in ("zone", "hours", "minutes"):
        node.set(key, None)
    if node.args.get("scale") is not None:
        raise UnsupportedSqlError("from_unixtime with a scale is not supported locally")
    value: exp.Expr = node
    if zone_arg is not None and folded_literal(zone_arg) is None:
        value = call("athena_zone_checked", node, zone_arg)
    elif hours is not None or minutes is not None:
        value = call(
            "athena_offset_checked",
            node,
            hours if hours is not None else num(0),
            minutes if minutes is not None else num(0),
        )
    else:
        value = _named_zone_checked(node, zone)
    return _zoned(value, zone)


def check_zones(tree: exp.Expr) -> None:
    """Refuse a zoned TIMESTAMP WITH TIME ZONE (not UTC) where its zone would be lost; make a
    nanosecond one (`NANOS_META`) a TIMESTAMPTZ where the query returns it (`_returned`)."""
    for node in list(tree.walk()):
        if NANOS_META in node.meta:
            _check_nanos(tree, node)
        if ZONE_META not in node.meta:
            continue
        parent = _context_of(node)
        if parent is None or _keeps_meaning(parent, node):
            continue
        raise UnsupportedSqlError(
            f"{parent.sql('duckdb')[:60]}: a TIMESTAMP WITH TIME ZONE in a zone other than UTC "
            "is not supported locally here (only its instant would be used)"
        )


def _check_nanos(tree: exp.Expr, node: exp.Expr) -> None:
    """A TIMESTAMP_NS instant: compared (the other side made TIMESTAMP_NS), kept in VALUES,
    or returned by the outermost query as a TIMESTAMPTZ; anything else is refused."""
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    if isinstance(parent, (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)):
        for side in (parent.this, parent.expression):
            if not is_nanos(side):
                side.replace(cast(cast(side.copy(), "TIMESTAMP"), "TIMESTAMP_NS"))
        return
    if isinstance(parent, (exp.Tuple, exp.Values, exp.Is)):
        return
    if isinstance(parent, (exp.Alias, exp.Select)) and _outermost(parent, tree):
        spot: exp.Expr = node  # the outermost Paren around the node, if any
        while spot.parent is not None and spot.parent is not parent:
            spot = spot.parent
        spot.replace(call("athena_nanos_out", spot.copy()))
        return
    raise UnsupportedSqlError(
        f"{(parent or node).sql('duckdb')[:60]}: a TIMESTAMP(7..9) WITH TIME ZONE is only "
        "compared and returned locally"
    )


def _outermost(parent: exp.Expr, tree: exp.Expr) -> bool:
    select = parent if isinstance(parent, exp.Select) else parent.parent
    while select is not None and not isinstance(select, exp.Select):
        select = select.parent
    top: exp.Expr | None = tree
    while isinstance(top, exp.SetOperation):
        top = top.this
    return select is top


def _context_of(node: exp.Expr) -> exp.Expr | None:
    """The node's parent, past parentheses and the ARRAY[...] constructors holding it (an
    array of instants compares element by element, by instant)."""
    parent = node.parent
    while isinstance(parent, (exp.Paren, exp.Array)):
        parent = parent.parent
    return parent


def _keeps_meaning(parent: exp.Expr, node: exp.Expr) -> bool:
    """Whether the instant alone gives Trino's answer in `parent`."""
    if isinstance(parent, (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Is)):
        return True
    if isinstance(parent, (exp.Alias, exp.Select, exp.Tuple, exp.Values, exp.TimeToUnix)):
        return True
    if isinstance(parent, (exp.Cast, exp.TryCast)) and parent.to.this == _TZ:
        return True
    return isinstance(parent, exp.Anonymous) and parent.name in (
        "athena_zone_checked",
        "athena_offset_checked",
        "athena_array_eq1",  # array equality (rules/arrays.py): element by element, by instant
        "athena_array_eq2",
    )


#: ISO 8601 date-time text with an offset (`2001-08-22T03:04:05.321-11:00`, `...Z`).
_ISO_ZONED = re.compile(
    r"^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)$"
)
#: Trino packs a TIMESTAMP(3) WITH TIME ZONE's milliseconds in 52 bits (DateTimeEncoding).
_MAX_PACKED_MILLIS = 2**51 - 1


def from_iso8601_timestamp(node: exp.FromISO8601Timestamp, context: Context) -> exp.Expr:
    """`from_iso8601_timestamp(text)` of a literal (or a column of one) with an explicit
    offset: the instant in that zone. Without an offset the result would take the session's
    zone; text from data and other ISO forms (week dates, hours alone) are refused."""
    text = folded_literal(node.this)
    match = _ISO_ZONED.match(text.strip()) if text is not None else None
    if match is None:
        raise UnsupportedSqlError(
            "from_iso8601_timestamp() is supported locally only for literal text with a full "
            "date, a time and an offset (2001-08-22T03:04:05.321-11:00)"
        )
    year = int(match.group(1))
    if abs(year - 1970) * 365.2425 * 86_400_000 > _MAX_PACKED_MILLIS:
        raise InvalidSqlError(f"from_iso8601_timestamp('{text}'): Millis overflow")
    if year > 9999:
        raise UnsupportedSqlError(f"from_iso8601_timestamp('{text}'): years past 9999")
    wall = f"{match.group(1)}-{match.group(2)}-{match.group(3)} {match.group(4)}:{match.group(5)}"
    wall += f":{match.group(6) or '00'}.{(match.group(7) or '0').ljust(3, '0')}"
    zone = zone_name(match.group(8))
    return _zoned(instant(cast(lit(wall), "TIMESTAMP"), zone), zone)


# ---- nanoseconds: TIMESTAMP(7..9) WITH TIME ZONE -------------------------------------------

#: `meta` key of an expression whose DuckDB value is a TIMESTAMP_NS holding the instant (the
#: UTC wall time) of a Trino TIMESTAMP(7..9) WITH TIME ZONE: DuckDB's TIMESTAMPTZ keeps
#: microseconds only. The outermost query returns it as a TIMESTAMPTZ (`athena_nanos_out`,
#: the microseconds a Python datetime holds, cut rather than rounded).
NANOS_META = "athena_nanos"
_MICRO_DIGITS = 6
_NANOS_PER_MINUTE = 60_000_000_000


def _fraction_digits(wall: str) -> int:
    match = re.search(r"\.(\d+)$", wall)
    return len(match.group(1)) if match else 0


def is_nanos(node: exp.Expr) -> bool:
    """Whether a (rewritten) expression is a TIMESTAMP_NS instant (`NANOS_META`)."""
    while isinstance(node, exp.Paren) and NANOS_META not in node.meta:
        node = node.this
    return bool(node.meta.get(NANOS_META))


def _nanos(node: exp.Expr, zone: str | None) -> exp.Expr:
    node.meta[NANOS_META] = True
    return _zoned(node, zone)


def instant_ns(wall: exp.Expr, zone: str | None) -> exp.Expr:
    """The TIMESTAMP_NS instant of a TIMESTAMP_NS wall time in a zone (offsets exactly; a
    named zone's offset from ICU at that microsecond)."""
    if zone is None:
        return wall
    minutes = offset_minutes(zone)
    if minutes is not None:
        shift: exp.Expr = num(minutes * _NANOS_PER_MINUTE)
    else:
        micros = cast(wall.copy(), "TIMESTAMP")
        offset = exp.Sub(
            this=call("epoch_us", micros),
            expression=call("epoch_us", call("timezone", lit(zone), micros.copy())),
        )
        shift = exp.Mul(this=exp.Paren(this=offset), expression=num(1000))
    return call("make_timestamp_ns", exp.Sub(this=call("epoch_ns", wall), expression=shift))


def from_unixtime_nanos(node: exp.Anonymous, context: Context) -> exp.Expr:
    """`from_unixtime_nanos(n)`: the instant n nanoseconds after the epoch (a DECIMAL rounded
    half away from zero, as Trino); outside DuckDB's TIMESTAMP_NS range an error."""
    if len(node.expressions) != 1:
        raise InvalidSqlError("from_unixtime_nanos() takes 1 argument")
    known: Decimal | None = node.meta.get(_NANOS_VALUE)
    if known is not None and abs(known) > _MAX_BIGINT:
        if abs(known) / 1_000_000 > _MAX_BIGINT:  # Trino: the milliseconds overflow a long
            raise InvalidSqlError(f"from_unixtime_nanos({known}): long overflow")
        raise UnsupportedSqlError(
            f"from_unixtime_nanos({known}): instants outside 1677-2262 (DuckDB's "
            "TIMESTAMP_NS) are not supported locally"
        )
    return _nanos(call("make_timestamp_ns", cast(node.expressions[0], "BIGINT")), None)


_ISO_ZONED_NANOS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)$"
)


def from_iso8601_timestamp_nanos(node: exp.Expr, context: Context) -> exp.Expr:
    """`from_iso8601_timestamp_nanos(text)` of a literal (or a column of one) with a full
    date, time and offset: the nanosecond instant in that zone."""
    text = folded_literal(node.this)
    match = _ISO_ZONED_NANOS.match(text.strip()) if text is not None else None
    if match is None:
        raise UnsupportedSqlError(
            "from_iso8601_timestamp_nanos() is supported locally only for literal text with "
            "a full date, a time and an offset (2001-08-22T03:04:05.123456789-11:00)"
        )
    wall = "{}-{}-{} {}:{}:{}.{}".format(*match.groups()[:6], (match.group(7) or "0").ljust(9, "0"))
    zone = zone_name(match.group(8))
    return _nanos(instant_ns(cast(lit(wall), "TIMESTAMP_NS"), zone), zone)


_NANOS_VALUE = "athena_nanos_value"
_MAX_BIGINT = 2**63 - 1


def _is_nanos_source(node: exp.Expr) -> bool:
    """Whether an Athena expression is a TIMESTAMP(7..9) WITH TIME ZONE (see `NANOS_META`)."""
    if isinstance(node, exp.Paren):
        return _is_nanos_source(node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this == _TZ:
        text = string_literal(node.this)
        return text is not None and _fraction_digits(literal_zone(text)[0]) > _MICRO_DIGITS
    if isinstance(node, exp.FromISO8601TimestampNanos):
        return True
    return isinstance(node, exp.Anonymous) and str(node.name).lower() == "from_unixtime_nanos"


def _static_number(node: exp.Expr, depth: int) -> Decimal | None:
    """The value of a number literal, `DECIMAL '...'`, its negation, or a column whose every
    source is the same one; None for anything else."""
    if isinstance(node, exp.Paren):
        return _static_number(node.this, depth)
    if isinstance(node, exp.Neg):
        inner = _static_number(node.this, depth)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal):
        try:
            return Decimal(str(node.this))
        except ArithmeticError:
            return None
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return _static_number(node.this, depth)
    if isinstance(node, exp.Column) and depth < 8:
        values = {_static_number(v, depth + 1) for v in column_sources(node)}
        if len(values) == 1:
            return values.pop()
    return None


# ---- TIME WITH TIME ZONE -------------------------------------------------------------------

#: `meta` key of a TIME WITH TIME ZONE literal (DuckDB's TIMETZ) and of a column of them.
TIMETZ_META = "athena_timetz"
_TIMETZ = exp.DataType.Type.TIMETZ
_TIME_OFFSET = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s*([+-]\d{2}:\d{2})\s*$")


def _is_timetz_source(node: exp.Expr, depth: int = 0) -> bool:
    if isinstance(node, (exp.Paren, exp.Array)):
        parts = [node.this] if isinstance(node, exp.Paren) else node.expressions
        return any(_is_timetz_source(p, depth) for p in parts)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return bool(node.to.this == _TIMETZ)
    if isinstance(node, exp.Column) and depth <= 8:
        return any(_is_timetz_source(v, depth + 1) for v in column_sources(node))
    return False


def mark_times(tree: exp.Expr) -> None:
    """TIME WITH TIME ZONE: DuckDB's TIMETZ compares the local time when the offsets are the
    same, as Trino compares the normalized one; with different offsets (or values from a
    CAST of data) DuckDB would answer otherwise, so one offset per query, literals only.
    Marks the literals and the columns of them (`TIMETZ_META`) for `check_times`."""
    offsets: set[str] = set()
    for node in tree.find_all(exp.Cast, exp.TryCast):
        if node.to.this != _TIMETZ:
            continue
        text = string_literal(node.this)
        match = _TIME_OFFSET.match(text) if text is not None else None
        if match is None:
            raise UnsupportedSqlError(
                f"{node.sql(READ_DIALECT)[:60]}: TIME WITH TIME ZONE is supported locally only "
                "for literals with an offset (TIME '01:02:03.456-08:00')"
            )
        offsets.add(match.group(1))
        node.meta[TIMETZ_META] = True
    if len(offsets) > 1:
        raise UnsupportedSqlError(
            f"TIME WITH TIME ZONE values with different offsets ({', '.join(sorted(offsets))}) "
            "are not supported locally: DuckDB compares their local times"
        )
    if offsets:
        for column in tree.find_all(exp.Column):
            if _is_timetz_source(column):
                column.meta[TIMETZ_META] = True


def cast_to_timetz(node: exp.Cast, context: Context) -> exp.Expr:
    """`TIME 'hh:mm:ss.fff+hh:mm'`: DuckDB's TIMETZ (the precision dropped)."""
    node.set("to", exp.DataType.build("TIMETZ"))
    node.meta[TIMETZ_META] = True
    return node


def check_times(tree: exp.Expr) -> None:
    """Refuse a TIME WITH TIME ZONE anywhere but compared, in an array or VALUES, or returned."""
    for node in tree.walk():
        if not node.meta.get(TIMETZ_META):
            continue
        parent = _context_of(node)
        if parent is None or isinstance(
            parent,
            (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Is, exp.Tuple, exp.Values),
        ):
            continue
        if isinstance(parent, (exp.Alias, exp.Select)):
            continue
        raise UnsupportedSqlError(
            f"{parent.sql('duckdb')[:60]}: TIME WITH TIME ZONE is only compared and returned "
            "locally"
        )
