"""The one rule for settings: an explicit argument, then the environment, then a default.

Every environment variable the project reads is named here, so a reader finds them in one
place; `resolve` applies the rule for one setting and `resolve_all` for a table of them (the
CIDR Lambda, the Athena runner and the scheduled usage report all use it). Standard library
only (ships to Lambda).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

# The CIDR Lambda and `expand` (cidrtable.expand).
CIDR_BUCKET = "CIDR_BUCKET"
CIDR_PREFIX = "CIDR_PREFIX"
MAX_ADDRESSES = "MAX_ADDRESSES"
# The Athena runner (pack.athena): CLI flags > these > the stack's Outputs > defaults.
ATHENA_DATABASE = "VPC_CIDR_ANALYSIS_DATABASE"
ATHENA_WORKGROUP = "VPC_CIDR_ANALYSIS_WORKGROUP"
ATHENA_OUTPUT = "VPC_CIDR_ANALYSIS_OUTPUT"
AWS_REGION = ("AWS_REGION", "AWS_DEFAULT_REGION")
AWS_PROFILE = "AWS_PROFILE"
# Typed Parquet copies of text flow-log files (engine.cache): --cache DIR, else this.
CACHE_DIR = "VPC_CIDR_ANALYSIS_CACHE"
# Named networks (vpc_cidr_analysis.networks): --networks FILE, else this.
NETWORKS_FILE = "VPC_CIDR_ANALYSIS_NETWORKS"
# AWS's address ranges (vpc_cidr_analysis.aws_ranges): --aws-ranges FILE, else this.
AWS_RANGES_FILE = "VPC_CIDR_ANALYSIS_AWS_RANGES"
# The scheduled usage report (usage.summary); the stack sets them.
USAGE_REPORT_TOPIC_ARN = "USAGE_REPORT_TOPIC_ARN"
USAGE_DAYS = "USAGE_DAYS"
USAGE_REPORT_TOP = "USAGE_REPORT_TOP"
SG_CONNECTIONS_QUERY_ID = "SG_CONNECTIONS_QUERY_ID"
ENI_USAGE_QUERY_ID = "ENI_USAGE_QUERY_ID"
STACK_NAME = "STACK_NAME"


def from_environment(
    variables: str | Sequence[str],
    environ: Mapping[str, str] | None = None,
    *,
    empty_is_set: bool = False,
) -> str | None:
    """The first of `variables` that is set (non-empty, unless `empty_is_set`), else None."""
    env = os.environ if environ is None else environ
    for name in (variables,) if isinstance(variables, str) else variables:
        value = env.get(name)
        if value is not None and (value or empty_is_set):
            return value
    return None


def resolve(
    explicit: T | None,
    variables: str | Sequence[str],
    default: T,
    environ: Mapping[str, str] | None = None,
    *,
    empty_is_set: bool = False,
) -> T | str:
    """`explicit` unless it is None, else the environment's value, else `default`.

    An empty variable counts as unset, unless `empty_is_set` (where '' means something, such
    as CIDR_PREFIX='' for the bucket's root).
    """
    if explicit is not None:
        return explicit
    found = from_environment(variables, environ, empty_is_set=empty_is_set)
    return default if found is None else found


def resolve_all(
    explicit: Mapping[str, object],
    variables: Mapping[str, str | Sequence[str]],
    defaults: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Each setting named in `variables` (name -> environment variables) by the same rule,
    with explicit values that are None or '' counting as not given; settings with no value
    anywhere are left out."""
    values: dict[str, str] = {}
    for name, names in variables.items():
        given = explicit.get(name)
        chosen = resolve(
            None if given in (None, "") else str(given),
            names,
            (defaults or {}).get(name),
            environ,
        )
        if chosen is not None:
            values[name] = chosen
    return values
