"""Property tests: random CIDR strings and events never crash, never leave objects behind."""

from __future__ import annotations

import gzip
import ipaddress
import json
from collections.abc import Iterator
from typing import Any

import boto3
import moto.s3.models
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from vpc_cidr_analysis.cidrtable import expand as ce

BUCKET = "cidr-properties"
MAPPED = ipaddress.ip_network("::ffff:0:0/96")

# --------------------------------------------------------------------------- strategies

# Hextets biased toward 0 so '::' runs of every length and position show up.
hextet = st.one_of(st.just(0), st.just(0), st.just(1), st.just(0xFFFF), st.integers(0, 0xFFFF))


@st.composite
def ipv6_networks(draw: st.DrawFn, min_prefix: int = 0) -> ipaddress.IPv6Network:
    value = 0
    for part in draw(st.lists(hextet, min_size=8, max_size=8)):
        value = value << 16 | part
    prefix = draw(st.integers(min_prefix, 128))
    network = ipaddress.IPv6Network((value, prefix), strict=False)
    if network.overlaps(MAPPED):  # refused by parse_cidr; move it to the other half
        network = ipaddress.IPv6Network((value | 1 << 127, max(prefix, 1)), strict=False)
    return network


@st.composite
def ipv4_networks(draw: st.DrawFn, min_prefix: int = 0) -> ipaddress.IPv4Network:
    value = draw(st.integers(0, 2**32 - 1))
    return ipaddress.IPv4Network((value, draw(st.integers(min_prefix, 32))), strict=False)


def networks(min_v4: int = 0, min_v6: int = 0) -> st.SearchStrategy[ce.Network]:
    return st.one_of(ipv4_networks(min_v4), ipv6_networks(min_v6))


@st.composite
def mangled(draw: st.DrawFn, blocks: st.SearchStrategy[ce.Network]) -> str:
    """A valid CIDR with one typical mistake (or none)."""
    text = str(draw(blocks))
    address, _, prefix = text.partition("/")
    mistake = draw(st.integers(0, 9))
    if mistake == 0:
        return f" {text}" if draw(st.booleans()) else f"{text}\n"
    if mistake == 1:
        return text.upper()
    if mistake == 2:
        return f"{address}/{draw(st.integers(-5, 300))}"
    if mistake == 3:
        return f"{address}/0{prefix}"
    if mistake == 4:
        return address
    if mistake == 5:
        host = ipaddress.ip_address(int(ipaddress.ip_address(address)) | draw(st.integers(1, 255)))
        return f"{host}/{prefix}"
    if mistake == 6:
        return text.replace(".", ".0", 1) if "." in text else text.replace("::", ":0:", 1)
    if mistake == 7:
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + draw(st.text(max_size=3)) + text[cut:]
    if mistake == 8:
        return str(ipaddress.ip_network(text).supernet(0))
    return text


def values(blocks: st.SearchStrategy[ce.Network]) -> st.SearchStrategy[object]:
    """What a user might put where a CIDR belongs: near misses, junk, other JSON types."""
    return st.one_of(
        mangled(blocks),
        st.text(max_size=20),
        st.from_regex(r"\A[0-9]{1,4}(\.[0-9]{1,4}){0,4}(/[0-9]{0,3})?\Z"),
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.lists(st.text(max_size=5), max_size=2),
    )


cidr_values = values(networks())
# In events, valid blocks stay tiny (fast uploads); oversized ones are refused before writing.
small_valid = st.one_of(
    ipv4_networks(min_prefix=26).map(str), ipv6_networks(min_prefix=122).map(str)
)
oversized = st.one_of(
    ipv4_networks().filter(lambda n: n.prefixlen < 8).map(str),
    ipv6_networks().filter(lambda n: n.prefixlen < 104).map(str),
)
event_values = st.one_of(
    values(st.one_of(ipv4_networks(min_prefix=26), ipv6_networks(min_prefix=122))), oversized
)
events = st.one_of(
    st.fixed_dictionaries({"cidr": st.one_of(small_valid, event_values)}),
    st.fixed_dictionaries(
        {"cidrs": st.lists(st.one_of(small_valid, small_valid, event_values), max_size=5)}
    ),
    st.dictionaries(st.sampled_from(["cidr", "cidrs", "key1", "Cidr"]), event_values, max_size=3),
    event_values,
)


# --------------------------------------------------------------------------- pure properties


@settings(max_examples=3000, deadline=None)
@given(value=cidr_values)
def test_parse_cidr_accepts_only_canonical_blocks_and_names_the_bad_value(value: object) -> None:
    try:
        network = ce.parse_cidr(value)
    except ce.CidrError as exc:
        message = str(exc)
        if isinstance(value, str) and value:
            assert repr(value) in message
        elif not isinstance(value, str):
            assert type(value).__name__ in message
        return
    assert isinstance(value, str)
    assert str(ipaddress.ip_network(value)) == str(network) == value
    assert network.num_addresses <= ce.DEFAULT_MAX_ADDRESSES
    assert not (network.version == 6 and network.overlaps(MAPPED))


@settings(max_examples=400, deadline=None)
@given(network=networks(min_v4=22, min_v6=118), rows_per_chunk=st.integers(1, 1500))
def test_csv_text_equals_ipaddress_for_any_block(network: ce.Network, rows_per_chunk: int) -> None:
    chunks = list(ce.iter_csv_text(network, rows_per_chunk))
    expected = "".join(f"{network},{address}\n" for address in network)
    assert "".join(chunks) == expected
    assert all(0 < chunk.count("\n") <= rows_per_chunk for chunk in chunks)


@settings(max_examples=1000, deadline=None)
@given(network=networks())
def test_file_names_are_unique_and_reversible(network: ce.Network) -> None:
    name = ce.cidr_file_name(network)
    assert set(name[: -len(".csv.gz")]) <= set("0123456789abcdef._")
    assert ce.cidr_from_file_name("cidrs/" + name) == network


# --------------------------------------------------------------------------- moto properties


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        patch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 1)
        with mock_aws():
            client = boto3.client("s3", region_name="us-east-1")
            client.create_bucket(Bucket=BUCKET)
            yield client


def bucket_state(client: Any) -> tuple[dict[str, bytes], list[Any]]:
    objects = {
        item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    }
    return objects, client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])


def empty_bucket(client: Any, keys: list[str]) -> None:
    for key in keys:
        client.delete_object(Bucket=BUCKET, Key=key)


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=events)
def test_random_events_write_all_or_nothing(s3: Any, event: object) -> None:
    try:
        written = ce.expand_event(event, s3, environ={"CIDR_BUCKET": BUCKET})
    except ce.CidrError as exc:
        assert str(exc)
        assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0
        assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET)
        return
    objects, uploads = bucket_state(s3)
    empty_bucket(s3, list(objects))
    assert uploads == []
    assert sorted(objects) == sorted(result.key for result in written)
    assert json.loads(json.dumps([result.as_dict() for result in written]))
    for result in written:
        network = ipaddress.ip_network(result.cidr)
        assert result.key == "cidrs/" + ce.cidr_file_name(network)
        text = gzip.decompress(objects[result.key]).decode()
        assert text == "".join(f"{network},{address}\n" for address in network)
        assert result.bytes == len(objects[result.key])


class FailingClient:
    """Real (moto) client whose Nth write (upload_part or put_object) raises."""

    def __init__(self, client: Any, fail_on: int) -> None:
        self._client = client
        self._fail_on = fail_on
        self.calls = 0

    def _write(self, name: str, kwargs: dict[str, Any]) -> Any:
        self.calls += 1
        if self.calls == self._fail_on:
            raise TimeoutError("read timeout")
        return getattr(self._client, name)(**kwargs)

    def upload_part(self, **kwargs: Any) -> Any:
        return self._write("upload_part", kwargs)

    def put_object(self, **kwargs: Any) -> Any:
        return self._write("put_object", kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    blocks=st.lists(
        st.one_of(ipv4_networks(min_prefix=20), ipv6_networks(min_prefix=118)),
        min_size=1,
        max_size=3,
        unique_by=str,
    ),
    fail_on=st.integers(1, 6),
    keep_old=st.booleans(),
    part_size=st.sampled_from([2048, 64 * 1024]),  # many parts, or one put per block
)
def test_failure_mid_upload_leaves_the_bucket_as_it_was(
    s3: Any, blocks: list[ce.Network], fail_on: int, keep_old: bool, part_size: int
) -> None:
    try:
        if keep_old:
            s3.put_object(Bucket=BUCKET, Key=ce.object_key(blocks[0]), Body=b"old object")
        before = bucket_state(s3)
        failing = FailingClient(s3, fail_on)
        cidrs = [str(block) for block in blocks]
        try:
            written = ce.expand_to_s3(cidrs, failing, bucket=BUCKET, part_size=part_size)
        except ce.CidrWriteError as exc:
            message = str(exc)
            assert "TimeoutError: read timeout" in message
            assert failing.calls == fail_on
            # A failure while streaming leaves the bucket as it was. Only a failure while the
            # finished blocks are being made visible can leave earlier blocks replaced, each
            # complete, and the error names them.
            _, _, named = message.partition("already replaced before the error: ")
            named = named.partition(";")[0]
            replaced = {ce.object_key(cidr) for cidr in named.split(", ") if cidr}
            objects, uploads = bucket_state(s3)
            assert uploads == []
            assert set(objects) == set(before[0]) | replaced
            for key, data in objects.items():
                if key not in replaced:
                    assert data == before[0][key]
                    continue
                network = ce.cidr_from_file_name(key)
                text = "".join(f"{network},{address}\n" for address in network)
                assert gzip.decompress(data).decode() == text
            return
        assert failing.calls < fail_on  # fewer parts than the failing call: all written
        assert sorted(bucket_state(s3)[0]) == sorted(result.key for result in written)
    finally:
        empty_bucket(s3, list(bucket_state(s3)[0]))
