"""The end-to-end run in a live account, as small steps over boto3 clients.

`test_live_account.py` chains them (only with `VPC_CIDR_ANALYSIS_E2E=1` and credentials); the
steps that moto can answer are tested offline in tests/integration/e2e/. The run:

1. names a fresh stack and a fresh flow-log bucket (`new_names`), creates the bucket;
2. writes simulated flow logs into it (`upload_sample`): default layout text, then the
   Hive-compatible layout and Parquet under their own prefixes;
3. `sam build` once, `sam deploy` into the fresh stack (`deploy_command`), later stack updates
   to the other layouts;
4. invokes the CIDR Lambda (`invoke_cidr`), runs every pack query in both CIDR forms on Athena
   and on the local engine over the same objects (`compare_pack`);
5. checks partition pruning: a 1-day window scans a small fraction of a 7-day one
   (`check_pruning`);
6. invokes the usage report function once (`invoke_function`);
7. always, also when a step fails: deletes the stack and the buckets (`teardown`), and checks
   that nothing is left (`leftovers`).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from vpc_cidr_analysis.cidr import CidrError, expandable, parse_block
from vpc_cidr_analysis.pack.athena import AthenaSettings, run_query
from vpc_cidr_analysis.pack.forms import has_membership_test
from vpc_cidr_analysis.pack.queries import Query, load_queries
from vpc_cidr_analysis.pack.runner import CidrForm, QueryOutput, cidrs_of, run_athena, run_local
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample

#: Tag on everything the run creates, so a leftover is easy to find (and to delete by hand).
TAG = "vpc-cidr-analysis-e2e"
#: A 1-day window may scan at most this fraction of the 7-day window's bytes.
PRUNING_FRACTION = 0.35
SAMPLE_DAYS = 7

PLAN = (
    "create a fresh S3 bucket for flow logs, tagged " + TAG,
    "write simulated flow logs into it: default layout text, Hive layout text, Hive Parquet",
    "sam build, then sam deploy into a fresh stack (default layout, usage report scheduled)",
    "invoke the CIDR Lambda for the simulated VPC's CIDR blocks",
    "run every pack query in both CIDR forms on Athena and compare with the local engine",
    "check partition pruning: DataScannedInBytes of a 1-day window vs a 7-day one",
    "update the stack to the Hive layout, then to Parquet; compare and check pruning again",
    "invoke the usage report function once",
    "delete the stack and the flow-log bucket, and check that nothing is left",
)


class E2EError(AssertionError):
    """A live-account check failed (the message names the step and the values)."""


# --------------------------------------------------------------------------- preconditions


def enabled(environ: Mapping[str, str] | None = None) -> bool:
    """True when the maintainer asked for the live run (`VPC_CIDR_ANALYSIS_E2E=1`)."""
    return (os.environ if environ is None else environ).get("VPC_CIDR_ANALYSIS_E2E") == "1"


def has_credentials(session: Any) -> bool:
    """True when boto3 finds credentials (environment, profile, SSO, instance role)."""
    return session.get_credentials() is not None


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class Names:
    """What one run creates, all with a fresh suffix."""

    stack: str
    logs_bucket: str


def new_names(account: str, region: str, now: datetime, suffix: str | None = None) -> Names:
    """A stack and a bucket name no earlier run used (time and random suffix)."""
    tail = suffix or secrets.token_hex(3)
    stamp = f"{now:%Y%m%d%H%M}"
    bucket = f"vca-e2e-{account}-{region}-{stamp}-{tail}"
    if len(bucket) > 63:
        raise E2EError(f"bucket name {bucket!r} is longer than 63 characters")
    return Names(stack=f"vca-e2e-{stamp}-{tail}", logs_bucket=bucket)


# --------------------------------------------------------------------------- flow logs


def create_logs_bucket(s3: Any, bucket: str, region: str) -> None:
    """A private bucket for the simulated flow logs, tagged for clean-up."""
    options: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        options["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**options)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": TAG, "Value": "true"}]})


@dataclass(frozen=True)
class Dataset:
    """One simulated flow log: how it is written and where."""

    name: str
    layout: str
    file_format: str
    prefix: str

    def config(self, account: str, region: str, end: date) -> SampleConfig:
        return SampleConfig(
            records=3000,
            days=SAMPLE_DAYS,
            end_date=end,
            layout=self.layout,  # type: ignore[arg-type]
            file_format=self.file_format,  # type: ignore[arg-type]
            prefix=self.prefix,
            account=account,
            region=region,
        )

    def parameters(self, bucket: str) -> dict[str, str]:
        """The stack parameters that read this dataset."""
        return {
            "FlowLogsLocation": f"s3://{bucket}/{self.prefix}",
            "S3Layout": self.layout,
            "FileFormat": self.file_format,
        }


DATASETS = (
    Dataset("default-text", "default", "text", "default-text/"),
    Dataset("hive-text", "hive", "text", "hive-text/"),
    Dataset("hive-parquet", "hive", "parquet", "hive-parquet/"),
)


def upload_sample(s3: Any, bucket: str, config: SampleConfig, out: Path) -> list[str]:
    """Simulate flow logs into `out` and upload each object under its AWS key; the keys."""
    write_sample(config, out)
    root = out / config.prefix / "AWSLogs" if config.prefix else out / "AWSLogs"
    keys = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(out).as_posix()
        s3.upload_file(str(path), bucket, key)
        keys.append(key)
    if not keys:
        raise E2EError(f"the simulator wrote no objects under {root}")
    return keys


# --------------------------------------------------------------------------- the stack


def build_command(template: Path) -> list[str]:
    return ["sam", "build", "--template-file", str(template)]


def deploy_command(stack: str, parameters: Mapping[str, str], region: str) -> list[str]:
    """`sam deploy` of the built template into `stack`, without prompts."""
    overrides = [f"{k}={v}" for k, v in sorted(parameters.items())]
    return [
        "sam",
        "deploy",
        "--stack-name",
        stack,
        "--region",
        region,
        "--resolve-s3",
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        "--tags",
        f"{TAG}=true",
        "--parameter-overrides",
        *overrides,
    ]


def run_command(command: Sequence[str], cwd: Path) -> None:
    """Run a command, raising with its output when it fails."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise E2EError(f"{' '.join(command[:2])} failed ({done.returncode}): {done.stderr[-2000:]}")


def stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def settings_from(outputs: Mapping[str, str]) -> AthenaSettings:
    return AthenaSettings(database=outputs["DatabaseName"], workgroup=outputs["WorkGroupName"])


# --------------------------------------------------------------------------- Lambda


def invoke_function(lambda_client: Any, function: str, payload: Mapping[str, Any]) -> Any:
    """Invoke synchronously; the decoded answer, or an error naming the function."""
    answer = lambda_client.invoke(
        FunctionName=function,
        InvocationType="RequestResponse",
        Payload=json.dumps(payload).encode(),
    )
    body = answer["Payload"].read()
    result = json.loads(body) if body else None
    if answer.get("FunctionError"):
        raise E2EError(f"{function} failed: {str(result)[:1000]}")
    return result


def invoke_cidr(lambda_client: Any, function: str, cidrs: Sequence[str]) -> list[dict[str, Any]]:
    """Expand CIDR blocks with the stack's CIDR Lambda; one result per block."""
    result = invoke_function(lambda_client, function, {"cidrs": list(cidrs)})
    written = list(result.get("cidrs", [])) if isinstance(result, dict) else []
    if len(written) != len(cidrs):
        raise E2EError(f"CIDR function answered {result!r} for {list(cidrs)}")
    return written


# --------------------------------------------------------------------------- queries


def required_values(query: Query) -> dict[str, str]:
    """Values for the query's required parameters: the CIDR blocks of their documented example
    (the simulated network's) that the CIDR Lambda can expand, so both CIDR forms agree."""
    values: dict[str, str] = {}
    for param in query.params:
        if not param.required:
            continue
        blocks = []
        for block in param.example.split(","):
            try:
                expandable(parse_block(block))
            except CidrError:
                continue
            blocks.append(block)
        values[param.name] = ",".join(blocks)
    return values


def window_values(query: Query, end: date, days: int = SAMPLE_DAYS) -> dict[str, str]:
    """The query's window over the sample's days (start_day/end_day when it has them), and its
    required parameters (the CIDR blocks) as their documented examples: the simulated network's."""
    names = {p.name for p in query.params}
    values = required_values(query)
    if "start_day" in names:
        values["start_day"] = f"{end - timedelta(days=days - 1):%Y/%m/%d}"
    if "end_day" in names:
        values["end_day"] = f"{end:%Y/%m/%d}"
    return values


def cidr_blocks(queries: Mapping[str, Query] | None = None) -> list[str]:
    """Every CIDR block the pack's queries name with their defaults or examples (for cidrtable)."""
    blocks: list[str] = []
    for query in (queries or load_queries()).values():
        blocks.extend(b for b in cidrs_of(query, required_values(query)) if b not in blocks)
    return blocks


def forms_of(query: Query) -> list[CidrForm]:
    return ["contains", "cidrtable"] if has_membership_test(query.sql, query.path) else ["contains"]


def _cell(value: Any) -> str | None:
    """One value as both engines can agree on it: text, numbers without type noise, times in
    UTC without a zone suffix or trailing zero milliseconds."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, float | Decimal):
        return f"{float(value):.6g}"
    text = str(value).removesuffix(" UTC")
    return text.removesuffix(".000")


def normalised(output: QueryOutput) -> list[tuple[str | None, ...]]:
    return sorted((tuple(_cell(v) for v in row) for row in output.rows), key=repr)


def compare(name: str, athena: QueryOutput, local: QueryOutput) -> None:
    """Athena's rows equal the local engine's (as a multiset), or an error naming the first
    differences."""
    if [c.lower() for c in athena.columns] != [c.lower() for c in local.columns]:
        raise E2EError(f"{name}: columns {athena.columns} on Athena, {local.columns} locally")
    got, want = normalised(athena), normalised(local)
    if got != want:
        extra = [r for r in got if r not in want][:3]
        missing = [r for r in want if r not in got][:3]
        raise E2EError(
            f"{name}: {len(got)} rows on Athena, {len(want)} locally; only on Athena {extra}, "
            f"only locally {missing}"
        )


@dataclass
class PackRun:
    """What comparing the pack scanned and which (query, form) pairs it ran."""

    ran: list[tuple[str, str]] = field(default_factory=list)
    bytes_scanned: int = 0


def compare_pack(
    athena: Any,
    settings: AthenaSettings,
    logs: str,
    end: date,
    *,
    queries: Mapping[str, Query] | None = None,
) -> PackRun:
    """Every pack query in each CIDR form, on Athena and on the local engine over `logs`."""
    done = PackRun()
    for name, query in sorted((queries or load_queries()).items()):
        values = window_values(query, end)
        for form in forms_of(query):
            remote = run_athena(query, values, athena, settings, form=form)
            local = run_local(query, values, logs, form=form, today=end)
            compare(f"{name} ({form})", remote, local)
            done.ran.append((name, form))
            done.bytes_scanned += remote.bytes_scanned or 0
    return done


def window_scan_sql(database: str, end: date, days: int) -> str:
    """A query whose scan is the window's objects: through `vpcflowlogstable` (the view in the
    Hive layout), with the pack's sargable predicate on `day`."""
    first = end - timedelta(days=days - 1)
    return (
        f"SELECT count(*) AS records, sum(bytes) AS bytes FROM {database}.vpcflowlogstable "
        f"WHERE day BETWEEN '{first:%Y/%m/%d}' AND '{end:%Y/%m/%d}'"
    )


def scanned(athena: Any, settings: AthenaSettings, sql: str) -> int:
    return run_query(athena, sql, [], settings).bytes_scanned


def check_pruning(one_day: int, seven_days: int, fraction: float = PRUNING_FRACTION) -> float:
    """The 1-day window's scan as a fraction of the 7-day one; an error unless it is small."""
    if seven_days <= 0:
        raise E2EError(f"the 7-day window scanned {seven_days} bytes: no flow logs were read")
    ratio = one_day / seven_days
    if ratio > fraction:
        raise E2EError(
            f"partition pruning: a 1-day window scanned {one_day:,} bytes, "
            f"{ratio:.0%} of the 7-day window's {seven_days:,} (expected at most {fraction:.0%})"
        )
    return ratio


# --------------------------------------------------------------------------- clean-up


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every object version and delete marker; how many were deleted."""
    deleted = 0
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        items = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(items), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": items[start : start + 1000]})
            deleted += len(items[start : start + 1000])
    return deleted


def _missing(exc: Exception, *codes: str) -> bool:
    response = getattr(exc, "response", {}) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    message = str(response.get("Error", {}).get("Message", ""))
    return code in codes or "does not exist" in message


def teardown(
    cloudformation: Any,
    s3: Any,
    names: Names,
    *,
    wait: Callable[[str], None] | None = None,
) -> list[str]:
    """Delete the stack (its own buckets are emptied by its EmptyBucketsOnDelete) and the
    flow-log bucket; never stops at the first failure. Returns what could not be deleted."""
    problems: list[str] = []
    try:
        cloudformation.delete_stack(StackName=names.stack)
        (wait or (lambda stack: _wait_deleted(cloudformation, stack)))(names.stack)
    except Exception as exc:
        if not _missing(exc, "ValidationError"):
            problems.append(f"stack {names.stack}: {exc}")
    try:
        empty_bucket(s3, names.logs_bucket)
        s3.delete_bucket(Bucket=names.logs_bucket)
    except Exception as exc:
        if not _missing(exc, "NoSuchBucket", "404"):
            problems.append(f"bucket {names.logs_bucket}: {exc}")
    return problems


def _wait_deleted(cloudformation: Any, stack: str) -> None:
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=stack, WaiterConfig={"Delay": 15, "MaxAttempts": 120}
    )


def leftovers(cloudformation: Any, s3: Any, names: Names) -> list[str]:
    """What of the run still exists: the stack (unless deleted) and the flow-log bucket."""
    found = []
    try:
        status = cloudformation.describe_stacks(StackName=names.stack)["Stacks"][0]["StackStatus"]
        if status != "DELETE_COMPLETE":
            found.append(f"stack {names.stack} ({status})")
    except Exception as exc:
        if not _missing(exc, "ValidationError"):
            raise
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if names.logs_bucket in buckets:
        found.append(f"bucket {names.logs_bucket}")
    return found


@contextmanager
def cleaned_up(
    cloudformation: Any,
    s3: Any,
    names: Names,
    *,
    wait: Callable[[str], None] | None = None,
) -> Iterator[Names]:
    """Run the body, then tear everything down whatever happened; a failed clean-up is an
    error of its own (with the body's error, if any, as its context)."""
    try:
        yield names
    finally:
        problems = teardown(cloudformation, s3, names, wait=wait)
        problems += leftovers(cloudformation, s3, names)
        if problems:
            raise E2EError("clean-up left: " + "; ".join(problems))


def retry(action: Callable[[], Any], attempts: int = 5, delay: float = 2.0) -> Any:
    """Run an action again after a pause while it fails (eventual consistency of new IAM
    roles, Lake Formation, S3)."""
    for attempt in range(attempts):
        try:
            return action()
        except Exception:
            if attempt == attempts - 1:
                raise
            time.sleep(delay * 2**attempt)
    raise AssertionError("unreachable")
