"""`sam build` of the SAM source: each function its app.py, the layer exactly their closure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from paths import FUNCTIONS, ROOT, script

SAM = ROOT / ".venv-cfn" / "bin" / "sam"  # made by `make templates` (and before `make suite`)

closure = script("lambda_closure")


def _runs_python313(env: dict[str, str]) -> bool:
    try:
        done = subprocess.run(["python3.13", "--version"], env=env, capture_output=True)
    except OSError:
        return False
    return done.returncode == 0


def _environment() -> dict[str, str] | None:
    """An environment with python3.13 on PATH (pyenv's, when that is where it is), or None."""
    env = dict(os.environ, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION="us-east-1")
    if _runs_python313(env):
        return env
    pyenv = Path.home() / ".pyenv" / "versions"
    versions = sorted(p.name for p in pyenv.glob("3.13*")) if pyenv.is_dir() else []
    if versions:
        env["PYENV_VERSION"] = versions[-1]
    return env if versions and _runs_python313(env) else None


@pytest.mark.skipif(not SAM.exists(), reason="no .venv-cfn/bin/sam: run `make templates` first")
def test_sam_build_ships_each_app_and_the_closure_in_the_layer(tmp_path: Path) -> None:
    env = _environment()
    if env is None:
        pytest.skip("sam build needs python3.13 on PATH")
    source = tmp_path / "checkout"
    for part in ("src", "functions", "scripts", "template", "Makefile"):
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copyfile
        copy(ROOT / part, source / part)  # type: ignore[operator]
    build = tmp_path / "build"
    done = subprocess.run(
        [str(SAM), "build", "-t", "template/template.yaml", "--build-dir", str(build)],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for logical_id, folder in (
        ("CidrIpGeneratorFunction", "cidr_ip_generator"),
        ("StackHelperFunction", "stack_helper"),
        ("UsageReportFunction", "usage_report"),
    ):
        shipped = {p.name for p in (build / logical_id).glob("*.py")}
        assert shipped == {"app.py"}, logical_id
        assert (build / logical_id / "app.py").read_bytes() == (
            FUNCTIONS / folder / "app.py"
        ).read_bytes()
    layer = build / "PackageLayer" / "python"
    in_layer = sorted(p.relative_to(layer).as_posix() for p in layer.rglob("*.py"))
    expected = closure.package_closure(sorted(FUNCTIONS.glob("*/app.py")))
    assert in_layer == sorted(p.relative_to(ROOT / "src").as_posix() for p in expected.values())
