"""Options the commands share, written once: days, CIDR blocks, output, AWS, notes.

- `DAY`: every day option (`--today`, `--end-date`, `--start-day`, `--end-day`) takes
  `YYYY-MM-DD` or `yyyy/MM/dd` through the one parser (`days.parse_day`); a bad value is a
  usage error (exit 2) naming the option as the user typed it.
- `CIDR`: a block through the one parser (`cidr.parse_block`); upper-case IPv6 is read in its
  canonical form, and a note on stderr says so; a bad block is a usage error (exit 2).
- `output_options`: `--format table|csv|json|jsonl`, `--columns a,b,c` and `--limit N`;
  `emit` writes rows with them (a table fits the terminal's width and height when stdout is
  one, full width and every row when piped; columns that cannot fit are left out and named:
  pick them with `--columns`; rows left out are counted: show them with `--limit`). CSV and
  JSON of a local-engine result are formatted by DuckDB when it can (`StreamingResult.lines`;
  they are then copied from the file DuckDB wrote, as they are; for JSON the whole array).
- `aws_options`: `--region` and `--profile`, as the AWS CLI names them.
- `progress_option`: `--progress/--no-progress` for the local engine's long reads.
- `networks_option`: `--networks FILE` (else VPC_CIDR_ANALYSIS_NETWORKS), read once by
  `read_networks`, which notes each nested block; names then stand for their blocks in `-p`.
  `aws_ranges_option`: `--aws-ranges FILE` (AWS's ip-ranges.json); `network_rows` gives the
  `networks` table: the named blocks, then AWS's prefixes labelled `aws:<service>:<region>`.
- `strict_option`: `--strict`, text lines that do not match their header become an error.
- `note`: one line on stderr, unless `--quiet`.
"""

from __future__ import annotations

import itertools
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from vpc_cidr_analysis import output
from vpc_cidr_analysis.cidr import CidrError, parse_block
from vpc_cidr_analysis.days import DAY_FORMS, DayError, parse_day
from vpc_cidr_analysis.s3url import is_s3_url
from vpc_cidr_analysis.settings import AWS_RANGES_FILE, CACHE_DIR, NETWORKS_FILE, resolve

if TYPE_CHECKING:
    from vpc_cidr_analysis.networks import Networks

F = TypeVar("F", bound=Callable[..., Any])


class DayType(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.3
    """A day as `YYYY-MM-DD` or `yyyy/MM/dd`, converted to a `date`."""

    name = "day"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DAY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_day(str(value))
        except DayError as exc:
            self.fail(str(exc), param, ctx)


class CidrType(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.3
    """A CIDR block, converted to its canonical text (a note says when that changed it)."""

    name = "cidr"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "CIDR"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            canonical = str(parse_block(value))
        except CidrError as exc:
            self.fail(str(exc), param, ctx)
        if canonical != str(value).strip():
            hint = param.opts[0] if param is not None and param.opts else "CIDR"
            note(f"{hint} {value!r} read as {canonical!r} (canonical form)")
        return canonical


DAY = DayType()
CIDR = CidrType()


def day_option(*names: str, help: str) -> Callable[[F], F]:
    """A day option (`--today`, `--end-day`, …) in either spelling."""
    return click.option(*names, type=DAY, help=f"{help} ({DAY_FORMS}).")


def output_options(func: F) -> F:
    """`--format`, `--columns` and `--limit`, for every command that prints rows."""
    func = click.option(
        "--limit",
        type=click.IntRange(min=1),
        metavar="N",
        help="Rows a table shows (default: the terminal's height when stdout is one, else all).",
    )(func)
    func = click.option(
        "--columns",
        metavar="A,B,C",
        help="Only these columns, in this order (comma-separated names).",
    )(func)
    decorated: F = click.option(
        "--format",
        "fmt",
        type=click.Choice(output.FORMATS),
        default="table",
        show_default=True,
        help="table (fitted to the terminal), csv, json (one array) or jsonl (one object a line).",
    )(func)
    return decorated


def aws_options(func: F) -> F:
    """`--region` and `--profile`, as the AWS CLI spells them."""
    func = click.option("--profile", help="AWS profile for S3 and Athena (else AWS_PROFILE).")(func)
    decorated: F = click.option("--region", help="AWS region for S3 and Athena (else AWS_REGION).")(
        func
    )
    return decorated


def progress_option(func: F) -> F:
    """`--progress/--no-progress`: a progress bar on stderr for long local reads."""
    decorated: F = click.option(
        "--progress/--no-progress",
        default=True,
        show_default=True,
        help="Progress bar on stderr for long reads (only when stderr is a terminal).",
    )(func)
    return decorated


def networks_option(func: F) -> F:
    """`--networks FILE`: named CIDR groups (networks.yaml), usable as names in `-p`."""
    decorated: F = click.option(
        "--networks",
        "networks_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Named networks file (name: [CIDR, ...]); names stand for their blocks in -p "
        f"(else {NETWORKS_FILE}).",
    )(func)
    return decorated


def cache_option(func: F) -> F:
    """`--cache DIR`: typed Parquet copies of the text logs read, reused by later runs."""
    decorated: F = click.option(
        "--cache",
        "cache_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Keep typed Parquet copies of the text flow logs read in this folder; later runs "
        "over the same files read those (no gzip, no parsing, no S3 download; same answers) "
        f"(else {CACHE_DIR}; none by default).",
    )(func)
    return decorated


def resolve_cache_dir(path: Path | None) -> Path | None:
    """The cache folder given by `--cache` or the environment, else None (no cache)."""
    chosen = resolve(None if path is None else str(path), CACHE_DIR, "")
    return Path(chosen) if chosen else None


def strict_option(func: F) -> F:
    """`--strict`: a text line whose field count differs from its header is an error."""
    decorated: F = click.option(
        "--strict",
        is_flag=True,
        help="Stop at the first text line whose field count differs from its file's header "
        "(else it is read as Athena reads it, and a note says how many there were).",
    )(func)
    return decorated


def read_networks(path: Path | None) -> Networks | None:
    """The networks file given by `--networks` or the environment, validated once (None when
    neither names one); a note for each block nested in another network's."""
    from vpc_cidr_analysis.networks import load_networks

    chosen = resolve(None if path is None else str(path), NETWORKS_FILE, "")
    if not chosen:
        return None
    networks = load_networks(chosen)
    for overlap in networks.overlaps:
        note(f"Note: {chosen}: {overlap}")
    return networks


def aws_ranges_option(func: F) -> F:
    """`--aws-ranges FILE`: AWS's ip-ranges.json, to label AWS addresses by service."""
    decorated: F = click.option(
        "--aws-ranges",
        "aws_ranges_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"AWS's ip-ranges.json (`aws-ranges fetch`): AWS addresses labelled "
        f"aws:SERVICE:REGION in the networks table (else {AWS_RANGES_FILE}).",
    )(func)
    return decorated


def network_rows(networks: Networks | None, aws_ranges: Path | None) -> list[tuple[str, str]]:
    """The `networks` table's rows: the named networks' blocks, then AWS's labelled prefixes
    (a saved ip-ranges.json from `--aws-ranges` or the environment); a note names its
    syncToken and createDate."""
    rows = networks.rows() if networks is not None else []
    chosen = resolve(None if aws_ranges is None else str(aws_ranges), AWS_RANGES_FILE, "")
    if chosen:
        from vpc_cidr_analysis.aws_ranges import load_aws_ranges

        ranges = load_aws_ranges(chosen)
        note(
            f"Note: AWS ranges {chosen}: syncToken {ranges.sync_token}, createDate "
            f"{ranges.create_date}, {len(ranges.ranges):,} prefixes"
        )
        rows += ranges.rows()
    return rows


def s3_client_for(logs: str | None, region: str | None, profile: str | None) -> Any:
    """An S3 client for `--logs s3://…` with `--region`/`--profile`; None for the default
    chain (or a local folder)."""
    if not logs or not is_s3_url(logs) or not (region or profile):
        return None
    import boto3

    return boto3.Session(profile_name=profile, region_name=region).client("s3")


def terminal_width() -> int | None:
    """The terminal's width when stdout is a terminal; None (full width) when piped."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def terminal_rows() -> int | None:
    """Rows of a table that fit the terminal (header, rule and two last lines aside) when
    stdout is one; None (every row) when piped."""
    if not sys.stdout.isatty():
        return None
    return max(shutil.get_terminal_size().lines - 5, 5)


def emit(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    chosen: str | None,
    limit: int | None = None,
) -> int:
    """Write rows to stdout in `fmt`, only the `--columns` chosen; returns the rows written.

    A table shows `limit` rows (else a terminal's worth, or all when piped) and counts the
    rest. Rows that can give themselves as text lines (`lines`, the local engine's) are
    written from those for CSV and JSON.
    """
    try:
        picked = output.parse_columns(chosen)
        names, selected = output.select_columns(columns, rows, picked)
    except output.OutputError as exc:
        raise click.BadParameter(str(exc), param_hint="--columns") from None
    if fmt == "table":
        shown = limit if limit is not None else terminal_rows()
        if shown is None:
            return output.write(names, selected, fmt, sys.stdout, width=terminal_width())
        head = list(itertools.islice(selected, shown))
        count = getattr(rows, "count", None)
        more = count() - len(head) if callable(count) else sum(1 for _ in selected)
        return output.render_table(names, head, sys.stdout, width=terminal_width(), more=more)
    lines = getattr(rows, "lines", None)
    if callable(lines) and fmt in ("csv", "json", "jsonl"):
        text = lines(fmt, [list(columns).index(n) for n in names])
        copy_to = getattr(text, "copy_to", None)
        if callable(copy_to):  # a file of finished records (JSON: the whole array)
            if fmt == "csv":
                output.write_lines(names, [], fmt, sys.stdout)  # the header
            return int(copy_to(sys.stdout))
        if text is not None:
            return output.write_lines(names, text, fmt, sys.stdout)
    return output.write(names, _started(selected), fmt, sys.stdout, width=terminal_width())


def _started(rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    """The rows with the first one already fetched: a query that runs when its rows are
    first asked for (the local engine's) fails before the header is written."""
    iterator = iter(rows)
    first = next(iterator, None)
    return iterator if first is None else itertools.chain([first], iterator)


def note(message: str) -> None:
    """One line on stderr (a warning or a note), unless the user asked for `--quiet`."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().meta.get("quiet"):
        return
    click.echo(message, err=True)


def warn(message: str) -> None:
    """A warning that an answer could mislead: one `Warning:` line on stderr."""
    note(f"Warning: {message}")
