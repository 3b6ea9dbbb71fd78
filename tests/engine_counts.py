"""Count the local engines a command makes and the S3 objects they download (tests of
"one engine per command, each object downloaded once")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from vpc_cidr_analysis.engine import local, sources


@dataclass
class EngineCounts:
    """The engines made and the S3 locations downloaded while the patch is in place."""

    engines: list[object] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)


def count_engines_and_downloads(monkeypatch: pytest.MonkeyPatch) -> EngineCounts:
    """Patch `LocalEngine.__init__` and `LocalCopies._download` to count (for the test)."""
    counts = EngineCounts()
    start, download = local.LocalEngine.__init__, sources.LocalCopies._download

    def counted_init(self: Any, *args: Any, **kwargs: Any) -> None:
        counts.engines.append(self)
        start(self, *args, **kwargs)

    def counted_download(self: Any, obj: Any, on_done: Any) -> None:
        counts.fetched.append(obj.location)
        download(self, obj, on_done)

    monkeypatch.setattr(local.LocalEngine, "__init__", counted_init)
    monkeypatch.setattr(sources.LocalCopies, "_download", counted_download)
    return counts
