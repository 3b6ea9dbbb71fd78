"""Transit Gateway flow-log records in AWS's documented default format
(tests/fixtures/tgw_flow_log_examples.json), written as AWS writes them to S3: text with a header
line or Parquet, in every layout the VPC logs have (TGW keys share `AWSLogs/<account>/
vpcflowlogs/<region>/…`)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from paths import ROOT

from vpc_cidr_analysis import layout, schema
from vpc_cidr_analysis.layout import FileFormat, Layout

FIXTURE = ROOT / "tests" / "fixtures" / "tgw_flow_log_examples.json"
REGION = "us-east-1"


@dataclass(frozen=True)
class Example:
    """One flow log's records: its fields (the header line) and its records, verbatim."""

    name: str
    fields: tuple[str, ...]
    records: tuple[str, ...]

    def values(self, field: str) -> list[str]:
        index = self.fields.index(field)
        return [record.split(" ")[index] for record in self.records]

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(int(self.values("start")[0]), UTC)


def load() -> dict[str, Example]:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {
        e["name"]: Example(e["name"], tuple(e["fields"].split()), tuple(e["records"]))
        for e in document["examples"]
    }


def write(
    example: Example,
    root: Path,
    *,
    key_layout: Layout = "default",
    hourly: bool = False,
    file_format: FileFormat = "text",
) -> Path:
    """The example as one TGW flow-log object under `root` (the folder holding AWSLogs/)."""
    account = example.values("account-id")[0]
    key = layout.object_key(
        "", key_layout, account, REGION, example.start, hourly, "fl-0tgw", "0tgw1234", file_format
    )
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    body = " ".join(example.fields) + "\n" + "\n".join(example.records) + "\n"
    if file_format == "text":
        path.write_bytes(gzip.compress(body.encode("ascii")))
        return path
    staging = path.with_name(path.name + ".txt")
    staging.write_text(body, encoding="ascii")
    fields = schema.fields_for(example.fields, schema.TGW)
    columns = "{" + ", ".join(f"'{f.column}': '{f.duckdb_type}'" for f in fields) + "}"
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * FROM read_csv('{staging}', delim=' ', header=true, "
            f"columns={columns}, nullstr='-', quote='', escape='', auto_detect=false, "
            f"hive_partitioning=false)) "
            f"TO '{path}' (FORMAT parquet, COMPRESSION gzip)"
        )
    staging.unlink()
    return path
