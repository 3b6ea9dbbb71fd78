"""What ships to Lambda: each function's import closure, standard library and boto3 only.

`sam build` puts the closure in the PackageLayer (`make build-PackageLayer`), the console
template inlines it; both must be the same modules, and none may need what Lambda lacks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from lambda_runtime import LambdaRuntime, console_zipfile
from paths import FUNCTIONS, script

closure = script("lambda_closure")

FUNCTION_IDS = {
    "cidr_ip_generator": "CidrIpGeneratorFunction",
    "stack_helper": "StackHelperFunction",
    "usage_report": "UsageReportFunction",
}
ALLOWED = set(sys.stdlib_module_names) | {"boto3", "botocore", "vpc_cidr_analysis"}


def runtime_imports(path: Path) -> set[str]:
    """Top-level names a file imports when it runs (TYPE_CHECKING blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_function_is_a_thin_app_over_the_package() -> None:
    assert sorted(p.parent.name for p in FUNCTIONS.glob("*/app.py")) == sorted(FUNCTION_IDS)
    for name in FUNCTION_IDS:
        app = FUNCTIONS / name / "app.py"
        assert len(app.read_text(encoding="utf-8").splitlines()) <= 40, app
        assert [p.name for p in (FUNCTIONS / name).glob("*.py")] == ["app.py"]
        requirements = (FUNCTIONS / name / "requirements.txt").read_text().splitlines()
        assert [line for line in requirements if line.strip() and not line.startswith("#")] == []


def test_the_layer_holds_standard_library_and_boto3_code_only(layer: Path) -> None:
    shipped = sorted(layer.rglob("*.py"))
    assert shipped
    for path in shipped:
        assert runtime_imports(path) <= ALLOWED, path
    packages = {
        p.relative_to(layer).parts[1] for p in shipped if len(p.relative_to(layer).parts) > 2
    }
    assert packages == {"cidrtable", "pack", "stack", "usage"}  # never engine, simulate, cli
    assert not any(p.name == "simulator.py" for p in shipped)


@pytest.mark.parametrize("function", sorted(FUNCTION_IDS))
def test_console_inlines_the_closure_sam_build_ships(function: str, layer: Path) -> None:
    modules = closure.function_closure(FUNCTIONS / function / "app.py")
    source = console_zipfile(FUNCTION_IDS[function])
    tree = ast.parse(source)
    (sources,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "_SOURCES" for t in node.targets)
    ]
    assert isinstance(sources, ast.Dict)
    inlined = {ast.literal_eval(key) for key in sources.keys if key is not None}
    assert inlined == set(modules)
    in_layer = {
        ".".join(p.relative_to(layer).with_suffix("").parts).removesuffix(".__init__")
        for p in layer.rglob("*.py")
    }
    assert {name for name in modules if name != "app"} <= in_layer


@pytest.mark.parametrize("function", sorted(FUNCTION_IDS))
def test_each_function_imports_with_duckdb_sqlglot_and_click_blocked(
    function: str, lambda_runtime: LambdaRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIDR_BUCKET", "b")
    module = lambda_runtime.load(function)
    assert callable(module.lambda_handler)
    loaded = {name.split(".")[0] for name in sys.modules}
    assert not loaded & {"duckdb", "sqlglot", "click"}
    assert not any(name.startswith("vpc_cidr_analysis.simulate") for name in sys.modules)
