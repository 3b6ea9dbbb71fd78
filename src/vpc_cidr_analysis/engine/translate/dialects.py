"""The dialects at both ends: Athena as read, DuckDB with the inet extension's `<<=` as written."""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.dialects.athena import Athena
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.helper import seq_get
from sqlglot.parsers.athena import AthenaParser, AthenaTrinoParser

#: The dialect the SQL is read in (and quoted in error messages); `AthenaReader` parses it.
READ_DIALECT = "athena"


def _decimal_literal(parser: Any, this: exp.Expr, data_type: exp.DataType) -> exp.Expr:
    """`DECIMAL '3.14'` is a DECIMAL(3, 2) in Trino: the precision and scale of its digits
    (leading zeros dropped), not the DECIMAL(38, 0) of `CAST('3.14' AS DECIMAL)`, which
    sqlglot would otherwise parse it as."""
    text = this.name.strip().lstrip("+-") if isinstance(this, exp.Literal) else ""
    whole, _, fraction = text.partition(".")
    if data_type.expressions or not (whole + fraction).isdigit():
        return exp.Cast(this=this, to=data_type)
    precision = max(len(whole.lstrip("0")) + len(fraction), 1)
    to = exp.DataType.build(f"DECIMAL({precision}, {len(fraction)})")
    return exp.Cast(this=this, to=to)


class _TrinoReader(AthenaTrinoParser):  # type: ignore[misc]
    """Athena's parser of Trino statements, except that TO_CHAR stays a plain call and
    DATE_FORMAT / DATE_PARSE keep their format as written.
    DECIMAL literals keep their digits' precision and scale.

    sqlglot converts TO_CHAR's format while parsing, with its own Teradata mapping, which is
    not Trino's (`hh` read as the hour of day, upper case accepted, other letters kept as
    text). Left as exp.Anonymous, its format is converted by `formats.teradata_to_strftime`,
    as to_date's and to_timestamp's are; date_format's and date_parse's by
    `formats.mysql_to_strftime` (see `_mysql_call`).
    """

    FUNCTIONS = {  # noqa: RUF012
        **{name: build for name, build in AthenaTrinoParser.FUNCTIONS.items() if name != "TO_CHAR"},
        "DATE_FORMAT": lambda args: _mysql_call(exp.TimeToStr, args),
        "DATE_PARSE": lambda args: _mysql_call(exp.StrToTime, args),
    }
    TYPE_LITERAL_PARSERS = {  # noqa: RUF012
        **AthenaTrinoParser.TYPE_LITERAL_PARSERS,
        exp.DataType.Type.DECIMAL: _decimal_literal,
    }


#: `meta` key of a date_format / date_parse whose format is still Trino's (MySQL-style) text.
MYSQL_FORMAT_META = "athena_mysql_format"


def _mysql_call(kind: type[exp.Func], args: list[exp.Expr]) -> exp.Expr:
    """date_format / date_parse with the format as written: `formats.mysql_to_strftime` is
    the one converter of Trino's specifiers (sqlglot's own conversion reads `%u` as a week,
    and loses which `%G` / `%B` / `%A` were Trino's literal letters)."""
    node = kind(this=seq_get(args, 0), format=seq_get(args, 1))
    node.meta[MYSQL_FORMAT_META] = True
    return node


class AthenaReader(Athena):  # type: ignore[misc]
    """sqlglot's Athena dialect, parsing queries (Trino statements) with `_TrinoReader`."""

    class Parser(AthenaParser):  # type: ignore[misc]
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self._trino_parser = _TrinoReader(
                error_level=self.error_level,
                error_message_context=self.error_message_context,
                max_errors=self.max_errors,
                max_nodes=self.max_nodes,
                dialect=self._trino_parser.dialect,
            )


class InetContainedBy(exp.Expression, exp.Binary, exp.Predicate):  # type: ignore[misc]
    """`address <<= network` of the inet extension (true when address lies in network)."""


class DuckDBInet(DuckDB):
    """sqlglot's DuckDB dialect, writing `InetContainedBy` as the inet extension's `<<=`."""

    class Generator(DuckDB.Generator):  # type: ignore[misc,valid-type]
        TRANSFORMS = {  # noqa: RUF012
            **DuckDB.Generator.TRANSFORMS,
            InetContainedBy: lambda self, e: f"({self.binary(e, '<<=')})",
        }
