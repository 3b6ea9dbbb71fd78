"""The scenario query pack: `queries/*.sql` files, their header contract, and parameter binding.

Each file is Athena (engine v3) SQL that users can paste into the console as it is. Its header
comment declares the contract that the CLI, the template generator, the docs and the tests read:

    -- name: external
    -- title: External traffic of a VPC
    -- description: free text, continued on lines starting with `--   `
    -- body: between            (optional: this entry runs another file's SQL)
    -- param: NAME | TYPE | default VALUE (or: fixed VALUE, or: required) | example VALUE | text
    -- column: NAME | TYPE | description

Every `?` placeholder carries the name of the parameter it takes, `? /* vpc_cidrs */`: Athena
accepts `?` only in WHERE clauses, so a parameter used in two conditions appears twice, and the
console (which asks for the values in order) shows which is which. Values are validated by type
and bound, never formatted into the SQL text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from vpc_cidr_analysis.cidr import parse_block
from vpc_cidr_analysis.days import DayError, parse_day, partition_day
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.pack.resources import queries_dir
from vpc_cidr_analysis.sqltext import sql_string

MAX_CIDRS = 64


class QueryError(AnalysisError, ValueError):
    """A query file breaks the header contract, or a query name is unknown."""


class ParameterError(AnalysisError, ValueError):
    """A parameter value does not fit its declared type."""


@dataclass(frozen=True)
class ParamType:
    """A declared parameter type: `cidr_list`, `int LO..HI`, `day`, `enum a,b`, `port_list`."""

    kind: str
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> ParamType:
        text = text.strip()
        if text in ("cidr_list", "day", "port_list"):
            return cls(text)
        m = re.fullmatch(r"int (-?\d+)\.\.(-?\d+)", text)
        if m:
            return cls("int", int(m[1]), int(m[2]))
        m = re.fullmatch(r"enum ([\w-]+(?:,[\w-]+)*)", text)
        if m:
            return cls("enum", choices=tuple(m[1].split(",")))
        raise QueryError(
            f"unknown parameter type {text!r}: expected cidr_list, day, port_list, "
            "'int LO..HI' or 'enum a,b,c'"
        )

    def __str__(self) -> str:
        if self.kind == "int":
            return f"int {self.low}..{self.high}"
        if self.kind == "enum":
            return "enum " + ",".join(self.choices)
        return self.kind

    def convert(self, name: str, raw: str) -> str | int:
        """Validate a value given as text and return its canonical, bindable form."""
        value = raw.strip()
        if self.kind == "cidr_list":
            return _cidr_list(name, value)
        if self.kind == "int":
            try:
                number = int(value)
            except ValueError:
                raise ParameterError(
                    f"parameter {name}: {raw!r} is not an integer; expected a whole number "
                    f"from {self.low} to {self.high}"
                ) from None
            if not self.low <= number <= self.high:
                raise ParameterError(
                    f"parameter {name}: {number} is out of range; expected {self.low}..{self.high}"
                )
            return number
        if self.kind == "day":
            return _day(name, value)
        if self.kind == "enum":
            if value not in self.choices:
                raise ParameterError(
                    f"parameter {name}: {raw!r} is not allowed; expected one of "
                    + ", ".join(self.choices)
                )
            return value
        if self.kind == "port_list":
            return _port_list(name, value)
        raise AssertionError(self.kind)  # pragma: no cover


def _cidr_list(name: str, value: str) -> str:
    parts = [p.strip() for p in value.split(",")]
    if not value or any(not p for p in parts):
        raise ParameterError(
            f"parameter {name}: {value!r} has an empty entry; expected CIDR blocks separated "
            "by commas, e.g. 10.0.0.0/16,100.64.0.0/20"
        )
    if len(parts) > MAX_CIDRS:
        raise ParameterError(f"parameter {name}: {len(parts)} CIDR blocks; at most {MAX_CIDRS}")
    canonical: list[str] = []
    for part in parts:
        try:
            network = parse_block(part)
        except ValueError as exc:
            raise ParameterError(f"parameter {name}: {exc}") from None
        if str(network) not in canonical:
            canonical.append(str(network))
    return ",".join(canonical)


def _day(name: str, value: str) -> str:
    if value in ("", "''"):
        return ""
    try:
        return partition_day(parse_day(value, f"parameter {name}:"))
    except DayError as exc:
        raise ParameterError(f"{exc} (or '' for none)") from None


def _port_list(name: str, value: str) -> str:
    ports: list[int] = []
    for part in value.split(","):
        part = part.strip()
        if not part.isdigit() or not 0 <= int(part) <= 65535:
            raise ParameterError(
                f"parameter {name}: {part!r} is not a port; expected numbers 0..65535 separated "
                "by commas, e.g. 22,3389"
            )
        ports.append(int(part))
    return ",".join(str(p) for p in ports)


@dataclass(frozen=True)
class Param:
    """One `?` placeholder of a query, as its header declares it."""

    name: str
    type: ParamType
    default: str
    fixed: bool
    example: str
    description: str
    required: bool = False  # no default: the caller must give a value (`-- param: … | required`)


@dataclass(frozen=True)
class Column:
    """One output column of a query."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Query:
    """A query of the pack: its contract and the SQL it runs (its own or its body's)."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    sql: str
    path: Path
    body: str = ""  # name of the file whose SQL this entry runs, "" for its own
    header: str = field(default="", repr=False)

    @property
    def body_name(self) -> str:
        return self.body or self.name

    def resolve(self, values: Mapping[str, str] | None = None) -> dict[str, str | int]:
        """Every parameter's validated, canonical value: given values over defaults."""
        values = dict(values or {})
        known = {p.name for p in self.params}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(
                f"query {self.name} has no parameter {', '.join(unknown)}; "
                f"its parameters are {', '.join(p.name for p in self.params)}"
            )
        resolved: dict[str, str | int] = {}
        for param in self.params:
            if (
                param.name in values
                and param.fixed
                and str(param.type.convert(param.name, values[param.name])) != param.default
            ):
                raise ParameterError(
                    f"parameter {param.name} of {self.name} is fixed to {param.default!r}; "
                    f"use query {self.body_name} to choose it"
                )
            if param.required and param.name not in values:
                raise ParameterError(
                    f"query {self.name} needs {param.name}: {param.description} "
                    f"Example: -p {param.name}={param.example}"
                )
            raw = values.get(param.name, _unquote(param.default))
            resolved[param.name] = param.type.convert(param.name, raw)
        _check_window(resolved)
        return resolved

    def bind(
        self, values: Mapping[str, str] | None = None, sql: str | None = None
    ) -> list[str | int]:
        """Values in `?` order for the query's SQL (or a form of it, see `pack.forms`)."""
        resolved = self.resolve(values)
        return [resolved[name] for name in placeholders(self.sql if sql is None else sql)]


def _unquote(text: str) -> str:
    return "" if text == "''" else text


def athena_literal(value: str | int) -> str:
    """A bound value as the SQL literal Athena's ExecutionParameters expects."""
    return str(value) if isinstance(value, int) else sql_string(value)


_HEADER_LINE = re.compile(r"^-- (name|title|description|body|param|column): ?(.*)$")


def parse_query_file(path: Path) -> Query:
    """Read one query file and check its header."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    params: list[Param] = []
    columns: list[Column] = []
    header_lines: list[str] = []
    last = ""
    body_start = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.rstrip("\n")
        if not stripped.startswith("--"):
            break
        body_start += len(line)
        header_lines.append(stripped)
        if stripped.startswith("--   ") and last == "description":
            meta["description"] += " " + stripped[5:].strip()
            continue
        m = _HEADER_LINE.match(stripped)
        if m is None:
            raise QueryError(f"{path}:{number}: unexpected header line {stripped!r}")
        key, value = m[1], m[2].strip()
        last = key
        if key == "param":
            params.append(_parse_param(path, number, value))
        elif key == "column":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise QueryError(f"{path}:{number}: expected '-- column: NAME | TYPE | text'")
            columns.append(Column(*parts))
        else:
            meta[key] = value
    for key in ("name", "title", "description"):
        if not meta.get(key):
            raise QueryError(f"{path}: header lacks '-- {key}: …'")
    if meta["name"] != path.stem:
        raise QueryError(f"{path}: name {meta['name']!r} differs from the file name {path.stem!r}")
    return Query(
        name=meta["name"],
        title=meta["title"],
        description=meta["description"],
        params=tuple(params),
        columns=tuple(columns),
        sql=text[body_start:].strip() + "\n",
        path=path,
        body=meta.get("body", ""),
        header="\n".join(header_lines),
    )


def _parse_param(path: Path, number: int, value: str) -> Param:
    parts = [p.strip() for p in value.split("|")]
    if len(parts) != 5:
        raise QueryError(
            f"{path}:{number}: expected '-- param: NAME | TYPE | default V | example V | text'"
        )
    name, type_text, default_text, example_text, description = parts
    m = re.fullmatch(r"(default|fixed) (.*)|(required)", default_text)
    if m is None or not example_text.startswith("example "):
        raise QueryError(
            f"{path}:{number}: expected 'default V' (or 'fixed V', or 'required') and 'example V'"
        )
    param_type = ParamType.parse(type_text)
    required = m[3] is not None
    param = Param(
        name=name,
        type=param_type,
        default="" if required else m[2],
        fixed=m[1] == "fixed",
        example=example_text.removeprefix("example "),
        description=description,
        required=required,
    )
    try:
        if not required:
            param_type.convert(name, _unquote(param.default))
        param_type.convert(name, _unquote(param.example))
    except ParameterError as exc:
        raise QueryError(f"{path}:{number}: {exc}") from None
    return param


#: What can hold a `?` that is no placeholder, and the `?` itself, in Trino's lexical rules:
#: string literals ('' escapes a quote; a backslash is an ordinary character), quoted names
#: ("" escapes a quote), line comments and (not nested) block comments.
_LEXEMES = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?", re.DOTALL)
_TAG = re.compile(r"\s*/\*\s*(\w+)\s*\*/")


def placeholder_spots(sql: str) -> list[tuple[int, str | None]]:
    """Each `?` placeholder: its offset, and the parameter name its `/* name */` tag gives.

    A `?` inside a string literal, a quoted name or a comment is no placeholder. The tag is the
    block comment right after the `?` (None when there is none). Standard library only, as the
    usage-report Lambda reads saved queries with it; `pack.forms` checks every form it derives
    against sqlglot's tokenizer, so the two cannot disagree unnoticed.
    """
    spots: list[tuple[int, str | None]] = []
    for lexeme in _LEXEMES.finditer(sql):
        if lexeme[0] == "?":
            tag = _TAG.match(sql, lexeme.end())
            spots.append((lexeme.start(), tag[1] if tag else None))
    return spots


def count_placeholders(sql: str) -> int:
    """`?` placeholders outside string literals, quoted names and comments."""
    return len(placeholder_spots(sql))


def placeholders(sql: str) -> list[str]:
    """The parameter name of each `?`, in order (`? /* name */`); every `?` must carry one."""
    spots = placeholder_spots(sql)
    untagged = [str(number) for number, (_, name) in enumerate(spots, start=1) if name is None]
    if untagged:
        raise QueryError(
            f"{len(spots)} '?' placeholders but {len(spots) - len(untagged)} carry a parameter "
            f"name; write each as ? /* name */ (untagged: '?' number {', '.join(untagged)})"
        )
    return [name for _, name in spots if name is not None]


def load_queries(directory: Path | None = None) -> dict[str, Query]:
    """All queries of the pack, entries resolved to their body's SQL and columns, by name."""
    directory = directory or queries_dir()
    files = {q.name: q for q in map(parse_query_file, sorted(directory.glob("*.sql")))}
    resolved: dict[str, Query] = {}
    for name, query in files.items():
        if query.body:
            body = files.get(query.body)
            if body is None or body.body:
                raise QueryError(
                    f"{query.path}: body {query.body!r} is not a query with its own SQL"
                )
            if query.sql.strip():
                raise QueryError(f"{query.path}: an entry with a body must not carry SQL")
            _check_same_params(query, body)
            query = Query(
                name=query.name,
                title=query.title,
                description=query.description,
                params=query.params,
                columns=body.columns,
                sql=body.sql,
                path=query.path,
                body=query.body,
                header=query.header,
            )
        try:
            used = placeholders(query.sql)
        except QueryError as exc:
            raise QueryError(f"{query.path}: {exc}") from None
        declared = [p.name for p in query.params]
        if set(used) != set(declared):
            raise QueryError(
                f"{query.path}: placeholders name {sorted(set(used))} but the header declares "
                f"{sorted(declared)}; each declared parameter must be used, and only those"
            )
        if not query.columns:
            raise QueryError(f"{query.path}: header declares no output columns")
        resolved[name] = query
    return resolved


def _check_same_params(entry: Query, body: Query) -> None:
    ours = [(p.name, str(p.type)) for p in entry.params]
    theirs = [(p.name, str(p.type)) for p in body.params]
    if ours != theirs:
        raise QueryError(
            f"{entry.path}: parameters {ours} must match those of body {body.name}: {theirs}"
        )


def get_query(name: str, directory: Path | None = None) -> Query:
    """One query by name, with a helpful error listing the names that exist."""
    queries = load_queries(directory)
    if name not in queries:
        raise QueryError(f"no query named {name!r}; available: {', '.join(sorted(queries))}")
    return queries[name]


def parse_assignments(pairs: Sequence[str]) -> dict[str, str]:
    """`name=value` strings (from `-p`) into a mapping."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"parameter {pair!r} is not name=value, e.g. days=7")
        values[name.strip()] = value
    return values


def _check_window(resolved: Mapping[str, str | int]) -> None:
    start, end = resolved.get("start_day", ""), resolved.get("end_day", "")
    if start and end and str(start) > str(end):
        raise ParameterError(
            f"start_day {start} is after end_day {end}; expected start_day <= end_day"
        )


def window_days(query: Query, bound: Sequence[str | int], today: date) -> list[date]:
    """The days a bound query reads (start_day/days/end_day), for estimates and reports."""
    by_name = dict(zip(placeholders(query.sql), bound, strict=True))
    end_text = str(by_name.get("end_day", ""))
    end = datetime.strptime(end_text, "%Y/%m/%d").date() if end_text else today
    start_text = str(by_name.get("start_day", ""))
    if start_text:
        start = datetime.strptime(start_text, "%Y/%m/%d").date()
    else:
        days = int(by_name.get("days", 10))
        start = date.fromordinal(end.toordinal() - (days - 1))
    return [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)]
