"""The flow-log simulator: files as AWS writes them, realistic records, and a true ground truth."""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from vpc_cidr_analysis import layout, schema
from vpc_cidr_analysis.simulate.inventory import inventory_from_topology
from vpc_cidr_analysis.simulate.rules import rule_references
from vpc_cidr_analysis.simulate.simulator import (
    AGGREGATION_SECONDS,
    CONVERSATION_COLUMNS,
    SCENARIOS,
    CidrSet,
    Generator,
    SampleConfig,
    SampleError,
    az_id,
    conversations,
    expected,
    iter_conversations,
    iter_records,
    pattern_use,
    read_ground_truth,
    rule_use,
    scenario_predicate,
    windows_per_day,
    write_sample,
)
from vpc_cidr_analysis.simulate.topology import default_topology
from vpc_cidr_analysis.usage.match import RuleMatcher

END = date(2026, 11, 20)
A = ["10.0.0.0/16", "100.64.0.0/20", "2600:1f18:aaaa:ab00::/56"]
NETWORKS = {"A": A, "B": ["10.1.0.0/16"], "C": ["10.2.0.0/16"]}
Row = dict[str, Any]  # a record from iter_records: field → text, plus partitions


def read_text(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (field → text) of a gzip text flow-log object."""
    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    header = lines[0].split(" ")
    return header, [dict(zip(header, line.split(" "), strict=True)) for line in lines[1:]]


def read_parquet(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Columns (as field names) and rows as text, NULL → '-', as in the text format."""
    con = duckdb.connect()
    cursor = con.execute(f"SELECT * FROM read_parquet('{path}', hive_partitioning = false)")
    columns = [schema.FIELDS_BY_COLUMN[d[0]].name for d in cursor.description]
    rows = [
        {c: "-" if v is None else str(v) for c, v in zip(columns, row, strict=True)}
        for row in cursor.fetchall()
    ]
    return columns, rows


def read_back(out: Path) -> list[tuple[str, layout.KeyPartitions, list[dict[str, str]]]]:
    """(key, partitions, rows) of every flow-log object under out, in the order written.

    Every file on disk must be listed in ground_truth.json (which gives the order), and the
    other way round.
    """
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {
        "ground_truth.json"
    }
    keys = [f["key"] for f in read_ground_truth(out)["files"]]
    assert sorted(keys) == sorted(on_disk)
    found = []
    for key in keys:
        path = out / key
        parts = layout.parse_key(key)
        assert parts is not None, f"not a flow-log key: {key}"
        reader = read_parquet if parts.file_format == "parquet" else read_text
        found.append((key, parts, reader(path)[1]))
    return found


def snapshot(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def records() -> list[Row]:
    """Every record of a 6,000-record, 14-day sample, as iter_records yields them."""
    return list(iter_records(SampleConfig(records=6_000, days=14, end_date=END, seed=3)))


# -- files and keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["text", "parquet"])
def test_same_seed_same_bytes_other_seed_other_bytes(
    tmp_path: Path, file_format: layout.FileFormat
) -> None:
    config = SampleConfig(records=800, days=3, end_date=END, seed=11, file_format=file_format)
    first = snapshot(write_sample(config, tmp_path / "a").out_dir)
    again = snapshot(write_sample(config, tmp_path / "b").out_dir)
    other = snapshot(write_sample(replace(config, seed=12), tmp_path / "c").out_dir)
    assert len(first) > 5
    assert first == again
    assert set(first) != set(other)  # the file hash in each name comes from the seed
    assert sorted(first.values()) != sorted(other.values())


def test_gzip_header_has_no_time_and_no_name(tmp_path: Path) -> None:
    result = write_sample(SampleConfig(records=200, days=1, end_date=END), tmp_path)
    raw = result.files[0].read_bytes()
    assert raw[:3] == b"\x1f\x8b\x08"
    assert raw[3] & 0x08 == 0  # FNAME flag unset
    assert raw[4:8] == b"\0\0\0\0"  # MTIME 0


@pytest.mark.parametrize("file_format", ["text", "parquet"])
@pytest.mark.parametrize("hourly", [False, True])
@pytest.mark.parametrize("layout_name", ["default", "hive"])
def test_keys_read_back_to_their_partitions(
    tmp_path: Path, layout_name: layout.Layout, hourly: bool, file_format: layout.FileFormat
) -> None:
    config = SampleConfig(
        records=1_500,
        days=2,
        end_date=END,
        layout=layout_name,
        hourly=hourly,
        file_format=file_format,
        prefix="org/flow",
        account="210987654321",
        region="eu-west-1",
    )
    result = write_sample(config, tmp_path)
    found = read_back(tmp_path)
    assert len(found) == len(result.files)
    assert sum(len(rows) for _, _, rows in found) == 1_500
    days, hours = set(), set()
    for key, parts, rows in found:
        assert key.startswith("org/flow/AWSLogs/")
        assert ("aws-account-id=" in key) == (layout_name == "hive")
        assert key.endswith(".log.parquet" if file_format == "parquet" else ".log.gz")
        assert (parts.aws_account_id, parts.aws_region) == ("210987654321", "eu-west-1")
        assert parts.file_format == file_format
        assert (parts.hour is not None) == hourly
        stamp = datetime.strptime(key.rsplit("_", 2)[1], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
        assert f"{stamp:%Y/%m/%d}" == parts.day
        for row in rows:  # every record starts in its object's day (and hour), ends that day
            start, end = (datetime.fromtimestamp(int(row[t]), UTC) for t in ("start", "end"))
            assert f"{start:%Y/%m/%d}" == f"{end:%Y/%m/%d}" == parts.day
            if hourly:
                assert f"{start:%H}" == parts.hour
            assert 0 <= (end - start).total_seconds() < AGGREGATION_SECONDS
            assert row["account-id"] == "210987654321"
            assert row["region"] == "eu-west-1"
            assert row["az-id"] in ("euw1-az1", "euw1-az2")
        days.add(parts.day)
        hours.add((parts.day, parts.hour))
    assert days == {"2026/11/19", "2026/11/20"}
    if hourly:  # at least one object per hour
        assert len(hours) == 48


def test_several_objects_per_day_and_one_per_flow_log_and_window(tmp_path: Path) -> None:
    write_sample(SampleConfig(records=3_000, days=2, end_date=END), tmp_path)
    keys = [key for key, _, _ in read_back(tmp_path)]
    per_day = Counter(layout.parse_key(k).day for k in keys)
    assert min(per_day.values()) >= 4
    stamps = Counter((k.split("_")[3], k.split("_")[4]) for k in keys)  # flow log, window
    assert set(stamps.values()) == {1}


def test_custom_fields_in_their_order(tmp_path: Path) -> None:
    fields = ("dstaddr", "srcaddr", "action", "log-status", "version", "interface-id", "dstport")
    config = SampleConfig(records=300, days=1, end_date=END, fields=fields)
    result = write_sample(config, tmp_path)
    header, _ = read_text(result.files[0])
    assert header == list(fields)
    expected_rows = list(iter_records(config))
    written = [row for _, _, rs in read_back(tmp_path) for row in rs]
    assert written == [{f: r[f] for f in fields} for r in expected_rows]
    assert {r["version"] for r in written} == {"2"}  # the highest version among the fields


def test_fields_may_be_given_as_one_string() -> None:
    config = SampleConfig(fields="${srcaddr} ${dstaddr}")  # type: ignore[arg-type]
    assert config.fields == ("srcaddr", "dstaddr")
    assert SampleConfig(fields="srcaddr,dstaddr").fields == ("srcaddr", "dstaddr")  # type: ignore[arg-type]


def test_log_format_fields_and_version(tmp_path: Path) -> None:
    config = SampleConfig(
        records=300,
        days=1,
        end_date=END,
        fields=schema.parse_log_format(
            "${version} ${srcaddr} ${ecs-cluster-name} ${reject-reason}"
        ),
    )
    rows = list(iter_records(config))
    assert {r["version"] for r in rows} == {"8"}
    assert {r["reject-reason"] for r in rows} == {"-", "BPA"}  # VPC Block Public Access
    assert {r["ecs-cluster-name"] for r in rows} == {"-", "prod"}


def test_parquet_types_names_and_nulls(tmp_path: Path) -> None:
    config = SampleConfig(records=600, days=1, end_date=END, file_format="parquet")
    result = write_sample(config, tmp_path)
    con = duckdb.connect()
    path = result.files[0]
    kinds = dict(
        con.execute(
            f"SELECT name, type FROM parquet_schema('{path}') WHERE type IS NOT NULL"
        ).fetchall()
    )
    assert list(kinds) == [schema.FIELDS_BY_NAME[f].column for f in schema.V5_FIELDS]
    for name in schema.V5_FIELDS:
        field = schema.FIELDS_BY_NAME[name]
        assert (
            kinds[field.column]
            == {"int": "INT32", "bigint": "INT64", "string": "BYTE_ARRAY"}[field.athena_type]
        )
    files = [str(f) for f in result.files]
    nulls = con.execute(
        "SELECT count(*) FILTER (WHERE srcaddr IS NULL), count(*) FILTER (WHERE srcaddr = '-'), "
        "count(*) FILTER (WHERE log_status <> 'OK') FROM read_parquet(?)",
        [files],
    ).fetchone()
    assert nulls is not None
    assert nulls[0] == nulls[2] > 0  # NODATA/SKIPDATA addresses are NULL
    assert nulls[1] == 0
    written = [row for _, _, rows in read_back(tmp_path) for row in rows]
    assert written == [{f: r[f] for f in schema.V5_FIELDS} for r in iter_records(config)]


def test_no_partial_or_temporary_files_are_left(tmp_path: Path) -> None:
    write_sample(SampleConfig(records=500, days=2, end_date=END, file_format="parquet"), tmp_path)
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]


def test_existing_logs_need_force_and_force_replaces_them(tmp_path: Path) -> None:
    write_sample(SampleConfig(records=500, days=3, end_date=END), tmp_path)
    with pytest.raises(SampleError, match="already holds flow logs") as err:
        write_sample(SampleConfig(records=100, days=1, end_date=END), tmp_path)
    assert err.value.option == "out"
    result = write_sample(SampleConfig(records=100, days=1, end_date=END), tmp_path, force=True)
    on_disk = sorted(p for p in (tmp_path / "AWSLogs").rglob("*") if p.is_file())
    assert on_disk == sorted(result.files)


def test_out_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "logs"
    target.write_text("not a folder")
    with pytest.raises(SampleError, match="is a file"):
        write_sample(SampleConfig(records=10, days=1, end_date=END), target)


@pytest.mark.parametrize(
    ("option", "kwargs"),
    [
        ("records", {"records": 0}),
        ("days", {"days": 0}),
        ("fields", {"fields": ("version", "srcadr")}),
        ("fields", {"fields": ()}),
        ("account", {"account": "1234"}),
        ("region", {"region": "mars"}),
        ("layout", {"layout": "flat"}),
        ("file-format", {"file_format": "csv"}),
        ("prefix", {"prefix": "../up"}),
        ("ground-truth", {"ground_truth": "some"}),
        ("days", {"days": 30_000, "end_date": END}),
        ("seed", {"seed": "7"}),
    ],
)
def test_bad_options_name_the_option(option: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(SampleError) as err:
        SampleConfig(**kwargs)
    assert err.value.option == option


# -- the records themselves ----------------------------------------------------------------------


def test_exact_record_count_and_every_day_has_records(
    records: list[Row],
) -> None:
    assert len(records) == 6_000
    days = Counter(r["day"] for r in records)
    assert sorted(days) == [f"2026/11/{d:02d}" for d in range(7, 21)]
    assert min(days.values()) > 200
    # weekends (Sat 14th, Sun 15th) are quieter than weekdays
    assert days["2026/11/14"] < days["2026/11/13"]


def test_nodata_and_skipdata_records_have_dashes(records: list[Row]) -> None:
    status = Counter(r["log-status"] for r in records)
    assert set(status) == {"OK", "NODATA", "SKIPDATA"}
    assert status["NODATA"] > status["SKIPDATA"] > 0
    for r in records:
        if r["log-status"] == "OK":
            assert r["action"] in ("ACCEPT", "REJECT")
            assert r["srcaddr"] != "-" and r["protocol"] != "-"
            continue
        for name in ("srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes"):
            assert r[name] == "-"
        for name in ("action", "tcp-flags", "type", "pkt-srcaddr", "flow-direction"):
            assert r[name] == "-"
        assert r["interface-id"].startswith("eni-")
        assert int(r["end"]) > int(r["start"])


def test_every_request_has_its_response_on_the_same_interface(
    records: list[Row],
) -> None:
    # a transit gateway's request and response cross different attachment ENIs (AWS's
    # example): see test_transit_gateway_attachments_log_the_hops
    attachments = {e.id for e in default_topology().enis if e.kind == "transit_gateway"}
    ok = [r for r in records if r["log-status"] == "OK" and r["interface-id"] not in attachments]
    seen = {
        (r["interface-id"], r["srcaddr"], r["dstaddr"], r["srcport"], r["dstport"], r["protocol"])
        for r in ok
    }
    rejected = {
        (r["pkt-srcaddr"], r["pkt-dstaddr"], r["srcport"], r["dstport"], r["protocol"])
        for r in ok
        if r["action"] == "REJECT"
    }
    unanswered = 0
    for r in ok:
        reverse = (
            r["interface-id"],
            r["dstaddr"],
            r["srcaddr"],
            r["dstport"],
            r["srcport"],
            r["protocol"],
        )
        if reverse in seen:
            continue
        # only the request of a rejected connection goes unanswered (on the client's side too)
        unanswered += 1
        assert r["tcp-flags"] == "2"
        pkt_tuple = (r["pkt-srcaddr"], r["pkt-dstaddr"], r["srcport"], r["dstport"], r["protocol"])
        assert pkt_tuple in rejected, r
    assert unanswered >= len(rejected) > 0


def test_tcp_flags_mark_initiator_and_responder(records: list[Row]) -> None:
    """SYN (2) on the client's direction, SYN-ACK (18) on the server's, in the interval the
    connection opened; a connection's later intervals carry 0, FIN (1) or the client's RST (4)
    in its last (flags are OR-ed per interval)."""
    server_ports = {str(p.port) for p in default_topology().traffic if p.protocol == 6}
    sides: Counter[str] = Counter()
    later: dict[tuple[str | None, ...], list[Row]] = defaultdict(list)
    for r in records:
        if r["protocol"] != "6":
            if r["log-status"] == "OK":
                assert r["tcp-flags"] == "0"
            continue
        flags = int(str(r["tcp-flags"]))
        to_server = r["dstport"] in server_ports and r["srcport"] not in server_ports
        from_server = r["srcport"] in server_ports and r["dstport"] not in server_ports
        flow = (r["interface-id"], r["srcaddr"], r["dstaddr"], r["srcport"], r["dstport"])
        if to_server:  # the initiator's direction: SYN, maybe FIN, never SYN-ACK
            assert flags in (2, 3, 0, 1, 4), r
            sides["request"] += flags in (2, 3)
        elif from_server:  # the responder's: SYN-ACK, maybe FIN
            assert flags in (18, 19, 0, 1), r
            sides["response"] += flags in (18, 19)
        if flags in (0, 1, 4):
            later[flow].append(r)
    assert sides["request"] > sides["response"] > 1000
    assert len(later) > 100  # connections over several intervals
    for r in records:  # each of them opened in an earlier interval, on the same interface
        flow = (r["interface-id"], r["srcaddr"], r["dstaddr"], r["srcport"], r["dstport"])
        if flow in later and int(str(r["tcp-flags"])) & 2:
            assert all(int(str(r["start"])) < int(str(x["start"])) for x in later.pop(flow))
    assert not later


def test_directions_paths_and_types(records: list[Row]) -> None:
    ok = [r for r in records if r["log-status"] == "OK"]
    paths = Counter(r["traffic-path"] for r in ok if r["flow-direction"] == "egress")
    assert {r["traffic-path"] for r in ok if r["flow-direction"] == "ingress"} == {"-"}
    assert {"1", "2", "4", "7", "8"} <= set(paths)
    assert "-" not in paths
    for r in ok:
        version = ipaddress.ip_address(r["srcaddr"]).version
        assert r["type"] == f"IPv{version}"
        assert ipaddress.ip_address(r["dstaddr"]).version == version
    services = Counter((r["pkt-src-aws-service"], r["pkt-dst-aws-service"]) for r in ok)
    assert services["-", "S3"] and services["S3", "-"]
    assert services["-", "DYNAMODB"] and services["DYNAMODB", "-"]
    assert services["-", "-"] > 0.8 * len(ok)


def test_protocols_ports_and_scenario_traffic_are_present(
    records: list[Row],
) -> None:
    ok = [r for r in records if r["log-status"] == "OK"]
    assert {r["protocol"] for r in ok} == {"1", "6", "17", "58"}
    for r in ok:
        if r["protocol"] in ("1", "58"):
            assert (r["srcport"], r["dstport"]) == ("0", "0")
    dns = [r for r in ok if r["dstport"] == "53"]
    assert dns and {r["protocol"] for r in dns} == {"17"}
    assert {r["dstaddr"] for r in dns} == {"10.0.0.2", "10.1.0.2"}
    rejected = Counter(r["dstport"] for r in ok if r["action"] == "REJECT")
    assert rejected["22"] and rejected["3389"] and rejected["5432"]
    c_to_a = scenario_predicate("cross_vpc", NETWORKS)
    from_c = [r for r in ok if c_to_a(r) and r["srcaddr"].startswith("10.2.")]
    assert {r["srcaddr"] for r in from_c} == {"10.2.0.146", "10.2.1.30"}
    assert "10.0.0.151" in {r["dstaddr"] for r in from_c}
    ipv6 = [r for r in ok if r["type"] == "IPv6"]
    assert any(r["dstaddr"].startswith("2600:1f18:aaaa:ab0") for r in ipv6)


def test_nat_gateway_interface_records_translated_addresses(
    records: list[Row],
) -> None:
    topology = default_topology()
    nat = topology.eni("a-nat-1")
    on_nat = [r for r in records if r["interface-id"] == nat.id and r["log-status"] == "OK"]
    assert on_nat and {r["instance-id"] for r in on_nat} == {"-"}
    inbound_from_instance = [
        r for r in on_nat if r["dstaddr"] == nat.ipv4 and r["srcaddr"].startswith("10.")
    ]
    assert inbound_from_instance
    for r in inbound_from_instance:  # pkt-dstaddr is the internet host, dstaddr the NAT
        assert r["pkt-dstaddr"] != r["dstaddr"] and not r["pkt-dstaddr"].startswith("10.")
        assert r["flow-direction"] == "ingress"
    to_internet = [r for r in on_nat if r["srcaddr"] == nat.ipv4 and r["traffic-path"] == "2"]
    assert to_internet and all(r["pkt-srcaddr"] == nat.ipv4 for r in to_internet)
    back = [r for r in on_nat if r["srcaddr"] == nat.ipv4 and r["traffic-path"] == "1"]
    assert back and all(r["pkt-srcaddr"] != nat.ipv4 for r in back)


def test_nat_gateway_records_per_connection_are_awss_example(records: list[Row]) -> None:
    """Per connection through the NAT gateway, as AWS's NAT gateway example: on the gateway's
    interface instance -> gateway (pkt-dstaddr the internet host), the gateway's own leg both
    ways, gateway -> instance (pkt-srcaddr the internet host); on the instance's, its own two."""
    topology = default_topology()
    nat = topology.eni("a-nat-1")
    n = nat.ipv4
    checked = 0
    for r in records:
        if r["interface-id"] != nat.id or not r["srcaddr"].startswith("10.") or r["dstaddr"] != n:
            continue  # not an instance's request to the gateway
        c, s, port = r["srcaddr"], r["pkt-dstaddr"], r["srcport"]
        mine = [
            x for x in records if port in (x["srcport"], x["dstport"]) and x["start"] == r["start"]
        ]
        on_nat = {
            (x["srcaddr"], x["dstaddr"], x["pkt-srcaddr"], x["pkt-dstaddr"])
            for x in mine
            if x["interface-id"] == nat.id
        }
        assert {(c, n, c, s), (n, c, s, c)} <= on_nat
        own = {  # the translated leg, from the gateway's own port
            (x["srcaddr"], x["dstaddr"], x["pkt-srcaddr"], x["pkt-dstaddr"])
            for x in records
            if x["interface-id"] == nat.id
            and x["start"] == r["start"]
            and s in (x["srcaddr"], x["dstaddr"])
        }
        assert {(n, s, n, s), (s, n, s, n)} <= own
        on_instance = {
            (x["srcaddr"], x["dstaddr"], x["pkt-srcaddr"], x["pkt-dstaddr"])
            for x in mine
            if x["interface-id"] != nat.id
        }
        assert on_instance == {(c, s, c, s), (s, c, s, c)}
        checked += 1
        if checked == 20:
            break
    assert checked == 20


def test_transit_gateway_attachments_log_the_hops(records: list[Row]) -> None:
    """As AWS's transit gateway example: attachment interfaces in the server's VPC log the
    request with srcaddr = the attachment (pkt-srcaddr the client in the other VPC) and the
    response leaving through the attachment in the server's AZ (dstaddr the attachment,
    pkt-dstaddr the client); the server's own interface sees the client's address. The
    client's VPC has attachments too: srcaddr the client, dstaddr the attachment, pkt-dstaddr
    the server. A client in another AZ than the server crosses two attachments in A."""
    t = default_topology()
    attachments = {e.id: e for e in t.enis if e.kind == "transit_gateway"}
    ok = [r for r in records if r["log-status"] == "OK" and r["interface-id"] in attachments]
    assert ok and {r["instance-id"] for r in ok} == {"-"}
    on = Counter(attachments[str(r["interface-id"])].name for r in ok)
    assert set(on) == {"a-tgw-1", "a-tgw-2", "c-tgw-1", "c-tgw-2"}
    a_side = [r for r in ok if attachments[str(r["interface-id"])].vpc == "A"]
    for r in a_side:
        eni = attachments[str(r["interface-id"])]
        if r["flow-direction"] == "egress":  # the request into A: srcaddr the attachment
            assert r["srcaddr"] == eni.ipv4 and r["pkt-srcaddr"].startswith("10.2.")
            assert r["dstaddr"] == r["pkt-dstaddr"] and r["dstaddr"].startswith("10.0.")
        else:  # the response out of A through the server's AZ
            assert r["dstaddr"] == eni.ipv4 and r["pkt-dstaddr"].startswith("10.2.")
            assert eni.name == "a-tgw-1"  # A's servers are in AZ 1
    from_az2 = {r["interface-id"] for r in a_side if r["pkt-srcaddr"] == "10.2.1.30"}
    assert from_az2 == {t.eni("a-tgw-2").id}  # c-legacy-2 is in AZ 2: in through AZ 2
    c_side = [r for r in ok if attachments[str(r["interface-id"])].vpc == "C"]
    for r in c_side:
        eni = attachments[str(r["interface-id"])]
        if r["flow-direction"] == "ingress":  # the client's request into the gateway
            assert r["dstaddr"] == eni.ipv4 and r["pkt-dstaddr"].startswith("10.0.")
            assert r["srcaddr"] == r["pkt-srcaddr"]
        else:
            assert r["srcaddr"] == eni.ipv4 and r["pkt-srcaddr"].startswith("10.0.")
    servers = [
        r
        for r in records
        if r["interface-id"] == t.eni("a-web-1").id and r["srcaddr"] == "10.2.1.30"
    ]
    assert servers and {r["pkt-srcaddr"] for r in servers} == {"10.2.1.30"}


def test_block_public_access_rejects_beside_ordinary_ones() -> None:
    """v8 reject-reason BPA on the REJECT records VPC Block Public Access wrote; `-` on the
    security-group rejects and on every ACCEPT."""
    config = SampleConfig(records=6_000, days=14, end_date=END, seed=3, fields=schema.ALL_FIELDS)
    rows = list(iter_records(config))
    reasons = Counter((r["action"], r["reject-reason"]) for r in rows if r["log-status"] == "OK")
    assert set(reasons) == {("ACCEPT", "-"), ("REJECT", "-"), ("REJECT", "BPA")}
    bpa = [r for r in rows if r["reject-reason"] == "BPA"]
    assert {r["dstaddr"] for r in bpa} == {default_topology().eni("a-app-1").ipv6}
    assert {r["flow-direction"] for r in bpa} == {"ingress"}


def test_no_record_ends_after_the_moment_it_runs(tmp_path: Path) -> None:
    """On the day it runs, the simulator stops at the current minute: no record, and no
    object's time, in the future; the same moment gives the same bytes."""
    now = datetime(2026, 12, 1, 11, 17, 42, tzinfo=UTC)
    config = SampleConfig(records=3_000, days=2, end_date=now.date(), seed=5, now=now)
    result = write_sample(config, tmp_path / "one")
    found = read_back(tmp_path / "one")
    assert sum(len(rows) for _, _, rows in found) == result.records == 3_000
    ends = [int(row["end"]) for _, _, rows in found for row in rows]
    assert max(ends) <= now.timestamp()
    assert max(ends) > (now - timedelta(hours=1)).timestamp()  # up to now, not the day before
    for key, _, _ in found:
        stamp = datetime.strptime(key.rsplit("_", 2)[1], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
        assert stamp <= now
    again = write_sample(config, tmp_path / "two")
    assert [f.read_bytes() for f in result.files] == [f.read_bytes() for f in again.files]
    truth = read_ground_truth(tmp_path / "one")
    assert truth["options"]["now"] == "2026-12-01T11:17:42Z"
    # a day already over is whole, and its config the same whenever it runs
    assert SampleConfig(end_date=END, now=now).now is None
    assert SampleConfig(end_date=END).to_dict() == SampleConfig(end_date=END, now=now).to_dict()
    with pytest.raises(SampleError, match="after today"):
        SampleConfig(end_date=date(2026, 12, 2), now=now)
    with pytest.raises(SampleError, match="no whole minute"):
        list(Generator(
            SampleConfig(days=1, end_date=now.date(), now=now.replace(hour=0, minute=1)),
            default_topology(),
        ).windows())  # fmt: skip


def test_accepted_and_rejected_requests_follow_security_groups(
    records: list[Row],
) -> None:
    """A request arriving at an ENI is ACCEPTed exactly when one of its groups' rules allows it
    (as the usage analysis's matcher says).

    Responses (an ingress record whose reverse left the same ENI before) are stateful and skipped.
    """
    topology = default_topology()
    inventory = inventory_from_topology(topology, "123456789012", "us-east-1")
    matcher = RuleMatcher(inventory)
    by_id = {e.id: e for e in topology.enis}
    sent: dict[str | None, set[tuple[str | None, ...]]] = defaultdict(set)
    checked: Counter[str] = Counter()
    for r in records:
        if r["log-status"] != "OK":
            continue
        eni = by_id[str(r["interface-id"])]
        flow = (r["srcaddr"], r["dstaddr"], r["srcport"], r["dstport"], r["protocol"])
        if r["flow-direction"] == "egress":
            sent[eni.id].add(flow)
            continue
        reverse = (r["dstaddr"], r["srcaddr"], r["dstport"], r["srcport"], r["protocol"])
        if not eni.security_groups or reverse in sent[eni.id]:
            continue
        interface = inventory.interface(eni.id)
        assert interface is not None
        allowed = matcher.match(
            interface,
            "ingress",
            str(r["srcaddr"]),
            int(str(r["protocol"])),
            int(str(r["dstport"])),
        )
        assert bool(allowed) == (r["action"] == "ACCEPT"), r
        checked[str(r["action"])] += 1
    assert checked["ACCEPT"] > 500 and checked["REJECT"] > 10


def test_enis_use_their_own_metadata(records: list[Row]) -> None:
    topology = default_topology()
    for r in records:
        eni = next(e for e in topology.enis if e.id == r["interface-id"])
        assert r["vpc-id"] == topology.vpc(eni.vpc).id
        assert r["subnet-id"] == topology.subnet(eni.subnet).id
        assert r["instance-id"] == (eni.instance_id or "-")
        assert r["az-id"] == az_id("us-east-1", topology.subnet(eni.subnet).az)
        if r["log-status"] == "OK" and r["flow-direction"] == "egress":
            assert r["srcaddr"] in (eni.ipv4, eni.ipv6)
        if r["log-status"] == "OK" and r["flow-direction"] == "ingress":
            assert r["dstaddr"] in (eni.ipv4, eni.ipv6)


def test_timestamps_stay_in_their_window() -> None:
    config = SampleConfig(records=2_000, days=2, end_date=END, hourly=True)
    generator = Generator(config, default_topology())
    for window in generator.windows():
        first = int(window.start.timestamp())
        last = first + window.minutes * 60
        midnight = first - first % 86400 + 86400
        for per_log in window.records:
            for r in per_log:  # a long connection's record may end in the next window
                assert first <= int(r[7]) < last
                assert int(r[7]) <= int(r[8]) < min(midnight, int(r[7]) + AGGREGATION_SECONDS)


def test_window_sizes_follow_volume() -> None:
    assert windows_per_day(3_000, 12, 3, hourly=False) == 4
    assert windows_per_day(3_000, 12, 3, hourly=True) == 24
    assert windows_per_day(10_000_000, 14, 3, hourly=False) == 24
    assert windows_per_day(20_000_000, 14, 3, hourly=False) == 48
    assert windows_per_day(10**9, 1, 3, hourly=False) == 288


# -- ground truth ---------------------------------------------------------------------------------


def test_ground_truth_counts_match_the_files(small_sample: Any) -> None:
    truth = small_sample.truth
    found = read_back(small_sample.path)
    rows = [row for _, _, rs in found for row in rs]
    assert truth["records"] == len(rows) == 3_000
    assert truth["counts"]["log_status"] == dict(Counter(r["log-status"] for r in rows))
    assert truth["counts"]["action"] == dict(Counter(r["action"] for r in rows))
    by_day = Counter()
    for _, parts, rs in found:
        by_day[parts.day] += len(rs)
    assert truth["counts"]["day"] == dict(by_day)
    assert {f["key"]: f["records"] for f in truth["files"]} == {k: len(rs) for k, _, rs in found}


def test_ground_truth_scenarios_match_a_recount_of_the_files(small_sample: Any) -> None:
    truth = small_sample.truth
    rows = [row | {"day": parts.day} for _, parts, rs in read_back(small_sample.path) for row in rs]
    for window, spec in truth["windows"].items():
        for scenario in SCENARIOS:
            predicate = scenario_predicate(
                scenario, truth["networks"], spec["first_day"], spec["last_day"]
            )
            recount = expected(rows, predicate)
            written = truth["scenarios"][scenario.name][window]
            assert written["records"] == recount.records, (scenario.name, window)
            assert (written["packets"], written["bytes"]) == (recount.packets, recount.bytes)
            assert (written["first_seen"], written["last_seen"]) == (
                recount.first_seen,
                recount.last_seen,
            )
            assert conversations(truth, scenario.name, window) == recount.conversations()


def test_ground_truth_windows_and_scenario_shapes(small_sample: Any) -> None:
    truth = small_sample.truth
    end = small_sample.config.end_date
    last10, everything = truth["windows"]["last_10_days"], truth["windows"]["all"]
    assert last10["last_day"] == everything["last_day"] == f"{end:%Y/%m/%d}"
    assert everything["first_day"] < last10["first_day"]
    assert truth["networks"]["A"] == A
    assert truth["conversation_columns"] == list(CONVERSATION_COLUMNS)
    s = truth["scenarios"]
    for name in ("external", "peering", "internal", "inbound", "outbound"):
        assert 0 < s[name]["last_10_days"]["records"] < s[name]["all"]["records"], name
    # C reaches A in a few long connections (two aggregation intervals, 16 records each)
    assert 0 < s["cross_vpc"]["last_10_days"]["records"] <= s["cross_vpc"]["all"]["records"]
    assert (
        s["peering"]["all"]["records"]
        == s["inbound"]["all"]["records"] + s["outbound"]["all"]["records"]
    )
    for row in conversations(truth, "inbound", "all"):
        assert row["srcaddr"].startswith("10.1.")
    vpc_a = CidrSet(A)
    for row in conversations(truth, "external", "all"):
        assert (row["srcaddr"] in vpc_a) != (row["dstaddr"] in vpc_a)
    for row in conversations(truth, "internal", "all"):
        assert row["srcaddr"] in vpc_a and row["dstaddr"] in vpc_a


def test_ground_truth_equals_expected_over_iter_records(tmp_path: Path) -> None:
    config = SampleConfig(records=1_500, days=11, end_date=END, seed=5, hourly=True)
    truth = read_ground_truth(write_sample(config, tmp_path).ground_truth)
    rows = list(iter_records(config))
    for scenario in SCENARIOS:
        for window, spec in truth["windows"].items():
            recount = expected(
                rows,
                scenario_predicate(scenario, NETWORKS, spec["first_day"], spec["last_day"]),
            )
            assert conversations(truth, scenario.name, window) == recount.conversations()


def test_summary_ground_truth_keeps_totals_only(tmp_path: Path) -> None:
    config = SampleConfig(records=1_000, days=2, end_date=END, ground_truth="summary")
    truth = read_ground_truth(write_sample(config, tmp_path).ground_truth)
    full = read_ground_truth(
        write_sample(
            SampleConfig(records=1_000, days=2, end_date=END), tmp_path / "full"
        ).ground_truth
    )
    external = truth["scenarios"]["external"]["all"]
    assert external["conversations"] is None and external["conversation_count"] is None
    assert external["records"] == full["scenarios"]["external"]["all"]["records"] > 0
    with pytest.raises(ValueError, match="totals only"):
        conversations(truth, "external", "all")


def test_each_conversation_uses_exactly_the_rules_that_admit_it() -> None:
    """The rules recorded for a conversation are its pair's (what its pattern names), and the
    ones the usage analysis's matcher finds for its very addresses: a pool's addresses are all
    admitted alike, as the topology's check promises."""
    config = SampleConfig(records=6_000, days=14, end_date=END, seed=3)
    topology = default_topology()
    inventory = inventory_from_topology(topology, config.account, config.region)
    matcher = RuleMatcher(inventory)
    interfaces = {e.name: inventory.interface(e.id) for e in topology.enis}
    patterns = {p.name: p for p in topology.traffic}
    ids = rule_references(topology)
    seen: Counter[str] = Counter()
    for c in iter_conversations(config, topology):
        found: tuple[str, ...] = ()
        client, server = interfaces.get(c.client), interfaces.get(c.server)
        if client is not None:
            found += matcher.match(client, "egress", c.server_address, c.protocol, c.port)
        if server is not None and c.action == "ACCEPT":
            found += matcher.match(server, "ingress", c.client_address, c.protocol, c.port)
        pattern = patterns[c.pattern]
        assert c.rules == found == pattern.pair(c.client, c.server).rules, c
        assert set(c.rules) <= {ids[ref] for ref in pattern.rules}
        seen[c.pattern] += 1
    assert set(seen) == set(patterns)
    assert {name for name, p in patterns.items() if not p.rules} == {
        "ssh-probes",
        "rdp-probes",
        "ssh-probes-v6",
        "bpa-ssh-probes-v6",
    }


@pytest.mark.parametrize("detail", ["full", "summary"])
def test_ground_truth_rule_use_counts_the_generated_conversations(
    tmp_path: Path, detail: Any
) -> None:
    config = SampleConfig(records=2_000, days=3, end_date=END, seed=8, ground_truth=detail)
    truth = read_ground_truth(write_sample(config, tmp_path).ground_truth)
    topology = default_topology()
    patterns = {p.name: p for p in topology.traffic}
    eni_ids = {e.name: e.id for e in topology.enis}
    by_rule: Counter[tuple[str, str, str, str]] = Counter()
    by_pattern: Counter[tuple[str, str]] = Counter()
    for c in iter_conversations(config, topology):
        by_pattern[c.day, c.pattern] += 1
        pair = patterns[c.pattern].pair(c.client, c.server)
        for rid in pair.egress:
            by_rule[c.day, c.pattern, rid, eni_ids[c.client]] += 1
        for rid in pair.ingress:
            by_rule[c.day, c.pattern, rid, eni_ids[c.server]] += 1
    assert {
        (r["day"], r["pattern"], r["rule_id"], r["eni_id"]): r["connections"]
        for r in rule_use(truth)
    } == dict(by_rule)
    assert {(r["day"], r["pattern"]): r["conversations"] for r in pattern_use(truth)} == dict(
        by_pattern
    )
    assert {r["rule_id"] for r in rule_use(truth)} <= {
        r["id"] for r in truth["inventory"]["security_group_rules"]
    }
    last = f"{END:%Y/%m/%d}"
    assert 0 < len(rule_use(truth, last, last)) < len(rule_use(truth))
    assert {r["day"] for r in pattern_use(truth, first_day=last)} == {last}
    assert sum(r["conversations"] for r in pattern_use(truth)) == sum(by_pattern.values()) > 300


def test_scenario_predicate_handles_dashes_ipv6_and_days() -> None:
    external = scenario_predicate("external", NETWORKS, "2026/11/10", "2026/11/20")
    row = {"srcaddr": "2600:1f18:aaaa:ab0a::5", "dstaddr": "2606:4700::1", "day": "2026/11/11"}
    assert external(row)
    assert not external(row | {"day": "2026/11/09"})
    assert not external(row | {"dstaddr": "100.64.3.1"})  # both in A
    assert not external({"srcaddr": "-", "dstaddr": "-", "day": "2026/11/11"})
    assert scenario_predicate("inbound", NETWORKS)({"srcaddr": "10.1.9.9", "dstaddr": "100.64.0.9"})
    assert not scenario_predicate("outbound", NETWORKS)(
        {"srcaddr": "10.1.9.9", "dstaddr": "10.0.0.1"}
    )
