"""Flow-log examples kept as JSON fixtures, written as AWS writes them to S3, for tests that
check the engine and the pack on records whose meaning is known.

`tests/fixtures/aws_flow_log_examples.json` holds AWS's own example records, each one flow log's
records in its documented field order, copied verbatim from the VPC User Guide page "Flow log
record examples" (the fixture cites the page and its source); `tgw_examples` reads the Transit
Gateway fixtures with the same `Example` and `write`. An example is written as one object with
its header line: gzip text by default, or Parquet; in the default layout unless told, on the day
of its records' `start` (examples without `start` go to `UNDATED_DAY`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from paths import ROOT

from vpc_cidr_analysis import layout, schema
from vpc_cidr_analysis.layout import FileFormat, Layout

FIXTURE = ROOT / "tests" / "fixtures" / "aws_flow_log_examples.json"
ACCOUNT = "123456789010"
REGION = "us-east-1"
UNDATED_DAY = date(2021, 3, 26)


@dataclass(frozen=True)
class Example:
    """One flow log's records: its fields (the header line) and its records, verbatim."""

    name: str
    source: str
    fields: tuple[str, ...]
    records: tuple[str, ...]

    def values(self, field: str) -> list[str]:
        """The field's text in each record, split on single spaces as Athena's reader does."""
        index = self.fields.index(field)
        return [record.split(" ")[index] for record in self.records]

    @property
    def start(self) -> datetime | None:
        """Start of the first record (None when the format has no `start`)."""
        if "start" not in self.fields:
            return None
        return datetime.fromtimestamp(int(self.values("start")[0]), UTC)

    @property
    def day(self) -> date:
        return UNDATED_DAY if self.start is None else self.start.date()

    @property
    def account(self) -> str:
        return self.values("account-id")[0] if "account-id" in self.fields else ACCOUNT

    @property
    def kind(self) -> schema.FlowLogKind:
        """VPC or Transit Gateway flow logs, by the fields, as the engine tells them."""
        return schema.kind_of_format(" ".join(self.fields))

    def with_records(self, records: list[str]) -> Example:
        """The same flow log with other records (e.g. those of one attachment only)."""
        return Example(self.name, self.source, self.fields, tuple(records))

    @property
    def text(self) -> str:
        """The object's text: the header line, then the records."""
        return " ".join(self.fields) + "\n" + "\n".join(self.records) + "\n"


def load(fixture: Path = FIXTURE) -> dict[str, Example]:
    """Every example of a fixture (AWS's examples unless told), by name."""
    document = json.loads(fixture.read_text(encoding="utf-8"))
    return {
        e["name"]: Example(e["name"], e["source"], tuple(e["fields"].split()), tuple(e["records"]))
        for e in document["examples"]
    }


def write(
    example: Example,
    root: Path,
    *,
    key_layout: Layout = "default",
    hourly: bool = False,
    file_format: FileFormat = "text",
    at: datetime | None = None,
    flow_log_id: str = "fl-0example",
    digest: str = "abcd1234",
) -> Path:
    """The example as one flow-log object under `root` (the folder holding AWSLogs/), its key
    for the time `at` (the example's day at 00:05 unless told)."""
    if at is None:
        at = datetime(example.day.year, example.day.month, example.day.day, 0, 5, tzinfo=UTC)
    key = layout.object_key(
        "", key_layout, example.account, REGION, at, hourly, flow_log_id, digest, file_format
    )
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "text":
        path.write_bytes(gzip.compress(example.text.encode("ascii")))
        return path
    staging = path.with_name(path.name + ".txt")
    staging.write_text(example.text, encoding="ascii")
    fields = schema.fields_for(example.fields, example.kind)
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
