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
    if not match:
        return text, None
    return match.group(1), zone_name(match.group(2))


def mark_zones(tree: exp.Expr) -> None:
    """Set `ZONE_META` on each column of TIMESTAMP WITH TIME ZONE values not in UTC."""
    for column in tree.find_all(exp.Column):
        zone = static_zone(column)
        if zone is not None:
            column.meta[ZONE_META] = zone


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
    return _zoned(cast(value, "TIMESTAMPTZ"), zone_name(text))


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
    return _zoned(value, zone)


def check_zones(tree: exp.Expr) -> None:
    """Refuse a zoned TIMESTAMP WITH TIME ZONE (not UTC) where its zone would be lost."""
    for node in tree.walk():
        if ZONE_META not in node.meta:
            continue
        parent = node.parent
        while isinstance(parent, exp.Paren):
            parent = parent.parent
        if parent is None or _keeps_meaning(parent, node):
            continue
        raise UnsupportedSqlError(
            f"{parent.sql('duckdb')[:60]}: a TIMESTAMP WITH TIME ZONE in a zone other than UTC "
            "is not supported locally here (only its instant would be used)"
        )


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
    )
