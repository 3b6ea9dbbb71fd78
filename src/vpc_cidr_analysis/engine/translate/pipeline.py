"""The entry points and the order of the passes.

`translate_query` runs, in this order:

1. `?` placeholders become marker calls numbered in textual order (`$1`, `$2`, … later);
2. sqlglot parses the Athena SQL (`dialects.AthenaReader`): one query, nothing else;
3. unquoted identifiers are lower-cased as Trino does; comments and the `awsdatacatalog`
   catalog are dropped;
4. `supported.check_supported` refuses anything outside the checked subset;
5. `annotate` records the optimizer's type of each node (for the rules);
6. `networks.precompute_networks` parses CIDR lists that are the same on every row once;
7. `rules.ip.mark_ip_contains` marks `contains(x, column)` over IPADDRESS columns and
   `columns.mark_dates` / `mark_arrays` the DATE columns and array subscripts,
   `rules.chars.mark_strings` the CHAR(n) columns and the columns of literals,
   `columns.mark_literals` the columns that hold one literal, `rules.zones.mark_zones` /
   `mark_times` the zone of each TIMESTAMP / TIME WITH TIME ZONE value,
   `rules.arrays.mark_array_columns` what array columns hold, `rules.conditionals.mark_eager_in`
   the IN lists Trino evaluates whole, then
   `rules.rewrite` applies the rules, bottom-up;
   `networks.hoist_constant_networks` then moves each CIDR list that is the same on every row
   into a one-row table joined to its SELECT (bound once, not at every use in the macros);
8. unnamed output columns are named `_col0`, `_col1`, … as Athena names them;
9. `dialects.DuckDBInet` writes the DuckDB SQL.

`prepare_connection` readies a DuckDB connection for that SQL: the inet extension, the UTC
session zone and, unless asked not to, every macro of macros.sql; `create_macros` creates only
those a query calls (`macros_called`: found by DuckDB's tokenizer, with the macros they call).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify import qualify
from sqlglot.tokenizer_core import TokenType

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.translate.columns import mark_arrays, mark_dates, mark_literals
from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT, AthenaReader, DuckDBInet
from vpc_cidr_analysis.engine.translate.errors import InvalidSqlError, UnsupportedSqlError
from vpc_cidr_analysis.engine.translate.networks import (
    hoist_constant_networks,
    precompute_networks,
)
from vpc_cidr_analysis.engine.translate.nodes import PARAM_MARK
from vpc_cidr_analysis.engine.translate.rules import Context, rewrite
from vpc_cidr_analysis.engine.translate.rules.arrays import mark_array_columns
from vpc_cidr_analysis.engine.translate.rules.chars import mark_strings
from vpc_cidr_analysis.engine.translate.rules.common import NODE_ID
from vpc_cidr_analysis.engine.translate.rules.conditionals import mark_eager_in
from vpc_cidr_analysis.engine.translate.rules.ip import mark_ip_contains
from vpc_cidr_analysis.engine.translate.rules.zones import (
    check_times,
    check_zones,
    mark_times,
    mark_zones,
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
    """The statements of a DuckDB SQL script: each from its first token up to its `;` (the
    comments before it left out, those inside and after it kept).

    It splits at the `;` tokens of DuckDB's own tokenizer, so a `;` inside a string literal,
    a quoted identifier or a comment never ends a statement.
    """
    return tuple(statement.text for statement in _statements(script))


@dataclass(frozen=True)
class _Statement:
    """One statement of a script: its text, its first identifier (a macro's name in `CREATE
    MACRO`) and the names it calls (each identifier or keyword followed by `(`), lower-cased."""

    text: str
    name: str
    calls: frozenset[str]


def _statements(script: str) -> list[_Statement]:
    """The statements of a script as DuckDB's tokenizer splits it: each from its first token to
    its `;` (comments inside it kept). The tokenizer's positions are offsets in the UTF-8
    bytes."""
    import duckdb

    data = script.encode("utf-8")
    tokens = duckdb.tokenize(script)
    statements: list[_Statement] = []
    start: int | None = None
    name = ""
    calls: set[str] = set()

    def close(end: int) -> None:
        assert start is not None
        text = data[start:end].decode("utf-8").rstrip()
        statements.append(_Statement(text, name, frozenset(calls)))

    for number, (position, kind) in enumerate(tokens):
        if kind == duckdb.token_type.operator and data.startswith(b";", position):
            if start is not None:
                close(position)
            start, name, calls = None, "", set()
            continue
        if start is None:
            start = position
        if kind not in (duckdb.token_type.identifier, duckdb.token_type.keyword):
            continue  # a function's name is either (`error` is a keyword)
        following = tokens[number + 1][0] if number + 1 < len(tokens) else len(data)
        word = data[position:following].decode("utf-8").split(maxsplit=1)[0].lower()
        if kind == duckdb.token_type.identifier:
            name = name or word
        if number + 1 < len(tokens) and data.startswith(b"(", following):
            calls.add(word)
    if start is not None:
        close(len(data))
    return statements


def _macros_text() -> str:
    return Path(__file__).with_name(MACROS_FILE).read_text(encoding="utf-8")


@functools.cache
def _macro_catalog() -> dict[str, _Statement]:
    """The macros of macros.sql by name, in the file's order (callees before callers)."""
    return {statement.name: statement for statement in _statements(_macros_text())}


def macro_statements() -> tuple[str, ...]:
    """The `CREATE MACRO` statements of macros.sql, in the file's order."""
    return tuple(statement.text for statement in _macro_catalog().values())


def macro_calls() -> dict[str, frozenset[str]]:
    """Each macro of macros.sql and the names its body calls (functions and macros)."""
    return {name: s.calls - {name} for name, s in _macro_catalog().items()}


@functools.lru_cache(maxsize=256)
def macros_called(sql: str) -> tuple[str, ...]:
    """The macros a DuckDB SQL text calls, with the macros they call in turn, in the file's
    order (the order they can be created in). Found by DuckDB's tokenizer: each identifier
    followed by `(` that names a macro."""
    catalog = _macro_catalog()
    found: set[str] = set()
    pending = [name for s in _statements(sql) for name in s.calls if name in catalog]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(n for n in catalog[name].calls if n in catalog and n != name)
    return tuple(name for name in catalog if name in found)


def create_macros(con: Any, sql: str, created: set[str]) -> None:
    """Create on `con` the macros `sql` needs (see `macros_called`) that are not in `created`
    yet, and add them to it: a connection pays for the macros its queries use, not all 129."""
    missing = [name for name in macros_called(sql) if name not in created]
    if not missing:
        return
    catalog = _macro_catalog()
    con.execute("\n;\n".join(catalog[name].text for name in missing) + "\n;")
    created.update(missing)


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


def prepare_connection(con: Any, *, macros: bool = True) -> None:
    """Load inet, pin the session time zone to UTC (Athena's) and, with `macros`, create
    every macro of macros.sql (the file's text run as it is, one call); without, create
    those a query needs before it runs (`create_macros`)."""
    con.execute(f"LOAD '{inet_extension_path()}'")
    con.execute("SET TimeZone = 'UTC'")
    if macros:
        con.execute(_macros_text())


# --------------------------------------------------------------------------------------------
# Entry points.


def translate(sql: str, *, today: date | None = None, pretty: bool = False) -> str:
    """DuckDB SQL that returns the rows Athena returns for `sql` (see the package docstring).

    `today` pins current_date (and current_timestamp/now() to its midnight UTC); `pretty`
    indents the output. Raises `UnsupportedSqlError` / `InvalidSqlError` naming the construct
    it cannot run.
    """
    translation = translate_query(sql, today=today)
    return generate(translation.tree, pretty=True) if pretty else translation.sql


def translate_query(sql: str, *, today: date | None = None) -> Translation:
    """Like `translate`, also returning the DuckDB syntax tree and the number of parameters.

    The translation of a text is made once per process (the pack's queries are long, and
    `report`, `usage` and the tests run the same ones again); each call gets its own tree.
    """
    kept = _translated(sql, today)
    return Translation(sql=kept.sql, tree=kept.tree.copy(), parameter_count=kept.parameter_count)


@functools.lru_cache(maxsize=64)
def _translated(sql: str, today: date | None) -> Translation:
    marked, count = _mark_placeholders(sql)
    try:
        statements = [s for s in sqlglot.parse(marked, read=AthenaReader) if s is not None]
    except (ParseError, TokenError) as exc:
        raise InvalidSqlError(f"not valid Athena SQL: {_first_line(str(exc))}") from exc
    if not statements:
        raise InvalidSqlError("no SQL statement found: the text is empty or only comments")
    if len(statements) != 1:
        raise UnsupportedSqlError(
            f"expected one SELECT statement, found {len(statements)} statements"
        )
    tree = statements[0]
    if isinstance(tree, exp.Values) and tree.args.get("alias") is None:
        tree = _select_from_values(tree)
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
    types = annotate(tree)
    precompute_networks(tree)
    mark_ip_contains(tree)
    mark_dates(tree)
    mark_arrays(tree)
    mark_strings(tree)
    mark_literals(tree)
    mark_zones(tree)
    mark_times(tree)
    mark_array_columns(tree)
    mark_eager_in(tree)
    tree = rewrite(tree, Context(types, today))
    check_zones(tree)
    check_times(tree)
    hoist_constant_networks(tree)
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
# The passes (see the module docstring for their order).


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


def _select_from_values(values: exp.Values) -> exp.Expr:
    """A top-level `VALUES ...` as `SELECT * FROM (VALUES ...) t(_col0, ...)`: Athena's names."""
    rows = values.expressions
    width = len(rows[0].expressions) if rows and isinstance(rows[0], exp.Tuple) else 1
    alias = exp.TableAlias(
        this=exp.to_identifier("t"),
        columns=[exp.to_identifier(f"_col{i}") for i in range(width)],
    )
    values.set("alias", alias)
    return exp.select("*").from_(values)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _strip_catalog(tree: exp.Expr) -> None:
    """`awsdatacatalog.db.table` names the same table as `db.table`."""
    for table in tree.find_all(exp.Table):
        catalog = table.args.get("catalog")
        if catalog is not None and catalog.name.lower() == "awsdatacatalog":
            table.set("catalog", None)


def annotate(tree: exp.Expr) -> dict[int, exp.DataType]:
    """Types of the query's expressions, from a qualified copy annotated with the table schema.

    Every node gets an id in `meta` first; the copy keeps the ids, so types map back to the
    original nodes. Nodes the optimizer duplicates with different types count as unknown.
    """
    for position, node in enumerate(tree.walk()):
        node.meta[NODE_ID] = position
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
        number: int | None = node.meta.get(NODE_ID)
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
    tgw = {f.column: f.athena_type for f in schema.TGW_FIELDS}
    tgw.update({column: "string" for column in schema.PARTITION_COLUMNS})
    cidr = dict(schema.CIDR_COLUMNS)
    tables = {schema.FLOW_TABLE: flow, schema.TGW_TABLE: tgw, schema.CIDR_TABLE: cidr}
    return {schema.DATABASE: tables}


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


def iter_parameters(tree: exp.Expr) -> Iterator[exp.Parameter]:
    """The `$n` parameters of a translated tree."""
    yield from tree.find_all(exp.Parameter)
