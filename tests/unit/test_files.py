"""Output files are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpc_cidr_analysis import files
from vpc_cidr_analysis.files import atomic_write


def test_writes_text_and_bytes_and_creates_the_folder(tmp_path: Path) -> None:
    assert atomic_write(tmp_path / "a" / "x.json", "{}\n").read_text() == "{}\n"
    assert atomic_write(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b.bin", "x.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = atomic_write(tmp_path / "report.html", "old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
