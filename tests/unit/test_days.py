"""The one day parser: both spellings, and messages naming the value and the accepted forms."""

from __future__ import annotations

import re
from datetime import date

import pytest

from vpc_cidr_analysis.days import DayError, parse_day, partition_day
from vpc_cidr_analysis.errors import AnalysisError


@pytest.mark.parametrize("text", ["2026-11-27", "2026/11/27", " 2026-11-27 "])
def test_both_spellings_name_the_same_day(text: str) -> None:
    assert parse_day(text) == date(2026, 11, 27)
    assert partition_day(parse_day(text)) == "2026/11/27"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("27/11/2026", "'27/11/2026' is not a day; expected YYYY-MM-DD or yyyy/MM/dd"),
        ("2026-11/27", "'2026-11/27' is not a day"),
        ("2026-02-30", "'2026-02-30' is not a calendar date (day is out of range for month)"),
        ("", "'' is not a day"),
    ],
)
def test_a_bad_day_is_named(text: str, message: str) -> None:
    with pytest.raises(DayError, match=re.escape(message)):
        parse_day(text)


def test_the_message_names_what_was_given() -> None:
    with pytest.raises(AnalysisError, match=r"^end date 'x' is not a day"):
        parse_day("x", "end date")
