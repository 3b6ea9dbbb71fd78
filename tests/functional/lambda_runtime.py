"""The Lambda runtime, emulated: a function imported from its folder over its layer, or from the
console template's inline code, with the modules Lambda lacks unimportable."""

from __future__ import annotations

import importlib
import importlib.abc
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from paths import FUNCTIONS, ROOT

#: Installed in the project's environment, absent from Lambda's: a function importing one fails.
NOT_ON_LAMBDA = ("duckdb", "sqlglot", "click", "yaml", "hypothesis", "pytz")


class _Blocked(importlib.abc.MetaPathFinder):
    """Refuses the modules Lambda's Python runtime does not have."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.split(".")[0] in NOT_ON_LAMBDA:
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (not on Lambda)", name=fullname
            )


@dataclass
class LambdaRuntime:
    """Imports a function as Lambda does: its folder and the layer's `python/` on sys.path."""

    monkeypatch: pytest.MonkeyPatch
    layer: Path

    def load(self, function: str) -> types.ModuleType:
        """`functions/<function>/app.py` over the package closure `sam build` puts in the layer,
        with every package module and every module Lambda lacks unimportable from elsewhere."""
        self._fresh_imports()
        self.monkeypatch.setattr(
            sys, "path", [str(FUNCTIONS / function), str(self.layer), *_without_src(sys.path)]
        )
        return importlib.import_module("app")

    def inlined(self, logical_id: str) -> types.ModuleType:
        """The console template's inline `index.py` of a function, run as CloudFormation's
        ZipFile deploys it (its embedded modules shadow the installed package)."""
        source = console_zipfile(logical_id)
        self._fresh_imports()
        module = types.ModuleType("index")
        self.monkeypatch.setitem(sys.modules, "index", module)
        exec(compile(source, "index.py", "exec"), module.__dict__)
        return module

    def _fresh_imports(self) -> None:
        """Forget the package, any `app` and what Lambda lacks, and block the latter, so the
        function's imports are served only by its own code (restored after the test)."""
        for name in list(sys.modules):
            if name.split(".")[0] in ("vpc_cidr_analysis", "app", *NOT_ON_LAMBDA):
                self.monkeypatch.delitem(sys.modules, name)
        self.monkeypatch.setattr(sys, "meta_path", [_Blocked(), *sys.meta_path])


def _without_src(entries: list[str]) -> list[str]:
    """sys.path without the checkout's src/ (the editable install's entry)."""
    src = (ROOT / "src").resolve()
    return [entry for entry in entries if not entry or Path(entry).resolve() != src]


def console_zipfile(logical_id: str) -> str:
    """The inline code of a function in the generated console template."""
    text = (ROOT / "template" / "console" / "vpc-cidr-analysis.yaml").read_text(encoding="utf-8")
    template = yaml.load(text, Loader=_CfnLoader)
    return str(template["Resources"][logical_id]["Properties"]["Code"]["ZipFile"])


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation YAML, ignoring the short-form intrinsic functions' tags."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def build_layer(out: Path) -> Path:
    """The PackageLayer's `python/` folder as `make build-PackageLayer` makes it."""
    handlers = [str(p) for p in sorted(FUNCTIONS.glob("*/app.py"))]
    script = ROOT / "scripts" / "lambda_closure.py"
    subprocess.run(
        [sys.executable, str(script), *handlers, "--out", str(out)], check=True, capture_output=True
    )
    return out
