"""Run Trino's own test cases (cases/*.jsonl, see README.md here) through the local engine.

Each case runs in its forms: `literal` (the bindings written into the expression), `row` (the
bindings as the columns of a one-row VALUES, Trino's own test form: how table columns reach a
function), or `query` (a whole query, for the few cases Trino states as queries). The outcome of
each run is one of

- `pass`: Trino's value, or an error where Trino raises one;
- `refused`: the translator's `UnsupportedSqlError` naming the construct it cannot run;
- `error`: another error where Trino returns a value (loud, never silent);
- `wrong`: a value where Trino gives another value or an error — silently wrong.

`python tests/trino/trino_cases.py` prints the rates per family and form; with `--write` it
rewrites outcomes.json, and with `--readme` the README's "Differences from Athena" section,
which is generated from outcomes.json.
"""

from __future__ import annotations

import json
import math
import re
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.engine.translate import UnsupportedSqlError

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
OUTCOMES = HERE / "outcomes.json"
KNOWN_WRONG = HERE / "known_wrong.txt"
FAMILIES = (
    "ip",
    "datetime",
    "string",
    "regexp",
    "array",
    "arithmetic",
    "conditional",
    "aggregate",
    "teradata",
)
OUTCOME_KINDS = ("pass", "refused", "error", "wrong")


def load(family: str) -> list[dict[str, Any]]:
    path = CASES / f"{family}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


_SIMPLE = re.compile(
    r"^(?:[A-Za-z]+(?:\(\d+(?:,\s*\d+)?\))?\s+)?'(?:[^']|'')*'$|^-?\d+(?:\.\d+)?(?:e-?\d+)?$"
    r"|^(?i:true|false|null)$"
)
_QUOTED = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")")


def substitute(expression: str, bindings: list[list[str]]) -> str:
    """The expression with each binding name (outside quotes) replaced by its SQL text."""
    if not bindings:
        return expression
    values = dict((name, value) for name, value in bindings)
    names = re.compile(r"\b(" + "|".join(re.escape(n) for n in values) + r")\b")
    parts = _QUOTED.split(expression)
    for i in range(0, len(parts), 2):
        parts[i] = names.sub(lambda m: _operand(values[m.group(1)]), parts[i])
    return "".join(parts)


def _operand(value: str) -> str:
    """A binding's SQL text as an operand: a plain literal as it is, anything else in ()."""
    return value if _SIMPLE.match(value.strip()) else f"({value})"


def forms(case: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(form, Athena SQL) of a case."""
    if "query" in case:
        yield "query", case["query"]
        return
    expression = case["expression"]
    if "rows" in case:
        rows = ", ".join("(" + ", ".join(row) + ")" for row in case["rows"])
        columns = ", ".join(case["columns"])
        yield "row", f"SELECT {expression} FROM (VALUES {rows}) t({columns})"
        return
    bindings = case["bindings"]
    yield "literal", f"SELECT {substitute(expression, bindings)}"
    if bindings:
        values = ", ".join(value for _, value in bindings)
        names = ", ".join(name for name, _ in bindings)
        yield "row", f"SELECT {expression} FROM (VALUES ({values})) t({names})"


class Refused(Exception):
    pass


class Failed(Exception):
    pass


class Runner:
    """One engine over an empty folder, reused for every case."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory()
        self.engine = LocalEngine(self._dir.name)

    def close(self) -> None:
        self.engine.close()
        self._dir.cleanup()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self.engine.execute(sql).rows
        except UnsupportedSqlError as exc:
            raise Refused(str(exc)) from exc
        except Exception as exc:  # every other failure is an error outcome
            raise Failed(f"{type(exc).__name__}: {exc}") from exc

    def outcome(self, case: dict[str, Any], sql: str) -> tuple[str, str]:
        """(outcome, detail) of one form of a case."""
        expected = case["expected"]
        try:
            rows = self.rows(sql)
        except Refused as exc:
            return "refused", str(exc)
        except Failed as exc:
            if "error" in expected:
                return "pass", ""
            return "error", str(exc)
        if "error" in expected:
            return (
                "wrong",
                f"Trino raises {expected.get('message') or expected['error']}; got {rows!r}",
            )
        if "query" in expected:
            try:
                want = self.rows(expected["query"])
            except (Refused, Failed) as exc:
                return "refused", f"expected query: {exc}"
            same = sorted(map(repr, rows)) == sorted(map(repr, want)) or _same_rows(rows, want)
            return ("pass", "") if same else ("wrong", f"want {want!r}, got {rows!r}")
        if len(rows) != 1 or len(rows[0]) != 1:
            return "wrong", f"expected one value, got {rows!r}"
        actual = rows[0][0]
        if "sql" in expected:
            try:
                want_rows = self.rows(f"SELECT {expected['sql']}")
            except (Refused, Failed) as exc:
                return "refused", f"expected value {expected['sql']}: {exc}"
            value = want_rows[0][0]
        else:
            value = None if expected.get("null") else expected["value"]
        if same_value(actual, value):
            return "pass", ""
        return "wrong", f"want {value!r}, got {actual!r}"


def _same_rows(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    if len(a) != len(b):
        return False
    return all(
        len(x) == len(y) and all(same_value(p, q) for p, q in zip(x, y, strict=True))
        for x, y in zip(a, b, strict=True)
    )


def same_value(actual: Any, want: Any) -> bool:
    """Trino's expected value (JSON from the Java test) against a DuckDB result value."""
    if isinstance(want, dict) and set(want) == {"double"}:
        want = float(want["double"])
    if want is None or actual is None:
        return want is None and actual is None
    if isinstance(want, bool) or isinstance(actual, bool):
        return isinstance(want, bool) and isinstance(actual, bool) and want == actual
    if isinstance(want, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(want)
            and all(same_value(x, y) for x, y in zip(actual, want, strict=True))
        )
    if isinstance(want, (int, float, Decimal)) and isinstance(actual, (int, float, Decimal)):
        if isinstance(want, float) or isinstance(actual, float):
            x, y = float(actual), float(want)
            if math.isnan(x) or math.isnan(y):
                return math.isnan(x) and math.isnan(y)
            return x == y or math.isclose(x, y, rel_tol=1e-6)
        return Decimal(actual) == Decimal(want)
    if isinstance(want, str) and isinstance(actual, (date, datetime, time, Decimal)):
        return str(actual) == want
    if isinstance(want, str) and isinstance(actual, bytes):
        return actual == want.encode("utf-8")
    return bool(type(actual) is type(want) and actual == want)


def run_family(runner: Runner, family: str) -> dict[str, dict[str, str]]:
    """{case id: {form: outcome}} and the details of the non-passing ones."""
    result: dict[str, dict[str, str]] = {}
    for case in load(family):
        entry: dict[str, str] = {}
        for form, sql in forms(case):
            outcome, detail = runner.outcome(case, sql)
            entry[form] = outcome
            if outcome != "pass":
                entry[f"{form}_detail"] = detail[:300]
        result[case["id"]] = entry
    return result


def known_wrong() -> set[str]:
    """`<case id> <form>` lines of cases known to be silently wrong (the list only shrinks)."""
    if not KNOWN_WRONG.exists():
        return set()
    lines = KNOWN_WRONG.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def rates(outcomes: dict[str, dict[str, dict[str, str]]]) -> list[tuple[str, str, dict[str, int]]]:
    table: list[tuple[str, str, dict[str, int]]] = []
    for family, cases in outcomes.items():
        for form in ("literal", "row", "query"):
            counts = dict.fromkeys(OUTCOME_KINDS, 0)
            for entry in cases.values():
                if form in entry:
                    counts[entry[form]] += 1
            if sum(counts.values()):
                table.append((family, form, counts))
    return table


def format_rates(outcomes: dict[str, dict[str, dict[str, str]]]) -> str:
    lines = [
        f"{'family':12} {'form':8} {'cases':>6} {'pass':>6} {'refused':>8} {'error':>6} "
        f"{'wrong':>6}"
    ]
    totals = dict.fromkeys(OUTCOME_KINDS, 0)
    for family, form, counts in rates(outcomes):
        total = sum(counts.values())
        for kind in OUTCOME_KINDS:
            totals[kind] += counts[kind]
        lines.append(
            f"{family:12} {form:8} {total:6} {counts['pass'] / total:6.1%} "
            f"{counts['refused']:8} {counts['error']:6} {counts['wrong']:6}"
        )
    total = sum(totals.values())
    lines.append(
        f"{'all':12} {'':8} {total:6} {totals['pass'] / total:6.1%} {totals['refused']:8} "
        f"{totals['error']:6} {totals['wrong']:6}"
    )
    return "\n".join(lines)


README = HERE.parent.parent / "README.md"
README_START = "<!-- differences-from-athena: generated by tests/trino/trino_cases.py --readme -->"
README_END = "<!-- end of differences-from-athena -->"
_REASONS = (
    re.compile(r"Trino function (\w+)\(\)"),
    re.compile(r"(CAST to [A-Z]+)"),
    re.compile(r"^(\w+\(\)): "),
    re.compile(r"^(contains)\("),
)


def reason(detail: str) -> str:
    """What a refusal or error is about: the function or cast it names, else its first words."""
    for pattern in _REASONS:
        match = pattern.search(detail)
        if match:
            name = match.group(1)
            return name if name.endswith(")") or name.startswith("CAST") else f"{name}()"
    first = detail.split("\n")[0]
    first = first[first.rfind("Error: ") + 7 :] if "Error: " in first else first
    words = re.sub(r"'[^']*'", "'…'", first)
    return " ".join(words.split()[:8])


def differences_markdown(outcomes: dict[str, dict[str, dict[str, str]]]) -> str:
    """The README's "Differences from Athena" section, from the recorded outcomes."""
    lines = [
        README_START,
        "## Differences from Athena",
        "",
        "Measured with assertions taken from Trino's own tests (`tests/trino/`, Trino commit",
        "3a6b26414f9a), each run with literal arguments and with arguments from a row. *refused*:",
        "the engine stops with an error naming the construct; *error*: another error where",
        "Athena answers; *wrong*: a different value, listed in `tests/trino/known_wrong.txt`.",
        "",
        "| family | form | cases | pass | refused | error | wrong |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for family, form, counts in rates(outcomes):
        total = sum(counts.values())
        lines.append(
            f"| {family} | {form} | {total} | {counts['pass'] / total:.1%} | "
            f"{counts['refused']} | {counts['error']} | {counts['wrong']} |"
        )
    lines += ["", "Most frequent reasons a case does not pass (cases in either form):", ""]
    for family, cases in outcomes.items():
        tally: dict[str, int] = {}
        for entry in cases.values():
            seen = set()
            for form in ("literal", "row", "query"):
                if entry.get(form) in ("refused", "error", "wrong"):
                    kind = entry[form]
                    key = "wrong value" if kind == "wrong" else reason(entry[f"{form}_detail"])
                    seen.add(f"{kind}: {key}" if kind != "wrong" else key)
            for key in seen:
                tally[key] = tally.get(key, 0) + 1
        if tally:
            top = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
            text = "; ".join(f"{key} ({n})" for key, n in top)
            lines.append(f"- **{family}**: {text}.")
    lines.append(README_END)
    return "\n".join(lines) + "\n"


def readme_section(text: str) -> str:
    start = text.index(README_START)
    end = text.index(README_END) + len(README_END) + 1
    return text[start:end]


def write_readme(outcomes: dict[str, dict[str, dict[str, str]]]) -> None:
    text = README.read_text(encoding="utf-8")
    README.write_text(text.replace(readme_section(text), differences_markdown(outcomes)))


def run_all() -> dict[str, dict[str, dict[str, str]]]:
    runner = Runner()
    try:
        return {family: run_family(runner, family) for family in FAMILIES}
    finally:
        runner.close()


def main(argv: list[str]) -> int:
    outcomes = run_all()
    print(format_rates(outcomes))
    if "--write" in argv:
        slim = {
            family: {cid: {k: v for k, v in e.items()} for cid, e in cases.items()}
            for family, cases in outcomes.items()
        }
        OUTCOMES.write_text(json.dumps(slim, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if "--readme" in argv:
        write_readme(json.loads(OUTCOMES.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
