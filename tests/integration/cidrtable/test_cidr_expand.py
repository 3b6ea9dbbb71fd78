"""The CIDR expansion module the Lambda, `expand` and the local engine share (moto S3)."""

from __future__ import annotations

import gzip
import ipaddress
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import moto.s3.models
import pytest
from moto import mock_aws

from vpc_cidr_analysis.cidrtable import expand as ce

BUCKET = "cidr-bucket"


def rows(network: str) -> str:
    """The expected CSV text, built the slow obvious way."""
    block = ipaddress.ip_network(network)
    return "".join(f"{block},{address}\n" for address in block)


# --------------------------------------------------------------------------- events and lists


def test_parse_cidrs_reports_every_problem_and_duplicates() -> None:
    with pytest.raises(ce.CidrError) as caught:
        ce.parse_cidrs(["10.0.0.0/16", "10.0.0.1/16", "10.0.0.0/16", 7])
    message = str(caught.value)
    assert message.startswith("3 of 4 CIDRs are invalid, nothing was written:\n- ")
    assert "'10.0.0.0/16' is listed twice" in message
    assert "the block that contains it is '10.0.0.0/16'" in message
    assert "got int 7" in message


def test_parse_cidrs_limits_count_and_needs_a_list() -> None:
    many = [f"10.{i}.0.0/16" for i in range(ce.MAX_CIDRS_PER_CALL + 1)]
    with pytest.raises(ce.CidrError, match="51 CIDRs in one call; at most 50"):
        ce.parse_cidrs(many)
    assert len(ce.parse_cidrs(many[:-1])) == 50
    with pytest.raises(ce.CidrError, match="no CIDR given"):
        ce.parse_cidrs([])
    with pytest.raises(ce.CidrError, match="must be a list of strings, got str"):
        ce.parse_cidrs("10.0.0.0/16")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "the event has no 'cidr' or 'cidrs'"),
        ({"key1": "value1"}, "unknown event key(s) 'key1'"),
        ({"cidr": "10.0.0.0/16", "bucket": "b"}, "bucket and prefix come from"),
        ({"cidr": "10.0.0.0/16", "cidrs": []}, "not both"),
        ({"cidr": ["10.0.0.0/16"]}, "'cidr' takes one string; for a list use 'cidrs'"),
        ({"cidrs": "10.0.0.0/16"}, "'cidrs' must be a list of strings, got str"),
        ("10.0.0.0/16", "the event must be a JSON object"),
        (None, "the event must be a JSON object"),
    ],
)
def test_cidrs_from_event_refuses_bad_events(event: object, message: str) -> None:
    with pytest.raises(ce.CidrError) as caught:
        ce.cidrs_from_event(event)
    assert message in str(caught.value)


def test_cidrs_from_event_reads_both_forms() -> None:
    assert ce.cidrs_from_event({"cidr": "10.0.0.0/16"}) == ["10.0.0.0/16"]
    assert ce.cidrs_from_event({"cidrs": ["a", "b"]}) == ["a", "b"]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("cidr", "prefix", "key"),
    [
        ("10.0.0.0/16", "cidrs/", "cidrs/10.0.0.0_16.csv.gz"),
        ("2001:db8::/126", "cidrs/", "cidrs/2001_db8___126.csv.gz"),
        ("10.0.0.0/16", "cidrs", "cidrs/10.0.0.0_16.csv.gz"),
        ("10.0.0.0/16", "/data/cidrs//", "data/cidrs/10.0.0.0_16.csv.gz"),
        ("10.0.0.0/16", "", "10.0.0.0_16.csv.gz"),
        ("8000::/1", "x/", "x/8000___1.csv.gz"),
    ],
)
def test_object_key(cidr: str, prefix: str, key: str) -> None:
    assert ce.object_key(cidr, prefix) == key
    assert str(ce.cidr_from_file_name(key)) == cidr


def test_object_key_refuses_messy_prefix_and_names() -> None:
    with pytest.raises(ce.CidrConfigError, match="empty folder"):
        ce.object_key("10.0.0.0/16", "a//b")
    with pytest.raises(ce.CidrError, match="not a CIDR object name"):
        ce.cidr_from_file_name("cidrs/10.0.0.0_16.csv")


# --------------------------------------------------------------------------- rows


@pytest.mark.parametrize(
    ("cidr", "text"),
    [
        (
            "10.0.0.0/30",
            "10.0.0.0/30,10.0.0.0\n10.0.0.0/30,10.0.0.1\n"
            "10.0.0.0/30,10.0.0.2\n10.0.0.0/30,10.0.0.3\n",
        ),
        ("192.168.1.7/32", "192.168.1.7/32,192.168.1.7\n"),
        (
            "2001:db8::/126",
            "2001:db8::/126,2001:db8::\n2001:db8::/126,2001:db8::1\n"
            "2001:db8::/126,2001:db8::2\n2001:db8::/126,2001:db8::3\n",
        ),
    ],
)
def test_csv_text_of_small_blocks_exactly(cidr: str, text: str) -> None:
    assert "".join(ce.iter_csv_text(ipaddress.ip_network(cidr))) == text


@pytest.mark.parametrize(
    "cidr",
    [
        "10.0.0.0/22",  # several /24 groups
        "10.0.3.128/25",  # inside one group, not at its start
        "0.0.0.0/20",
        "255.255.255.0/24",
        "::/116",  # the "::" run changes when the last hextet is 0
        "1:0:0:0:0:0:0:0/120",  # prints '1::' then '1::1'
        "1:0:0:1:0:0:0:0/119",  # two zero runs of equal length
        "2001:db8:0:0:1:0:0:0/118",
        "fe80::ff00/120",
        "::ffff:0:0/120",  # IPv4-mapped: formatted address by address
        "64:ff9b::/120",
    ],
)
def test_csv_text_matches_ipaddress_formatting(cidr: str) -> None:
    for rows_per_chunk in (1, 7, 4096):
        chunks = list(ce.iter_csv_text(ipaddress.ip_network(cidr), rows_per_chunk))
        assert "".join(chunks) == rows(cidr)
        assert all(chunk.endswith("\n") for chunk in chunks)
        assert max(chunk.count("\n") for chunk in chunks) <= max(rows_per_chunk, 1)


def test_large_block_count_first_and_last() -> None:
    block = ipaddress.ip_network("10.7.0.0/16")
    lines = gzip.decompress(b"".join(ce.iter_gzip(block))).decode().splitlines()
    assert len(lines) == 65536
    assert lines[0] == "10.7.0.0/16,10.7.0.0"
    assert lines[-1] == "10.7.0.0/16,10.7.255.255"
    assert len(set(lines)) == 65536


def test_ipv6_block_across_hextet_groups() -> None:
    block = ipaddress.ip_network("2001:db8::fffe:0/111")  # 131072 addresses, two last-hextet groups
    lines = "".join(ce.iter_csv_text(block)).splitlines()
    assert len(lines) == 131072
    assert lines[0] == "2001:db8::fffe:0/111,2001:db8::fffe:0"
    assert lines[65536] == "2001:db8::fffe:0/111,2001:db8::ffff:0"
    assert lines[-1] == "2001:db8::fffe:0/111,2001:db8::ffff:ffff"


def test_gzip_stream_is_one_valid_member() -> None:
    body = b"".join(ce.iter_gzip(ipaddress.ip_network("10.0.0.0/30")))
    assert body[:2] == b"\x1f\x8b"
    assert zlib.decompressobj(31).decompress(body).decode() == rows("10.0.0.0/30")
    assert gzip.decompress(body).decode() == rows("10.0.0.0/30")


def test_iter_parts_joins_pieces_up_to_the_part_size() -> None:
    parts = list(ce.iter_parts([b"abc", b"defgh", b"", b"ij", b"k"], part_size=4))
    assert parts == [b"abcdefgh", b"ijk"]
    assert list(ce.iter_parts([b"abcd"], part_size=4)) == [b"abcd"]
    assert list(ce.iter_parts([b"", b""], part_size=4)) == []
    with pytest.raises(ValueError, match="part size must be >= 1"):
        list(ce.iter_parts([b"a"], part_size=0))


# --------------------------------------------------------------------------- settings


def test_settings_explicit_then_environment_then_default() -> None:
    env = {"CIDR_BUCKET": "env-bucket", "CIDR_PREFIX": "env/", "MAX_ADDRESSES": "1_024"}
    assert ce.load_settings(environ={}) == ce.Settings(None, "cidrs/", 16_777_216)
    assert ce.load_settings(environ=env) == ce.Settings("env-bucket", "env/", 1024)
    explicit = ce.load_settings(bucket="b", prefix="p", max_addresses=5, environ=env)
    assert explicit == ce.Settings("b", "p/", 5)
    assert ce.load_settings(environ={"CIDR_BUCKET": "", "CIDR_PREFIX": ""}).prefix == ""
    assert ce.load_settings(environ={"CIDR_BUCKET": ""}).bucket is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"environ": {"MAX_ADDRESSES": "lots"}}, "MAX_ADDRESSES='lots' is not a whole number"),
        ({"max_addresses": 0, "environ": {}}, "must be a whole number >= 1, got 0"),
        ({"bucket": " b", "environ": {}}, "bucket name ' b' is empty or has spaces"),
    ],
)
def test_settings_refuse_bad_values(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ce.CidrConfigError) as caught:
        ce.load_settings(**kwargs)
    assert message in str(caught.value)


def test_settings_read_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_ADDRESSES", "256")
    with pytest.raises(ce.CidrError, match="more than the limit 256"):
        ce.expand_to_dir(["10.0.0.0/23"], "unused")


# --------------------------------------------------------------------------- local files


def test_expand_to_dir_writes_the_layout(tmp_path: Path) -> None:
    written = ce.expand_to_dir(["10.0.0.0/30", "2001:db8::/126"], tmp_path / "cidrs")
    assert [(w.cidr, Path(w.path).name, w.addresses) for w in written] == [
        ("10.0.0.0/30", "10.0.0.0_30.csv.gz", 4),
        ("2001:db8::/126", "2001_db8___126.csv.gz", 4),
    ]
    for result in written:
        path = Path(result.path)
        assert gzip.decompress(path.read_bytes()).decode() == rows(result.cidr)
        assert result.bytes == path.stat().st_size
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in (tmp_path / "cidrs").iterdir()) == [
        "10.0.0.0_30.csv.gz",
        "2001_db8___126.csv.gz",
    ]


def test_expand_to_dir_failure_leaves_old_files_and_no_temporaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ce.expand_to_dir(["10.0.0.0/30"], tmp_path)
    before = (tmp_path / "10.0.0.0_30.csv.gz").read_bytes()
    real = ce.iter_gzip

    def failing(network: ce.Network, level: int = 1) -> Iterator[bytes]:
        if str(network) == "10.0.1.0/24":
            yield b"\x1f\x8b"
            raise OSError("disk full")
        yield from real(network, level)

    monkeypatch.setattr(ce, "iter_gzip", failing)
    with pytest.raises(OSError, match="disk full"):
        ce.expand_to_dir(["10.0.0.0/30", "10.0.2.0/24", "10.0.1.0/24"], tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["10.0.0.0_30.csv.gz"]
    assert (tmp_path / "10.0.0.0_30.csv.gz").read_bytes() == before


def test_expand_to_dir_bad_input_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(ce.CidrError):
        ce.expand_to_dir(["10.0.0.0/30", "10.0.0.1/30"], tmp_path / "new")
    assert not (tmp_path / "new").exists()


# --------------------------------------------------------------------------- S3 (moto)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto S3 with the bucket (fake credentials come from conftest's autouse fixture)."""
    monkeypatch.delenv("CIDR_BUCKET", raising=False)
    monkeypatch.delenv("CIDR_PREFIX", raising=False)
    monkeypatch.delenv("MAX_ADDRESSES", raising=False)
    # Let small parts through moto's 5 MiB minimum so tests can upload many parts cheaply.
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def body(client: Any, key: str) -> str:
    return gzip.decompress(client.get_object(Bucket=BUCKET, Key=key)["Body"].read()).decode()


def keys(client: Any) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


class FailingClient:
    """An S3 client whose upload_part raises on a chosen call; everything else is real."""

    def __init__(self, client: Any, fail_on: int) -> None:
        self._client = client
        self._fail_on = fail_on
        self.calls = 0

    def upload_part(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self._fail_on:
            raise ConnectionError(f"connection reset on part call {self.calls}")
        return self._client.upload_part(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_expand_to_s3_writes_exact_objects(s3: Any) -> None:
    written = ce.expand_to_s3(["10.0.0.0/30", "2001:db8::/126"], s3, bucket=BUCKET)
    assert [w.as_dict() | {"seconds": 0} for w in written] == [
        {
            "cidr": "10.0.0.0/30",
            "bucket": BUCKET,
            "key": "cidrs/10.0.0.0_30.csv.gz",
            "addresses": 4,
            "bytes": written[0].bytes,
            "seconds": 0,
        },
        {
            "cidr": "2001:db8::/126",
            "bucket": BUCKET,
            "key": "cidrs/2001_db8___126.csv.gz",
            "addresses": 4,
            "bytes": written[1].bytes,
            "seconds": 0,
        },
    ]
    assert body(s3, "cidrs/10.0.0.0_30.csv.gz") == rows("10.0.0.0/30")
    assert body(s3, "cidrs/2001_db8___126.csv.gz") == rows("2001:db8::/126")
    head = s3.head_object(Bucket=BUCKET, Key="cidrs/10.0.0.0_30.csv.gz")
    assert head["ContentLength"] == written[0].bytes
    assert head["ContentType"] == "application/gzip"
    assert head["Metadata"] == {"cidr": "10.0.0.0/30", "addresses": "4"}


def test_expand_to_s3_many_parts_and_large_block(s3: Any) -> None:
    (result,) = ce.expand_to_s3(["10.9.0.0/16"], s3, bucket=BUCKET, part_size=64 * 1024)
    head = s3.head_object(Bucket=BUCKET, Key=result.key, PartNumber=1)
    assert head["PartsCount"] > 1
    assert 64 * 1024 <= head["ContentLength"] < 2 * 64 * 1024  # the size, plus under one piece
    lines = body(s3, result.key).splitlines()
    assert (len(lines), lines[0], lines[-1]) == (
        65536,
        "10.9.0.0/16,10.9.0.0",
        "10.9.0.0/16,10.9.255.255",
    )


def test_reinvoking_replaces_the_object(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="cidrs/10.0.0.0_30.csv.gz", Body=b"stale")
    ce.expand_to_s3(["10.0.0.0/30"], s3, bucket=BUCKET)
    assert body(s3, "cidrs/10.0.0.0_30.csv.gz") == rows("10.0.0.0/30")


def test_failure_on_part_two_leaves_nothing_new_and_old_object_intact(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="cidrs/10.0.0.0_24.csv.gz", Body=b"previous")
    failing = FailingClient(s3, fail_on=2)
    with pytest.raises(ce.CidrWriteError) as caught:
        ce.expand_to_s3(["10.0.0.0/24", "10.1.0.0/16"], failing, bucket=BUCKET, part_size=16 * 1024)
    message = str(caught.value)
    assert "writing s3://cidr-bucket/cidrs/10.1.0.0_16.csv.gz failed" in message
    assert "ConnectionError: connection reset on part call 2" in message
    assert message.endswith("; nothing was written")
    assert isinstance(caught.value.__cause__, ConnectionError)
    assert keys(s3) == ["cidrs/10.0.0.0_24.csv.gz"]
    assert s3.get_object(Bucket=BUCKET, Key="cidrs/10.0.0.0_24.csv.gz")["Body"].read() == (
        b"previous"
    )
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


class RecordingClient:
    """Passes calls to the real (moto) client and records their names."""

    def __init__(self, client: Any, fail: str = "") -> None:
        self._client = client
        self._fail = fail
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**kwargs: Any) -> Any:
            self.calls.append(name)
            if name == self._fail:
                raise ConnectionError(f"{name} refused")
            return method(**kwargs)

        return call


def test_small_block_is_one_put_large_block_is_multipart(s3: Any) -> None:
    recording = RecordingClient(s3)
    ce.expand_to_s3(["10.0.0.0/16"], recording, bucket=BUCKET)
    assert recording.calls == ["put_object"]
    recording.calls.clear()
    ce.expand_to_s3(["10.0.0.0/16"], recording, bucket=BUCKET, part_size=100_000)
    assert recording.calls == [
        "create_multipart_upload",
        "upload_part",
        "upload_part",
        "complete_multipart_upload",
    ]


def test_small_bodies_held_are_bounded(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ce, "SMALL_BODIES_HELD", 1000)
    recording = RecordingClient(s3)
    ce.expand_to_s3(["10.0.0.0/24", "10.0.1.0/24"], recording, bucket=BUCKET)  # ~600 B each
    assert recording.calls == [
        "create_multipart_upload",
        "upload_part",
        "put_object",
        "complete_multipart_upload",
    ]
    assert body(s3, "cidrs/10.0.1.0_24.csv.gz") == rows("10.0.1.0/24")


def test_failed_put_aborts_the_open_multipart_upload(s3: Any) -> None:
    recording = RecordingClient(s3, fail="put_object")
    with pytest.raises(ce.CidrWriteError, match="put_object refused"):
        ce.expand_to_s3(["10.1.0.0/24", "10.0.0.0/16"], recording, bucket=BUCKET, part_size=100_000)
    assert recording.calls[-2:] == ["put_object", "abort_multipart_upload"]
    assert keys(s3) == []
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_failure_while_finishing_names_what_was_already_replaced(s3: Any) -> None:
    recording = RecordingClient(s3, fail="put_object")
    with pytest.raises(ce.CidrWriteError) as caught:
        ce.expand_to_s3(["10.0.0.0/16", "10.1.0.0/24"], recording, bucket=BUCKET, part_size=100_000)
    assert "already replaced before the error: 10.0.0.0/16" in str(caught.value)
    assert keys(s3) == ["cidrs/10.0.0.0_16.csv.gz"]


def test_running_out_of_time_aborts_cleanly(s3: Any) -> None:
    clock = iter([60.0, 60.0, 5.0])
    with pytest.raises(ce.CidrWriteError, match="under 10 s of the invocation left"):
        ce.expand_to_s3(
            ["10.0.0.0/24", "10.0.1.0/24"], s3, bucket=BUCKET, time_left=lambda: next(clock)
        )
    assert keys(s3) == []
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_missing_bucket_is_a_write_error_not_a_success(s3: Any) -> None:
    with pytest.raises(ce.CidrWriteError, match="NoSuchBucket"):
        ce.expand_to_s3(["10.0.0.0/30"], s3, bucket="no-such-bucket")


def test_expand_to_s3_needs_a_bucket(s3: Any) -> None:
    with pytest.raises(ce.CidrConfigError, match="no bucket: set CIDR_BUCKET"):
        ce.expand_to_s3(["10.0.0.0/30"], s3)


def test_bucket_and_prefix_from_environment(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIDR_BUCKET", BUCKET)
    monkeypatch.setenv("CIDR_PREFIX", "tables/cidr")
    (result,) = ce.expand_to_s3(["10.0.0.0/32"], s3)
    assert (result.bucket, result.key) == (BUCKET, "tables/cidr/10.0.0.0_32.csv.gz")
    assert body(s3, result.key) == "10.0.0.0/32,10.0.0.0\n"


def test_delete_objects(s3: Any) -> None:
    ce.expand_to_s3(["10.0.0.0/30", "10.0.1.0/30"], s3, bucket=BUCKET)
    removed = ce.delete_objects([ipaddress.ip_network("10.0.0.0/30")], s3, BUCKET, "cidrs/")
    assert removed == ["cidrs/10.0.0.0_30.csv.gz"]
    assert keys(s3) == ["cidrs/10.0.1.0_30.csv.gz"]
