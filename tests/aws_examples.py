"""AWS's own example flow-log records (tests/fixtures/aws_flow_log_examples.json), written as
AWS writes them to S3, for tests that check the engine and the pack on real records.

Each example is one flow log's records in its documented field order, copied verbatim from the
VPC User Guide page "Flow log record examples" (the fixture cites the page and its source). An
example is written as one gzip text object with its header line, in the default layout, on the
day of its records' `start` (examples without `start` go to `UNDATED_DAY`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from paths import ROOT

from vpc_cidr_analysis import layout

FIXTURE = ROOT / "tests" / "fixtures" / "aws_flow_log_examples.json"
ACCOUNT = "123456789010"
REGION = "us-east-1"
UNDATED_DAY = date(2021, 3, 26)


@dataclass(frozen=True)
class Example:
    """One documented example: its fields (the header line) and its records, verbatim."""

    name: str
    source: str
    fields: tuple[str, ...]
    records: tuple[str, ...]

    def values(self, field: str) -> list[str]:
        """The field's text in each record, split on single spaces as Athena's reader does."""
        index = self.fields.index(field)
        return [record.split(" ")[index] for record in self.records]

    @property
    def day(self) -> date:
        if "start" not in self.fields:
            return UNDATED_DAY
        return datetime.fromtimestamp(int(self.values("start")[0]), UTC).date()

    @property
    def account(self) -> str:
        return self.values("account-id")[0] if "account-id" in self.fields else ACCOUNT


def load() -> dict[str, Example]:
    """Every example of the fixture, by name."""
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {
        e["name"]: Example(e["name"], e["source"], tuple(e["fields"].split()), tuple(e["records"]))
        for e in document["examples"]
    }


def write(example: Example, root: Path) -> Path:
    """The example as one flow-log object under `root` (the folder holding AWSLogs/)."""
    at = datetime(example.day.year, example.day.month, example.day.day, 0, 5, tzinfo=UTC)
    key = layout.object_key(
        "", "default", example.account, REGION, at, False, "fl-0example", "abcd1234", "text"
    )
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    body = " ".join(example.fields) + "\n" + "\n".join(example.records) + "\n"
    path.write_bytes(gzip.compress(body.encode("ascii")))
    return path
