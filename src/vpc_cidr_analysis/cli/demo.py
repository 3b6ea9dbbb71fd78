"""`vpc-cidr-analysis demo`: the main job end to end, offline, in a few seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from vpc_cidr_analysis.simulate.simulator import SampleConfig


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".demo"),
    show_default=True,
    help="Folder for the simulated flow logs (an earlier demo's logs there are replaced); the "
    "hub network's (with Transit Gateway flow logs) go to OUT-tgw beside it.",
)
@click.option("--records", default=20_000, show_default=True, help="Flow-log records.")
@click.option("--rows", default=5, show_default=True, help="Rows to show per query.")
@click.option("--seed", default=1, show_default=True, help="Simulation seed.")
def demo(out_dir: Path, records: int, rows: int, seed: int) -> None:
    """Simulate two weeks of flow logs and run every scenario query on them, offline.

    The simulated network: VPC-A (10.0.0.0/16, 100.64.0.0/20, an IPv6 /56) peered with VPC-B
    (10.1.0.0/16), VPC-C (10.2.0.0/16) reaching A where it should not, internet peers, NAT,
    SSH/RDP scans. Each query runs exactly as it would on Athena, over the last 10 days.
    Then a hub-and-spoke network (spokes and a VPN on one transit gateway) with the gateway's
    own flow log, in OUT-tgw/, and the traffic between its attachments (tgw_attachments).

    \b
    Example:
      vpc-cidr-analysis demo --out .demo --rows 10
    """
    from vpc_cidr_analysis.simulate.demo import (
        demo_report,
        describe,
        run_demo,
        run_tgw_demo,
        tgw_demo_dir,
    )

    config = SampleConfig(records=records, days=14, end_date=datetime.now(UTC).date(), seed=seed)
    click.echo(f"Simulating {records:,} flow-log records over 14 days into {out_dir}/ …")
    steps = run_demo(out_dir, config)
    for step in steps:
        click.echo()
        click.echo(describe(step, rows, out_dir), nl=False)
    report = demo_report(out_dir, config)
    click.echo(
        f"\nThe traffic report between the simulated networks: {report}\n"
        f"  vpc-cidr-analysis report --networks {out_dir / 'networks.yaml'} --logs {out_dir} "
        f"--html {report}"
    )
    tgw_dir = tgw_demo_dir(out_dir)
    click.echo(
        f"\nSimulating a hub-and-spoke network whose transit gateway logs its own flows "
        f"(Transit Gateway flow logs beside the VPCs') into {tgw_dir}/ …"
    )
    step, attachments = run_tgw_demo(tgw_dir, config)
    names = ", ".join(
        f"{attachment} = {'VPC-' + key if len(key) == 1 else key}"
        for key, attachment in attachments.items()
    )
    click.echo(f"Attachments: {names}\n")
    click.echo(describe(step, rows, tgw_dir), nl=False)
    click.echo(
        f"\nDone: {len(steps)} queries over {out_dir}/. Try your own SQL:\n"
        f'  vpc-cidr-analysis sql --logs {out_dir} "SELECT action, count(*) '
        f'FROM vpcflowlogstable GROUP BY action"'
    )
