"""`vpc-cidr-analysis expand`: write CIDR address lists locally, exactly as the Lambda writes S3."""

from __future__ import annotations

from pathlib import Path

import click

from vpc_cidr_analysis.cidr import DEFAULT_MAX_ADDRESSES, CidrError, parse_block
from vpc_cidr_analysis.cidrtable.expand import MAX_CIDRS_PER_CALL, CidrConfigError, expand_to_dir
from vpc_cidr_analysis.cli.options import emit, note, output_options


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
@output_options
@click.option("--json", "as_json", is_flag=True, hidden=True, help="Same as --format jsonl.")
def expand(
    cidrs: tuple[str, ...],
    out_dir: Path,
    max_addresses: int | None,
    fmt: str,
    columns: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Write every address of each CIDR block as OUT/<cidr>.csv.gz (rows `cidr,ip`).

    Same code, names and content as the cidr_ip_generator Lambda's S3 objects (the
    `cidrtable` table), e.g. `10.0.0.0/16` -> `cidrs/10.0.0.0_16.csv.gz`. All blocks are
    checked first; files appear only when every block is written. Blocks are read by the one
    CIDR parser (no host bits); upper-case IPv6 is written in canonical lower case, with a
    note saying so. At most {max_cidrs} per call.

    \b
    Example:
      vpc-cidr-analysis expand 10.0.0.0/16 10.1.0.0/16 --out cidrs/
      vpc-cidr-analysis expand 2001:db8::/120 --format json
    """
    try:
        blocks = [_canonical(text) for text in cidrs]
        written = expand_to_dir(blocks, out_dir, max_addresses=max_addresses)
    except CidrError as exc:
        raise click.BadParameter(str(exc), param_hint="CIDR") from None
    except CidrConfigError as exc:
        raise click.ClickException(str(exc)) from None
    rows = [(r.cidr, r.addresses, r.path, r.bytes, round(r.seconds, 3)) for r in written]
    emit(COLUMNS, rows, "jsonl" if as_json else fmt, columns, limit)


COLUMNS = ("cidr", "addresses", "path", "bytes", "seconds")


def _canonical(text: str) -> str:
    """A block as the user wrote it, in the canonical form the files are named by."""
    canonical = str(parse_block(text))
    if canonical != text.strip():
        note(f"CIDR {text!r} read as {canonical!r} (canonical form)")
    return canonical


if expand.help is not None:
    expand.help = expand.help.replace("{max_cidrs}", str(MAX_CIDRS_PER_CALL))
