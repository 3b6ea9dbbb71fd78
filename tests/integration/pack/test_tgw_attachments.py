"""Golden: the `tgw_attachments` query on the local engine over the hand-written Transit Gateway
records (tests/fixtures/tgw_flow_log_examples.json) equals tests/golden/tgw/tgw_attachments.csv
(worked out from the records by hand: each flow once, drops by cause) in every layout and
format, beside VPC flow logs under the same prefix."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import aws_examples
import pytest
import tgw_examples
from paths import ROOT

from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import QueryOutput, run_local

QUERY = load_queries()["tgw_attachments"]
GOLDEN = ROOT / "tests" / "golden" / "tgw" / "tgw_attachments.csv"
EXAMPLE = tgw_examples.load()["hub_and_spokes"]
DAY = {"start_day": "2024/05/06", "end_day": "2024/05/06"}


def as_text(out: QueryOutput) -> list[list[str]]:
    """Rows as the CSV holds them: NULL empty, timestamps in ISO form."""
    rows = []
    for row in out.rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("")
            elif hasattr(value, "isoformat"):
                cells.append(value.isoformat())
            else:
                cells.append(str(value))
        rows.append(cells)
    return [list(out.columns), *rows]


def golden() -> list[list[str]]:
    with GOLDEN.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize(
    ("key_layout", "hourly", "file_format"),
    [
        ("default", False, "text"),
        ("hive", True, "text"),
        ("default", True, "parquet"),
        ("hive", False, "parquet"),
    ],
)
def test_attachment_pairs_equal_the_golden_file(
    key_layout: str, hourly: bool, file_format: str, tmp_path: Path
) -> None:
    for example in aws_examples.load().values():
        aws_examples.write(example, tmp_path)
    tgw_examples.write(
        EXAMPLE,
        tmp_path,
        key_layout=key_layout,  # type: ignore[arg-type]
        hourly=hourly,
        file_format=file_format,  # type: ignore[arg-type]
    )
    out = run_local(QUERY, DAY, str(tmp_path))
    assert [c.name for c in QUERY.columns] == list(out.columns)
    assert as_text(out) == golden()
    assert out.skipped_note is None  # VPC files are not the TGW table's concern


def test_a_flow_log_on_the_egress_attachment_only_counts_the_same(tmp_path: Path) -> None:
    egress = [r for r in EXAMPLE.records if " egress " in r]
    path = tgw_examples.write(EXAMPLE, tmp_path)
    body = " ".join(EXAMPLE.fields) + "\n" + "\n".join(egress) + "\n"
    path.write_bytes(gzip.compress(body.encode("ascii")))
    out = as_text(run_local(QUERY, DAY, str(tmp_path)))
    expected = golden()
    # The egress side logged the first interval of A to B (5000 bytes) and B to on premises.
    assert out[1][:8] == [*expected[1][:6], "10", "5000"]
    assert out[2] == expected[2]
    assert len(out) == 3


def test_days_outside_the_window_read_no_file(tmp_path: Path) -> None:
    tgw_examples.write(EXAMPLE, tmp_path)
    out = run_local(QUERY, {"start_day": "2024/05/07", "end_day": "2024/05/08"}, str(tmp_path))
    assert out.rows == []
