"""S3 key layouts of flow logs: build keys as AWS writes them and read partitions back.

AWS writes flow logs under `[prefix/]AWSLogs/…` in one of two layouts, daily or hourly:

- default: `AWSLogs/{account}/vpcflowlogs/{region}/{yyyy}/{MM}/{dd}/[{HH}/]`
- hive:    `AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/`
           `year={yyyy}/month={MM}/day={dd}/[hour={HH}/]`

with file names `{account}_vpcflowlogs_{region}_{flow-log-id}_{YYYYMMDD}T{HHmm}Z_{hash}.log.gz`
(`.log.parquet` for Parquet).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Layout = Literal["default", "hive"]
FileFormat = Literal["text", "parquet"]
LAYOUTS: tuple[Layout, ...] = ("default", "hive")
FILE_FORMATS: tuple[FileFormat, ...] = ("text", "parquet")
EXTENSIONS: dict[FileFormat, str] = {"text": ".log.gz", "parquet": ".log.parquet"}


@dataclass(frozen=True)
class KeyPartitions:
    """Partition values read from a flow-log object's key."""

    aws_account_id: str
    aws_region: str
    day: str  # 'yyyy/MM/dd'
    hour: str | None  # 'HH' in hourly layouts
    file_format: FileFormat

    @property
    def date(self) -> date:
        y, m, d = self.day.split("/")
        return date(int(y), int(m), int(d))


def _norm_prefix(prefix: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


def day_prefix(
    prefix: str, layout: Layout, account: str, region: str, day: date, hour: int | None = None
) -> str:
    """Key prefix of one day's (or one hour's) objects for an account and region."""
    base = _norm_prefix(prefix) + "AWSLogs/"
    if layout == "default":
        key = f"{base}{account}/vpcflowlogs/{region}/{day:%Y/%m/%d}/"
        return key + (f"{hour:02d}/" if hour is not None else "")
    if layout == "hive":
        key = (
            f"{base}aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/"
            f"year={day:%Y}/month={day:%m}/day={day:%d}/"
        )
        return key + (f"hour={hour:02d}/" if hour is not None else "")
    raise ValueError(f"unknown layout {layout!r}: expected one of {', '.join(LAYOUTS)}")


def file_name(
    account: str, region: str, flow_log_id: str, at: datetime, digest: str, file_format: FileFormat
) -> str:
    """Object name as AWS writes it: account, region, flow log id, 5-minute stamp, hash."""
    return (
        f"{account}_vpcflowlogs_{region}_{flow_log_id}_{at:%Y%m%dT%H%M}Z_{digest}"
        f"{EXTENSIONS[file_format]}"
    )


def object_key(
    prefix: str,
    layout: Layout,
    account: str,
    region: str,
    at: datetime,
    hourly: bool,
    flow_log_id: str,
    digest: str,
    file_format: FileFormat,
) -> str:
    """Full key of one flow-log object."""
    folder = day_prefix(prefix, layout, account, region, at.date(), at.hour if hourly else None)
    return folder + file_name(account, region, flow_log_id, at, digest, file_format)


_ACCOUNT = r"(?P<account>\d{12})"
_REGION = r"(?P<region>[a-z0-9-]+)"
_DEFAULT = re.compile(
    rf"(?:^|/)AWSLogs/{_ACCOUNT}/vpcflowlogs/{_REGION}/"
    r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?:(?P<h>\d{2})/)?[^/]+$"
)
_HIVE = re.compile(
    rf"(?:^|/)AWSLogs/aws-account-id={_ACCOUNT}/aws-service=vpcflowlogs/aws-region={_REGION}/"
    r"year=(?P<y>\d{4})/month=(?P<m>\d{2})/day=(?P<d>\d{2})/(?:hour=(?P<h>\d{2})/)?[^/]+$"
)


def file_format_of(key: str) -> FileFormat | None:
    """`text` or `parquet` from a flow-log object name, None for other objects."""
    if key.endswith(".log.gz"):
        return "text"
    if key.endswith(".parquet"):
        return "parquet"
    return None


def parse_key(key: str) -> KeyPartitions | None:
    """Partitions of a flow-log object key in either layout; None when the key is not one."""
    fmt = file_format_of(key)
    if fmt is None:
        return None
    match = _DEFAULT.search(key) or _HIVE.search(key)
    if match is None:
        return None
    return KeyPartitions(
        aws_account_id=match["account"],
        aws_region=match["region"],
        day=f"{match['y']}/{match['m']}/{match['d']}",
        hour=match["h"],
        file_format=fmt,
    )
