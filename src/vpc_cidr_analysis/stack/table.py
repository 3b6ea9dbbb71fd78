"""`Custom::FlowLogTable`: the stack's flow-log table, built from `schema`.

A CloudFormation template cannot turn a flow log's `LogFormat` string into Glue columns: text
flow logs are read by position, so the columns must follow the file's field order, and only code
can map `${version} ${srcaddr} …` to typed columns. The stack helper function
(`functions/stack_helper/`) therefore creates, updates and deletes the flow-log table (and, for
the Hive-compatible layout, its view) from the stack's parameters, with the same
`schema.athena_columns` the local engine uses.

Every layout exposes the same columns: the data columns of the log format, then
`aws_account_id`, `aws_region`, `day` ('yyyy/MM/dd') and, with hourly partitions, `hour` ('HH').

- Default layout (`AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/[{HH}/]`): one table,
  `day` a `date` projection with format `yyyy/MM/dd`, exactly as AWS documents it.
- Hive-compatible layout (`…/aws-region={region}/year={yyyy}/month={MM}/day={dd}/[hour={HH}/]`):
  as AWS's own Hive-layout flow-log table, the data sit in `vpcflowlogstable_hive` with separate
  `year`, `month`, `day` (and `hour`) partitions, projected only in documented ways: `year` a
  `date` projection formatted `yyyy` (unit YEARS, up to NOW), `month`, `day` and `hour`
  `integer` projections with 2 digits (a day that does not exist, such as 02/30, is an empty
  prefix and returns no rows). `vpcflowlogstable` is an Athena view (a Glue `VIRTUAL_VIEW`)
  over it that exposes `day` as 'yyyy/MM/dd' (`year || '/' || month || '/' || day`), plus
  `year` and `month` for direct filtering. A predicate on the view's `day` is an expression over
  partition columns only; Athena (Trino) evaluates such expressions on each projected partition
  before listing S3, so the window is still pruned.

Transit Gateway flow logs (`Kind` tgw) get `tgwflowlogstable` the same way, from their own log
format (`schema.TGW`), with the same layouts, partitions and projection: AWS writes them under
the same keys (`AWSLogs/{account}/vpcflowlogs/{region}/…`, Hive `aws-service=vpcflowlogs`; the
TGW guide prints `service=`, the VPC guide and `layout` `aws-service=`, the name AWS's delivery
uses for both kinds, which share it).

Both kinds under one location: Athena reads every object under a table's location and text by
position (it skips the header line, the only place a file names its fields), so each table would
read the other kind's records as its own. The kinds are then told apart by `version`, the one
field whose value says the kind: AWS writes the highest version among the format's fields, the
Transit Gateway fields are version 6 (`TGW_RECORD_VERSION`), and no VPC field is (VPC versions
are 2-5, 7 and 8). Each table is then a view over the objects with a `version` filter
(`kind_filter`), and the stack refuses formats where that test cannot hold: `${version}` missing
from either format, at different places in text formats, or a TGW format without a TGW field.
Delivering each kind under its own prefix needs no filter and scans only the table's own objects.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.errors import AnalysisError, aws_error_code
from vpc_cidr_analysis.layout import FILE_FORMATS, LAYOUTS, FileFormat, Layout
from vpc_cidr_analysis.s3url import S3UrlError, parse_s3_url
from vpc_cidr_analysis.stack.custom_resource import Outcome, Request

if TYPE_CHECKING:
    from mypy_boto3_glue import GlueClient

logger = logging.getLogger("vpc_cidr_analysis.stack.table")

#: Suffixes of the tables that hold the objects when a kind's table is a view over them: the
#: Hive layout's, and the default layout's when both kinds share a location.
HIVE_SUFFIX = "_hive"
OBJECTS_SUFFIX = "_objects"
#: Table over VPC Hive-layout objects; users query the `vpcflowlogstable` view over it.
HIVE_SOURCE_TABLE = schema.FLOW_TABLE + HIVE_SUFFIX
#: The `version` AWS writes on Transit Gateway records whose format has a TGW field (version 6,
#: the highest of their fields); VPC records never carry it (their fields are 2-5, 7 and 8).
TGW_RECORD_VERSION = 6
DAY_FORMAT = "yyyy/MM/dd"
#: Hive layout: the date partitions of `HIVE_SOURCE_TABLE`, as AWS's Hive-layout table has them.
HIVE_DATE_COLUMNS = ("year", "month", "day")
YEAR_FORMAT = "yyyy"
MONTH_RANGE = "1,12"
DAY_RANGE = "1,31"
HOUR_RANGE = "0,23"
#: Columns the Hive layout's view adds after the common ones, for direct filtering.
HIVE_VIEW_EXTRA = ("year", "month")

TEXT_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

#: Glue (Hive) column type -> the type Athena records in a view's definition.
VIEW_TYPES = {"int": "integer", "bigint": "bigint", "string": "varchar"}

_ACCOUNT = re.compile(r"\d{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_DATABASE = re.compile(r"[a-z0-9_]{1,255}")


class StackConfigError(AnalysisError, ValueError):
    """A stack parameter has a value the flow-log table cannot be built from."""


# --------------------------------------------------------------------------- table definition


@dataclass(frozen=True)
class FlowLogTableSpec:
    """What a flow-log table is built from: where and how AWS writes the logs, of which kind,
    and (`shared_fields`) the other kind's format when its objects lie under the same
    location."""

    bucket: str
    prefix: str  # "" or "folder/…/" (ends with '/'), the part before AWSLogs/
    layout: Layout
    hourly: bool
    file_format: FileFormat
    fields: tuple[str, ...]  # flow-log field names in the files' order
    account_ids: tuple[str, ...]
    regions: tuple[str, ...]
    start_day: date
    kind: schema.FlowLogKind = schema.VPC
    shared_fields: tuple[str, ...] | None = None

    @property
    def root(self) -> str:
        """`s3://bucket/prefix/AWSLogs/`: where every object of the flow log lives."""
        return f"s3://{self.bucket}/{self.prefix}AWSLogs/"

    @property
    def table(self) -> str:
        """The table users query: `vpcflowlogstable` or `tgwflowlogstable`."""
        return self.kind.table

    @property
    def data_table(self) -> str:
        """The table over the objects: the queried table itself, or the one its view reads."""
        if self.layout == "hive":
            return self.table + HIVE_SUFFIX
        if self.shared_fields is not None:
            return self.table + OBJECTS_SUFFIX
        return self.table

    @property
    def table_names(self) -> tuple[str, ...]:
        """Glue tables this spec creates, in creation order."""
        if self.data_table != self.table:
            return (self.data_table, self.table)
        return (self.table,)


def kind_tables(kind: schema.FlowLogKind) -> tuple[str, ...]:
    """Every Glue table a kind's table may be made of (the stack helper's to drop)."""
    return (kind.table, kind.table + HIVE_SUFFIX, kind.table + OBJECTS_SUFFIX)


def parse_location(url: str) -> tuple[str, str]:
    """Bucket and key prefix ('' or ending in '/') of a flow-log destination `s3://bucket/…`."""
    try:
        location = parse_s3_url(url, what="flow-log location", folder=True)
    except S3UrlError as exc:
        raise StackConfigError(f"{exc} (the flow log's destination, above AWSLogs/)") from None
    bucket = location.bucket
    parts = [p for p in location.key.split("/") if p]
    if parts and parts[-1] == "AWSLogs":
        suggestion = f"s3://{bucket}/" + "".join(f"{p}/" for p in parts[:-1])
        raise StackConfigError(
            f"flow-log location {url!r} ends with AWSLogs/; give the flow log's destination "
            f"above it: {suggestion}"
        )
    if "AWSLogs" in parts:
        raise StackConfigError(
            f"flow-log location {url!r} reaches into AWSLogs/; give the flow log's destination "
            "(the part before AWSLogs/), e.g. s3://bucket/ or s3://bucket/prefix/"
        )
    return bucket, "".join(f"{p}/" for p in parts)


def _csv_values(name: str, text: str, pattern: re.Pattern[str], example: str) -> tuple[str, ...]:
    values: list[str] = []
    for raw in text.split(","):
        value = raw.strip()
        if not pattern.fullmatch(value):
            raise StackConfigError(
                f"{name}: {raw.strip()!r} is not valid; expected a comma-separated list like "
                f"{example}"
            )
        if value not in values:
            values.append(value)
    return tuple(values)


def parse_day(text: str, name: str = "projection start date") -> date:
    """A 'yyyy/MM/dd' day."""
    try:
        return datetime.strptime(text.strip(), "%Y/%m/%d").date()
    except ValueError:
        raise StackConfigError(
            f"{name} {text!r} is not a day; expected yyyy/MM/dd, e.g. 2025/01/01"
        ) from None


KIND_NAMES: dict[str, schema.FlowLogKind] = {k.name: k for k in schema.KINDS}


def _kind(props: Mapping[str, Any]) -> schema.FlowLogKind:
    """`Kind` (vpc when absent, as before Transit Gateway tables existed)."""
    name = str(props.get("Kind", "") or "vpc").strip()
    if name not in KIND_NAMES:
        raise StackConfigError(f"kind {name!r} is unknown; expected one of {', '.join(KIND_NAMES)}")
    return KIND_NAMES[name]


def _log_format(text: str, kind: schema.FlowLogKind) -> tuple[str, ...]:
    what = "log format" if kind is schema.VPC else f"{kind.title} log format"
    try:
        return schema.parse_log_format(text, kind)
    except schema.UnknownFieldError as exc:
        raise StackConfigError(f"{what}: {exc}") from None


def spec_from_properties(props: Mapping[str, Any], today: date | None = None) -> FlowLogTableSpec:
    """Validate `Custom::FlowLogTable` properties (strings, as CloudFormation sends them).

    `Kind` (vpc or tgw, default vpc) says which flow logs the table reads; `OtherKindLocation`
    and `OtherKindLogFormat` (empty when the stack has no table of the other kind) say where
    the other kind's table reads and in which format, so that a shared location is read with
    `kind_filter`.
    """
    kind = _kind(props)
    missing = [
        key
        for key in (
            "FlowLogsLocation",
            "S3Layout",
            "HourlyPartitions",
            "FileFormat",
            "LogFormat",
            "AccountIds",
            "Regions",
            "ProjectionStartDate",
        )
        if not str(props.get(key, "")).strip()
    ]
    if missing:
        raise StackConfigError(f"Custom::FlowLogTable is missing properties: {', '.join(missing)}")
    bucket, prefix = parse_location(str(props["FlowLogsLocation"]))
    layout = str(props["S3Layout"]).strip()
    if layout not in LAYOUTS:
        raise StackConfigError(f"S3 layout {layout!r} is unknown; expected one of {LAYOUTS}")
    hourly_text = str(props["HourlyPartitions"]).strip().lower()
    if hourly_text not in ("true", "false"):
        raise StackConfigError(f"hourly partitions {hourly_text!r}: expected true or false")
    file_format = str(props["FileFormat"]).strip()
    if file_format not in FILE_FORMATS:
        raise StackConfigError(
            f"file format {file_format!r} is unknown; expected one of {FILE_FORMATS}"
        )
    fields = _log_format(str(props["LogFormat"]), kind)
    shared_fields = _shared_fields(props, kind, (bucket, prefix), file_format, fields)
    start_day = parse_day(str(props["ProjectionStartDate"]))
    today = today or datetime.now(UTC).date()
    if start_day > today:
        raise StackConfigError(
            f"projection start date {start_day:%Y/%m/%d} is in the future; Athena projects "
            f"days from it up to today ({today:%Y/%m/%d}), so choose a day before today"
        )
    return FlowLogTableSpec(
        bucket=bucket,
        prefix=prefix,
        layout=layout,  # type: ignore[arg-type]  # checked against LAYOUTS above
        hourly=hourly_text == "true",
        file_format=file_format,  # type: ignore[arg-type]  # checked against FILE_FORMATS
        fields=fields,
        account_ids=_csv_values(
            "account ids", str(props["AccountIds"]), _ACCOUNT, "111122223333,444455556666"
        ),
        regions=_csv_values("regions", str(props["Regions"]), _REGION, "us-east-1,eu-west-1"),
        start_day=start_day,
        kind=kind,
        shared_fields=shared_fields,
    )


def _shared_fields(
    props: Mapping[str, Any],
    kind: schema.FlowLogKind,
    location: tuple[str, str],
    file_format: str,
    fields: tuple[str, ...],
) -> tuple[str, ...] | None:
    """The other kind's fields when its objects lie under this table's location, else None;
    checked that `version` tells the kinds apart (see `kind_filter`)."""
    other_location = str(props.get("OtherKindLocation", "") or "").strip()
    if not other_location:
        return None
    if parse_location(other_location) != location:
        return None  # other roots never overlap: a location holds no AWSLogs/ before its own
    other = schema.TGW if kind is schema.VPC else schema.VPC
    other_fields = _log_format(str(props.get("OtherKindLogFormat", "")), other)
    vpc, tgw = (fields, other_fields) if kind is schema.VPC else (other_fields, fields)
    bucket, prefix = location
    where = f"VPC and Transit Gateway flow logs share s3://{bucket}/{prefix}"
    fix = (
        "put ${version} first in both log formats, or give the Transit Gateway flow log its "
        "own prefix (TransitGatewayFlowLogsLocation)"
    )
    if "version" not in vpc or "version" not in tgw:
        lacking = " and ".join(
            name
            for name, names in (("VPC", vpc), ("Transit Gateway", tgw))
            if "version" not in names
        )
        raise StackConfigError(
            f"{where}: Athena tells their records apart only by ${{version}}, which the "
            f"{lacking} log format lacks; {fix}"
        )
    if file_format == "text" and vpc.index("version") != tgw.index("version"):
        raise StackConfigError(
            f"{where}: text is read by position, so ${{version}} must be at the same place in "
            f"both log formats (VPC: field {vpc.index('version') + 1}, Transit Gateway: field "
            f"{tgw.index('version') + 1}); {fix}"
        )
    if schema.kind_of_format(" ".join(tgw)) is not schema.TGW:
        raise StackConfigError(
            f"{where}: a Transit Gateway log format without any Transit Gateway field (such as "
            "${tgw-attachment-id}) gives its records a VPC version, so they cannot be told "
            "apart; add one, or give the Transit Gateway flow log its own prefix "
            "(TransitGatewayFlowLogsLocation)"
        )
    return other_fields


def kind_filter(spec: FlowLogTableSpec) -> str | None:
    """The condition (Athena SQL) that keeps the spec's kind of records from a location both
    kinds share, None when the location holds one kind: Transit Gateway records carry version
    `TGW_RECORD_VERSION` and VPC records never do."""
    if spec.shared_fields is None:
        return None
    operator = "=" if spec.kind is schema.TGW else "<>"
    return f'"version" {operator} {TGW_RECORD_VERSION}'


def format_java_date(pattern: str, day: date, hour: int = 0) -> str:
    """Format a day as Athena formats a `date` projection value (java.time pattern subset).

    Supports `yyyy`, `MM`, `dd`, `HH` and quoted literal text (`'year='`, `''` for a quote):
    enough to compute projection ranges and to check storage templates against real keys.
    """
    out: list[str] = []
    fields = {"yyyy": f"{day.year:04d}", "MM": f"{day.month:02d}", "dd": f"{day.day:02d}"}
    fields["HH"] = f"{hour:02d}"
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.find("'", i + 1)
            if end == -1:
                raise ValueError(f"unclosed quote in date pattern {pattern!r}")
            out.append(pattern[i + 1 : end] if end > i + 1 else "'")
            i = end + 1
        elif char.isalpha():
            token = next((t for t in fields if pattern.startswith(t, i)), None)
            if token is None:
                raise ValueError(f"unsupported letters at {pattern[i:]!r} in {pattern!r}")
            out.append(fields[token])
            i += len(token)
        else:
            out.append(char)
            i += 1
    return "".join(out)


def storage_location_template(spec: FlowLogTableSpec) -> str:
    """Athena's `storage.location.template`: the key prefix of one partition, with `${col}`."""
    if spec.layout == "hive":
        template = (
            f"{spec.root}aws-account-id=${{aws_account_id}}/aws-service=vpcflowlogs/"
            "aws-region=${aws_region}/year=${year}/month=${month}/day=${day}/"
        )
        return template + ("hour=${hour}/" if spec.hourly else "")
    template = f"{spec.root}${{aws_account_id}}/vpcflowlogs/${{aws_region}}/${{day}}/"
    return template + ("${hour}/" if spec.hourly else "")


def partition_columns(spec: FlowLogTableSpec) -> list[str]:
    """Partition columns of the table holding the data, in order."""
    dates = list(HIVE_DATE_COLUMNS) if spec.layout == "hive" else ["day"]
    return ["aws_account_id", "aws_region", *dates] + (["hour"] if spec.hourly else [])


def _integer(column: str, value_range: str) -> dict[str, str]:
    return {
        f"projection.{column}.type": "integer",
        f"projection.{column}.range": value_range,
        f"projection.{column}.digits": "2",
    }


def projection_parameters(spec: FlowLogTableSpec) -> dict[str, str]:
    """Partition projection properties, only in forms AWS documents: enum accounts and regions;
    default layout a `yyyy/MM/dd` date `day`; Hive layout a `yyyy` date `year` and 2-digit
    integer `month` and `day`; 2-digit integer hours."""
    params = {
        "projection.enabled": "true",
        "projection.aws_account_id.type": "enum",
        "projection.aws_account_id.values": ",".join(spec.account_ids),
        "projection.aws_region.type": "enum",
        "projection.aws_region.values": ",".join(spec.regions),
    }
    if spec.layout == "hive":
        params.update(
            {
                "projection.year.type": "date",
                "projection.year.format": YEAR_FORMAT,
                "projection.year.range": f"{spec.start_day.year:04d},NOW",
                "projection.year.interval": "1",
                "projection.year.interval.unit": "YEARS",
                **_integer("month", MONTH_RANGE),
                **_integer("day", DAY_RANGE),
            }
        )
    else:
        params.update(
            {
                "projection.day.type": "date",
                "projection.day.format": DAY_FORMAT,
                "projection.day.range": f"{format_java_date(DAY_FORMAT, spec.start_day)},NOW",
                "projection.day.interval": "1",
                "projection.day.interval.unit": "DAYS",
            }
        )
    if spec.hourly:
        params.update(_integer("hour", HOUR_RANGE))
    params["storage.location.template"] = storage_location_template(spec)
    return params


def expand_template(template: str, values: Mapping[str, str]) -> str:
    """Replace each `${column}` by its value, as Athena does for one projected partition."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for ${{{name}}} in {template!r}")
        return values[name]

    return re.sub(r"\$\{([^}]+)\}", value, template)


def data_columns(spec: FlowLogTableSpec) -> list[dict[str, str]]:
    """Glue columns: the log format's in the files' order (text is read by position), then
    every other field of the kind, as the local engine has them (see `schema.table_fields`)."""
    columns = _columns(spec)
    return [{"Name": name, "Type": kind} for name, kind in columns]


def _columns(spec: FlowLogTableSpec) -> list[tuple[str, str]]:
    return schema.athena_columns(schema.table_fields(spec.fields, spec.kind), spec.kind)


def _storage(spec: FlowLogTableSpec) -> dict[str, Any]:
    if spec.file_format == "parquet":
        serde = {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}}
        formats = {"InputFormat": PARQUET_INPUT, "OutputFormat": PARQUET_OUTPUT}
    else:
        serde = {
            "SerializationLibrary": TEXT_SERDE,
            "Parameters": {"field.delim": " ", "serialization.format": " "},
        }
        formats = {"InputFormat": TEXT_INPUT, "OutputFormat": TEXT_OUTPUT}
    return {"Columns": data_columns(spec), "Location": spec.root, **formats, "SerdeInfo": serde}


def data_table_input(spec: FlowLogTableSpec) -> dict[str, Any]:
    """Glue `TableInput` of the table that reads the flow-log objects."""
    parameters = {"EXTERNAL": "TRUE", "classification": spec.file_format}
    if spec.file_format == "text":
        parameters["skip.header.line.count"] = "1"  # each file starts with the field names
    parameters.update(projection_parameters(spec))
    description = (
        f"{spec.kind.title} flow logs under {spec.root} ({spec.layout} layout, "
        f"{'hourly' if spec.hourly else 'daily'}, {spec.file_format})."
    )
    if spec.shared_fields is not None:
        description += " Also reads the other kind's objects there; query the view."
    if spec.layout == "hive":
        description += f" Query the {spec.table} view, which adds day (yyyy/MM/dd)."
    return {
        "Name": spec.data_table,
        "Description": description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": parameters,
        "PartitionKeys": [{"Name": c, "Type": "string"} for c in partition_columns(spec)],
        "StorageDescriptor": _storage(spec),
    }


def view_columns(spec: FlowLogTableSpec) -> list[tuple[str, str]]:
    """(column, Glue type) of the queried table: data, then partitions (the same in every
    layout), then, for the Hive layout's view, `year` and `month`."""
    columns = _columns(spec)
    columns += [("aws_account_id", "string"), ("aws_region", "string"), ("day", "string")]
    columns += [("hour", "string")] if spec.hourly else []
    if spec.layout == "hive":
        columns += [(name, "string") for name in HIVE_VIEW_EXTRA]
    return columns


def view_sql(spec: FlowLogTableSpec, database: str) -> str:
    """The SELECT behind the queried table when it is a view (Athena SQL): the Hive layout's
    `day` as 'yyyy/MM/dd', and only the spec's kind of records from a shared location."""
    select = [f'"{name}"' for name, _ in _columns(spec)]
    select += ['"aws_account_id"', '"aws_region"']
    if spec.layout == "hive":
        select.append('"year" || \'/\' || "month" || \'/\' || "day" AS "day"')
    else:
        select.append('"day"')
    select += ['"hour"'] if spec.hourly else []
    if spec.layout == "hive":
        select += [f'"{name}"' for name in HIVE_VIEW_EXTRA]
    sql = "SELECT " + ", ".join(select) + f' FROM "{database}"."{spec.data_table}"'
    condition = kind_filter(spec)
    return sql + (f" WHERE {condition}" if condition else "")


def view_table_input(spec: FlowLogTableSpec, database: str) -> dict[str, Any]:
    """Glue `TableInput` of an Athena view, stored the way Athena's CREATE VIEW stores it."""
    columns = view_columns(spec)
    definition = {
        "originalSql": view_sql(spec, database),
        "catalog": "awsdatacatalog",
        "schema": database,
        "columns": [{"name": name, "type": VIEW_TYPES[kind]} for name, kind in columns],
    }
    encoded = base64.b64encode(json.dumps(definition).encode()).decode()
    what = (
        "Hive-compatible layout, with day as yyyy/MM/dd"
        if spec.layout == "hive"
        else f"{spec.layout} layout"
    )
    if spec.shared_fields is not None:
        what += f"; only {spec.kind.title} records: {kind_filter(spec)}"
    return {
        "Name": spec.table,
        "Description": f"{spec.kind.title} flow logs under {spec.root} ({what}).",
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": f"/* Presto View: {encoded} */",
        "ViewExpandedText": "/* Presto View */",
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": name, "Type": kind} for name, kind in columns],
            "SerdeInfo": {},
        },
    }


def decode_view(table_input: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON definition inside a view's `ViewOriginalText`."""
    text = str(table_input["ViewOriginalText"])
    match = re.fullmatch(r"/\* Presto View: (\S+) \*/", text)
    if match is None:
        raise ValueError(f"not an Athena view definition: {text[:60]!r}")
    definition: dict[str, Any] = json.loads(base64.b64decode(match.group(1)))
    return definition


def table_inputs(spec: FlowLogTableSpec, database: str) -> list[dict[str, Any]]:
    """Every Glue `TableInput` for the spec, in creation order (data table before its view)."""
    inputs = [data_table_input(spec)]
    if spec.data_table != spec.table:
        inputs.append(view_table_input(spec, database))
    return inputs


# --------------------------------------------------------------------------- Glue actions


def put_tables(glue: GlueClient, database: str, inputs: Sequence[Mapping[str, Any]]) -> None:
    """Create each table, or replace it when it exists (dropped first if its type changes)."""
    for table_input in inputs:
        name = str(table_input["Name"])
        try:
            existing = glue.get_table(DatabaseName=database, Name=name)["Table"]
        except Exception as exc:
            if aws_error_code(exc) != "EntityNotFoundException":
                raise
            existing = None
        if existing is not None and existing.get("TableType") != table_input["TableType"]:
            glue.delete_table(DatabaseName=database, Name=name)
            existing = None
        if existing is None:
            glue.create_table(DatabaseName=database, TableInput=table_input)  # type: ignore[arg-type]
        else:
            glue.update_table(DatabaseName=database, TableInput=table_input)  # type: ignore[arg-type]
        logger.info("table %s.%s is %s", database, name, "updated" if existing else "created")


def drop_tables(glue: GlueClient, database: str, names: Sequence[str]) -> None:
    """Delete tables, ignoring those (or a database) that no longer exist."""
    for name in names:
        try:
            glue.delete_table(DatabaseName=database, Name=name)
            logger.info("table %s.%s deleted", database, name)
        except Exception as exc:
            if aws_error_code(exc) != "EntityNotFoundException":
                raise


# --------------------------------------------------------------------------- custom resources

FLOW_LOG_TABLE_TYPE = "Custom::FlowLogTable"
_TABLE_ID = re.compile(
    r"([a-z0-9_]{1,255})\.(" + "|".join(re.escape(k.table) for k in schema.KINDS) + ")"
)


def _database(props: Mapping[str, Any]) -> str:
    database = str(props.get("DatabaseName", "")).strip()
    if not _DATABASE.fullmatch(database):
        raise StackConfigError(
            f"database name {database!r} is not valid; expected lowercase letters, digits "
            "and '_', e.g. vpcflowlogscidrdb"
        )
    return database


def on_flow_log_table(request: Request, glue: GlueClient) -> Outcome:
    """Create/Update/Delete `Custom::FlowLogTable`; its physical id is `<database>.<table>`."""
    if request.request_type == "Delete":
        match = _TABLE_ID.fullmatch(request.physical_id)
        if match:
            try:
                drop_tables(glue, match.group(1), kind_tables(schema.KINDS_BY_TABLE[match[2]]))
            except Exception as exc:
                # After DatabaseName changes, the role only reaches the new database; the old
                # one is the stack's own and CloudFormation deletes it with its tables.
                if aws_error_code(exc) != "AccessDeniedException":
                    raise
                logger.warning("left %s to its database's deletion: %s", match.group(0), exc)
        return Outcome(request.physical_id, {}, "tables deleted")
    props = request.properties
    database = _database(props)
    spec = spec_from_properties(props)
    put_tables(glue, database, table_inputs(spec, database))
    # left over when an update switches layout or sharing (the view's source table)
    drop_tables(glue, database, [t for t in kind_tables(spec.kind) if t not in spec.table_names])
    # A new database gets a new physical id; CloudFormation then deletes the old id's tables.
    physical_id = f"{database}.{spec.table}"
    return Outcome(
        physical_id,
        {
            "TableName": spec.table,
            "DataTableName": spec.data_table,
            "LocationTemplate": storage_location_template(spec),
            # for IAM: the flow logs' bucket and key prefix (s3:prefix of s3:ListBucket)
            "LogsBucket": spec.bucket,
            "LogsPrefix": f"{spec.prefix}AWSLogs/",
        },
        f"{', '.join(spec.table_names)} in {database}",
    )
