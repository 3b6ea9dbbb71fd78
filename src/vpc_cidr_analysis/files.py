"""Writing output files whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write to a temporary name in the same folder, then rename: a reader (or a crash) never
    sees a partial file, and an earlier file stays intact until the new one is complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(temp, "wb") as fh:
            fh.write(payload)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path
