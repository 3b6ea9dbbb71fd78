"""Athena (engine v3, Trino) SQL translated into DuckDB SQL that returns the same rows.

The public API; see `pipeline` for the passes and what each construct becomes.
"""

from __future__ import annotations

from vpc_cidr_analysis.engine.translate.dialects import READ_DIALECT, InetContainedBy
from vpc_cidr_analysis.engine.translate.errors import (
    InvalidSqlError,
    TranslationError,
    UnsupportedSqlError,
)
from vpc_cidr_analysis.engine.translate.formats import joda_to_strftime, teradata_to_strftime
from vpc_cidr_analysis.engine.translate.networks import trino_network
from vpc_cidr_analysis.engine.translate.pipeline import (
    MACROS,
    Translation,
    generate,
    inet_extension_path,
    iter_parameters,
    prepare_connection,
    translate,
    translate_query,
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
