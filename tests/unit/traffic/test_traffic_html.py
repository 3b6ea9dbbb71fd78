"""The traffic report's page, from hand-made rows: every section, escaped, linked, offline."""

from __future__ import annotations

import re
from typing import Any

from vpc_cidr_analysis.traffic.html import render_html
from vpc_cidr_analysis.traffic.report import TrafficReport


def _cell(client: str, server: str, client_bytes: int, server_bytes: int) -> dict[str, Any]:
    return {
        "client_network": client, "server_network": server, "connections": 3, "clients": 2,
        "servers": 1, "client_bytes": client_bytes, "server_bytes": server_bytes,
        "client_packets": 1, "server_packets": 1, "first_seen": "2026-11-26T00:00:00Z",
        "last_seen": "2026-11-27T10:00:00Z",
    }  # fmt: skip


def report() -> TrafficReport:
    matrix = [_cell("vpc-a", "vpc-b", 900, 100), _cell("<x>", "vpc-a", 5, 5)]
    return TrafficReport(
        first_day="2026/11/26",
        last_day="2026/11/27",
        networks={"vpc-a": ["10.0.0.0/16"], "vpc-b": ["10.1.0.0/16"], "<x>": ["10.9.0.0/16"]},
        aws_ranges={"syncToken": "17", "createDate": "2026-12-01-00-00-00", "prefixes": 3},
        matrix=matrix,
        daily=[{"day": "2026/11/26", **matrix[0]}, {"day": "2026/11/27", **matrix[1]}],
        servers=[
            {"client_network": "vpc-a", "server_network": "vpc-b", "server": "10.1.0.5",
             "server_port": 5432, "protocol": 6, "clients": 2, "connections": 3,
             "client_bytes": 900, "server_bytes": 100, "first_seen": "2026-11-26T00:00:00Z",
             "last_seen": "2026-11-27T10:00:00Z"},
        ],
        aws_services=[
            {"service": "S3", "region": None, "labelled_by": "pkt-aws-service",
             "connections": 4, "peers": 1, "service_addresses": 2, "bytes_to_service": 10,
             "bytes_from_service": 20, "nat_connections": 1, "nat_bytes": 15,
             "nat_share": 0.5, "first_seen": "2026-11-26T00:00:00Z",
             "last_seen": "2026-11-27T10:00:00Z"},
        ],
        rejected=[],
        remote_admin=[],
    )  # fmt: skip


def test_every_section_is_there() -> None:
    page = render_html(report())
    for marker in (
        'id="matrix"', 'id="timeline"', 'id="pair-0"', 'id="pair-1"', 'id="aws-services"',
        'id="rejected"', 'id="remote-admin"', "syncToken 17",
    ):  # fmt: skip
        assert marker in page, marker
    assert page.count('class="pair-timeline"') == 2
    assert page.count('<details class="pair"') == 2


def test_map_cells_link_to_their_pair_and_scale_by_bytes() -> None:
    page = render_html(report())
    cell = r'<td class="cell" style="([^"]*)"[^>]*data-bytes="(\d+)"><a href="#(pair-\d)"'
    cells = re.findall(cell, page)
    assert sorted((b, p) for _, b, p in cells) == [("10", "pair-1"), ("1000", "pair-0")]
    styles = {b: s for s, b, _ in cells}
    assert "color:#fff" in styles["1000"] and "color:#fff" not in styles["10"]
    assert page.count('<td class="cell zero">') == 2  # 2 x 2 grid, 2 pairs seen


def test_names_are_escaped_and_nothing_is_loaded() -> None:
    page = render_html(report())
    assert "<x>" not in page and "&lt;x&gt;" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<link" not in page and "@import" not in page
    assert "50%" in page  # the NAT share


def test_empty_sections_say_so() -> None:
    page = render_html(report())
    # rejected, remote admin, and the servers of the pair no server row was kept for
    assert page.count("None in this window.") == 3
    assert '<p class="empty" id="servers-1">' in page
