"""The translator's errors: the SQL cannot run locally, and the one-line message says why."""

from __future__ import annotations

from vpc_cidr_analysis.errors import AnalysisError


class TranslationError(AnalysisError, ValueError):
    """The SQL cannot be run locally; the message names the construct."""


class UnsupportedSqlError(TranslationError):
    """Valid Athena SQL that has no faithful DuckDB translation here."""


class InvalidSqlError(TranslationError):
    """SQL that Athena itself would reject (syntax, bad format string, bad CIDR literal)."""
