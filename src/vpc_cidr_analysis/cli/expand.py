"""`vpc-cidr-analysis expand`: write CIDR address lists locally, exactly as the Lambda writes S3."""

from __future__ import annotations

import json
from pathlib import Path

import click

from vpc_cidr_analysis.cidr import DEFAULT_MAX_ADDRESSES, CidrError
from vpc_cidr_analysis.cidrtable.expand import MAX_CIDRS_PER_CALL, CidrConfigError, expand_to_dir


@click.command()
@click.argument("cidrs", nargs=-1, required=True, metavar="CIDR...")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("cidrs"),
    show_default=True,
    help="Folder for the files; pass it to the local engine as --cidr-dir.",
)
@click.option(
    "--max-addresses",
    type=click.IntRange(min=1),
    default=None,
    help=f"Largest block to expand [env MAX_ADDRESSES; default {DEFAULT_MAX_ADDRESSES:,}, a /8].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per block.")
def expand(cidrs: tuple[str, ...], out_dir: Path, max_addresses: int | None, as_json: bool) -> None:
    """Write every address of each CIDR block as OUT/<cidr>.csv.gz (rows `cidr,ip`).

    Same code, names and content as the cidr_ip_generator Lambda's S3 objects (the
    `cidrtable` table), e.g. `10.0.0.0/16` -> `cidrs/10.0.0.0_16.csv.gz`. All blocks are
    checked first; files appear only when every block is written. Blocks must be in
    canonical form (no host bits, lower-case IPv6). At most {max_cidrs} per call.

    \b
    Example:
      vpc-cidr-analysis expand 10.0.0.0/16 10.1.0.0/16 --out cidrs/
      vpc-cidr-analysis expand 2001:db8::/120 --json
    """
    try:
        written = expand_to_dir(list(cidrs), out_dir, max_addresses=max_addresses)
    except CidrError as exc:
        raise click.BadParameter(str(exc), param_hint="CIDR") from None
    except CidrConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for result in written:
        if as_json:
            click.echo(json.dumps(result.as_dict()))
        else:
            click.echo(
                f"{result.cidr}\t{result.addresses:,} addresses\t{result.path}\t"
                f"{result.bytes:,} bytes\t{result.seconds:.2f} s"
            )


if expand.help is not None:
    expand.help = expand.help.replace("{max_cidrs}", str(MAX_CIDRS_PER_CALL))
