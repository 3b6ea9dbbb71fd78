"""`inventory`: collect network interfaces, security groups and their rules into a JSON file."""

from __future__ import annotations

from pathlib import Path

import click

from vpc_cidr_analysis.usage.inventory import DEFAULT_SESSION_NAME, InventoryError


@click.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file to write.",
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Region to collect (repeatable); default: the profile's or AWS_DEFAULT_REGION.",
)
@click.option("--profile", help="AWS profile (else AWS_PROFILE, else the default chain).")
@click.option("--role-arn", help="Role to assume with the profile's credentials.")
@click.option(
    "--role-session-name",
    envvar="AWS_ROLE_SESSION_NAME",
    default=DEFAULT_SESSION_NAME,
    show_default=True,
    help="Session name for --role-arn (else AWS_ROLE_SESSION_NAME).",
)
@click.option("--external-id", help="External id the role's trust policy requires, if any.")
def inventory(
    out: Path,
    regions: tuple[str, ...],
    profile: str | None,
    role_arn: str | None,
    role_session_name: str,
    external_id: str | None,
) -> None:
    """Collect ENIs, security groups and their rules (read-only EC2 calls) into a JSON file.

    Needs ec2:DescribeNetworkInterfaces, ec2:DescribeSecurityGroups,
    ec2:DescribeSecurityGroupRules, ec2:DescribeManagedPrefixLists,
    ec2:GetManagedPrefixListEntries, ec2:DescribeInstances and sts:GetCallerIdentity.

    \b
    Example:
      vpc-cidr-analysis inventory --out inventory.json --region us-east-1 --region eu-west-1
      vpc-cidr-analysis inventory --out prod.json --profile audit \\
          --role-arn arn:aws:iam::123456789012:role/NetworkAudit
    """
    from vpc_cidr_analysis.usage.inventory import aws_session, collect

    try:
        session = aws_session(
            profile=profile,
            role_arn=role_arn,
            session_name=role_session_name,
            external_id=external_id,
            region=regions[0] if regions else None,
        )
        chosen = list(regions) or ([session.region_name] if session.region_name else [])
        result = collect(session, chosen)
    except InventoryError as exc:
        raise click.UsageError(str(exc)) from None
    result.write(out)
    click.echo(
        f"wrote {out}: {len(result.network_interfaces)} network interfaces, "
        f"{len(result.security_groups)} security groups, {len(result.rules)} rules, "
        f"{len(result.prefix_lists)} prefix lists, {len(result.instances)} instances "
        f"in {', '.join(result.regions)} (account {result.account})"
    )
