"""Transit Gateway flow logs beside VPC flow logs under one prefix: `tgwflowlogstable` reads the
TGW files in every layout, `vpcflowlogstable` leaves them out (and says so once) and answers as
it does without them."""

from __future__ import annotations

from pathlib import Path

import aws_examples
import pytest
import tgw_examples

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.engine.sources import SourceError

TGW = tgw_examples.load()["hub_and_spokes"]
VPC_EXAMPLES = aws_examples.load()
VPC_SQL = (
    "SELECT interface_id, srcaddr, dstaddr, action, bytes, aws_account_id, day "
    "FROM vpcflowlogstable ORDER BY interface_id, srcaddr, dstaddr, bytes, day"
)
TGW_SQL = (
    "SELECT tgw_attachment_id, tgw_pair_attachment_id, flow_direction, srcaddr, dstaddr, "
    "srcport, bytes, packets_lost_mtu_exceeded, tgw_dst_vpc_id, aws_account_id, aws_region, "
    "day, hour FROM tgwflowlogstable ORDER BY start, tgw_attachment_id"
)


def write_vpc(root: Path) -> None:
    for example in VPC_EXAMPLES.values():
        aws_examples.write(example, root)


LAYOUTS = [
    ("default", False, "text"),
    ("default", True, "text"),
    ("hive", False, "text"),
    ("hive", True, "text"),
    ("default", False, "parquet"),
    ("hive", True, "parquet"),
]


@pytest.mark.parametrize(("key_layout", "hourly", "file_format"), LAYOUTS)
def test_tgw_records_read_as_written_in_every_layout(
    key_layout: str, hourly: bool, file_format: str, tmp_path: Path
) -> None:
    tgw_examples.write(
        TGW,
        tmp_path,
        key_layout=key_layout,  # type: ignore[arg-type]
        hourly=hourly,
        file_format=file_format,  # type: ignore[arg-type]
    )
    with LocalEngine(str(tmp_path)) as engine:
        rows = engine.execute(TGW_SQL).rows
    assert len(rows) == len(TGW.records) == 7
    first = rows[0]
    assert first[:8] == (
        "tgw-attach-0aaa1111aaaa1111a",
        "tgw-attach-0bbb2222bbbb2222b",
        "ingress",
        "10.0.1.10",
        "10.1.2.20",
        49152,
        5000,
        0,
    )
    assert first[8] == "vpc-0bbb2222bbbb2222b"
    assert first[9:] == ("123456789010", "us-east-1", "2024/05/06", "00" if hourly else None)
    assert [r[7] for r in rows] == [0, 0, 1, 0, 0, 0, 0]
    # '-' is missing: the literal text in a text file (as Athena's reader keeps it), NULL in
    # Parquet (AWS writes no value).
    on_prem = rows[3][8]
    assert on_prem == ("-" if file_format == "text" else None)


def test_vpc_answers_are_unchanged_when_tgw_files_share_the_prefix(tmp_path: Path) -> None:
    alone, mixed = tmp_path / "vpc", tmp_path / "mixed"
    write_vpc(alone)
    write_vpc(mixed)
    tgw_examples.write(TGW, mixed)
    tgw_examples.write(TGW, mixed, key_layout="hive", file_format="parquet")
    with LocalEngine(str(alone)) as engine:
        expected = engine.execute(VPC_SQL).rows
        assert engine.last_skipped_note is None
    with LocalEngine(str(mixed)) as engine:
        assert engine.execute(VPC_SQL).rows == expected
        note = engine.last_skipped_note
        assert note is not None
        assert note.startswith("2 Transit Gateway flow-log file(s) under --logs are not read")
        assert "query tgwflowlogstable" in note
        engine.execute(VPC_SQL)
        assert engine.last_skipped_note is None  # said once per engine
        tgw = engine.execute("SELECT count(*), sum(bytes) FROM tgwflowlogstable").rows
        assert tgw == [(14, 2 * sum(int(b) for b in TGW.values("bytes")))]
        assert engine.last_skipped_note is None  # a TGW query leaves VPC files out silently
        both = engine.execute(
            "SELECT (SELECT count(*) FROM vpcflowlogstable), "
            "(SELECT count(*) FROM vpcflowlogscidrdb.tgwflowlogstable)"
        ).rows
        assert both == [(len(expected), 14)]


def test_tgw_table_has_the_tgw_columns_and_the_partitions(tmp_path: Path) -> None:
    tgw_examples.write(TGW, tmp_path)
    with LocalEngine(str(tmp_path)) as engine:
        result = engine.execute("SELECT * FROM tgwflowlogstable LIMIT 0")
        assert result.columns == [f.column for f in schema.TGW_FIELDS] + list(
            schema.PARTITION_COLUMNS
        )
        # A TGW-only folder: the VPC table is empty, not an error.
        assert engine.execute("SELECT count(*) FROM vpcflowlogstable").rows == [(0,)]


def test_a_header_mixing_both_kinds_names_the_file(tmp_path: Path) -> None:
    path = tgw_examples.write(TGW, tmp_path)
    import gzip

    path.write_bytes(gzip.compress(b"version interface-id tgw-id\n2 eni-1 tgw-1\n"))
    with LocalEngine(str(tmp_path)) as engine, pytest.raises(SourceError) as err:
        engine.execute("SELECT count(*) FROM tgwflowlogstable")
    assert str(err.value).startswith(f"{path} line 1 (header): flow-log format mixes VPC")


def test_sql_says_once_on_stderr_that_tgw_files_were_left_out(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from vpc_cidr_analysis.cli import cli

    alone, mixed = tmp_path / "vpc", tmp_path / "mixed"
    write_vpc(alone)
    write_vpc(mixed)
    tgw_examples.write(TGW, mixed)
    count = "SELECT count(*) AS n, sum(bytes) AS b FROM vpcflowlogstable"
    expected = CliRunner().invoke(cli, ["sql", "--logs", str(alone), "--format", "csv", count])
    result = CliRunner().invoke(cli, ["sql", "--logs", str(mixed), "--format", "csv", count])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected.stdout
    assert expected.stdout.startswith("n,b\n") and "Transit Gateway" not in expected.stderr
    notes = [line for line in result.stderr.splitlines() if "Transit Gateway" in line]
    assert len(notes) == 1 and notes[0].startswith("Note: 1 Transit Gateway flow-log file(s)")
    tgw = "SELECT count(*) AS n FROM tgwflowlogstable"
    result = CliRunner().invoke(cli, ["sql", "--logs", str(mixed), "--format", "csv", tgw])
    assert (result.exit_code, result.stdout) == (0, "n\n7\n")
    assert "Transit Gateway" not in result.stderr
