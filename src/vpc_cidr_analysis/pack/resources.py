"""Where the query pack's files are: from a wheel (packaged copies) or from the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # src/vpc_cidr_analysis
_CHECKOUT = _PACKAGE.parents[1]


def queries_dir() -> Path:
    """The folder of `queries/*.sql`: packaged into the wheel, else the checkout's."""
    for candidate in (_PACKAGE / "sql", _CHECKOUT / "queries"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"queries/ not found beside {_PACKAGE} or in {_CHECKOUT}")
