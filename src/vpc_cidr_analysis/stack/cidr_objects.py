"""`Custom::CidrObjects`: expand a stack's initial CIDR blocks at deploy time.

Resource properties: `Cidrs` (list of CIDR strings, or one comma-separated string; may be
empty), optional `Bucket` and `Prefix` overriding the function's CIDR_BUCKET / CIDR_PREFIX.

- Create writes one object per block (all or nothing, as the Test-tab event does).
- Update writes the new list, then deletes the objects of blocks dropped from the list.
- Delete removes the objects of the listed blocks; it never fails on bad properties.

The physical id is `cidrs:s3://{bucket}/{prefix}`, so changing only the list keeps the
resource, and moving it elsewhere makes CloudFormation delete the old one. The CIDR function
answers these requests through `stack.custom_resource`, like every custom resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from vpc_cidr_analysis.cidr import CidrError, Network
from vpc_cidr_analysis.cidrtable.expand import (
    delete_objects,
    expand_to_s3,
    load_settings,
    parse_cidr,
)
from vpc_cidr_analysis.errors import aws_error_code
from vpc_cidr_analysis.stack.custom_resource import Outcome, Request

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CIDR_OBJECTS_TYPE = "Custom::CidrObjects"


def physical_id(bucket: str, prefix: str) -> str:
    """Physical resource id naming where the resource keeps its objects."""
    return f"cidrs:s3://{bucket}/{prefix}"


def on_cidr_objects(
    request: Request, s3: S3Client, *, environ: Mapping[str, str] | None = None
) -> Outcome:
    """Carry out one Create/Update/Delete of `Custom::CidrObjects`."""
    props = request.properties
    if request.request_type == "Delete":
        return _delete(props, request.physical_id, s3, environ)
    settings = load_settings(
        bucket=props.get("Bucket"), prefix=props.get("Prefix"), environ=environ
    )
    if settings.bucket is None:
        raise CidrError("no bucket: set the function's CIDR_BUCKET or the Bucket property")
    new_id = physical_id(settings.bucket, settings.prefix)
    cidrs = _cidr_list(props.get("Cidrs"))
    written = (
        expand_to_s3(
            cidrs,
            s3,
            bucket=settings.bucket,
            prefix=settings.prefix,
            max_addresses=settings.max_addresses,
            time_left=request.time_left,
        )
        if cidrs
        else []
    )
    removed: list[str] = []
    if request.request_type == "Update" and new_id == request.physical_id:
        kept = {result.cidr for result in written}
        old = _cidr_list(request.old_properties.get("Cidrs"))
        dropped = [n for n in _valid(old) if str(n) not in kept]
        removed = delete_objects(dropped, s3, settings.bucket, settings.prefix)
    data = {
        "Bucket": settings.bucket,
        "Prefix": settings.prefix,
        "Objects": len(written),
        "Addresses": sum(result.addresses for result in written),
        "Removed": len(removed),
    }
    return Outcome(new_id, data, f"wrote {len(written)} CIDR object(s), removed {len(removed)}")


def _delete(
    props: Mapping[str, Any], old_id: str, s3: S3Client, environ: Mapping[str, str] | None
) -> Outcome:
    """Remove this resource's objects; never fails on properties it was not created from."""
    settings = load_settings(
        bucket=props.get("Bucket"), prefix=props.get("Prefix"), environ=environ
    )
    if settings.bucket is None or physical_id(settings.bucket, settings.prefix) != old_id:
        return Outcome(old_id, {}, f"left {old_id} alone: it is not where this function writes")
    try:
        listed = _cidr_list(props.get("Cidrs"))
    except CidrError:  # never created from such properties: nothing of ours to remove
        listed = []
    try:
        keys = delete_objects(_valid(listed), s3, settings.bucket, settings.prefix)
    except Exception as exc:  # a deleted bucket holds nothing to remove
        if aws_error_code(exc) != "NoSuchBucket":
            raise
        keys = []
    return Outcome(old_id, {"Removed": len(keys)}, f"removed {len(keys)} CIDR object(s)")


def _cidr_list(value: object) -> list[object]:
    """`Cidrs` as CloudFormation sends it: a list, or a comma-separated string; blanks dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.split(",") if part]
    if isinstance(value, list):
        return [part for part in value if part != ""]
    raise CidrError(f"Cidrs must be a list of CIDR strings, got {type(value).__name__}")


def _valid(values: list[object]) -> list[Network]:
    """The values that are valid blocks (used on cleanup, where bad ones were never written)."""
    networks: list[Network] = []
    for value in values:
        try:
            networks.append(parse_cidr(value, max_addresses=2**128))
        except CidrError:
            continue
    return networks
