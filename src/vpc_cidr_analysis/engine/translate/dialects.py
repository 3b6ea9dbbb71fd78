"""The dialects at both ends: Athena as read, DuckDB with the inet extension's `<<=` as written."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

#: The dialect the SQL is read in (and quoted in error messages).
READ_DIALECT = "athena"


class InetContainedBy(exp.Expression, exp.Binary, exp.Predicate):  # type: ignore[misc]
    """`address <<= network` of the inet extension (true when address lies in network)."""


class DuckDBInet(DuckDB):
    """sqlglot's DuckDB dialect, writing `InetContainedBy` as the inet extension's `<<=`."""

    class Generator(DuckDB.Generator):  # type: ignore[misc,valid-type]
        TRANSFORMS = {  # noqa: RUF012
            **DuckDB.Generator.TRANSFORMS,
            InetContainedBy: lambda self, e: f"({self.binary(e, '<<=')})",
        }
