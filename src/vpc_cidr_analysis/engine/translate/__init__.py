"""Athena (engine v3, Trino) SQL translated into DuckDB SQL that returns the same rows.

The public API; see `pipeline` for the passes and what each construct becomes.
"""

from __future__ import annotations

from vpc_cidr_analysis.engine.translate.pipeline import (
    MACROS,
    READ_DIALECT,
    InetContainedBy,
    InvalidSqlError,
    Translation,
    TranslationError,
    UnsupportedSqlError,
    generate,
    inet_extension_path,
    iter_parameters,
    joda_to_strftime,
    prepare_connection,
    teradata_to_strftime,
    translate,
    translate_query,
    trino_network,
)

__all__ = [
    "MACROS",
    "READ_DIALECT",
    "InetContainedBy",
    "InvalidSqlError",
    "Translation",
    "TranslationError",
    "UnsupportedSqlError",
    "generate",
    "inet_extension_path",
    "iter_parameters",
    "joda_to_strftime",
    "prepare_connection",
    "teradata_to_strftime",
    "translate",
    "translate_query",
    "trino_network",
]
