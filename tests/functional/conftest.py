"""Fixtures for the Lambda handlers run with their event files (fake credentials: ../conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
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
