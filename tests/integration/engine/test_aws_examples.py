"""AWS's own example records (VPC User Guide, "Flow log record examples") through the engine and
the pack: every field reads as written, and the pack's answers carry the documented meaning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_examples
import pytest

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.notes import WITHOUT, notes
from vpc_cidr_analysis.pack.queries import get_query
from vpc_cidr_analysis.pack.runner import run_local

EXAMPLES = aws_examples.load()
#: Every example, the TCP-flag one's record with a double space included (read as Athena's
#: LazySimpleSerDe reads it: an empty field, every later field one place to the right).
READABLE = sorted(EXAMPLES)
NUMERIC = {f.name for f in schema.FIELDS if f.athena_type != "string"}


def logs_of(name: str, tmp_path: Path) -> Path:
    aws_examples.write(EXAMPLES[name], tmp_path)
    return tmp_path


def window(name: str) -> dict[str, str]:
    day = f"{EXAMPLES[name].day:%Y/%m/%d}"
    return {"start_day": day, "end_day": day}


def test_the_fixture_is_the_documented_examples() -> None:
    assert sorted(EXAMPLES) == [
        "accepted_rejected",
        "ipv6",
        "nat_gateway",
        "nat_instance",
        "no_data_skipped",
        "security_group_nacl",
        "tcp_flags",
        "traffic_path",
        "transit_gateway",
    ]
    assert sum(len(e.records) for e in EXAMPLES.values()) == 27
    for example in EXAMPLES.values():
        assert example.source.startswith(
            "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html#"
        )
        assert all(len(r.split()) == len(example.fields) for r in example.records)
    assert any("  " in record for record in EXAMPLES["tcp_flags"].records)  # AWS's double space


@pytest.mark.parametrize("name", READABLE)
def test_every_field_reads_as_written(name: str, tmp_path: Path) -> None:
    example = EXAMPLES[name]
    columns = [field.replace("-", "_") for field in example.fields]
    with LocalEngine(str(logs_of(name, tmp_path))) as engine:
        result = engine.execute(
            f'SELECT {", ".join(columns)} FROM vpcflowlogstable ORDER BY "$path"'.replace(
                ' ORDER BY "$path"', ""
            )
        )
        rows = [tuple(row) for row in result.rows]
    expected: list[tuple[Any, ...]] = []
    for record in example.records:
        values: list[Any] = []
        texts = record.split(" ")  # every single space separates; extra fields dropped
        for field, text in zip(example.fields, texts[: len(example.fields)], strict=False):
            if field in NUMERIC:
                values.append(int(text) if text.isdigit() else None)
            else:
                values.append(text)
        expected.append(tuple(values))
    assert sorted(rows, key=repr) == sorted(expected, key=repr)


def rows_of(name: str, query: str, tmp_path: Path, **values: str) -> list[dict[str, Any]]:
    out = run_local(get_query(query), {**values, **window(name)}, str(logs_of(name, tmp_path)))
    return [dict(zip(out.columns, row, strict=True)) for row in out.rows]


def connection(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["client"], row["server"], row["server_port"], row["protocol"], row["action"])


def test_rejected_rdp_is_the_rejected_answer(tmp_path: Path) -> None:
    """ "RDP traffic (destination port 3389, TCP protocol) … was rejected"; the SSH was allowed."""
    rows = rows_of("accepted_rejected", "rejected", tmp_path, vpc_cidrs="172.31.0.0/16")
    assert [connection(r) for r in rows] == [("172.31.9.69", "172.31.9.12", 3389, 6, "REJECT")]
    row = rows[0]
    assert (row["client_packets"], row["client_bytes"], row["records"]) == (20, 4249, 1)
    assert (row["server_packets"], row["server_bytes"], row["connections"]) == (0, 0, 1)
    assert (row["decided_by"], row["reject_reason"]) == ("port", None)  # v2: no tcp-flags


@pytest.mark.parametrize("query", ["external", "internal", "rejected", "top_talkers"])
def test_no_data_and_skipped_records_are_no_traffic(query: str, tmp_path: Path) -> None:
    assert rows_of("no_data_skipped", query, tmp_path, vpc_cidrs="0.0.0.0/0") == []


def test_ping_allowed_in_and_its_reply_rejected_by_the_nacl(tmp_path: Path) -> None:
    """The ping from 203.0.113.12 was accepted, its reply rejected (the NACL): one exchange,
    started by 203.0.113.12 (its record is the earlier), rejected as a whole."""
    rows = rows_of("security_group_nacl", "external", tmp_path, vpc_cidrs="172.31.16.0/20")
    assert [connection(r) for r in rows] == [("203.0.113.12", "172.31.16.139", 0, 1, "REJECT")]
    row = rows[0]
    assert (row["client_packets"], row["server_packets"], row["records"]) == (4, 4, 2)
    assert row["decided_by"] == "time"


def test_ipv6_ssh_inside_the_vpc(tmp_path: Path) -> None:
    """SSH (port 22) from 2001:db8:1234:a100:8d6e:3477:df66:f105 to the interface, allowed."""
    rows = rows_of("ipv6", "internal", tmp_path, vpc_cidrs="2001:db8:1234:a100::/56")
    assert [connection(r) for r in rows] == [
        (
            "2001:db8:1234:a100:8d6e:3477:df66:f105",
            "2001:db8:1234:a102:3304:8879:34cf:4071",
            22,
            6,
            "ACCEPT",
        )
    ]
    assert (rows[0]["client_packets"], rows[0]["client_bytes"]) == (54, 8855)


def test_the_double_space_record_reads_as_athena_reads_it(tmp_path: Path) -> None:
    """AWS's server reply on port 43638 has two spaces after dstport: Athena reads an empty
    pkt-srcaddr and every later field one place to the right (the last one dropped)."""
    sql = (
        "SELECT srcaddr, srcport, dstport, pkt_srcaddr, pkt_dstaddr, protocol, bytes, packets, "
        '"start", "end", action, tcp_flags, log_status FROM vpcflowlogstable WHERE dstport = 43638'
    )
    with LocalEngine(str(logs_of("tcp_flags", tmp_path))) as engine:
        rows = engine.execute(sql).rows
        ragged = [(r.line, r.expected, r.found) for r in engine.last_ragged]
    assert rows == [
        ("10.0.0.62", 5001, 43638, "", "10.0.0.62", None, 6, 967, 14, 1566933133,
         "1566933193", None, "19"),
    ]  # fmt: skip
    assert ragged == [(9, 21, 22)]  # line 9: the header, then the eighth record


def test_tcp_flags_connections_to_5001_and_no_reply_rows(tmp_path: Path) -> None:
    """52.213.180.42 opened the connections to 10.0.0.62:5001 (SYN 2 / 3 from it, SYN-ACK 18 / 19
    from the server); the later records (flags 1) belong to the same connection. The record
    with AWS's double space reads with log-status '19' (see above), so as on Athena it is not
    a data record and the answer has the other seven."""
    out = run_local(get_query("external"), {"vpc_cidrs": "10.0.0.0/16", **window("tcp_flags")},
                    str(logs_of("tcp_flags", tmp_path)))  # fmt: skip
    rows = [dict(zip(out.columns, row, strict=True)) for row in out.rows]
    assert [connection(r) for r in rows] == [("52.213.180.42", "10.0.0.62", 5001, 6, "ACCEPT")]
    row = rows[0]
    assert (row["connections"], row["records"], row["decided_by"]) == (3, 7, "tcp-flags")
    # client ports 43416, 43418 (two windows), 43638; the server's reply on 43638 is the
    # unreadable record
    assert (row["client_packets"], row["client_bytes"]) == (8 + 70 + 15774 + 17, 568 + 100701
                                                             + 23294588 + 1260)  # fmt: skip
    assert (row["server_packets"], row["server_bytes"]) == (7 + 12 + 1219, 376 + 632 + 63388)


def test_nat_gateway_is_a_hop_not_an_endpoint(tmp_path: Path) -> None:
    """The instance 10.0.1.5 talks to 203.0.113.5 through the NAT gateway 10.0.0.220: one
    connection (the gateway's own leg is the same traffic), and no row names the gateway.
    The format has no log-status: records with addresses are data records."""
    for query, cidrs in (("external", "10.0.0.0/16"), ("internal", "10.0.0.0/16"),
                         ("top_talkers", "0.0.0.0/0")):  # fmt: skip
        rows = rows_of("nat_gateway", query, tmp_path / query, vpc_cidrs=cidrs)
        assert all("10.0.0.220" not in (r["client"], r["server"]) for r in rows)
        if query != "internal":
            assert [(r["client"], r["server"]) for r in rows] == [("10.0.1.5", "203.0.113.5")]
            assert rows[0]["records"] == 2  # the two translated records; no ports, no sizes
        else:
            assert rows == []


def test_transit_gateway_client_in_the_other_vpc(tmp_path: Path) -> None:
    """10.20.33.164 (VPC 2) is the client of 10.40.2.236:80; the transit gateway interfaces
    10.40.1.175 and 10.40.2.31 are hops, and the connection counts once over three
    interfaces."""
    rows = rows_of("transit_gateway", "between", tmp_path / "between",
                   vpc_cidrs="10.40.0.0/16", peer_cidrs="10.20.0.0/16")  # fmt: skip
    assert [connection(r) for r in rows] == [("10.20.33.164", "10.40.2.236", 80, 6, "ACCEPT")]
    assert (rows[0]["connections"], rows[0]["records"], rows[0]["decided_by"]) == (
        1,
        4,
        "tcp-flags",
    )
    inbound = rows_of("transit_gateway", "inbound", tmp_path / "inbound",
                      vpc_cidrs="10.40.0.0/16", peer_cidrs="10.20.0.0/16")  # fmt: skip
    assert [connection(r) for r in inbound] == [connection(rows[0])]
    internal = rows_of("transit_gateway", "internal", tmp_path / "internal",
                       vpc_cidrs="10.40.0.0/16")  # fmt: skip
    assert internal == []  # the TGW interfaces are no endpoints inside 10.40.0.0/16


def test_s3_is_the_server_of_the_traffic_path_example(tmp_path: Path) -> None:
    rows = rows_of("traffic_path", "external", tmp_path, vpc_cidrs="10.0.0.0/16")
    assert [connection(r) for r in rows] == [("10.0.0.71", "52.95.128.179", 80, 6, "ACCEPT")]
    assert (rows[0]["client_bytes"], rows[0]["server_bytes"]) == (471, 15044)


def test_aws_service_traffic_path_and_direction(tmp_path: Path) -> None:
    """S3 is the service on the public side; the egress record went through an internet gateway
    (traffic-path 8); traffic-path is not reported for ingress."""
    with LocalEngine(str(logs_of("traffic_path", tmp_path))) as engine:
        result = engine.execute(
            "SELECT flow_direction, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, "
            "tcp_flags FROM vpcflowlogstable ORDER BY flow_direction"
        )
        rows = [tuple(r) for r in result.rows]
    assert rows == [("egress", "-", "S3", 8, 3), ("ingress", "S3", "-", None, 19)]


def test_what_the_formats_lack_is_said(tmp_path: Path) -> None:
    """The NAT example has neither log-status nor tcp-flags: the answer says what it means."""
    query = get_query("external")
    out = run_local(query, {"vpc_cidrs": "10.0.0.0/16", **window("nat_gateway")},
                    str(logs_of("nat_gateway", tmp_path)))  # fmt: skip
    said = notes(query, out.fields, out.columns, out.rows)
    assert said[:2] == [WITHOUT["log-status"], WITHOUT["tcp-flags"]]
    assert "1 of 1 rows: who started them is unknown" in said[2]  # no ports, no times
    assert len(said) == 3  # pkt-srcaddr/pkt-dstaddr are there
    eni_ports = get_query("eni_ports")
    out = run_local(eni_ports, window("ipv6"), str(logs_of("ipv6", tmp_path / "v2")))
    assert out.rows == []
    assert WITHOUT["flow-direction"] in notes(eni_ports, out.fields, out.columns, out.rows)
    rejected = get_query("rejected")
    out = run_local(rejected, {"vpc_cidrs": "172.31.0.0/16", **window("accepted_rejected")},
                    str(logs_of("accepted_rejected", tmp_path / "rdp")))  # fmt: skip
    assert WITHOUT["reject-reason"] in notes(rejected, out.fields, out.columns, out.rows)
