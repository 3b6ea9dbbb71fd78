"""The one day parser: every day a person types, as `YYYY-MM-DD` or `yyyy/MM/dd`.

Flow-log partitions spell a day `2026/11/27`, ISO 8601 spells it `2026-11-27`; both are
accepted wherever a day is given (`--today`, `--end-date`, `--start-day`, `--end-day`, the
queries' `start_day`/`end_day` parameters). `partition_day` gives the spelling of the `day`
partition, which is what the queries compare. Standard library only (ships to Lambda).
"""

from __future__ import annotations

import re
from datetime import date

from vpc_cidr_analysis.errors import AnalysisError

_DAY = re.compile(r"(\d{4})([-/])(\d{2})\2(\d{2})")
#: What a day looks like, for messages and `--help`.
DAY_FORMS = "YYYY-MM-DD or yyyy/MM/dd"


class DayError(AnalysisError, ValueError):
    """Not a day in either accepted spelling; the message names the text and the forms."""


def parse_day(text: str, what: str = "") -> date:
    """The date `text` names, written `2026-11-27` or `2026/11/27` (surrounding spaces allowed).

    `what` names the value in the message, e.g. `end date` or `parameter start_day:`.
    """
    value = text.strip()
    what = f"{what} " if what else ""
    match = _DAY.fullmatch(value)
    if match is None:
        raise DayError(
            f"{what}{text!r} is not a day; expected {DAY_FORMS}, e.g. 2026-11-27 or 2026/11/27"
        )
    year, _, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise DayError(f"{what}{text!r} is not a calendar date ({exc})") from None


def partition_day(value: date) -> str:
    """A day as the `day` partition spells it: `2026/11/27`."""
    return value.strftime("%Y/%m/%d")
