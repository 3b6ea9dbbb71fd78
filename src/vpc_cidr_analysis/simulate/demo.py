"""The demo: simulated flow logs, every scenario query of the pack on the local engine, the
traffic report between the simulated networks (`demo_report`), and one Transit Gateway answer
over the hub-and-spoke network's own TGW flow log (`run_tgw_demo`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from vpc_cidr_analysis.output import render
from vpc_cidr_analysis.pack.queries import load_queries
from vpc_cidr_analysis.pack.runner import QueryOutput, run_local
from vpc_cidr_analysis.simulate.simulator import SampleConfig, read_ground_truth, write_sample
from vpc_cidr_analysis.simulate.topology import hub_topology

#: Query name -> parameter values, given the simulated VPCs' CIDR blocks by key (A, B, C).
DEMO_QUERIES: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    "external": lambda n: {"vpc_cidrs": n["A"]},
    "peering": lambda n: {"vpc_cidrs": n["A"], "peer_cidrs": n["B"]},
    "cross_vpc": lambda n: {"vpc_cidrs": n["A"], "peer_cidrs": n["C"]},
    "internal": lambda n: {"vpc_cidrs": n["A"]},
    "inbound": lambda n: {"vpc_cidrs": n["A"], "peer_cidrs": n["B"]},
    "outbound": lambda n: {"vpc_cidrs": n["A"], "peer_cidrs": n["B"]},
    "top_talkers": lambda n: {"vpc_cidrs": n["A"], "top": "10"},
    "rejected": lambda n: {"vpc_cidrs": n["A"]},
    "remote_admin": lambda n: {"vpc_cidrs": n["A"]},
}


@dataclass(frozen=True)
class DemoStep:
    """One query of the demo with its parameters and result."""

    name: str
    title: str
    values: dict[str, str]
    output: QueryOutput


def run_demo(out_dir: Path, config: SampleConfig) -> list[DemoStep]:
    """Write simulated logs under out_dir (replacing an earlier demo's) and run the pack."""
    result = write_sample(config, out_dir, force=True)
    truth = read_ground_truth(result.ground_truth)
    networks = {vpc["key"]: ",".join(vpc["cidrs"]) for vpc in truth["topology"]["vpcs"]}
    queries = load_queries()
    steps: list[DemoStep] = []
    for name, make_values in DEMO_QUERIES.items():
        values = make_values(networks)
        output = run_local(queries[name], values, str(out_dir), today=config.end_date)
        steps.append(DemoStep(name, queries[name].title, values, output))
    return steps


#: The TGW answer the demo shows, over the hub network's logs (the last 10 days).
TGW_DEMO_QUERY = "tgw_attachments"
#: Records of the hub network's VPC logs the demo simulates (its TGW log has about as many).
TGW_DEMO_RECORDS = 5_000


def tgw_demo_dir(out_dir: Path) -> Path:
    """Where the demo writes the hub network's logs: beside `out_dir`, never inside it (the
    scenario queries read every flow-log file under `out_dir`)."""
    return out_dir.with_name(f"{out_dir.name}-tgw")


def run_tgw_demo(out_dir: Path, config: SampleConfig) -> tuple[DemoStep, dict[str, str]]:
    """Simulate the hub-and-spoke network (its transit gateway logs its own flows) under
    out_dir, replacing an earlier demo's, and run tgw_attachments; also return the attachment
    ids by VPC key (and the VPN attachment's name), to read the answer by."""
    hub = replace(config, records=TGW_DEMO_RECORDS)
    result = write_sample(hub, out_dir, hub_topology(), force=True)
    attachments: dict[str, str] = read_ground_truth(result.ground_truth)["tgw"]["attachments"]
    query = load_queries()[TGW_DEMO_QUERY]
    values = {"days": "10"}
    output = run_local(query, values, str(out_dir), today=config.end_date)
    return DemoStep(TGW_DEMO_QUERY, query.title, values, output), attachments


#: Files the demo writes beside the logs: the simulated networks by name, and their report.
NETWORKS_FILE = "networks.yaml"
REPORT_FILE = "report.html"


def demo_report(out_dir: Path, config: SampleConfig) -> Path:
    """Name the simulated VPCs (and VPC-A's resolver, a block nested in it) in
    `out_dir/networks.yaml`, and write the traffic report of the last 10 days beside it."""
    from datetime import date

    from vpc_cidr_analysis.files import atomic_write
    from vpc_cidr_analysis.networks import load_networks
    from vpc_cidr_analysis.traffic.html import render_html
    from vpc_cidr_analysis.traffic.report import build_report

    topology = read_ground_truth(out_dir / "ground_truth.json")["topology"]
    lines = [
        f"{vpc['name']}: [{', '.join(repr(c) for c in vpc['cidrs'])}]  # VPC-{vpc['key']}"
        for vpc in topology["vpcs"]
    ]
    resolver = next(p for p in topology["pools"] if p["name"] == "a-resolver")
    lines.append(f"a-resolver: [{', '.join(resolver['cidrs'])}]")
    networks_path = atomic_write(out_dir / NETWORKS_FILE, "\n".join(lines) + "\n")
    networks = load_networks(networks_path)
    queries = load_queries()
    end = config.end_date
    days = [date.fromordinal(end.toordinal() - n) for n in range(9, -1, -1)]

    def run(name: str, values: dict[str, str]) -> QueryOutput:
        return run_local(queries[name], values, str(out_dir), today=end, networks=networks.rows())

    report = build_report(run, networks, days)  # type: ignore[arg-type]
    return atomic_write(out_dir / REPORT_FILE, render_html(report))


def describe(step: DemoStep, limit: int, logs: Path) -> str:
    """A readable block: title, the command that reproduces it, the first rows."""
    params = " ".join(f"-p {k}={v}" for k, v in step.values.items())
    shown = step.output.rows[:limit]
    more = len(step.output.rows) - len(shown)
    lines = [
        f"== {step.title} ({step.name}): {len(step.output.rows)} rows",
        f"   vpc-cidr-analysis query run {step.name} --logs {logs} {params}",
        render(step.output.columns, shown, "table").rstrip("\n"),
    ]
    if more > 0:
        lines.append(f"   … {more} more")
    return "\n".join(lines) + "\n"
