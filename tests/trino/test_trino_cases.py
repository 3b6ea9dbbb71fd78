"""Trino's own test cases through the local engine (see trino_cases.py and README.md here).

Per family: no case may be silently wrong unless it is listed in known_wrong.txt (and a listed
case that is no longer wrong must leave the list); the outcomes must be those recorded in
outcomes.json (`UPDATE_TRINO=1` rewrites it), from which the README's "Differences from
Athena" section is generated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import trino_cases
from trino_cases import FAMILIES, Runner, known_wrong, run_family


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    engine = Runner()
    yield engine
    engine.close()


def _wrong(family: str, outcomes: dict[str, dict[str, str]]) -> set[str]:
    return {
        f"{family}/{cid} {form}"
        for cid, entry in outcomes.items()
        for form in ("literal", "row", "query")
        if entry.get(form) == "wrong"
    }


@pytest.mark.parametrize("family", FAMILIES)
def test_no_silently_wrong_case(family: str, runner: Runner) -> None:
    outcomes = run_family(runner, family)
    wrong = _wrong(family, outcomes)
    listed = {line for line in known_wrong() if line.startswith(f"{family}/")}
    new = sorted(wrong - listed)
    details = [
        f"{line}: {outcomes[line.split('/', 1)[1].split(' ')[0]][line.split(' ')[1] + '_detail']}"
        for line in new
    ]
    assert not new, "silently wrong (fix, or refuse with an error naming the construct):\n" + (
        "\n".join(details)
    )
    fixed = sorted(listed - wrong)
    assert not fixed, "no longer wrong: remove from known_wrong.txt:\n" + "\n".join(fixed)
    recorded: dict[str, Any] = json.loads(trino_cases.OUTCOMES.read_text(encoding="utf-8"))
    if os.environ.get("UPDATE_TRINO"):
        recorded[family] = outcomes
        trino_cases.OUTCOMES.write_text(
            json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    else:
        changed = sorted(
            cid
            for cid in set(outcomes) | set(recorded.get(family, {}))
            if {k: v for k, v in outcomes.get(cid, {}).items() if not k.endswith("_detail")}
            != {
                k: v
                for k, v in recorded.get(family, {}).get(cid, {}).items()
                if not k.endswith("_detail")
            }
        )
        assert not changed, (
            f"outcomes changed for {len(changed)} cases (UPDATE_TRINO=1 records them): "
            + ", ".join(changed[:20])
        )


def test_readme_differences_section_is_generated_from_the_outcomes() -> None:
    recorded = json.loads(trino_cases.OUTCOMES.read_text(encoding="utf-8"))
    readme = trino_cases.README.read_text(encoding="utf-8")
    assert trino_cases.readme_section(readme) == trino_cases.differences_markdown(recorded), (
        "README's Differences from Athena section drifted: "
        "python tests/trino/trino_cases.py --readme"
    )
