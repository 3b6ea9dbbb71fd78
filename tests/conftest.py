"""Shared fixtures: fake AWS credentials for every test, and one small simulated dataset."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from vpc_cidr_analysis.simulate.simulator import (
    SampleConfig,
    SampleResult,
    read_ground_truth,
    write_sample,
)

# DuckDB's Python client tries `import pandas` for every Python value it binds (each element of a
# list parameter too); without pandas each try searches the whole sys.path again, a third of the
# local engine's time in the suite. Marked absent once, the same import fails at once.
if importlib.util.find_spec("pandas") is None:
    sys.modules["pandas"] = None  # type: ignore[assignment]

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region, no profile, role or AWS config file."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and region, so no test can reach (or bill) a real AWS account."""
    fake_aws_environment(monkeypatch)
    yield


@pytest.fixture(scope="module")
def module_aws_credentials() -> Iterator[None]:
    """The same environment for a module-scoped fixture (set up before any test's own)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        fake_aws_environment(monkeypatch)
        yield


@dataclass(frozen=True)
class SampleDataset:
    """A simulated dataset on disk and what is known about it.

    `path` is the folder holding `AWSLogs/…` and `ground_truth.json`; `truth` is the parsed
    ground truth (`truth["scenarios"]["external"]["last_10_days"]["conversations"]` …);
    `config` regenerates the same records with `simulator.iter_records(config)`.
    """

    path: Path
    config: SampleConfig
    result: SampleResult
    truth: dict[str, Any]

    @property
    def logs(self) -> Path:
        """The `AWSLogs` folder (the table LOCATION)."""
        return self.path / "AWSLogs"


#: The small dataset: 3,000 text records over 12 days ending today (UTC), so queries for
#: "the last 10 days" against `current_date` see most of it and some records fall outside.
SMALL_SAMPLE = SampleConfig(records=3_000, days=12, seed=20261127)


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> SampleDataset:
    """Write the small simulated dataset once per session; read-only for tests."""
    path = tmp_path_factory.mktemp("small_sample")
    result = write_sample(SMALL_SAMPLE, path)
    return SampleDataset(path, SMALL_SAMPLE, result, read_ground_truth(path))


class _ResponseRecorder(BaseHTTPRequestHandler):
    """Records each PUT of a custom-resource response document."""

    def do_PUT(self) -> None:  # the response protocol: a PUT of a JSON document
        length = int(self.headers["Content-Length"])
        self.server.bodies.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def response_url() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP server standing in for CloudFormation's pre-signed response URL: its URL
    and the response documents PUT to it, in order."""
    server = HTTPServer(("127.0.0.1", 0), _ResponseRecorder)
    server.bodies = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/response?sig=1", server.bodies  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
