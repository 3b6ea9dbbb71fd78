"""Golden: every conversation query of the pack, on the local engine, equals the simulator's
ground truth at connection level: the connections it generated (`iter_conversations`: who was
the client, which port, what each side sent as logged), independent of any SQL. Every layout,
daily and hourly, text and Parquet, default and custom field orders.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import QueryOutput, run_local
from vpc_cidr_analysis.simulate.simulator import (
    CONNECTION_KEY,
    SCENARIOS_BY_NAME,
    AddressGroups,
    ConnectionTruth,
    SampleConfig,
    connection_truth,
    read_ground_truth,
    write_sample,
)

END = date(2026, 11, 27)
QUERIES = load_queries()
CUSTOM_FIELDS = (
    "log-status action bytes packets end start protocol dstport srcport dstaddr srcaddr "
    "interface-id tcp-flags flow-direction version"
)
DATASETS = {
    "default-daily-text-v5": SampleConfig(records=4000, days=13, end_date=END, seed=7),
    "hive-hourly-text-v5": SampleConfig(
        records=4000, days=13, end_date=END, seed=8, layout="hive", hourly=True
    ),
    "default-hourly-parquet-v5": SampleConfig(
        records=4000, days=13, end_date=END, seed=9, hourly=True, file_format="parquet"
    ),
    "hive-daily-parquet-prefix": SampleConfig(
        records=4000, days=13, end_date=END, seed=10, layout="hive", file_format="parquet",
        prefix="org/flow-logs",
    ),
    "default-daily-text-custom": SampleConfig(
        records=4000, days=13, end_date=END, seed=11, fields=CUSTOM_FIELDS
    ),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    config = DATASETS[request.param]
    path = tmp_path_factory.mktemp(request.param)
    write_sample(config, path)
    return path, config, read_ground_truth(path)


def _networks(truth: dict[str, Any]) -> dict[str, list[str]]:
    return {vpc["key"]: vpc["cidrs"] for vpc in truth["topology"]["vpcs"]}


def _epoch(value: Any) -> int:
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp())
    return int(value)


def _as_dicts(out: QueryOutput) -> list[dict[str, Any]]:
    rows = []
    for row in out.rows:
        item = dict(zip(out.columns, row, strict=True))
        item["first_seen"] = _epoch(item["first_seen"])
        item["last_seen"] = _epoch(item["last_seen"])
        rows.append(item)
    return rows


KEY = CONNECTION_KEY


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in KEY)


def _total(row: dict[str, Any]) -> int:
    return int(row["client_bytes"]) + int(row["server_bytes"])


def _window(days: int = 10) -> tuple[str, str]:
    return (END - timedelta(days=days - 1)).strftime("%Y/%m/%d"), END.strftime("%Y/%m/%d")


def _has_pkt(config: SampleConfig) -> bool:
    return "pkt-srcaddr" in config.fields and "pkt-dstaddr" in config.fields


def _compare(
    got: list[dict[str, Any]],
    truth: ConnectionTruth,
    keep: Callable[[dict[str, Any]], bool],
    pkt: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(query rows, expected rows) to compare: without pkt-* the hops' rows are left out."""
    expected = [r for r in truth.rows if keep(r)]
    if not pkt:
        got = [
            r
            for r in got
            if _key(r) not in truth.via_keys and not {r["client"], r["server"]} & truth.hops
        ]
        expected = [r for r in expected if _key(r) not in truth.via_keys]
    return sorted(got, key=_key), sorted(expected, key=_key)


def _scenario_keep(scenario: str, truth: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    groups = AddressGroups(_networks(truth))
    test = SCENARIOS_BY_NAME[scenario].test
    return lambda r: test(groups(r["client"]), groups(r["server"]))


SCENARIO_PARAMS = {
    "external": lambda n: {},
    "internal": lambda n: {},
    "peering": lambda n: {"peer_cidrs": ",".join(n["B"])},
    "cross_vpc": lambda n: {"peer_cidrs": ",".join(n["C"])},
    "inbound": lambda n: {"peer_cidrs": ",".join(n["B"])},
    "outbound": lambda n: {"peer_cidrs": ",".join(n["B"])},
}


@pytest.mark.parametrize("scenario", sorted(SCENARIO_PARAMS))
def test_scenario_equals_ground_truth(dataset: Any, scenario: str) -> None:
    """Client and server as generated, each connection once, in every layout and format."""
    path, config, truth = dataset
    networks = _networks(truth)
    values = {"vpc_cidrs": ",".join(networks["A"]), **SCENARIO_PARAMS[scenario](networks)}
    out = run_local(QUERIES[scenario], values, str(path), today=END)
    got = _as_dicts(out)
    pkt = _has_pkt(config)
    generated = connection_truth(config, *_window(), pkt)
    rows, expected = _compare(got, generated, _scenario_keep(scenario, truth), pkt)
    # without pkt-*, C reaches A only through the transit gateway: nothing attributable is left
    assert expected or not pkt, "the simulation must exercise every scenario"
    assert rows == expected
    assert [_total(r) for r in got] == sorted((_total(r) for r in got), reverse=True)


def _in(cidrs: Iterable[str]) -> Callable[[str | None], bool]:
    networks = [ipaddress.ip_network(c) for c in cidrs]

    def member(address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip.version == n.version and ip in n for n in networks)

    return member


def _summary_keep(name: str, a: list[str]) -> Callable[[dict[str, Any]], bool]:
    in_a = _in(a)
    if name == "rejected":
        return lambda r: r["action"] == "REJECT" and (in_a(r["client"]) or in_a(r["server"]))
    if name == "remote_admin":
        return lambda r: (
            r["protocol"] == 6
            and r["server_port"] in (22, 3389)
            and in_a(r["server"])
            and not in_a(r["client"])
        )
    assert name == "top_talkers"
    return lambda r: in_a(r["client"]) or in_a(r["server"])


@pytest.mark.parametrize("name", ["top_talkers", "rejected", "remote_admin"])
def test_summary_equals_ground_truth(dataset: Any, name: str) -> None:
    path, config, truth = dataset
    a = _networks(truth)["A"]
    out = run_local(QUERIES[name], {"vpc_cidrs": ",".join(a)}, str(path), today=END)
    got = _as_dicts(out)
    pkt = _has_pkt(config)
    generated = connection_truth(config, *_window(), pkt)
    if name == "top_talkers":
        expected = [r for r in generated.rows if _summary_keep(name, a)(r)]
        expected.sort(key=lambda r: (-_total(r), *_key(r)))
        if pkt:
            assert got == expected[:20]  # order matters: the top 20
        else:  # the hops' rows take places in the top 20 without pkt-*
            assert len(got) == 20
            kept, _ = _compare(got, generated, _summary_keep(name, a), pkt)
            wanted = {_key(r): r for r in expected}
            assert all(wanted[_key(r)] == r for r in kept)
        return
    rows, expected = _compare(got, generated, _summary_keep(name, a), pkt)
    if name == "rejected":
        for row in rows:
            assert row.pop("reject_reason") is None  # the simulator writes no v8 reject-reason
    assert expected, f"the simulation must exercise {name}"
    assert rows == expected


def test_raw_form_returns_the_matched_records(dataset: Any) -> None:
    path, _config, truth = dataset
    networks = _networks(truth)
    values = {"vpc_cidrs": ",".join(networks["A"]), "peer_cidrs": ",".join(networks["C"])}
    out = run_local(QUERIES["cross_vpc"], values, str(path), today=END, raw=True)
    rows = _as_dicts(run_local(QUERIES["cross_vpc"], values, str(path), today=END))
    assert rows
    assert len(out.rows) == sum(r["records"] for r in rows)
    assert {"srcaddr", "dstaddr", "start", "end", "day", "interface_id"} <= set(out.columns)


def test_explicit_days_select_exactly_that_window(dataset: Any) -> None:
    path, _, truth = dataset
    a = _networks(truth)["A"]
    values = {"vpc_cidrs": ",".join(a), "start_day": "2026/11/16", "end_day": "2026/11/17"}
    out = run_local(QUERIES["rejected"], values, str(path), today=END, raw=True)
    assert {row[out.columns.index("day")] for row in out.rows} == {"2026/11/16", "2026/11/17"}


def test_whole_range_with_days(dataset: Any) -> None:
    path, config, truth = dataset
    a = _networks(truth)["A"]
    out = run_local(
        QUERIES["external"], {"vpc_cidrs": ",".join(a), "days": "13"}, str(path), today=END
    )
    pkt = _has_pkt(config)
    generated = connection_truth(config, *_window(13), pkt)
    rows, expected = _compare(_as_dicts(out), generated, _scenario_keep("external", truth), pkt)
    assert rows == expected


def test_query_without_logs_path_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=str(tmp_path / "missing")):
        run_local(
            QUERIES["external"], {"vpc_cidrs": "10.0.0.0/16"}, str(tmp_path / "missing"), today=END
        )
