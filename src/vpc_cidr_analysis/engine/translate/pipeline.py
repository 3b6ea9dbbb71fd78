"""Translate Athena (engine v3, Trino) SQL into DuckDB SQL that returns the same rows.

sqlglot does most of the work (`read="athena"`, `write="duckdb"`). On top of it this module
applies small AST transforms where a plain transpile would run *something else*:

- `TO_DATE(x, 'yyyy/mm/dd')` / `TO_TIMESTAMP` / `TO_CHAR`: Teradata formats (`mm` is the month,
  `mi` the minute) become strptime/strftime formats.
- `CAST(x AS IPADDRESS)` / `TRY_CAST(...)` become the macros `athena_ipaddress` /
  `athena_try_ipaddress` over DuckDB's INET type (inet extension); IPv4-mapped IPv6 addresses
  become IPv4, as in Trino; a value with a `/` is not an address.
- `contains(cidr, address)` with an IPADDRESS argument becomes `address <<= INET cidr`:
  false when the families differ, NULL for a NULL address, an error for an invalid CIDR (a
  literal CIDR is checked here, any other at run time by the `athena_network` macro).
  `contains(array, element)` stays array containment.
- `any_match` / `all_match` / `none_match(p.cidrs, c -> contains(N(c), address))` over a column
  of a one-row, FROM-less CTE (the pack's `params`): the CTE gains a column with the networks
  parsed once (`athena_networks`), and each row tests its address against them
  (`athena_any_network`), with Trino's order of evaluation (no error after a match, none for a
  NULL address). Other lists are checked per row and element, and any invalid text fails.
- Integer `/` and `%` truncate and fail on zero, as in Trino (`athena_int_div`/`athena_int_mod`);
  decimal division (`sum(bytes) / 1024.0`) keeps Trino's scale and half-up rounding, computed
  exactly in integers, when both operands' scales are known; otherwise it is refused rather
  than run as floating point.
- `DATE ± INTERVAL`, `date_add` and `date_trunc` on dates stay DATE (DuckDB yields TIMESTAMP).
- `date_diff` counts whole units (DuckDB `date_sub`), `split_part` / `regexp_extract` return
  NULL when nothing is there, `$1` in `regexp_replace` replacements becomes `\\1`,
  `any_match` / `all_match` / `none_match` keep Trino's three-valued results,
  `format_datetime` / `parse_datetime` Joda formats are converted, `EXTRACT(DOW ...)` is ISO.
- `current_date`, `current_timestamp`, `now()`, `localtimestamp` are pinned to `today` when given.
- Unnamed output columns are named `_col0`, `_col1`, … as Athena names them; unquoted
  identifiers are lower-cased as Trino does.
- `?` placeholders become numbered `$1`, `$2`, … in their textual order; values are bound by the
  engine, never formatted into SQL text.

Anything outside the checked subset (a function without a faithful DuckDB equivalent, a type
such as IPPREFIX or JSON, a non-literal format string) raises `UnsupportedSqlError` naming the
construct. The translated SQL relies on the macros in `MACROS`; `prepare_connection` loads the
inet extension and creates them on a DuckDB connection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import ErrorLevel, ParseError, TokenError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify import qualify
from sqlglot.tokenizer_core import TokenType

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT, DuckDBInet, InetContainedBy
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.formats import joda_to_strftime, teradata_to_strftime
from vpc_cidr_analysis.engine.translate.networks import (
    NETWORK_CALLS,
    hoist_network,
    precompute_networks,
    trino_network,
)
from vpc_cidr_analysis.engine.translate.nodes import (
    PARAM_MARK,
    call,
    cast,
    dtype,
    is_ipaddress_type,
    lit,
    num,
    string_literal,
    unit_name,
)
from vpc_cidr_analysis.engine.translate.supported import check_supported


@dataclass(frozen=True)
class Translation:
    """A translated query: DuckDB SQL text, its syntax tree and how many `$n` it binds."""

    sql: str
    tree: exp.Expr
    parameter_count: int


# --------------------------------------------------------------------------------------------
# DuckDB side: the inet extension and the macros the translated SQL calls.

#: The macros file (package data), read at run time.
MACROS_FILE = "macros.sql"


def split_statements(script: str) -> tuple[str, ...]:
    """The statements of a DuckDB SQL script, each without its `;` and the comments before it.

    It splits at `;` tokens of sqlglot's DuckDB tokenizer, so a `;` inside a string literal,
    a quoted identifier or a comment never ends a statement.
    """
    statements: list[str] = []
    first: Any = None
    last: Any = None
    for token in DuckDB().tokenize(script):
        if token.token_type == TokenType.SEMICOLON:
            if first is not None:
                statements.append(script[first.start : last.end + 1])
            first = last = None
            continue
        if first is None:
            first = token
        last = token
    if first is not None:
        statements.append(script[first.start : last.end + 1])
    return tuple(statements)


def read_macros() -> tuple[str, ...]:
    """The `CREATE MACRO` statements of macros.sql, in the file's order."""
    script = Path(__file__).with_name(MACROS_FILE).read_text(encoding="utf-8")
    return split_statements(script)


#: Macros the translated SQL relies on (created by `prepare_connection`).
MACROS: tuple[str, ...] = read_macros()


def inet_extension_path() -> Path:
    """Path of the inet extension shipped by the `duckdb-extension-inet` wheel."""
    import duckdb
    import duckdb_extension_inet

    version = duckdb.__version__
    base = Path(duckdb_extension_inet.__file__).parent / "extensions"
    path = base / f"v{version}" / "inet.duckdb_extension"
    if not path.exists():
        found = sorted(p.name for p in base.iterdir()) if base.exists() else []
        raise RuntimeError(
            f"inet extension for DuckDB {version} not found at {path}; the installed "
            f"duckdb-extension-inet wheel has {found or 'none'}: install the matching version"
        )
    return path


def prepare_connection(con: Any) -> None:
    """Load inet, pin the session time zone to UTC (Athena's) and create `MACROS`."""
    con.execute(f"LOAD '{inet_extension_path()}'")
    con.execute("SET TimeZone = 'UTC'")
    for macro in MACROS:
        con.execute(macro)


_INTEGER_DTYPES = frozenset(dtype(t) for t in ("tinyint", "smallint", "int", "bigint"))
_FLOAT_DTYPES = frozenset(dtype(t) for t in ("double", "real", "float"))
_DECIMAL_DTYPE = dtype("decimal(10,2)")
_DATE_DTYPE = dtype("date")


# --------------------------------------------------------------------------------------------
# Entry points.


def translate(sql: str, *, today: date | None = None, pretty: bool = False) -> str:
    """DuckDB SQL that returns the rows Athena returns for `sql` (see the module docstring).

    `today` pins current_date (and current_timestamp/now() to its midnight UTC); `pretty`
    indents the output. Raises `UnsupportedSqlError` / `InvalidSqlError` naming the construct
    it cannot run.
    """
    translation = translate_query(sql, today=today)
    return generate(translation.tree, pretty=True) if pretty else translation.sql


def translate_query(sql: str, *, today: date | None = None) -> Translation:
    """Like `translate`, also returning the DuckDB syntax tree and the number of parameters."""
    marked, count = _mark_placeholders(sql)
    try:
        statements = [s for s in sqlglot.parse(marked, read=READ_DIALECT) if s is not None]
    except (ParseError, TokenError) as exc:
        raise InvalidSqlError(f"not valid Athena SQL: {_first_line(str(exc))}") from exc
    if not statements:
        raise InvalidSqlError("no SQL statement found: the text is empty or only comments")
    if len(statements) != 1:
        raise UnsupportedSqlError(
            f"expected one SELECT statement, found {len(statements)} statements"
        )
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        kind = tree.key.upper()
        raise UnsupportedSqlError(
            f"only queries (SELECT, WITH, UNION, VALUES) run locally, not {kind} statements"
        )
    tree = normalize_identifiers(tree, dialect=READ_DIALECT)
    for node in tree.walk():  # header comments would be repeated in every derived query
        node.comments = None
    _strip_catalog(tree)
    check_supported(tree)
    types = _annotate(tree)
    precompute_networks(tree)
    rewriter = _Rewriter(types, today)
    tree = rewriter.rewrite(tree)
    _name_output_columns(tree)
    try:
        text = tree.sql(dialect=DuckDBInet, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise UnsupportedSqlError(f"no DuckDB translation: {exc}") from exc
    return Translation(sql=text, tree=tree, parameter_count=count)


def generate(tree: exp.Expr, *, pretty: bool = False) -> str:
    """DuckDB SQL text of a (translated) syntax tree."""
    return str(tree.sql(dialect=DuckDBInet, unsupported_level=ErrorLevel.RAISE, pretty=pretty))


# --------------------------------------------------------------------------------------------
# Steps.


def _mark_placeholders(sql: str) -> tuple[str, int]:
    """Replace each `?` token with a marker call carrying its 1-based position."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(READ_DIALECT).tokenize(sql)
    except TokenError as exc:
        raise InvalidSqlError(f"not valid Athena SQL: {_first_line(str(exc))}") from exc
    spots = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    out = sql
    for number, token in reversed(list(enumerate(spots, start=1))):
        out = out[: token.start] + f"{PARAM_MARK}({number})" + out[token.end + 1 :]
    return out, len(spots)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _strip_catalog(tree: exp.Expr) -> None:
    """`awsdatacatalog.db.table` names the same table as `db.table`."""
    for table in tree.find_all(exp.Table):
        catalog = table.args.get("catalog")
        if catalog is not None and catalog.name.lower() == "awsdatacatalog":
            table.set("catalog", None)


_ID = "athena_node_id"


def _annotate(tree: exp.Expr) -> dict[int, exp.DataType]:
    """Types of the query's expressions, from a qualified copy annotated with the table schema.

    Every node gets an id in `meta` first; the copy keeps the ids, so types map back to the
    original nodes. Nodes the optimizer duplicates with different types count as unknown.
    """
    for position, node in enumerate(tree.walk()):
        node.meta[_ID] = position
    copy = tree.copy()
    mapping = _table_schema()
    try:
        copy = qualify(
            copy,
            schema=mapping,
            dialect=READ_DIALECT,
            db=schema.DATABASE,
            validate_qualify_columns=False,
            quote_identifiers=False,
            expand_stars=False,
            identify=False,
        )
    except Exception:  # qualification is best effort: unknown types are refused later
        copy = tree.copy()
    try:
        copy = annotate_types(copy, schema=mapping, dialect=READ_DIALECT)
    except Exception:
        return {}
    types: dict[int, exp.DataType] = {}
    clashes: set[int] = set()
    for node in copy.walk():
        number: int | None = node.meta.get(_ID)
        if number is None or node.type is None:
            continue
        if number in types and types[number].this != node.type.this:
            clashes.add(number)
        types[number] = node.type
    for number in clashes:
        types.pop(number, None)
    return types


def _table_schema() -> dict[str, object]:
    flow = {f.column: f.athena_type for f in schema.FIELDS}
    flow.update({column: "string" for column in schema.PARTITION_COLUMNS})
    cidr = dict(schema.CIDR_COLUMNS)
    return {schema.DATABASE: {schema.FLOW_TABLE: flow, schema.CIDR_TABLE: cidr}}


def _name_output_columns(tree: exp.Expr) -> None:
    """Athena names unnamed output columns `_col<position>`; do the same."""
    select: exp.Expr | None = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    if isinstance(select, exp.Subquery):
        select = select.unnest()
    if not isinstance(select, exp.Select):
        return
    for position, item in enumerate(select.expressions):
        if isinstance(item, (exp.Alias, exp.Column, exp.Star)):
            continue
        if isinstance(item, exp.Dot) and isinstance(item.expression, exp.Star):
            continue
        item.replace(exp.alias_(item.copy(), f"_col{position}"))


# --------------------------------------------------------------------------------------------
# The rewriter.


_DATE_UNITS = frozenset({"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"})


class _Rewriter:
    """Bottom-up rewrite of the Trino syntax tree into DuckDB constructs."""

    def __init__(self, types: dict[int, exp.DataType], today: date | None) -> None:
        self.types = types
        self.today = today
        self.rules: dict[type[exp.Expr], Callable[[Any], exp.Expr]] = {
            exp.Anonymous: self._anonymous,
            exp.Cast: self._cast,
            exp.TryCast: self._cast,
            exp.ArrayContains: self._contains,
            exp.Div: self._div,
            exp.Mod: self._mod,
            exp.Add: self._date_arith,
            exp.Sub: self._date_arith,
            exp.DateAdd: self._date_add,
            exp.DateDiff: self._date_diff,
            exp.TimestampTrunc: self._date_trunc,
            exp.DateTrunc: self._date_trunc,
            exp.CurrentDate: self._current_date,
            exp.CurrentTimestamp: self._current_timestamp,
            exp.Localtimestamp: self._localtimestamp,
            exp.SplitPart: self._split_part,
            exp.RegexpExtract: self._regexp_extract,
            exp.RegexpReplace: self._regexp_replace,
            exp.ParseDatetime: self._parse_datetime,
            exp.UnixToTime: self._from_unixtime,
            exp.Extract: self._extract,
            exp.ApproxDistinct: self._approx_distinct,
        }

    def rewrite(self, tree: exp.Expr) -> exp.Expr:
        return self._visit(tree)

    def _visit(self, node: exp.Expr) -> exp.Expr:
        for child in list(node.iter_expressions()):
            self._visit(child)
        rule = self.rules.get(type(node))
        if rule is None:
            return node
        # Detach first: a rule may wrap the node itself (CAST(node AS DATE)).
        spot = exp.Null()
        node.replace(spot)
        new = rule(node)
        spot.replace(new)
        return new

    # ---- types -------------------------------------------------------------------------

    def _type_of(self, node: exp.Expr) -> exp.DataType | None:
        number = node.meta.get(_ID)
        return self.types.get(number) if number is not None else None

    def _numeric_kind(self, node: exp.Expr) -> str:
        """'int', 'decimal', 'double', 'unknown' or 'other', with Trino's literal rules."""
        if isinstance(node, exp.Paren):
            return self._numeric_kind(node.this)
        if isinstance(node, exp.Neg):
            return self._numeric_kind(node.this)
        if isinstance(node, exp.Literal) and not node.is_string:
            text = str(node.this).lower()
            if "e" in text:
                return "double"
            return "decimal" if "." in text else "int"
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return self._kind_ofdtype(node.to)
        if isinstance(node, exp.Anonymous) and node.name in ("athena_int_div", "athena_int_mod"):
            return self._combine(
                self._numeric_kind(node.expressions[0]), self._numeric_kind(node.expressions[1])
            )
        if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
            return self._combine(self._numeric_kind(node.this), self._numeric_kind(node.expression))
        if isinstance(node, exp.Count):
            return "int"
        if isinstance(node, (exp.Sum, exp.Min, exp.Max, exp.Abs)) and node.this is not None:
            inner = self._numeric_kind(node.this)
            if inner != "unknown":
                return inner
        dtype = self._type_of(node)
        return self._kind_ofdtype(dtype) if dtype is not None else "unknown"

    @staticmethod
    def _kind_ofdtype(dtype: exp.DataType) -> str:
        if dtype.this in _INTEGER_DTYPES:
            return "int"
        if dtype.this in _FLOAT_DTYPES:
            return "double"
        if dtype.this == _DECIMAL_DTYPE:
            return "decimal"
        if dtype.this in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
            return "unknown"
        return "other"

    @staticmethod
    def _combine(left: str, right: str) -> str:
        kinds = {left, right}
        for kind in ("unknown", "other", "double", "decimal"):
            if kind in kinds:
                return kind
        return "int"

    def _is_date(self, node: exp.Expr) -> bool:
        """Whether an expression is a Trino DATE (as opposed to a timestamp)."""
        if isinstance(node, exp.Paren):
            return self._is_date(node.this)
        if isinstance(node, (exp.CurrentDate, exp.Date)):
            return True
        if isinstance(node, (exp.Cast, exp.TryCast)):
            return bool(node.to.this == _DATE_DTYPE)
        if isinstance(node, exp.Anonymous):
            return str(node.name).lower() == "to_date"
        dtype = self._type_of(node)
        return dtype is not None and dtype.this == _DATE_DTYPE

    # ---- rules -------------------------------------------------------------------------

    def _anonymous(self, node: exp.Anonymous) -> exp.Expr:
        name = str(node.name).lower()
        args = node.expressions
        if name == PARAM_MARK:
            return exp.Parameter(this=exp.Literal.number(int(args[0].name)))
        if name == "to_date":
            self._arity(name, args, 2)
            fmt = self._literal_format(name, args[1])
            return cast(exp.StrToTime(this=args[0], format=lit(teradata_to_strftime(fmt))), "DATE")
        if name == "to_timestamp":
            self._arity(name, args, 2)
            fmt = self._literal_format(name, args[1])
            return exp.StrToTime(this=args[0], format=lit(teradata_to_strftime(fmt, function=name)))
        if name == "to_char":
            self._arity(name, args, 2)
            fmt = self._literal_format(name, args[1])
            return call("strftime", args[0], lit(teradata_to_strftime(fmt, function=name)))
        if name == "format_datetime":
            self._arity(name, args, 2)
            fmt = self._literal_format(name, args[1])
            return call("strftime", args[0], lit(joda_to_strftime(fmt, function=name)))
        if name == "every":
            self._arity(name, args, 1)
            return call("bool_and", args[0])
        if name in ("any_match", "all_match", "none_match"):
            self._arity(name, args, 2)
            return self._match(name, args[0], args[1])
        if name in NETWORK_CALLS:  # made by _precompute_networks
            return node
        raise UnsupportedSqlError(f"Trino function {name}() has no DuckDB translation here")

    @staticmethod
    def _arity(name: str, args: list[exp.Expr], count: int) -> None:
        if len(args) != count:
            raise InvalidSqlError(f"{name}() takes {count} arguments, got {len(args)}")

    @staticmethod
    def _literal_format(name: str, node: exp.Expr) -> str:
        text = string_literal(node)
        if text is None:
            raise UnsupportedSqlError(
                f"{name}(): the format must be a string literal to translate it, "
                f"got {node.sql(READ_DIALECT)}"
            )
        return text

    def _match(self, name: str, array: exp.Expr, fn: exp.Expr) -> exp.Expr:
        """any/all/none_match with Trino's NULL rules, in one pass over the array.

        Each element's predicate becomes 2 (true), 1 (NULL) or 0 (false); any_match is the
        maximum (empty array: 0), all_match the minimum (empty array: 2), none_match is NOT
        any_match; the code picks FALSE, NULL or TRUE from a list. The aggregate appears once
        in the output: DuckDB expands a simple CASE or NULLIF by repeating its operand, which
        would evaluate the lambda again.
        """
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

    def _cast(self, node: exp.Cast) -> exp.Expr:
        to = node.to
        if is_ipaddress_type(to):
            macro = "athena_try_ipaddress" if isinstance(node, exp.TryCast) else "athena_ipaddress"
            return call(macro, node.this)
        if to.this == exp.DataType.Type.TIMESTAMP and to.expressions:
            node.set("to", exp.DataType.build("TIMESTAMP"))
            return node
        if to.this in (exp.DataType.Type.VARCHAR,) and to.expressions:
            length = to.expressions[0]
            node.set("to", exp.DataType.build("VARCHAR"))
            return exp.Substring(this=node, start=num(1), length=length.this)
        return node

    def _contains(self, node: exp.ArrayContains) -> exp.Expr:
        network, address = node.this, node.expression
        if not _is_ip_expression(address):
            if isinstance(network, exp.Literal) and network.is_string:
                raise UnsupportedSqlError(
                    f"contains({network.sql(READ_DIALECT)}, {address.sql()}): the address must "
                    "be an IPADDRESS, e.g. contains('10.0.0.0/16', TRY_CAST(srcaddr AS "
                    "IPADDRESS)); Athena has no contains(varchar, varchar)"
                )
            return node
        text = string_literal(network)
        if text is not None:
            return InetContainedBy(this=address, expression=cast(lit(trino_network(text)), "INET"))
        return call("athena_contains", network, address)

    def _div(self, node: exp.Div) -> exp.Expr:
        kind = self._combine(self._numeric_kind(node.this), self._numeric_kind(node.expression))
        if kind == "int":
            return call("athena_int_div", node.this, node.expression)
        if kind == "double":
            return node
        text = node.sql(READ_DIALECT)
        if kind == "decimal":
            dividend = self._decimal_operand(node.this)
            divisor = self._decimal_operand(node.expression)
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

    def _decimal_operand(self, node: exp.Expr) -> tuple[exp.Expr, int] | None:
        """(unscaled value as HUGEINT, scale) of an integer or known-scale decimal operand."""
        if isinstance(node, exp.Paren):
            return self._decimal_operand(node.this)
        if isinstance(node, exp.Neg):
            inner = self._decimal_operand(node.this)
            return (exp.Neg(this=exp.Paren(this=inner[0])), inner[1]) if inner else None
        if isinstance(node, exp.Literal) and not node.is_string and "e" not in node.name.lower():
            whole, _, fraction = node.name.partition(".")
            return cast(num(str(int(whole + fraction or "0"))), "HUGEINT"), len(fraction)
        if isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this == _DECIMAL_DTYPE:
            params = node.to.expressions
            scale = int(params[1].name) if len(params) > 1 else 0
            scaled = exp.Mul(this=node, expression=num(str(10**scale)))
            return cast(scaled, "HUGEINT"), scale
        if self._numeric_kind(node) == "int":
            return cast(exp.Paren(this=node), "HUGEINT"), 0
        return None

    def _mod(self, node: exp.Mod) -> exp.Expr:
        kind = self._combine(self._numeric_kind(node.this), self._numeric_kind(node.expression))
        if kind in ("int", "unknown"):
            return call("athena_int_mod", node.this, node.expression)
        return node

    def _date_arith(self, node: exp.Add | exp.Sub) -> exp.Expr:
        left, right = node.this, node.expression
        interval = _interval_of(right) or (
            _interval_of(left) if isinstance(node, exp.Add) else None
        )
        if interval is None:
            return node
        base = left if _interval_of(right) is not None else right
        if not self._is_date(base):
            return node
        unit = unit_name(interval.args.get("unit"))
        if unit not in _DATE_UNITS:
            raise UnsupportedSqlError(
                f"{node.sql(READ_DIALECT)}: Trino cannot add {unit} intervals to a DATE"
            )
        return cast(node, "DATE")

    def _date_add(self, node: exp.DateAdd) -> exp.Expr:
        if not self._is_date(node.this):
            return node
        unit = unit_name(node.args.get("unit"))
        if unit not in _DATE_UNITS:
            raise UnsupportedSqlError(
                f"{node.sql(READ_DIALECT)}: date_add('{unit.lower()}', ...) on a DATE fails in "
                "Trino"
            )
        return cast(node, "DATE")

    def _date_diff(self, node: exp.DateDiff) -> exp.Expr:
        unit = unit_name(node.args.get("unit")).lower()
        # Trino counts whole units elapsed: DuckDB's date_sub (date_diff counts boundaries).
        return call("date_sub", lit(unit), node.expression, node.this)

    def _date_trunc(self, node: exp.Expr) -> exp.Expr:
        if self._is_date(node.this):
            return cast(node, "DATE")
        return node

    def _current_date(self, node: exp.CurrentDate) -> exp.Expr:
        if self.today is None:
            return node
        return cast(lit(self.today.isoformat()), "DATE")

    def _current_timestamp(self, node: exp.CurrentTimestamp) -> exp.Expr:
        if self.today is None:
            return node
        return cast(lit(f"{self.today.isoformat()} 00:00:00+00"), "TIMESTAMPTZ")

    def _localtimestamp(self, node: exp.Localtimestamp) -> exp.Expr:
        if self.today is None:
            return node
        return cast(lit(f"{self.today.isoformat()} 00:00:00"), "TIMESTAMP")

    def _split_part(self, node: exp.SplitPart) -> exp.Expr:
        return call(
            "athena_split_part",
            node.this,
            node.args["delimiter"],
            node.args["part_index"],
        )

    def _regexp_extract(self, node: exp.RegexpExtract) -> exp.Expr:
        group = node.args.get("group") or num(0)
        return call("athena_regexp_extract", node.this, node.expression, group)

    def _regexp_replace(self, node: exp.RegexpReplace) -> exp.Expr:
        replacement = node.args.get("replacement")
        if replacement is None:
            return node
        text = string_literal(replacement)
        if text is None:
            raise UnsupportedSqlError(
                "regexp_replace(): the replacement must be a string literal to translate "
                "its $n group references"
            )
        node.set("replacement", lit(_java_replacement(text)))
        return node

    def _parse_datetime(self, node: exp.ParseDatetime) -> exp.Expr:
        fmt = self._literal_format("parse_datetime", node.args["format"])
        parsed = exp.StrToTime(
            this=node.this, format=lit(joda_to_strftime(fmt, function="parse_datetime"))
        )
        return cast(parsed, "TIMESTAMPTZ")

    def _from_unixtime(self, node: exp.UnixToTime) -> exp.Expr:
        zone = node.args.get("zone")
        hours = node.args.get("hours")
        minutes = node.args.get("minutes")
        if hours is not None or minutes is not None:
            raise UnsupportedSqlError("from_unixtime(x, hours, minutes) is not supported locally")
        if zone is not None:
            if (string_literal(zone) or "").upper() not in ("UTC", "Z", "+00:00", "ETC/UTC"):
                raise UnsupportedSqlError(
                    f"from_unixtime(x, {zone.sql(READ_DIALECT)}): only the UTC zone is "
                    "supported locally"
                )
            node.set("zone", None)
        if node.args.get("scale") is not None:
            raise UnsupportedSqlError("from_unixtime with a scale is not supported locally")
        return node

    def _extract(self, node: exp.Extract) -> exp.Expr:
        unit = unit_name(node.this)
        if unit in ("DOW", "DAY_OF_WEEK", "DAYOFWEEK"):
            return call("isodow", node.expression)
        if unit in ("YOW", "YEAR_OF_WEEK"):
            return call("isoyear", node.expression)
        return node

    def _approx_distinct(self, node: exp.ApproxDistinct) -> exp.Expr:
        # The standard-error argument only tunes the estimate; DuckDB's HyperLogLog is fixed.
        node.set("accuracy", None)
        return node


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


def _interval_of(node: exp.Expr | None) -> exp.Interval | None:
    """The interval of `INTERVAL '1' DAY`, `INTERVAL '1' DAY * n`, `-INTERVAL ...`."""
    if isinstance(node, exp.Interval):
        return node
    if isinstance(node, (exp.Paren, exp.Neg)):
        return _interval_of(node.this)
    if isinstance(node, exp.Mul):
        return _interval_of(node.this) or _interval_of(node.expression)
    return None


def _is_ip_expression(node: exp.Expr) -> bool:
    return isinstance(node, exp.Anonymous) and str(node.name) in (
        "athena_ipaddress",
        "athena_try_ipaddress",
    )


_JAVA_GROUP = re.compile(r"\\(.)|\$(\d+|\{[A-Za-z][A-Za-z0-9]*\})")


def _java_replacement(text: str) -> str:
    """A Java/Trino regexp replacement (`$1`, `\\$`) as an RE2/DuckDB one (`\\1`, `$`)."""

    def sub(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            ch = match.group(1)
            return "\\\\" if ch == "\\" else ch
        group = match.group(2)
        if group.startswith("{"):
            raise UnsupportedSqlError(
                f"regexp_replace(): named group reference {group} is not supported locally"
            )
        return "\\" + group

    return _JAVA_GROUP.sub(sub, text)


def iter_parameters(tree: exp.Expr) -> Iterator[exp.Parameter]:
    """The `$n` parameters of a translated tree."""
    yield from tree.find_all(exp.Parameter)
