"""Golden: `network_matrix` equals the simulator's ground truth at connection level, on the
local engine and in the form the Athena runner sends (the text and ExecutionParameters moto
records, run with those literals typed in, as the console would).

The expected matrix is built from `connection_truth` (the connections the simulator generated:
who was the client, what each side sent as logged) and `Networks.network_of` (the most specific
block), so it holds whatever traffic the simulator generates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.athena.models import athena_backends
from moto.core import DEFAULT_ACCOUNT_ID

from vpc_cidr_analysis.aws_ranges import AwsRanges, load_aws_ranges
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.networks import INTERNET, Networks, parse_networks
from vpc_cidr_analysis.pack.athena import AthenaSettings
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import add_networks_table, run_athena, run_local
from vpc_cidr_analysis.simulate.simulator import (
    SampleConfig,
    connection_truth,
    read_ground_truth,
    write_sample,
)

END = date(2026, 11, 27)
AWS_RANGES = load_aws_ranges(Path(__file__).resolve().parents[2] / "fixtures" / "ip-ranges.json")
QUERY = load_queries()["network_matrix"]
MATRIX = [c.name for c in QUERY.columns]
DATASETS = {
    "default-daily-text-v5": SampleConfig(records=4000, days=13, end_date=END, seed=7),
    "hive-hourly-parquet-v5": SampleConfig(
        records=4000, days=13, end_date=END, seed=9, layout="hive", hourly=True,
        file_format="parquet",
    ),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    config = DATASETS[request.param]
    path = tmp_path_factory.mktemp(request.param)
    write_sample(config, path)
    return path, config, read_ground_truth(path)


def named_networks(truth: dict[str, Any]) -> Networks:
    """The topology's VPCs by name, plus a nested block (VPC-A's resolver inside VPC-A) and an
    outside pool named as on-premises."""
    topology = truth["topology"]
    data: dict[str, list[str]] = {vpc["name"]: vpc["cidrs"] for vpc in topology["vpcs"]}
    pools = {pool["name"]: pool["cidrs"] for pool in topology["pools"]}
    data["a-resolver"] = pools["a-resolver"]
    data["on-prem"] = pools["corporate"]
    return parse_networks(data)


def _epoch(value: Any) -> int:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return int(aware.timestamp())


def expected_matrix(
    config: SampleConfig,
    networks: Networks,
    days: int = 10,
    ranges: AwsRanges | None = None,
    per_day: bool = False,
) -> list[dict[str, Any]]:
    """The matrix of the generated connections: a named network first (most specific block),
    else AWS's longest prefix, else internet; `per_day`: per pair and day each connection
    started."""
    first = (END - timedelta(days=days - 1)).strftime("%Y/%m/%d")
    truth = connection_truth(config, first, END.strftime("%Y/%m/%d"), pkt=True, per_day=per_day)

    def network(address: str) -> str:
        aws = ranges.label(address) if ranges is not None else None
        return networks.network_of(address) or aws or INTERNET

    cells: dict[tuple[str | None, str, str], dict[str, Any]] = {}
    for row in truth.rows:
        key = (row.get("day"), network(row["client"]), network(row["server"]))
        cell = cells.setdefault(
            key,
            {"client_network": key[1], "server_network": key[2], "connections": 0,
             "clients": set(), "servers": set(), "client_bytes": 0, "server_bytes": 0,
             "client_packets": 0, "server_packets": 0, "first_seen": row["first_seen"],
             "last_seen": row["last_seen"], "day": key[0]},
        )  # fmt: skip
        cell["connections"] += row["connections"]
        cell["clients"].add(row["client"])
        cell["servers"].add(row["server"])
        for name in ("client_bytes", "server_bytes", "client_packets", "server_packets"):
            cell[name] += row[name]
        cell["first_seen"] = min(cell["first_seen"], row["first_seen"])
        cell["last_seen"] = max(cell["last_seen"], row["last_seen"])
    for cell in cells.values():
        cell["clients"], cell["servers"] = len(cell["clients"]), len(cell["servers"])
    return sorted(cells.values(), key=_cell_order)


def _cell_order(cell: dict[str, Any]) -> tuple[str, str, str]:
    return (cell["day"] or "", cell["client_network"], cell["server_network"])


def as_cells(columns: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    assert columns == MATRIX
    cells = []
    for row in rows:
        cell = dict(zip(columns, row, strict=True))
        for name in ("first_seen", "last_seen"):
            cell[name] = _epoch(cell[name])
        cells.append(cell)
    order = [(c["day"] or "", -(c["client_bytes"] + c["server_bytes"])) for c in cells]
    assert order == sorted(order), "oldest day first, largest first within a day"
    return sorted(cells, key=_cell_order)


def test_matrix_equals_ground_truth_on_the_local_engine(dataset: Any) -> None:
    path, config, truth = dataset
    networks = named_networks(truth)
    out = run_local(QUERY, {}, str(path), today=END, networks=networks.rows())
    got = as_cells(out.columns, out.rows)
    expected = expected_matrix(config, networks)
    assert got == expected
    pairs = {(c["client_network"], c["server_network"]) for c in got}
    # the simulation exercises the nesting, the peering, IPv6 and the internet
    assert ("vpc-a-prod", "a-resolver") in pairs
    assert ("vpc-a-prod", "vpc-b-shared") in pairs and (INTERNET, "vpc-a-prod") in pairs


def test_aws_addresses_are_labelled_by_service_and_region(dataset: Any) -> None:
    """The simulator's S3 and DynamoDB endpoints, in the fixture's ranges (with AMAZON
    supersets), become aws:S3:us-east-1 and aws:DYNAMODB:us-east-1; named networks win."""
    path, config, truth = dataset
    networks = named_networks(truth)
    rows = networks.rows() + AWS_RANGES.rows()
    out = run_local(QUERY, {}, str(path), today=END, networks=rows)
    got = as_cells(out.columns, out.rows)
    assert got == expected_matrix(config, networks, ranges=AWS_RANGES)
    servers = {c["server_network"] for c in got if c["client_network"] == "vpc-a-prod"}
    assert {"aws:S3:us-east-1", "aws:DYNAMODB:us-east-1"} <= servers


def test_short_blocks_are_tried_for_every_address(dataset: Any) -> None:
    """Blocks shorter than the first-octet (IPv4 /8) or first-group (IPv6 /16) lookup, and
    IPv6 blocks whose first group is 0, hold their addresses too, nested as any block."""
    path, config, truth = dataset
    data = {name: list(cidrs) for name, cidrs in named_networks(truth).blocks.items()}
    data |= {"low-v4": ["0.0.0.0/4"], "wide-v6": ["2000::/3"], "zero-v6": ["0:0:1::/48"]}
    networks = parse_networks(data)
    rows = networks.rows() + AWS_RANGES.rows()
    out = run_local(QUERY, {}, str(path), today=END, networks=rows)
    got = as_cells(out.columns, out.rows)
    assert got == expected_matrix(config, networks, ranges=AWS_RANGES)
    labels = {c["server_network"] for c in got} | {c["client_network"] for c in got}
    assert {"low-v4", "wide-v6"} <= labels  # S3 3.5.x, internet clients 2001:db8:…


def test_a_longer_window_is_the_same_rule(dataset: Any) -> None:
    path, config, truth = dataset
    networks = named_networks(truth)
    out = run_local(QUERY, {"days": "13"}, str(path), today=END, networks=networks.rows())
    assert as_cells(out.columns, out.rows) == expected_matrix(config, networks, days=13)


def test_without_networks_everything_is_internet(dataset: Any) -> None:
    path, config, _ = dataset
    out = run_local(QUERY, {}, str(path), today=END)
    got = as_cells(out.columns, out.rows)
    assert got == expected_matrix(config, parse_networks({"none": ["192.0.2.0/32"]}))
    assert [(c["client_network"], c["server_network"]) for c in got] == [(INTERNET, INTERNET)]


def test_per_day_counts_each_connection_on_the_day_it_started(dataset: Any) -> None:
    """per_day=true: one row per pair and day; the days add up to the window's matrix (no
    connection counted twice, one across midnight only on its first day)."""
    path, config, truth = dataset
    networks = named_networks(truth)
    values = {"per_day": "true"}
    out = run_local(QUERY, values, str(path), today=END, networks=networks.rows())
    got = as_cells(out.columns, out.rows)
    assert got == expected_matrix(config, networks, per_day=True)
    window = as_cells(*_columns_rows(run_local(QUERY, {}, str(path), today=END,
                                               networks=networks.rows())))  # fmt: skip
    days = {c["day"] for c in got}
    assert len(days) == 10 and None not in days
    for cell in window:
        pair = (cell["client_network"], cell["server_network"])
        same = [c for c in got if (c["client_network"], c["server_network"]) == pair]
        for name in ("connections", "client_bytes", "server_bytes"):
            assert sum(c[name] for c in same) == cell[name], (pair, name)


def _columns_rows(out: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    return list(out.columns), out.rows


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _typed_in(sql: str, literals: list[str]) -> str:
    parts = sql.split("?")
    assert len(parts) == len(literals) + 1
    return parts[0] + "".join(v + rest for v, rest in zip(literals, parts[1:], strict=True))


def test_the_athena_form_gives_the_same_matrix(dataset: Any, aws: None) -> None:
    """What the runner sends to Athena (moto records it), run as Athena would run it."""
    path, config, truth = dataset
    networks = named_networks(truth)
    athena = boto3.client("athena", region_name="us-east-1")
    settings = AthenaSettings(workgroup="primary", output_location="s3://results/")
    values = {"end_day": END.strftime("%Y-%m-%d")}
    sent = run_athena(QUERY, values, athena, settings)
    execution = athena_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].executions[sent.query_execution_id]
    assert execution.query == QUERY.sql
    assert execution.execution_parameters == [
        "''", "'2026/11/27'", "10", "'2026/11/27'", "'false'"
    ]  # fmt: skip
    assert "FROM vpcflowlogscidrdb.networks" in execution.query
    assert "contains(n.cidr, TRY_CAST(a.address AS IPADDRESS))" in execution.query
    console = _typed_in(execution.query, execution.execution_parameters)
    with LocalEngine(str(path), today=date(2027, 1, 1)) as engine:  # the window is explicit
        add_networks_table(engine, networks.rows())
        result = engine.execute(console)
    assert as_cells(list(result.columns), result.rows) == expected_matrix(config, networks)


def test_the_athena_form_gives_the_same_matrix_per_day(dataset: Any, aws: None) -> None:
    path, config, truth = dataset
    networks = named_networks(truth)
    athena = boto3.client("athena", region_name="us-east-1")
    settings = AthenaSettings(workgroup="primary", output_location="s3://results/")
    values = {"end_day": END.strftime("%Y-%m-%d"), "per_day": "true"}
    sent = run_athena(QUERY, values, athena, settings)
    execution = athena_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].executions[sent.query_execution_id]
    assert execution.query == QUERY.sql
    assert execution.execution_parameters[-1] == "'true'"
    console = _typed_in(execution.query, execution.execution_parameters)
    with LocalEngine(str(path), today=date(2027, 1, 1)) as engine:
        add_networks_table(engine, networks.rows())
        result = engine.execute(console)
    got = as_cells(list(result.columns), result.rows)
    assert got == expected_matrix(config, networks, per_day=True)


def test_cli_runs_the_matrix_with_a_networks_file(dataset: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from vpc_cidr_analysis.cli import cli

    path, config, truth = dataset
    networks = named_networks(truth)
    file = tmp_path / "networks.yaml"
    file.write_text(
        "\n".join(f"{name}: [{', '.join(repr(c) for c in cidrs)}]" for name, cidrs in
                  networks.blocks.items()) + "\n"
    )  # fmt: skip
    result = CliRunner().invoke(
        cli,
        ["query", "run", "network_matrix", "--logs", str(path), "--networks", str(file),
         "--today", "2026-11-27", "--format", "csv", "--columns",
         "client_network,server_network,connections"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "client_network,server_network,connections"
    expected = expected_matrix(config, networks)
    got = {tuple(line.split(",")[:2]): int(line.split(",")[2]) for line in lines[1:]}
    assert got == {(c["client_network"], c["server_network"]): c["connections"] for c in expected}
    assert "is inside" in result.stderr  # the resolver's block nested in VPC-A's


def test_the_servers_query_labels_endpoints_with_the_same_text() -> None:
    """network_servers repeats network_matrix's labelling (most specific block, named before
    AWS) word for word, so the servers behind an arrow are those the map counts."""
    queries = load_queries()
    start, end = "-- Each endpoint's network", "  WHERE specificity = 1\n)"
    texts = {n: queries[n].sql for n in ("network_matrix", "network_servers")}
    parts = {
        n: t[t.index(start) : t.index(end, t.index(start)) + len(end)] for n, t in texts.items()
    }
    assert parts["network_matrix"] == parts["network_servers"]
    assert "row_number() OVER" in parts["network_matrix"]


def test_servers_add_up_to_the_matrix(dataset: Any) -> None:
    path, _config, truth = dataset
    rows = named_networks(truth).rows()
    queries = load_queries()
    matrix = run_local(queries["network_matrix"], {}, str(path), today=END, networks=rows)
    servers = run_local(queries["network_servers"], {}, str(path), today=END, networks=rows)
    totals: dict[tuple[str, str], list[int]] = {}
    for row in servers.rows:
        item = dict(zip(servers.columns, row, strict=True))
        total = totals.setdefault((item["client_network"], item["server_network"]), [0, 0])
        total[0] += item["connections"]
        total[1] += item["client_bytes"] + item["server_bytes"]
    cells = as_cells(matrix.columns, matrix.rows)
    assert totals == {
        (c["client_network"], c["server_network"]): [
            c["connections"], c["client_bytes"] + c["server_bytes"]
        ]
        for c in cells
    }  # fmt: skip
