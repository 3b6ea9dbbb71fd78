"""The one S3-URL parser: `s3://bucket/key-or-prefix` for --logs, flow-log destinations and
query-result locations alike. Standard library only (ships to Lambda)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpc_cidr_analysis.errors import AnalysisError

SCHEME = "s3://"
#: S3 bucket naming rules: 3-63 characters of lowercase letters, digits, '.' and '-', starting
#: and ending with a letter or digit, no '..'.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
EXAMPLE = "s3://bucket/ or s3://bucket/prefix/"


class S3UrlError(AnalysisError, ValueError):
    """Not an S3 URL, or not a valid bucket name."""


@dataclass(frozen=True)
class S3Url:
    """A bucket and a key (or key prefix) within it."""

    bucket: str
    key: str

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}"


def is_s3_url(text: str) -> bool:
    """True when the text names an S3 location rather than a local path."""
    return text.strip().startswith(SCHEME)


def parse_s3_url(url: str, *, what: str = "S3 location", folder: bool = False) -> S3Url:
    """Bucket and key of `s3://bucket/key`; `what` names the value in errors (e.g. `--logs`).

    With `folder`, the key is a folder prefix: '' for the bucket's root, else ending in '/',
    empty segments dropped (`s3://b//a//` is `s3://b/a/`), so only that folder is read.
    """
    text = url.strip()
    if not text.startswith(SCHEME):
        raise S3UrlError(f"{what} {url!r} is not an S3 URL; expected {EXAMPLE}")
    bucket, _, key = text[len(SCHEME) :].partition("/")
    if not bucket:
        raise S3UrlError(f"{what} {url!r} has no bucket; expected {EXAMPLE}")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise S3UrlError(
            f"{what} {url!r}: {bucket!r} is not a valid bucket name "
            "(3-63 characters: lowercase letters, digits, '.', '-')"
        )
    if folder:
        key = "".join(f"{part}/" for part in key.split("/") if part)
    return S3Url(bucket, key)
