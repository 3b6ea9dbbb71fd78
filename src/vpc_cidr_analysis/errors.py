"""The one base class of the project's errors.

Every error raised for bad input, bad configuration or a failed service call derives from
`AnalysisError`, and its message is one line a person can act on: what was wrong and what
would be right. The CLI prints such errors as one `Error:` line; anything else is a bug and
keeps its traceback. Standard library only (ships to Lambda).
"""

from __future__ import annotations


class AnalysisError(Exception):
    """A known failure: bad input, configuration, or a service's refusal, said in one line."""


def aws_error_code(exc: BaseException) -> str:
    """The error code of a botocore `ClientError` (e.g. `NoSuchBucket`), '' for anything else."""
    response = getattr(exc, "response", None) or {}
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    return str(error.get("Code", "")) if isinstance(error, dict) else ""
