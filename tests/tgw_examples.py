"""Transit Gateway flow-log records in AWS's documented default format, hand-written for tests
(the guide gives no example records): tests/fixtures/tgw_flow_log_examples.json (traffic between
attachments) and tgw_connection_examples.json (connections, initiator cases, drops by cause; each
fixture's "about" says what its records mean), read and written
with `aws_examples` (one `Example`, one writer): text with a header line or Parquet, in every
layout the VPC logs have (TGW keys share `AWSLogs/<account>/vpcflowlogs/<region>/…`)."""

from __future__ import annotations

from pathlib import Path

import aws_examples
from aws_examples import Example
from paths import ROOT

from vpc_cidr_analysis.layout import FileFormat, Layout

FIXTURE = ROOT / "tests" / "fixtures" / "tgw_flow_log_examples.json"
CONNECTIONS = ROOT / "tests" / "fixtures" / "tgw_connection_examples.json"
REGION = aws_examples.REGION

__all__ = ["CONNECTIONS", "FIXTURE", "REGION", "Example", "load", "write"]


def load(fixture: Path = FIXTURE) -> dict[str, Example]:
    """Every example of a TGW fixture (the attachments one unless told), by name."""
    return aws_examples.load(fixture)


def write(
    example: Example,
    root: Path,
    *,
    key_layout: Layout = "default",
    hourly: bool = False,
    file_format: FileFormat = "text",
) -> Path:
    """The example as one TGW flow-log object under `root`, keyed at its first record's start."""
    return aws_examples.write(
        example,
        root,
        key_layout=key_layout,
        hourly=hourly,
        file_format=file_format,
        at=example.start,
        flow_log_id="fl-0tgw",
        digest="0tgw1234",
    )
