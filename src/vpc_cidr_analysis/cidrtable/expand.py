"""Expand CIDR blocks into the `cidr,ip` rows behind the `cidrtable` Glue table, streamed.

This module is the one copy of the expansion code: the `cidr_ip_generator` Lambda
(`functions/cidr_ip_generator/app.py`), `vpc-cidr-analysis expand` and the local engine's
`--cidr` all run it. Standard library only (the boto3 S3 client is passed in), Python 3.11-3.13.

Layout read by `cidrtable`: one gzip CSV object per block at
`{prefix}{canonical cidr with '/' and ':' replaced by '_'}.csv.gz`, e.g. `cidrs/10.0.0.0_16.csv.gz`
or `cidrs/2001_db8___126.csv.gz`; rows `cidr,ip` (`10.0.0.0/16,10.0.0.0`), no header, LF endings,
every address of the block (network and broadcast included) in Python's compressed text form.

Nothing is ever half-written: all blocks of a call are validated before any is written; a
body that fits in one part is written with one put_object, larger ones by multipart upload, and
nothing is made visible until every block of the call has been streamed (every open upload is
aborted on any error). Local files go to a temporary name and are renamed.
"""

from __future__ import annotations

import ipaddress
import itertools
import logging
import os
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpc_cidr_analysis.cidr import (
    DEFAULT_MAX_ADDRESSES,
    IPV4_MAPPED,
    CidrError,
    Network,
    parse_block,
)
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.settings import CIDR_BUCKET, CIDR_PREFIX, MAX_ADDRESSES, resolve

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

DEFAULT_PREFIX = "cidrs/"
#: Blocks accepted in one event or command, so one call stays well inside a Lambda timeout.
MAX_CIDRS_PER_CALL = 50
#: Multipart part size; S3 wants at least 5 MiB for every part but the last.
PART_SIZE = 8 * 1024 * 1024
#: Bytes of single-part bodies held in memory per call, to write them with one request each.
SMALL_BODIES_HELD = 32 * 1024 * 1024
CONTENT_TYPE = "application/gzip"
#: gzip level 1: the CSV compresses ~9x and the block streams at the speed of the row builder.
GZIP_LEVEL = 1
#: Rows joined into one string before compression; bounds memory whatever the block size.
ROWS_PER_CHUNK = 4096
#: Stop streaming (and abort) when less than this many seconds of the invocation remain.
SECONDS_RESERVED = 10.0
EVENT_EXAMPLE = '{"cidr": "10.0.0.0/16"} or {"cidrs": ["10.0.0.0/16", "10.1.0.0/16"]}'

_DECIMAL = tuple(str(n) for n in range(256))
_hex_cache: list[tuple[str, ...]] = []

logger = logging.getLogger("cidr_ip_generator")


class CidrConfigError(AnalysisError, ValueError):
    """Bad or missing configuration (bucket, prefix, MAX_ADDRESSES)."""


class CidrWriteError(AnalysisError, RuntimeError):
    """Writing the objects failed; every unfinished upload was aborted."""


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Settings:
    """Where objects go and how large a block may be; built only by `load_settings`."""

    bucket: str | None
    prefix: str
    max_addresses: int


def load_settings(
    *,
    bucket: str | None = None,
    prefix: str | None = None,
    max_addresses: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve each setting as explicit argument, then environment variable, then default.

    The one place configuration is read, for the Lambda and the CLI alike. An empty
    `CIDR_BUCKET` counts as unset; an empty `CIDR_PREFIX` means the bucket's root.
    """
    chosen_bucket = resolve(bucket, CIDR_BUCKET, None, environ)
    if chosen_bucket is not None and (not chosen_bucket or chosen_bucket != chosen_bucket.strip()):
        raise CidrConfigError(f"bucket name {chosen_bucket!r} is empty or has spaces")
    chosen_prefix = resolve(prefix, CIDR_PREFIX, DEFAULT_PREFIX, environ, empty_is_set=True)
    raw = resolve(max_addresses, MAX_ADDRESSES, DEFAULT_MAX_ADDRESSES, environ)
    if isinstance(raw, str):
        try:
            limit = int(raw)
        except ValueError:
            raise CidrConfigError(
                f"{MAX_ADDRESSES}={raw!r} is not a whole number; "
                f"use e.g. {DEFAULT_MAX_ADDRESSES} (one /8)"
            ) from None
    else:
        limit = raw
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise CidrConfigError(f"max addresses must be a whole number >= 1, got {limit!r}")
    return Settings(
        bucket=chosen_bucket, prefix=normalize_prefix(chosen_prefix), max_addresses=limit
    )


def normalize_prefix(prefix: str) -> str:
    """Key prefix as a folder: no leading '/', one trailing '/' unless empty (bucket root)."""
    stripped = prefix.strip("/")
    if stripped != stripped.strip() or "//" in stripped:
        raise CidrConfigError(f"key prefix {prefix!r} has spaces at its ends or an empty folder")
    return f"{stripped}/" if stripped else ""


# --------------------------------------------------------------------------- validation


def parse_cidr(text: object, max_addresses: int = DEFAULT_MAX_ADDRESSES) -> Network:
    """One block of an event: written canonically and small enough to expand (see `cidr`)."""
    return parse_block(text, canonical=True, max_addresses=max_addresses)


def parse_cidrs(
    texts: Sequence[object],
    max_addresses: int = DEFAULT_MAX_ADDRESSES,
    max_cidrs: int = MAX_CIDRS_PER_CALL,
) -> list[Network]:
    """Validate every CIDR of one call, reporting all problems at once; raise before writing."""
    if isinstance(texts, str | bytes) or not isinstance(texts, Sequence):
        raise CidrError(f"CIDRs must be a list of strings, got {type(texts).__name__}")
    if not texts:
        raise CidrError("no CIDR given; " + EVENT_EXAMPLE)
    if len(texts) > max_cidrs:
        raise CidrError(
            f"{len(texts)} CIDRs in one call; at most {max_cidrs}, so split them into several calls"
        )
    networks: list[Network] = []
    problems: list[str] = []
    seen: set[str] = set()
    for text in texts:
        try:
            network = parse_cidr(text, max_addresses)
        except CidrError as exc:
            problems.append(str(exc))
            continue
        if str(network) in seen:
            problems.append(f"{text!r} is listed twice; give each block once")
            continue
        seen.add(str(network))
        networks.append(network)
    if len(texts) == 1 and problems:
        raise CidrError(problems[0])
    if problems:
        raise CidrError(
            f"{len(problems)} of {len(texts)} CIDRs are invalid, nothing was written:\n- "
            + "\n- ".join(problems)
        )
    return networks


def cidrs_from_event(event: object) -> list[object]:
    """The CIDR values of a Lambda event `{"cidr": ...}` or `{"cidrs": [...]}` (not yet checked)."""
    if not isinstance(event, Mapping):
        raise CidrError(f"the event must be a JSON object like {EVENT_EXAMPLE}")
    keys = [str(key) for key in event]
    unknown = sorted(key for key in keys if key not in ("cidr", "cidrs"))
    if unknown:
        raise CidrError(
            f"unknown event key(s) {', '.join(map(repr, unknown))}; the event takes only "
            f"'cidr' or 'cidrs': {EVENT_EXAMPLE} (bucket and prefix come from the function's "
            f"{CIDR_BUCKET} and {CIDR_PREFIX})"
        )
    if "cidr" in event and "cidrs" in event:
        raise CidrError(f"give 'cidr' or 'cidrs', not both: {EVENT_EXAMPLE}")
    if "cidr" in event:
        value = event["cidr"]
        if isinstance(value, list):
            raise CidrError(f"'cidr' takes one string; for a list use 'cidrs': {EVENT_EXAMPLE}")
        return [value]
    if "cidrs" in event:
        values = event["cidrs"]
        if not isinstance(values, list):
            raise CidrError(
                f"'cidrs' must be a list of strings, got {type(values).__name__} {values!r}: "
                f"{EVENT_EXAMPLE}"
            )
        return list(values)
    raise CidrError(f"the event has no 'cidr' or 'cidrs'; send {EVENT_EXAMPLE}")


# --------------------------------------------------------------------------- names


def cidr_file_name(cidr: Network | str) -> str:
    """File name of a block's object: canonical CIDR with '/' and ':' as '_', `.csv.gz`."""
    network = cidr if not isinstance(cidr, str) else parse_cidr(cidr, max_addresses=2**128)
    return str(network).replace("/", "_").replace(":", "_") + ".csv.gz"


def object_key(cidr: Network | str, prefix: str = DEFAULT_PREFIX) -> str:
    """S3 key of a block's object under `prefix` (e.g. `cidrs/10.0.0.0_16.csv.gz`)."""
    return normalize_prefix(prefix) + cidr_file_name(cidr)


def cidr_from_file_name(name: str) -> Network:
    """The block a file name or key stands for; the inverse of `cidr_file_name`."""
    base = name.rpartition("/")[2]
    if not base.endswith(".csv.gz"):
        raise CidrError(f"{name!r} is not a CIDR object name like '10.0.0.0_16.csv.gz'")
    address, _, length = base[: -len(".csv.gz")].rpartition("_")
    return parse_cidr(f"{address.replace('_', ':')}/{length}", max_addresses=2**128)


# --------------------------------------------------------------------------- rows


def _hex_names() -> tuple[str, ...]:
    """'0'..'ffff', built on first IPv6 use (about 4 MB, kept for the process)."""
    if not _hex_cache:
        _hex_cache.append(tuple(format(n, "x") for n in range(65536)))
    return _hex_cache[0]


def iter_csv_text(network: Network, rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """Yield the CSV text (`cidr,ip` + LF per address, in address order) in whole-row chunks.

    Addresses share all but their last field (IPv4 octet, IPv6 hextet), so each group's rows
    are one `str.join` of a fixed head with the precomputed last fields: the text is built at
    C speed and never more than `rows_per_chunk` rows are held. The head comes from the
    standard library's own formatting, so the text equals `str(ipaddress.ip_address(n))`.
    """
    cidr = str(network)
    first = int(network.network_address)
    last = int(network.broadcast_address)
    if network.version == 6 and network.overlaps(IPV4_MAPPED):
        # Formatting of IPv4-mapped addresses differs between Python versions: no shortcut.
        for start in range(first, last + 1, rows_per_chunk):
            stop = min(last + 1, start + rows_per_chunk)
            yield "".join(f"{cidr},{ipaddress.IPv6Address(n)}\n" for n in range(start, stop))
        return
    if network.version == 4:
        group, names = 256, _DECIMAL
    else:
        group, names = 65536, _hex_names()
    pending: list[str] = []
    pending_rows = 0
    base = first - first % group
    while base <= last:
        low = max(first, base) - base
        high = min(last, base + group - 1) - base
        if network.version == 4:
            head = f"{cidr},{base >> 24}.{(base >> 16) & 255}.{(base >> 8) & 255}."
        else:
            if low == 0:
                pending.append(f"{cidr},{ipaddress.IPv6Address(base)}\n")
                pending_rows += 1
                low = 1
                if pending_rows >= rows_per_chunk:
                    yield "".join(pending)
                    pending.clear()
                    pending_rows = 0
            # With a non-zero last hextet, the '::' run is chosen among the first seven
            # hextets only, so every such address prints as this head + its last hextet.
            head = f"{cidr},{str(ipaddress.IPv6Address(base + 1))[:-1]}"
        while low <= high:
            take = min(high - low + 1, max(1, rows_per_chunk - pending_rows))
            separator = "\n" + head
            pending.append(head + separator.join(names[low : low + take]) + "\n")
            pending_rows += take
            low += take
            if pending_rows >= rows_per_chunk:
                yield "".join(pending)
                pending.clear()
                pending_rows = 0
        base += group
    if pending:
        yield "".join(pending)


def iter_gzip(network: Network, level: int = GZIP_LEVEL) -> Iterator[bytes]:
    """Yield the block's gzip-compressed CSV, piece by piece (never the whole body)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # wbits 31: gzip container
    for text in iter_csv_text(network):
        piece = compressor.compress(text.encode("ascii"))
        if piece:
            yield piece
    yield compressor.flush()


def iter_parts(pieces: Iterable[bytes], part_size: int = PART_SIZE) -> Iterator[bytes]:
    """Join byte pieces into parts of at least `part_size` bytes (the last may be smaller).

    Parts end where a piece ends, so each part costs one join: memory stays near twice the
    part size whatever the body's size.
    """
    if part_size < 1:
        raise ValueError(f"part size must be >= 1 byte, got {part_size}")
    held: list[bytes] = []
    size = 0
    for piece in pieces:
        held.append(piece)
        size += len(piece)
        if size >= part_size:
            yield b"".join(held)
            held.clear()
            size = 0
    if size:
        yield b"".join(held)


# --------------------------------------------------------------------------- S3


@dataclass(frozen=True)
class CidrObject:
    """One block written to S3: what the Lambda reports per CIDR."""

    cidr: str
    bucket: str
    key: str
    addresses: int
    bytes: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields, in the documented response order."""
        return asdict(self)


@dataclass
class _Pending:
    """A block streamed but not yet visible: a small body held, or an open multipart upload."""

    network: Network
    key: str
    seconds: float  # time spent on this block: streaming, then its final request
    body: bytes | None = None
    upload_id: str | None = None
    parts: list[CompletedPartTypeDef] = field(default_factory=list)
    size: int = 0
    finished: bool = False


def expand_event(
    event: object,
    client: S3Client,
    *,
    environ: Mapping[str, str] | None = None,
    time_left: Callable[[], float] | None = None,
) -> list[CidrObject]:
    """Handle a Test-tab event: validate its CIDRs, then write one object per block."""
    return expand_to_s3(cidrs_from_event(event), client, environ=environ, time_left=time_left)


def expand_to_s3(
    cidrs: Sequence[object],
    client: S3Client,
    *,
    bucket: str | None = None,
    prefix: str | None = None,
    max_addresses: int | None = None,
    environ: Mapping[str, str] | None = None,
    part_size: int = PART_SIZE,
    time_left: Callable[[], float] | None = None,
) -> list[CidrObject]:
    """Validate all `cidrs`, then stream each block's gzip CSV into S3; all or nothing.

    Nothing becomes visible until every block has been streamed: small bodies are held and
    put at the end, large ones are multipart uploads completed at the end, and every
    unfinished upload is aborted on error, so a failed call leaves no new, partial or mixed
    object (a previous object stays as it was). `time_left` returns the
    seconds left in the invocation; the call gives up cleanly when fewer than
    `SECONDS_RESERVED` remain.
    """
    settings = load_settings(
        bucket=bucket, prefix=prefix, max_addresses=max_addresses, environ=environ
    )
    if settings.bucket is None:
        raise CidrConfigError(f"no bucket: set {CIDR_BUCKET} (or pass bucket=...)")
    networks = parse_cidrs(cidrs, settings.max_addresses)
    return upload_networks(
        networks, client, settings.bucket, settings.prefix, part_size=part_size, time_left=time_left
    )


def upload_networks(
    networks: Sequence[Network],
    client: S3Client,
    bucket: str,
    prefix: str,
    *,
    part_size: int = PART_SIZE,
    time_left: Callable[[], float] | None = None,
) -> list[CidrObject]:
    """Write already-validated blocks (see `expand_to_s3` for the all-or-nothing rules).

    A body that fits in one part (a /16 is ~180 KB) is held in memory, up to
    `SMALL_BODIES_HELD` bytes for the whole call, and written with one `put_object` at the
    end; larger bodies stream into multipart uploads that are completed at the end.
    """
    pending: list[_Pending] = []
    held = 0
    current = ""
    try:
        for network in networks:
            key = object_key(network, prefix)
            current = f"s3://{bucket}/{key}"
            _check_time(time_left, network)
            started = time.perf_counter()
            entry = _Pending(network, key, 0.0)
            pending.append(entry)
            parts = iter_parts(iter_gzip(network), part_size)
            first = next(parts)
            second = next(parts, None)
            if second is None and held + len(first) <= SMALL_BODIES_HELD:
                entry.body, entry.size = first, len(first)
                entry.seconds = time.perf_counter() - started
                held += len(first)
                continue
            entry.upload_id = client.create_multipart_upload(
                Bucket=bucket, Key=key, ContentType=CONTENT_TYPE, Metadata=_metadata(network)
            )["UploadId"]
            for number, body in enumerate(
                itertools.chain([first], [] if second is None else [second], parts), start=1
            ):
                _check_time(time_left, network)
                answer = client.upload_part(
                    Bucket=bucket, Key=key, UploadId=entry.upload_id, PartNumber=number, Body=body
                )
                entry.parts.append({"ETag": answer["ETag"], "PartNumber": number})
                entry.size += len(body)
            entry.seconds = time.perf_counter() - started
        results: list[CidrObject] = []
        for entry in pending:
            current = f"s3://{bucket}/{entry.key}"
            if not results:  # once objects start to appear, finish rather than stop halfway
                _check_time(time_left, entry.network)
            started = time.perf_counter()
            if entry.body is not None:
                client.put_object(
                    Bucket=bucket,
                    Key=entry.key,
                    Body=entry.body,
                    ContentType=CONTENT_TYPE,
                    Metadata=_metadata(entry.network),
                )
                entry.body = None
            else:
                assert entry.upload_id is not None
                client.complete_multipart_upload(
                    Bucket=bucket,
                    Key=entry.key,
                    UploadId=entry.upload_id,
                    MultipartUpload={"Parts": entry.parts},
                )
            entry.finished = True
            entry.seconds += time.perf_counter() - started
            result = CidrObject(
                cidr=str(entry.network),
                bucket=bucket,
                key=entry.key,
                addresses=entry.network.num_addresses,
                bytes=entry.size,
                seconds=round(entry.seconds, 3),
            )
            logger.info("wrote %s", result.as_dict())
            results.append(result)
        return results
    except BaseException as exc:
        _abort(client, bucket, pending)
        if isinstance(exc, CidrError | CidrWriteError) or not isinstance(exc, Exception):
            raise
        done = [str(entry.network) for entry in pending if entry.finished]
        outcome = (
            f"already replaced before the error: {', '.join(done)}; the rest was not written"
            if done
            else "nothing was written"
        )
        raise CidrWriteError(
            f"writing {current} failed ({type(exc).__name__}: {exc}); {outcome}"
        ) from exc


def _metadata(network: Network) -> dict[str, str]:
    return {"cidr": str(network), "addresses": str(network.num_addresses)}


def _check_time(time_left: Callable[[], float] | None, network: Network) -> None:
    if time_left is not None and time_left() < SECONDS_RESERVED:
        raise CidrWriteError(
            f"stopped at {network} with under {SECONDS_RESERVED:.0f} s of the invocation left; "
            "nothing was written. Send fewer or smaller blocks per event, or raise the timeout"
        )


def _abort(client: S3Client, bucket: str, pending: Sequence[_Pending]) -> None:
    for entry in pending:
        if entry.finished or entry.upload_id is None:
            continue
        try:
            client.abort_multipart_upload(Bucket=bucket, Key=entry.key, UploadId=entry.upload_id)
        except Exception:  # the original error matters more; S3 lifecycle cleans up leftovers
            logger.exception("could not abort the upload of %s", entry.key)


def delete_objects(
    networks: Iterable[Network], client: S3Client, bucket: str, prefix: str
) -> list[str]:
    """Delete the objects of these blocks (missing ones are fine); return the keys."""
    keys = [object_key(network, prefix) for network in networks]
    for key in keys:
        client.delete_object(Bucket=bucket, Key=key)
    return keys


# --------------------------------------------------------------------------- local files


@dataclass(frozen=True)
class CidrFile:
    """One block written as a local file (same name and content as the S3 object)."""

    cidr: str
    path: str
    addresses: int
    bytes: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def expand_to_dir(
    cidrs: Sequence[object],
    out_dir: str | os.PathLike[str],
    *,
    max_addresses: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[CidrFile]:
    """Write each block as `out_dir/<name>.csv.gz`, the layout of the S3 prefix; all or nothing.

    Every file is first written under a temporary name in `out_dir` and renamed only when all
    blocks are written; on error the temporary files are removed and old files stay.
    """
    settings = load_settings(max_addresses=max_addresses, environ=environ)
    networks = parse_cidrs(cidrs, settings.max_addresses)
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path, CidrFile]] = []
    try:
        for network in networks:
            started = time.perf_counter()
            final = directory / cidr_file_name(network)
            handle, temporary = tempfile.mkstemp(prefix=f".{final.name}.", dir=directory)
            staged.append((temporary, final, CidrFile(str(network), str(final), 0, 0, 0.0)))
            size = 0
            with os.fdopen(handle, "wb") as out:
                for piece in iter_gzip(network):
                    out.write(piece)
                    size += len(piece)
            os.chmod(temporary, 0o644)
            staged[-1] = (
                temporary,
                final,
                CidrFile(
                    cidr=str(network),
                    path=str(final),
                    addresses=network.num_addresses,
                    bytes=size,
                    seconds=round(time.perf_counter() - started, 3),
                ),
            )
        for temporary, final, _ in staged:
            os.replace(temporary, final)
    except BaseException:
        for temporary, _, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    return [result for _, _, result in staged]
