"""`make e2e`: the live-account suite, or, without credentials, what it would do.

Exit status: pytest's with credentials; 2 (and a message on stderr) without.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
NO_CREDENTIALS = 2


def plan_text(plan: Sequence[str]) -> str:
    lines = [
        "The end-to-end suite (tests/e2e) would, in the account and region of your credentials:"
    ]
    lines += [f"  {number}. {step}" for number, step in enumerate(plan, 1)]
    lines.append("Cost: a few US cents (Athena scans of a few MB each, billed 10 MB minimum).")
    return "\n".join(lines)


def main(environ: Mapping[str, str] | None = None, session: object | None = None) -> int:
    sys.path[:0] = [str(HERE.parent), str(HERE.parent.parent / "src")]
    import boto3
    from e2e import live

    environ = dict(os.environ if environ is None else environ)
    session = session or boto3.Session()
    if not live.has_credentials(session):
        print(plan_text(live.PLAN))
        print(
            "make e2e: no AWS credentials found; nothing was run. Configure credentials "
            "(AWS_PROFILE, environment variables or SSO) for a test account and run `make e2e` "
            "again.",
            file=sys.stderr,
        )
        return NO_CREDENTIALS
    environ["VPC_CIDR_ANALYSIS_E2E"] = "1"
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", str(HERE), "-v"]
    return subprocess.run(command, env=environ, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
