"""The one definition of the flow-log tables: fields, Athena columns, partitions.

Two kinds of flow logs share the S3 layout: VPC flow logs (`vpcflowlogstable`) and Transit
Gateway flow logs (`tgwflowlogstable`); a format is of one kind by its fields (`kind_of_format`).

The local engine, the simulator and the stack template's Glue table are all built from this
module, so a column never differs between Athena and the offline engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vpc_cidr_analysis.errors import AnalysisError

DATABASE = "vpcflowlogscidrdb"
FLOW_TABLE = "vpcflowlogstable"
TGW_TABLE = "tgwflowlogstable"
CIDR_TABLE = "cidrtable"
MISSING = "-"


@dataclass(frozen=True)
class Field:
    """One flow-log record field as AWS names it and as the Athena table types it."""

    name: str  # flow-log field name, e.g. "account-id"
    athena_type: str  # Glue/Athena type: int, bigint or string
    version: int  # flow-log version that introduced the field

    @property
    def column(self) -> str:
        """Athena column name: the field name with `_` for `-` (as in Parquet flow logs)."""
        return self.name.replace("-", "_")

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.athena_type]


DUCKDB_TYPES = {"int": "INTEGER", "bigint": "BIGINT", "string": "VARCHAR"}

FIELDS: tuple[Field, ...] = (
    Field("version", "int", 2),
    Field("account-id", "string", 2),
    Field("interface-id", "string", 2),
    Field("srcaddr", "string", 2),
    Field("dstaddr", "string", 2),
    Field("srcport", "int", 2),
    Field("dstport", "int", 2),
    Field("protocol", "bigint", 2),
    Field("packets", "bigint", 2),
    Field("bytes", "bigint", 2),
    Field("start", "bigint", 2),
    Field("end", "bigint", 2),
    Field("action", "string", 2),
    Field("log-status", "string", 2),
    Field("vpc-id", "string", 3),
    Field("subnet-id", "string", 3),
    Field("instance-id", "string", 3),
    Field("tcp-flags", "int", 3),
    Field("type", "string", 3),
    Field("pkt-srcaddr", "string", 3),
    Field("pkt-dstaddr", "string", 3),
    Field("region", "string", 4),
    Field("az-id", "string", 4),
    Field("sublocation-type", "string", 4),
    Field("sublocation-id", "string", 4),
    Field("pkt-src-aws-service", "string", 5),
    Field("pkt-dst-aws-service", "string", 5),
    Field("flow-direction", "string", 5),
    Field("traffic-path", "int", 5),
    Field("ecs-cluster-arn", "string", 7),
    Field("ecs-cluster-name", "string", 7),
    Field("ecs-container-instance-arn", "string", 7),
    Field("ecs-container-instance-id", "string", 7),
    Field("ecs-container-id", "string", 7),
    Field("ecs-second-container-id", "string", 7),
    Field("ecs-service-name", "string", 7),
    Field("ecs-task-definition-arn", "string", 7),
    Field("ecs-task-arn", "string", 7),
    Field("ecs-task-id", "string", 7),
    Field("reject-reason", "string", 8),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
FIELDS_BY_COLUMN: dict[str, Field] = {f.column: f for f in FIELDS}

_VPC = FIELDS_BY_NAME

#: Transit Gateway flow-log fields, in the order of AWS's table (Transit Gateway guide,
#: "Transit Gateway Flow Log records"), typed from their Parquet types (INT_32 int, INT_64
#: bigint, STRING string). Fields both kinds have are the VPC definitions, so they type alike.
TGW_FIELDS: tuple[Field, ...] = (
    _VPC["version"],
    Field("resource-type", "string", 6),
    _VPC["account-id"],
    Field("tgw-id", "string", 6),
    Field("tgw-attachment-id", "string", 6),
    Field("tgw-src-vpc-account-id", "string", 6),
    Field("tgw-dst-vpc-account-id", "string", 6),
    Field("tgw-src-vpc-id", "string", 6),
    Field("tgw-dst-vpc-id", "string", 6),
    Field("tgw-src-subnet-id", "string", 6),
    Field("tgw-dst-subnet-id", "string", 6),
    Field("tgw-src-eni", "string", 6),
    Field("tgw-dst-eni", "string", 6),
    Field("tgw-src-az-id", "string", 6),
    Field("tgw-dst-az-id", "string", 6),
    Field("tgw-pair-attachment-id", "string", 6),
    _VPC["srcaddr"],
    _VPC["dstaddr"],
    _VPC["srcport"],
    _VPC["dstport"],
    _VPC["protocol"],
    _VPC["packets"],
    _VPC["bytes"],
    _VPC["start"],
    _VPC["end"],
    _VPC["log-status"],
    _VPC["type"],
    Field("packets-lost-no-route", "bigint", 6),
    Field("packets-lost-blackhole", "bigint", 6),
    Field("packets-lost-mtu-exceeded", "bigint", 6),
    Field("packets-lost-ttl-expired", "bigint", 6),
    _VPC["tcp-flags"],
    _VPC["region"],
    _VPC["flow-direction"],
    _VPC["pkt-src-aws-service"],
    _VPC["pkt-dst-aws-service"],
)
TGW_FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in TGW_FIELDS}
#: AWS's default TGW format: every field, in the table's order.
TGW_DEFAULT_FIELDS: tuple[str, ...] = tuple(f.name for f in TGW_FIELDS)


@dataclass(frozen=True)
class FlowLogKind:
    """VPC or Transit Gateway flow logs: the fields of the kind and the table that reads it."""

    name: str  # "vpc" or "tgw"
    title: str  # for messages: "VPC" or "Transit Gateway"
    table: str
    fields: tuple[Field, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


VPC = FlowLogKind("vpc", "VPC", FLOW_TABLE, FIELDS)
TGW = FlowLogKind("tgw", "Transit Gateway", TGW_TABLE, TGW_FIELDS)
KINDS: tuple[FlowLogKind, ...] = (VPC, TGW)
KINDS_BY_TABLE: dict[str, FlowLogKind] = {k.table: k for k in KINDS}
#: Fields only one kind has: a header naming any of them is that kind.
_ONLY_VPC = frozenset(FIELDS_BY_NAME) - frozenset(TGW_FIELDS_BY_NAME)
_ONLY_TGW = frozenset(TGW_FIELDS_BY_NAME) - frozenset(FIELDS_BY_NAME)

#: The default (version 2) format AWS writes when no custom format is chosen.
V2_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.version == 2)
#: All fields up to version 5, in AWS's documented order: the simulator's default format.
V5_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.version <= 5)
ALL_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS)


@dataclass(frozen=True)
class Partition:
    """A partition column of the flow-log table, filled from the object's S3 key."""

    column: str
    description: str


#: Partition columns, in table order. `day` is 'yyyy/MM/dd' in every layout, so one query
#: text (`day >= date_format(current_date - interval '9' day, '%Y/%m/%d')`) serves all.
#: They are not named `account_id`/`region`: v4 logs carry data columns with those names.
PARTITIONS: tuple[Partition, ...] = (
    Partition("aws_account_id", "account id from the S3 key (AWSLogs/<account>/…)"),
    Partition("aws_region", "region from the S3 key"),
    Partition("day", "'yyyy/MM/dd' from the S3 key, in every layout"),
    Partition("hour", "'HH' from the S3 key when logs are partitioned per hour, else NULL"),
)
PARTITION_COLUMNS: tuple[str, ...] = tuple(p.column for p in PARTITIONS)

#: cidrtable: one row per address of each expanded CIDR block (written by the CIDR Lambda).
CIDR_COLUMNS: tuple[tuple[str, str], ...] = (("cidr", "string"), ("ip", "string"))


class UnknownFieldError(AnalysisError, ValueError):
    """A flow-log format names a field AWS does not define."""


_FORMAT_TOKEN = re.compile(r"\$\{([^}]*)\}")


def parse_log_format(text: str, kind: FlowLogKind = VPC) -> tuple[str, ...]:
    """Field names of a flow-log format of one kind (VPC unless told).

    Accepts the `LogFormat` of `describe-flow-logs` (`${version} ${srcaddr} …`), a file's header
    line (`version srcaddr …`) or Parquet/Athena column names (`log_status`).
    """
    tokens = _FORMAT_TOKEN.findall(text) if "${" in text else text.replace(",", " ").split()
    if not tokens:
        raise UnknownFieldError("empty flow-log format: expected names like 'version srcaddr'")
    known = {f.name for f in kind.fields}
    names: list[str] = []
    for token in tokens:
        name = token.strip().replace("_", "-")
        if name not in known:
            other = TGW if kind is VPC else VPC
            hint = f" (a {other.title} flow-log field)" if name in other.field_names else ""
            what = "" if kind is VPC else f"{kind.title} "
            raise UnknownFieldError(
                f"unknown {what}flow-log field {token!r}{hint}: expected one of "
                f"{', '.join(kind.field_names)}"
            )
        if name in names:
            raise UnknownFieldError(f"flow-log field {token!r} appears twice in the format")
        names.append(name)
    return tuple(names)


def kind_of_format(text: str) -> FlowLogKind:
    """Whether a format (header line, LogFormat, Parquet columns) is of VPC or TGW flow logs.

    A format naming a field only TGW logs have (`resource-type`, `tgw-id`, …) is TGW; one naming
    a field only VPC logs have (`interface-id`, `action`, …) is VPC; one naming both kinds' own
    fields is an error, and one with only the fields both share is read as VPC. The fields are
    then checked against that kind alone, so a file is never read as the other kind.
    """
    tokens = _FORMAT_TOKEN.findall(text) if "${" in text else text.replace(",", " ").split()
    names = {t.strip().replace("_", "-") for t in tokens}
    vpc_own, tgw_own = sorted(names & _ONLY_VPC), sorted(names & _ONLY_TGW)
    if vpc_own and tgw_own:
        raise UnknownFieldError(
            f"flow-log format mixes VPC fields ({', '.join(vpc_own[:3])}) and Transit Gateway "
            f"fields ({', '.join(tgw_own[:3])}): expected the fields of one kind"
        )
    return TGW if tgw_own else VPC


def parse_any_log_format(text: str) -> tuple[FlowLogKind, tuple[str, ...]]:
    """The kind of a format and its field names, checked against that kind's fields."""
    kind = kind_of_format(text)
    return kind, parse_log_format(text, kind)


def fields_for(names: Iterable[str], kind: FlowLogKind = VPC) -> tuple[Field, ...]:
    """Field definitions for field names of one kind, in the given order."""
    return tuple(kind.field(n) for n in parse_log_format(" ".join(names), kind))


def format_version(names: Sequence[str]) -> int:
    """The `version` value AWS writes for a format: the highest version among its fields."""
    return max((FIELDS_BY_NAME[n].version for n in names), default=2)


def table_fields(names: Sequence[str], kind: FlowLogKind = VPC) -> tuple[str, ...]:
    """A table's fields: the log format's, in the files' order, then every other field of the
    kind (VPC unless told).

    Text logs are read by position, so the format's fields come first; the rest follow so the
    table has every column on Athena as on the local engine: a trailing column missing from a
    text line, or a column missing from a Parquet file, reads as NULL. Queries written for
    another format then return NULLs instead of failing with COLUMN_NOT_FOUND.
    """
    ordered = parse_log_format(" ".join(names), kind)
    return ordered + tuple(name for name in kind.field_names if name not in ordered)


def athena_columns(
    names: Sequence[str] | None = None, kind: FlowLogKind = VPC
) -> list[tuple[str, str]]:
    """(column, Athena type) pairs for the data columns of a table over the given fields."""
    return [
        (f.column, f.athena_type)
        for f in fields_for(kind.field_names if names is None else names, kind)
    ]


def duckdb_columns(
    names: Sequence[str] | None = None, kind: FlowLogKind = VPC
) -> list[tuple[str, str]]:
    """(column, DuckDB type) pairs matching `athena_columns`."""
    return [
        (f.column, f.duckdb_type)
        for f in fields_for(kind.field_names if names is None else names, kind)
    ]
