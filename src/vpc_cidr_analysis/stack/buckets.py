"""`Custom::EmptyBuckets`: empty the stack's own buckets when the stack is deleted.

CloudFormation cannot delete a bucket that holds objects; this resource deletes every object
version, delete marker and unfinished upload of the listed buckets first, so deleting the stack
succeeds however much the buckets hold. Ships to Lambda: standard library and boto3 only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from vpc_cidr_analysis.errors import aws_error_code
from vpc_cidr_analysis.stack.custom_resource import Outcome, Request

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

EMPTY_BUCKETS_TYPE = "Custom::EmptyBuckets"

logger = logging.getLogger("vpc_cidr_analysis.stack")


def empty_bucket(s3: S3Client, bucket: str, time_left: Callable[[], float] | None = None) -> int:
    """Delete every object version, delete marker and unfinished upload; the count deleted.

    Stops with an error when less than 15 s of the invocation remain, so the stack's delete
    fails with a reason instead of waiting an hour for a timed-out function.
    """
    deleted = 0
    try:
        while True:  # always the first page: deleting while following markers can skip keys
            page = s3.list_object_versions(Bucket=bucket, MaxKeys=1000)
            batch = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            ]
            if not batch:
                break
            if time_left is not None and time_left() < 15:
                raise TimeoutError(
                    f"bucket {bucket} still holds objects after {deleted} were deleted; "
                    "delete the stack again to go on"
                )
            result = s3.delete_objects(
                Bucket=bucket,
                Delete={"Objects": batch[:1000], "Quiet": True},  # type: ignore[typeddict-item]
            )
            errors = result.get("Errors", [])
            if errors:
                first = errors[0]
                raise RuntimeError(
                    f"could not delete {len(errors)} objects of {bucket}, e.g. "
                    f"{first.get('Key')}: {first.get('Code')} {first.get('Message')}"
                )
            deleted += len(batch[:1000])
        uploads = s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket)
        for upload_page in uploads:
            for upload in upload_page.get("Uploads", []):
                s3.abort_multipart_upload(
                    Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
    except Exception as exc:
        if aws_error_code(exc) == "NoSuchBucket":
            return deleted
        raise
    logger.info("bucket %s emptied: %d objects deleted", bucket, deleted)
    return deleted


def on_empty_buckets(request: Request, s3: S3Client) -> Outcome:
    """`Custom::EmptyBuckets`: nothing on Create/Update; empty `BucketNames` on Delete."""
    physical_id = request.physical_id or f"{request.logical_id}-on-delete"
    if request.request_type != "Delete":
        return Outcome(physical_id, {}, "buckets are emptied when the stack is deleted")
    names = request.properties.get("BucketNames", [])
    if isinstance(names, str):
        names = [n for n in names.split(",") if n]
    deleted = sum(empty_bucket(s3, str(name), request.time_left) for name in names)
    return Outcome(physical_id, {"Deleted": str(deleted)}, f"{deleted} objects deleted")
