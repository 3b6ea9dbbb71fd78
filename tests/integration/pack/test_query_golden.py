"""Golden: every query of the pack, on the local engine, equals answers computed in Python.

The six scenarios are compared with the simulator's ground truth (computed while generating,
independent of any SQL); the summaries with a plain-Python evaluation of the same records. Every
layout, daily and hourly, text and Parquet, default and custom field orders.
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
    SampleConfig,
    conversations,
    iter_records,
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


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["srcaddr"], row["dstaddr"], row["dstport"], row["protocol"], row["action"])


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
    path, _, truth = dataset
    networks = _networks(truth)
    values = {"vpc_cidrs": ",".join(networks["A"]), **SCENARIO_PARAMS[scenario](networks)}
    out = run_local(QUERIES[scenario], values, str(path), today=END)
    got = _as_dicts(out)
    expected = conversations(truth, scenario, "last_10_days")
    assert expected, "the simulation must exercise every scenario"
    assert sorted(got, key=_key) == sorted(expected, key=_key)
    assert [r["bytes"] for r in got] == sorted((r["bytes"] for r in got), reverse=True)


def _in(cidrs: Iterable[str]) -> Callable[[str | None], bool]:
    networks = [ipaddress.ip_network(c) for c in cidrs]

    def member(address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip.version == n.version and ip in n for n in networks)

    return member


def _aggregate(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    table: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in records:
        key = (r["srcaddr"], r["dstaddr"], int(r["dstport"]), int(r["protocol"]), r["action"])
        row = table.setdefault(
            key,
            dict(zip(("srcaddr", "dstaddr", "dstport", "protocol", "action"), key, strict=True))
            | {"flows": 0, "packets": 0, "bytes": 0, "first_seen": None, "last_seen": None},
        )
        row["flows"] += 1
        row["packets"] += int(r["packets"])
        row["bytes"] += int(r["bytes"])
        start, end = int(r["start"]), int(r["end"])
        row["first_seen"] = start if row["first_seen"] is None else min(row["first_seen"], start)
        row["last_seen"] = end if row["last_seen"] is None else max(row["last_seen"], end)
    return list(table.values())


def _window_records(config: SampleConfig) -> list[dict[str, Any]]:
    first = (END - timedelta(days=9)).strftime("%Y/%m/%d")
    return [
        r
        for r in iter_records(config)
        if r["log-status"] == "OK" and first <= str(r["day"]) <= END.strftime("%Y/%m/%d")
    ]


def _expected_summary(name: str, config: SampleConfig, a: list[str]) -> list[dict[str, Any]]:
    in_a = _in(a)
    records = _window_records(config)
    if name == "rejected":
        return _aggregate(
            r
            for r in records
            if r["action"] == "REJECT" and (in_a(r["srcaddr"]) or in_a(r["dstaddr"]))
        )
    if name == "remote_admin":
        return _aggregate(
            r
            for r in records
            if r["protocol"] == "6"
            and r["dstport"] in ("22", "3389")
            and in_a(r["dstaddr"])
            and not in_a(r["srcaddr"])
        )
    assert name == "top_talkers"
    rows = _aggregate(r for r in records if in_a(r["srcaddr"]) or in_a(r["dstaddr"]))
    rows.sort(key=lambda r: (-r["bytes"], *_key(r)))
    return rows[:20]


@pytest.mark.parametrize("name", ["top_talkers", "rejected", "remote_admin"])
def test_summary_equals_python(dataset: Any, name: str) -> None:
    path, config, truth = dataset
    a = _networks(truth)["A"]
    out = run_local(QUERIES[name], {"vpc_cidrs": ",".join(a)}, str(path), today=END)
    got = _as_dicts(out)
    expected = _expected_summary(name, config, a)
    assert expected, f"the simulation must exercise {name}"
    if name == "top_talkers":
        assert got == expected  # order matters: the top 20 by bytes
    else:
        assert sorted(got, key=_key) == sorted(expected, key=_key)


def test_raw_form_returns_the_matched_records(dataset: Any) -> None:
    path, _, truth = dataset
    networks = _networks(truth)
    values = {"vpc_cidrs": ",".join(networks["A"]), "peer_cidrs": ",".join(networks["C"])}
    out = run_local(QUERIES["cross_vpc"], values, str(path), today=END, raw=True)
    expected = conversations(truth, "cross_vpc", "last_10_days")
    assert len(out.rows) == sum(r["flows"] for r in expected)
    assert {"srcaddr", "dstaddr", "start", "end", "day", "interface_id"} <= set(out.columns)


def test_explicit_days_select_exactly_that_window(dataset: Any) -> None:
    path, _, truth = dataset
    a = _networks(truth)["A"]
    values = {"vpc_cidrs": ",".join(a), "start_day": "2026/11/16", "end_day": "2026/11/17"}
    out = run_local(QUERIES["rejected"], values, str(path), today=END, raw=True)
    assert {row[out.columns.index("day")] for row in out.rows} == {"2026/11/16", "2026/11/17"}


def test_whole_range_with_days(dataset: Any) -> None:
    path, _, truth = dataset
    a = _networks(truth)["A"]
    out = run_local(
        QUERIES["external"], {"vpc_cidrs": ",".join(a), "days": "13"}, str(path), today=END
    )
    assert sorted(_as_dicts(out), key=_key) == sorted(
        conversations(truth, "external", "all"), key=_key
    )  # fmt: skip


def test_query_without_logs_path_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=str(tmp_path / "missing")):
        run_local(QUERIES["external"], {}, str(tmp_path / "missing"), today=END)
