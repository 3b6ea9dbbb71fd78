"""AWS's own example records (VPC User Guide, "Flow log record examples") through the engine and
the pack: every field reads as written, and the pack's answers carry the documented meaning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_examples
import pytest

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.pack.queries import get_query
from vpc_cidr_analysis.pack.runner import run_local

EXAMPLES = aws_examples.load()
#: The TCP-flag example holds a record with a double space (an empty field, as AWS printed it);
#: reading such lines as Athena's LazySimpleSerDe does is the Trino-fidelity work's.
READABLE = sorted(name for name in EXAMPLES if name != "tcp_flags")
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
        for field, text in zip(example.fields, record.split(" "), strict=True):
            if field in NUMERIC:
                values.append(None if text == "-" else int(text))
            else:
                values.append(text)
        expected.append(tuple(values))
    assert sorted(rows, key=repr) == sorted(expected, key=repr)


def test_rejected_rdp_is_the_rejected_answer(tmp_path: Path) -> None:
    """ "RDP traffic (destination port 3389, TCP protocol) … was rejected"; the SSH was allowed."""
    out = run_local(
        get_query("rejected"),
        {"vpc_cidrs": "172.31.0.0/16", **window("accepted_rejected")},
        str(logs_of("accepted_rejected", tmp_path)),
    )
    rows = [dict(zip(out.columns, row, strict=True)) for row in out.rows]
    assert [
        (r["srcaddr"], r["dstaddr"], r["dstport"], r["protocol"], r["action"]) for r in rows
    ] == [("172.31.9.69", "172.31.9.12", 3389, 6, "REJECT")]
    assert (rows[0]["packets"], rows[0]["bytes"], rows[0]["flows"]) == (20, 4249, 1)


@pytest.mark.parametrize("query", ["external", "internal", "rejected", "top_talkers"])
def test_no_data_and_skipped_records_are_no_traffic(query: str, tmp_path: Path) -> None:
    out = run_local(
        get_query(query),
        {"vpc_cidrs": "0.0.0.0/0", **window("no_data_skipped")},
        str(logs_of("no_data_skipped", tmp_path)),
    )
    assert out.rows == []


def test_ping_allowed_in_and_its_reply_rejected_by_the_nacl(tmp_path: Path) -> None:
    """One ACCEPT record for the ping from 203.0.113.12, one REJECT for the reply."""
    out = run_local(
        get_query("external"),
        {"vpc_cidrs": "172.31.16.0/20", **window("security_group_nacl")},
        str(logs_of("security_group_nacl", tmp_path)),
    )
    picked = ("srcaddr", "dstaddr", "protocol", "action")
    rows = sorted(tuple(r[out.columns.index(c)] for c in picked) for r in out.rows)
    assert rows == [
        ("172.31.16.139", "203.0.113.12", 1, "REJECT"),
        ("203.0.113.12", "172.31.16.139", 1, "ACCEPT"),
    ]


def test_ipv6_ssh_inside_the_vpc(tmp_path: Path) -> None:
    """SSH (port 22) from 2001:db8:1234:a100:8d6e:3477:df66:f105 to the interface, allowed."""
    out = run_local(
        get_query("internal"),
        {"vpc_cidrs": "2001:db8:1234:a100::/56", **window("ipv6")},
        str(logs_of("ipv6", tmp_path)),
    )
    ((row),) = [dict(zip(out.columns, r, strict=True)) for r in out.rows]
    assert (row["srcaddr"], row["dstaddr"], row["dstport"], row["protocol"], row["action"]) == (
        "2001:db8:1234:a100:8d6e:3477:df66:f105",
        "2001:db8:1234:a102:3304:8879:34cf:4071",
        22,
        6,
        "ACCEPT",
    )
    assert (row["packets"], row["bytes"]) == (54, 8855)


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
