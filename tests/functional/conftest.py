"""Fixtures for the Lambda handlers run with their event files (fake credentials: ../conftest).

`lambda_runtime.load(name)` imports `functions/<name>/app.py` the way Lambda does: the
function's folder and the layer's `python/` folder (the package closure `sam build` ships) on
sys.path, and duckdb, sqlglot, click and the like unimportable, as on Lambda's runtime.
`lambda_runtime.inlined(logical_id)` runs the console template's inline code instead.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from lambda_runtime import LambdaRuntime, build_layer
from moto import mock_aws

CIDR_BUCKET = "vpc-cidr-analysis-cidrs"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto S3 holding the CIDR function's bucket, its environment set as the stack sets it."""
    monkeypatch.setenv("CIDR_BUCKET", CIDR_BUCKET)
    for name in ("CIDR_PREFIX", "MAX_ADDRESSES"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=CIDR_BUCKET)
        yield client


@pytest.fixture(scope="session")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The PackageLayer's `python/` folder as `make build-PackageLayer` makes it."""
    return build_layer(tmp_path_factory.mktemp("layer") / "python")


@pytest.fixture
def lambda_runtime(monkeypatch: pytest.MonkeyPatch, layer: Path) -> Iterator[LambdaRuntime]:
    """The emulated runtime; afterwards sys.modules is exactly as before (no layer copies)."""
    saved = dict(sys.modules)
    try:
        yield LambdaRuntime(monkeypatch, layer)
    finally:
        monkeypatch.undo()
        sys.modules.clear()
        sys.modules.update(saved)
