"""`aws-ranges fetch` against a local HTTP server: shown, checked, written whole or not at all."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from vpc_cidr_analysis.aws_ranges import URL, load_aws_ranges
from vpc_cidr_analysis.cli import cli

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """An HTTP server over a folder holding the fixture and a broken file."""
    (tmp_path / "ip-ranges.json").write_bytes((FIXTURES / "ip-ranges.json").read_bytes())
    (tmp_path / "broken.json").write_text("<html>maintenance</html>")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetch_saves_the_file_and_shows_its_identity(server: str, tmp_path: Path) -> None:
    out = tmp_path / "saved" / "ranges.json"
    result = CliRunner().invoke(
        cli, ["aws-ranges", "fetch", "--out", str(out), "--url", f"{server}/ip-ranges.json"]
    )
    assert result.exit_code == 0, result.output
    assert "syncToken 1764547200, createDate 2026-12-01-00-00-00, 9 prefixes" in result.stdout
    assert out.read_bytes() == (FIXTURES / "ip-ranges.json").read_bytes()
    assert load_aws_ranges(out).label("52.216.1.1") == "aws:S3:us-east-1"


@pytest.mark.parametrize(
    ("path", "message"), [("missing.json", "cannot download"), ("broken.json", "did not return")]
)
def test_a_failed_fetch_keeps_the_saved_copy(
    server: str, tmp_path: Path, path: str, message: str
) -> None:
    out = tmp_path / "ranges.json"
    out.write_text("earlier copy")
    result = CliRunner().invoke(
        cli, ["aws-ranges", "fetch", "--out", str(out), "--url", f"{server}/{path}"]
    )
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert out.read_text() == "earlier copy"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_default_url_is_awss() -> None:
    assert URL == "https://ip-ranges.amazonaws.com/ip-ranges.json"
