"""sources: finding flow-log files in every layout (local and S3) and reading their headers."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from vpc_cidr_analysis import layout
from vpc_cidr_analysis.engine import sources
from vpc_cidr_analysis.engine.sources import FlowLogObject, LocalCopies, SourceError
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample

END = date(2026, 11, 27)


def write_log(path: Path, header: str, *lines: str) -> Path:
    """A gzip flow-log text file: header line, then records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join([header, *lines]) + "\n")
    return path


@pytest.mark.parametrize(
    ("layout_name", "hourly", "prefix", "file_format"),
    [
        ("default", False, "", "text"),
        ("default", True, "team/logs", "text"),
        ("hive", False, "", "text"),
        ("hive", True, "x", "parquet"),
        ("default", False, "", "parquet"),
    ],
)
def test_discover_every_layout(
    tmp_path: Path, layout_name: Any, hourly: bool, prefix: str, file_format: Any
) -> None:
    config = SampleConfig(
        records=200,
        days=3,
        end_date=END,
        layout=layout_name,
        hourly=hourly,
        prefix=prefix,
        file_format=file_format,
    )
    result = write_sample(config, tmp_path)
    (tmp_path / "notes.txt").write_text("not a flow log")
    found = sources.discover(str(tmp_path))
    assert sorted(f.location for f in found) == sorted(str(p.resolve()) for p in result.files)
    assert {f.partitions.day for f in found} == {"2026/11/25", "2026/11/26", "2026/11/27"}
    assert all(f.file_format == file_format for f in found)
    assert all((f.partitions.hour is not None) == hourly for f in found)
    assert {(f.partitions.aws_account_id, f.partitions.aws_region) for f in found} == {
        (config.account, config.region)
    }


def test_discover_errors_name_the_path_and_what_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"does not exist: .*nowhere"):
        sources.discover(str(tmp_path / "nowhere"))
    (tmp_path / "AWSLogs").mkdir()
    (tmp_path / "AWSLogs" / "readme.txt").write_text("x")
    with pytest.raises(SourceError) as info:
        sources.discover(str(tmp_path))
    message = str(info.value)
    assert str(tmp_path) in message
    for expected in ("*.log.gz", "*.log.parquet", "vpcflowlogs/<region>/yyyy/MM/dd", "hour=HH"):
        assert expected in message


def put_log(client: Any, key: str, header: str, *lines: str) -> None:
    body = gzip.compress(("\n".join([header, *lines]) + "\n").encode())
    client.put_object(Bucket="flow-logs", Key=key, Body=body)


def key_for(layout_name: Any, day: date, hour: int | None = None, prefix: str = "") -> str:
    folder = layout.day_prefix(prefix, layout_name, "123456789012", "eu-west-1", day, hour)
    return (
        folder + f"123456789012_vpcflowlogs_eu-west-1_fl-1_{day:%Y%m%d}T0000Z_{hour or 0:x}.log.gz"
    )


def test_discover_s3_both_layouts_with_pagination(s3: Any) -> None:
    keys = [
        key_for("default", date(2026, 11, 26), prefix="org"),
        key_for("hive", date(2026, 11, 27), hour=5, prefix="org"),
        key_for("default", date(2026, 11, 27), hour=6, prefix="org"),
    ]
    for key in keys:
        put_log(s3, key, "version srcaddr", "2 10.0.0.1")
    s3.put_object(Bucket="flow-logs", Key="org/AWSLogs/manifest.json", Body=b"{}")
    found = sources.discover("s3://flow-logs/org/", s3_client=s3, page_size=1)
    assert [f.location for f in found] == sorted(f"s3://flow-logs/{k}" for k in keys)
    by_day = {(f.partitions.day, f.partitions.hour) for f in found}
    assert by_day == {("2026/11/26", None), ("2026/11/27", "05"), ("2026/11/27", "06")}


def test_discover_s3_missing_bucket_and_empty_prefix(s3: Any) -> None:
    with pytest.raises(SourceError, match="bucket 'nope' does not exist"):
        sources.discover("s3://nope/x", s3_client=s3)
    with pytest.raises(SourceError, match="no flow-log files found under s3://flow-logs/empty"):
        sources.discover("s3://flow-logs/empty", s3_client=s3)


def test_local_copies_download_once_and_clean_up(s3: Any) -> None:
    key = key_for("default", date(2026, 11, 27))
    put_log(s3, key, "version srcaddr", "2 10.0.0.1")
    obj = sources.discover("s3://flow-logs", s3_client=s3)[0]
    copies = LocalCopies(s3)
    first = copies.paths([obj])
    again = copies.paths([obj])
    assert first == again and copies.downloads == 1
    assert gzip.decompress(first[0].read_bytes()).decode() == "version srcaddr\n2 10.0.0.1\n"
    assert copies.location_of(str(first[0])) == obj.location
    workdir = copies.workdir
    copies.close()
    assert not workdir.exists()


class _BrokenBody:
    """A response body that fails half way, like a dropped connection."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls == 1:
            return b"partial bytes"
        raise ConnectionError("connection reset")


class _BrokenClient:
    def get_object(self, **_: Any) -> dict[str, Any]:
        return {"Body": _BrokenBody()}


def test_failed_download_leaves_no_file(tmp_path: Path) -> None:
    obj = FlowLogObject(
        "s3://flow-logs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/11/27/a.log.gz",
        layout.KeyPartitions("123456789012", "eu-west-1", "2026/11/27", None, "text"),
    )
    copies = LocalCopies(_BrokenClient())
    with pytest.raises(SourceError, match=r"s3://flow-logs/.*a\.log\.gz: download failed"):
        copies.paths([obj])
    leftovers = [p for p in copies.workdir.rglob("*") if p.is_file()]
    assert leftovers == []
    copies.close()


def test_read_text_header_checks_fields(tmp_path: Path) -> None:
    good = write_log(tmp_path / "a.log.gz", "srcaddr version log-status", "10.0.0.1 2 OK")
    assert sources.read_text_header(good, "a.log.gz") == ("srcaddr", "version", "log-status")
    bad = write_log(tmp_path / "b.log.gz", "version src-addr", "2 10.0.0.1")
    with pytest.raises(
        SourceError, match=r"b\.log\.gz line 1 \(header\): unknown flow-log field 'src-addr'"
    ):
        sources.read_text_header(bad, "b.log.gz")
    plain = tmp_path / "c.log.gz"
    plain.write_text("version srcaddr\n")
    with pytest.raises(SourceError, match=r"c\.log\.gz: not a readable gzip text file"):
        sources.read_text_header(plain, "c.log.gz")
    empty = write_log(tmp_path / "d.log.gz", "")
    with pytest.raises(SourceError, match=r"d\.log\.gz: no header line"):
        sources.read_text_header(empty, "d.log.gz")


def test_s3_prefix_is_a_folder_not_a_string_prefix(s3: Any) -> None:
    ours = key_for("default", date(2026, 11, 27), prefix="pre")
    sibling = key_for("default", date(2026, 11, 27), prefix="pre-old")
    for key in (ours, sibling):
        put_log(s3, key, "version srcaddr", "2 10.0.0.1")
    found = sources.discover("s3://flow-logs/pre", s3_client=s3)
    assert [f.location for f in found] == [f"s3://flow-logs/{ours}"]
    single = sources.discover(f"s3://flow-logs/{ours}", s3_client=s3)  # one object still works
    assert [f.location for f in single] == [f"s3://flow-logs/{ours}"]


def test_downloads_stay_inside_the_temporary_folder(s3: Any) -> None:
    key = "../../escape/" + key_for("default", date(2026, 11, 27))
    put_log(s3, key, "version srcaddr", "2 10.0.0.1")
    (obj,) = sources.discover("s3://flow-logs/", s3_client=s3)
    copies = LocalCopies(s3)
    (path,) = copies.paths([obj])
    assert path.resolve().is_relative_to(copies.workdir.resolve())
    copies.close()


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_settle_scans_leaves_the_thread_count_as_it_was(threads: int) -> None:
    """The barrier before the rejects table is read lowers DuckDB's thread count to 1 (which
    joins its worker threads) and puts it back."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    assert con.execute("SELECT sum(range) FROM range(1000000)").fetchone() == (499999500000,)
    sources.settle_scans(con)
    assert con.execute("SELECT current_setting('threads')").fetchone() == (threads,)
