"""Extract Trino's own function tests as data files (tests/trino/cases/<family>.jsonl).

Usage: python scripts/extract_trino_cases.py GIT_DIR [COMMIT]

GIT_DIR is a git directory holding trinodb/trino history (a fork's snapshot at an upstream
commit works: `fetch github:tanya654/trino`); COMMIT defaults to the pinned `COMMIT` below. The
script reads each test class of `FAMILIES` with `git show`, tokenizes the Java, and turns every
statement of these forms into one case:

- `assertThat(assertions.function("f", "arg", ...))` — the expression `f(a0, a1, ...)` with the
  bindings `a0 = arg`, ...; `assertions.operator(OperatorType.ADD, ...)` likewise (`a0 + a1`);
- `assertThat(assertions.expression("...").binding("a", "..."))` — as written;
- then `.isEqualTo(<Java literal>)`, `.isNull(TYPE)`, `.matches("<SQL>")` (and `.hasType(T)`,
  recorded), or `assertTrinoExceptionThrownBy(<one of the above>::evaluate)` with
  `.hasErrorCode(X)` / `.hasMessage("...")`;
- `assertAggregation(FUNCTION_RESOLUTION, "f", types, <expected>, createXBlock(v, ...), ...)` —
  the aggregate over the rows of the blocks.

Statements with other expected values (Java objects such as `SqlTimestamp`, lists, maps) or
arguments that are not string literals are counted as skipped, per family, in `summary.json`.
Nothing of Trino's code is copied: only the SQL strings and expected values of the assertions.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COMMIT = "3a6b26414f9a"
OUT = Path(__file__).resolve().parent.parent / "tests" / "trino" / "cases"

_SCALAR = "core/trino-main/src/test/java/io/trino/operator/scalar/"
_TYPE = "core/trino-main/src/test/java/io/trino/type/"
_AGG = "core/trino-main/src/test/java/io/trino/operator/aggregation/"
_TERADATA = "plugin/trino-teradata-functions/src/test/java/io/trino/plugin/teradata/functions/"

FAMILIES: dict[str, list[str]] = {
    "ip": [_SCALAR + "TestIpAddressFunctions.java", _TYPE + "TestIpAddressOperators.java"],
    "datetime": [
        _SCALAR + "TestDateTimeFunctions.java",
        _TYPE + "TestDate.java",
        _TYPE + "TestIntervalDayTime.java",
        _TYPE + "TestIntervalYearMonth.java",
    ],
    "string": [_SCALAR + "TestStringFunctions.java", _TYPE + "TestVarcharOperators.java"],
    "regexp": [_SCALAR + "AbstractTestRegexpFunctions.java"],
    "array": [_SCALAR + "TestArrayFunctions.java", _TYPE + "TestArrayOperators.java"],
    "arithmetic": [
        _TYPE + "TestIntegerOperators.java",
        _TYPE + "TestBigintOperators.java",
        _SCALAR + "TestTryFunction.java",
    ],
    "conditional": ["core/trino-main/src/test/java/io/trino/sql/query/TestExpressions.java"],
    "aggregate": [
        _AGG + "TestMinMaxByAggregation.java",
        _AGG + "TestArbitraryAggregation.java",
        _AGG + "TestArrayAggregation.java",
        _AGG + "TestHistogram.java",
        _AGG + "TestMapAggAggregation.java",
    ],
    "teradata": [
        _TERADATA + "TestTeradataFunctions.java",
        _TERADATA + "TestTeradataDateFunctions.java",
    ],
}

OPERATORS = {
    "ADD": "{0} + {1}",
    "SUBTRACT": "{0} - {1}",
    "MULTIPLY": "{0} * {1}",
    "DIVIDE": "{0} / {1}",
    "MODULUS": "{0} % {1}",
    "NEGATION": "-({0})",
    "EQUAL": "{0} = {1}",
    "LESS_THAN": "{0} < {1}",
    "LESS_THAN_OR_EQUAL": "{0} <= {1}",
    "IS_DISTINCT_FROM": "{0} IS DISTINCT FROM {1}",
    "SUBSCRIPT": "{0}[{1}]",
}

# --------------------------------------------------------------------------------------------
# A small Java tokenizer and expression parser (enough for assertion statements).

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<text>"(?:\\.|[^"\\])*")
  | (?P<char>'(?:\\.|[^'\\])')
  | (?P<number>0[xX][0-9a-fA-F_]+[lL]?|(?:\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?|\.\d+)[lLdDfF]?)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>::|->|[-+*/%(){}\[\];,.<>=!?:&|^~@])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Tok:
    kind: str
    text: str
    line: int


def tokenize(source: str) -> list[Tok]:
    tokens: list[Tok] = []
    pos = 0
    line = 1
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise ValueError(f"cannot tokenize at line {line}: {source[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        text = match.group()
        if kind not in ("ws", "comment"):
            tokens.append(Tok(kind, text, line))
        line += text.count("\n")
        pos = match.end()
    return tokens


class Unparsed(Exception):
    pass


def java_string(text: str) -> str:
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u":
            j = i + 1
            while body[j] == "u":
                j += 1
            out.append(chr(int(body[j : j + 4], 16)))
            i = j + 4
            continue
        if nxt in "01234567":
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i + 1 : j], 8)))
            i = j
            continue
        simple = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "s": " "}
        out.append(simple.get(nxt, nxt))
        i += 2
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


class Parser:
    """Java expressions as nested tuples: ('str', s), ('num', text), ('name', n),
    ('call', target, name, args), ('field', target, name), ('ref', target, name),
    ('lambda', body), ('neg', x), ('bin', op, a, b)."""

    def __init__(self, tokens: list[Tok]) -> None:
        self.t = tokens
        self.i = 0

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.t[j] if j < len(self.t) else None

    def eat(self, text: str) -> None:
        tok = self.peek()
        if tok is None or tok.text != text:
            raise Unparsed(f"expected {text}")
        self.i += 1

    def expr(self) -> Any:
        node = self.unary()
        while (tok := self.peek()) is not None and tok.text in ("+", "-", "*", "/"):
            self.i += 1
            node = ("bin", tok.text, node, self.unary())
        return node

    def unary(self) -> Any:
        tok = self.peek()
        if tok is not None and tok.text == "-":
            self.i += 1
            return ("neg", self.unary())
        return self.postfix()

    def args(self) -> list[Any]:
        self.eat("(")
        out: list[Any] = []
        if self.peek() is not None and self.peek().text == ")":  # type: ignore[union-attr]
            self.i += 1
            return out
        while True:
            out.append(self.expr())
            tok = self.peek()
            if tok is None:
                raise Unparsed("end")
            self.i += 1
            if tok.text == ")":
                return out
            if tok.text != ",":
                raise Unparsed(f"unexpected {tok.text}")

    def postfix(self) -> Any:
        node = self.primary()
        while (tok := self.peek()) is not None:
            if tok.text == ".":
                self.i += 1
                name = self.peek()
                if name is None or name.kind != "name":
                    raise Unparsed("member")
                self.i += 1
                nxt = self.peek()
                if nxt is not None and nxt.text == "(":
                    node = ("call", node, name.text, self.args())
                else:
                    node = ("field", node, name.text)
            elif tok.text == "::":
                self.i += 1
                name = self.peek()
                self.i += 1
                node = ("ref", node, name.text if name else "")
            else:
                return node
        return node

    def primary(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise Unparsed("end")
        if tok.text == "(":
            if [t.text for t in self.t[self.i + 1 : self.i + 3]] == [")", "->"]:
                self.i += 3
                return ("lambda", self.expr())
            self.i += 1
            node = self.expr()
            self.eat(")")
            return node
        self.i += 1
        if tok.kind == "text":
            return ("str", java_string(tok.text))
        if tok.kind == "number":
            return ("num", tok.text)
        if tok.kind == "char":
            return ("char", tok.text)
        if tok.kind == "name":
            if tok.text == "new":
                raise Unparsed("new")
            nxt = self.peek()
            if nxt is not None and nxt.text == "(":
                return ("call", None, tok.text, self.args())
            return ("name", tok.text)
        raise Unparsed(f"unexpected {tok.text}")


def const_string(node: Any) -> str:
    if node[0] == "str":
        return str(node[1])
    if node[0] == "bin" and node[1] == "+":
        return const_string(node[2]) + const_string(node[3])
    raise Unparsed("not a string constant")


def java_value(node: Any) -> Any:
    """A Java literal as JSON: None, bool, int, float ({'double': 'NaN'} for non-finite), str."""
    kind = node[0]
    if kind in ("str", "bin"):
        return const_string(node)
    if kind == "neg":
        value = java_value(node[1])
        if isinstance(value, bool) or not isinstance(value, (int, float, dict)):
            raise Unparsed("neg")
        if isinstance(value, dict):
            return {"double": "-Infinity"} if value["double"] == "Infinity" else value
        return -value
    if kind == "num":
        text = node[1].replace("_", "")
        if text[:2].lower() == "0x":
            return int(text.rstrip("lL"), 16)
        if text[-1] in "lL":
            return int(text[:-1])
        if text[-1] in "dDfF" or "." in text or "e" in text.lower():
            return float(text.rstrip("dDfF"))
        return int(text)
    if kind == "name":
        if node[1] in ("true", "false"):
            return node[1] == "true"
        if node[1] == "null":
            return None
    if kind == "field" and node[2] in ("NaN", "POSITIVE_INFINITY", "NEGATIVE_INFINITY"):
        return {"double": {"NaN": "NaN", "POSITIVE_INFINITY": "Infinity"}.get(node[2], "-Infinity")}
    if (
        kind == "call"
        and node[2] in ("of", "asList")
        and node[1] in (None, ("name", "List"), ("name", "ImmutableList"))
    ):
        return [java_value(item) for item in node[3]]
    if kind == "call" and node[2] in ("valueOf",) and len(node[3]) == 1:
        return java_value(node[3][0])
    raise Unparsed(f"expected value {kind}")


# --------------------------------------------------------------------------------------------
# Statements into cases.


def subject(node: Any) -> tuple[str, list[list[str]]]:
    """The SQL expression and bindings of an `assertions.…` chain."""
    bindings: list[list[str]] = []
    while node[0] == "call" and node[2] in ("binding", "evaluate"):
        if node[2] == "binding":
            bindings.insert(0, [const_string(node[3][0]), const_string(node[3][1])])
        node = node[1]
    if node[0] == "ref":
        node = node[1]
    if node[0] != "call" or node[1] != ("name", "assertions"):
        raise Unparsed("subject")
    name, args = node[2], node[3]
    if name == "expression" and len(args) == 1:
        return const_string(args[0]), bindings
    if name == "function":
        fn = const_string(args[0])
        values = [const_string(a) for a in args[1:]]
        names = [f"a{i}" for i in range(len(values))]
        return f"{fn}({', '.join(names)})", [[n, v] for n, v in zip(names, values, strict=True)]
    if name == "operator":
        op = args[0][2] if args[0][0] == "field" else args[0][1]
        if op not in OPERATORS:
            raise Unparsed("operator")
        values = [const_string(a) for a in args[1:]]
        names = [f"a{i}" for i in range(len(values))]
        return OPERATORS[op].format(*names), [[n, v] for n, v in zip(names, values, strict=True)]
    raise Unparsed(f"assertions.{name}")


def chain(node: Any) -> tuple[Any, list[tuple[str, list[Any]]]]:
    calls: list[tuple[str, list[Any]]] = []
    while node[0] == "call" and node[1] is not None:
        calls.insert(0, (node[2], node[3]))
        node = node[1]
    return node, calls


_BLOCKS = {
    "createLongsBlock": "BIGINT",
    "createIntsBlock": "INTEGER",
    "createDoublesBlock": "DOUBLE",
    "createBooleansBlock": "BOOLEAN",
    "createStringsBlock": "VARCHAR",
}


def sql_literal(value: Any, sql_type: str) -> str:
    if value is None:
        return f"CAST(NULL AS {sql_type})"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dict) and set(value) == {"double"}:  # Double.NaN, the infinities
        return {"NaN": "nan()", "Infinity": "infinity()"}.get(value["double"], "-infinity()")
    if sql_type == "DOUBLE":
        return f"DOUBLE '{value}'" if isinstance(value, float) else f"CAST({value} AS DOUBLE)"
    if sql_type == "INTEGER":
        return f"CAST({value} AS INTEGER)"
    return f"BIGINT '{value}'"


def aggregate_case(args: list[Any]) -> dict[str, Any]:
    if len(args) < 5 or args[1][0] != "str":
        raise Unparsed("assertAggregation")
    fn = args[1][1]
    columns: list[list[str]] = []
    for block in args[4:]:
        if block[0] != "call" or block[1] is not None or block[2] not in _BLOCKS:
            raise Unparsed("block")
        sql_type = _BLOCKS[block[2]]
        columns.append([sql_literal(java_value(v), sql_type) for v in block[3]])
    if not columns or len({len(c) for c in columns}) != 1:
        raise Unparsed("blocks")
    names = [f"a{i}" for i in range(len(columns))]
    rows = [list(r) for r in zip(*columns, strict=True)]
    expected = java_value(args[3])
    return {
        "expression": f"{fn}({', '.join(names)})",
        "columns": names,
        "rows": rows,
        "expected": {"value": expected} if expected is not None else {"null": True},
    }


def statement_case(tokens: list[Tok]) -> dict[str, Any]:
    head = tokens[0].text
    parser = Parser(tokens)
    node = parser.expr()
    if parser.i != len(tokens):
        raise Unparsed("trailing")
    root, calls = chain(node)
    if root[0] != "call" or root[1] is not None:
        raise Unparsed("root")
    if head == "assertAggregation":
        return aggregate_case(root[3])
    if head not in ("assertThat", "assertTrinoExceptionThrownBy") or len(root[3]) != 1:
        raise Unparsed("head")
    target = root[3][0]
    if target[0] == "lambda":
        target = target[1]
    if target[0] == "call" and target[1] == ("name", "assertions") and target[2] == "query":
        return query_case(const_string(target[3][0]), calls)
    expression, bindings = subject(target)
    case: dict[str, Any] = {"expression": expression, "bindings": bindings}
    expected: dict[str, Any] = {}
    for name, args in calls:
        if name == "hasType":
            case["type"] = _type_text(args[0])
        elif name == "isEqualTo" and head == "assertThat":
            value = java_value(args[0])
            expected = {"value": value} if value is not None else {"null": True}
        elif name == "isNull" and head == "assertThat":
            expected = {"null": True}
        elif name in ("isTrue", "isFalse") and head == "assertThat":
            expected = {"value": name == "isTrue"}
        elif name == "matches" and head == "assertThat":
            expected = {"sql": const_string(args[0])}
        elif name == "hasErrorCode" and head != "assertThat":
            expected["error"] = _type_text(args[0])
        elif name in ("hasMessage", "hasMessageContaining", "hasMessageMatching"):
            expected.setdefault("error", "")
            expected["message"] = const_string(args[0])
        else:
            raise Unparsed(f".{name}")
    if head != "assertThat":
        expected.setdefault("error", "")
    if not expected:
        raise Unparsed("no expectation")
    case["expected"] = expected
    return case


def query_case(sql: str, calls: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    """`assertThat(assertions.query(sql)).matches("VALUES ...")` / `.failure().hasMessage(...)`."""
    expected: dict[str, Any] = {}
    for name, args in calls:
        if name == "matches":
            expected = {"query": const_string(args[0])}
        elif name == "failure":
            expected = {"error": ""}
        elif name in ("hasMessage", "hasMessageContaining") and "error" in expected:
            expected["message"] = const_string(args[0])
        elif name == "hasErrorCode" and "error" in expected:
            expected["error"] = _type_text(args[0])
        else:
            raise Unparsed(f".{name}")
    if not expected:
        raise Unparsed("no expectation")
    return {"query": sql, "expected": expected}


def _type_text(node: Any) -> str:
    if node[0] == "name":
        return str(node[1])
    if node[0] == "field":
        return str(node[2])
    if node[0] == "call":
        args = ", ".join(str(java_value(a)) for a in node[3])
        return f"{node[2]}({args})"
    raise Unparsed("type")


STARTS = ("assertThat", "assertTrinoExceptionThrownBy", "assertAggregation")


def statements(tokens: list[Tok]) -> list[list[Tok]]:
    out: list[list[Tok]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        prev = tokens[i - 1].text if i else ";"
        if tok.kind == "name" and tok.text in STARTS and prev in (";", "{", "}"):
            j = i
            depth = 0
            while j < len(tokens) and not (tokens[j].text == ";" and depth == 0):
                if tokens[j].text in "({[":
                    depth += 1
                elif tokens[j].text in ")}]":
                    depth -= 1
                j += 1
            out.append(tokens[i:j])
            i = j
        i += 1
    return out


def extract(git_dir: str, commit: str) -> dict[str, Any]:
    summary: dict[str, Any] = {"commit": commit, "families": {}}
    OUT.mkdir(parents=True, exist_ok=True)
    for family, paths in FAMILIES.items():
        cases: list[dict[str, Any]] = []
        skipped: dict[str, int] = {}
        for path in paths:
            source = subprocess.run(
                ["git", "--git-dir", git_dir, "show", f"{commit}:{path}"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            seen: dict[int, int] = {}
            for stmt in statements(tokenize(source)):
                line = stmt[0].line
                seen[line] = seen.get(line, 0) + 1
                try:
                    case = statement_case(stmt)
                except (Unparsed, IndexError, ValueError) as exc:
                    reason = str(exc).split(" ")[0] if isinstance(exc, Unparsed) else "other"
                    skipped[reason] = skipped.get(reason, 0) + 1
                    continue
                name = Path(path).name.removesuffix(".java")
                suffix = f"#{seen[line]}" if seen[line] > 1 else ""
                case = {"id": f"{name}:{line}{suffix}", "source": f"{path}:{line}", **case}
                cases.append(case)
        with (OUT / f"{family}.jsonl").open("w", encoding="utf-8") as out:
            for case in cases:
                out.write(json.dumps(case, ensure_ascii=False, sort_keys=True) + "\n")
        summary["families"][family] = {
            "files": paths,
            "cases": len(cases),
            "skipped": dict(sorted(skipped.items())),
        }
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    summary = extract(argv[1], argv[2] if len(argv) == 3 else COMMIT)
    for family, info in summary["families"].items():
        print(f"{family:12} {info['cases']:5} cases, skipped {sum(info['skipped'].values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
