"""Run the pack's queries on Amazon Athena (scan estimates before a run: `pack.estimate`).

Settings follow one rule, as in the Lambda: explicit argument, then environment variable, then
the deployed stack's Outputs (`--stack`), then a default.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from vpc_cidr_analysis import settings
from vpc_cidr_analysis.errors import AnalysisError
from vpc_cidr_analysis.schema import DATABASE

PRICE_PER_TB = 5.0
MIN_BILLED_BYTES = 10 * 1000 * 1000
TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")

#: Stack output key -> AthenaSettings field (the template's Outputs).
STACK_OUTPUTS = {
    "DatabaseName": "database",
    "WorkGroupName": "workgroup",
    "Region": "region",
}
#: AthenaSettings field -> the environment variables that set it.
ENVIRONMENT: dict[str, str | tuple[str, ...]] = {
    "database": settings.ATHENA_DATABASE,
    "workgroup": settings.ATHENA_WORKGROUP,
    "output_location": settings.ATHENA_OUTPUT,
    "region": settings.AWS_REGION,
    "profile": settings.AWS_PROFILE,
}


class AthenaQueryError(AnalysisError, RuntimeError):
    """Athena ran the query and it failed or was cancelled; carries Athena's reason."""


@dataclass(frozen=True)
class AthenaSettings:
    """Where and how to run: region, profile, workgroup, database, optional output location."""

    region: str | None = None
    profile: str | None = None
    workgroup: str = "primary"
    database: str = DATABASE
    output_location: str | None = None
    stack: str | None = None


def resolve_settings(
    explicit: Mapping[str, str | None],
    environ: Mapping[str, str] | None = None,
    stack_outputs: Callable[[str, AthenaSettings], Mapping[str, str]] | None = None,
) -> AthenaSettings:
    """Explicit values, then environment, then the stack's Outputs, then defaults."""
    environ = os.environ if environ is None else environ
    values = settings.resolve_all(explicit, ENVIRONMENT, environ=environ)
    values.update({k: v for k, v in explicit.items() if v and k not in ENVIRONMENT})
    chosen = replace(AthenaSettings(), **values)
    if chosen.stack and stack_outputs is not None:
        outputs = stack_outputs(chosen.stack, chosen)
        from_stack = {
            name: outputs[key]
            for key, name in STACK_OUTPUTS.items()
            if key in outputs
            and not explicit.get(name)
            and settings.from_environment(ENVIRONMENT[name], environ) is None
        }
        chosen = replace(chosen, **from_stack)
    return chosen


def read_stack_outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    """A stack's Outputs as key -> value, with a clear error when the stack is missing."""
    try:
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except Exception as exc:  # botocore ClientError: stack does not exist
        raise AthenaQueryError(f"cannot read stack {stack!r}: {exc}") from exc
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


@dataclass
class AthenaResult:
    """Rows of a finished query with what it scanned and cost."""

    query_execution_id: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    bytes_scanned: int
    state: str = "SUCCEEDED"
    types: list[str] = field(default_factory=list)

    @property
    def cost_usd(self) -> float:
        return scan_cost(self.bytes_scanned)


def scan_cost(bytes_scanned: int) -> float:
    """Athena's price for a scan: $5 per TB, rounded up to the megabyte, at least 10 MB."""
    megabytes = -(-bytes_scanned // 1_000_000)
    return max(megabytes * 1_000_000, MIN_BILLED_BYTES) / 1e12 * PRICE_PER_TB


def start_query(athena: Any, sql: str, parameters: Sequence[str], settings: AthenaSettings) -> str:
    """Start a query with bound ExecutionParameters (SQL literals), return its id."""
    request: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": settings.database},
        "WorkGroup": settings.workgroup,
    }
    if parameters:
        request["ExecutionParameters"] = list(parameters)
    if settings.output_location:
        request["ResultConfiguration"] = {"OutputLocation": settings.output_location}
    response = athena.start_query_execution(**request)
    return str(response["QueryExecutionId"])


def wait_for(
    athena: Any,
    query_execution_id: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    first_delay: float = 0.25,
    max_delay: float = 5.0,
) -> dict[str, Any]:
    """Poll with exponential backoff until the query ends; Ctrl-C stops the query."""
    delay = first_delay
    try:
        while True:
            execution: dict[str, Any] = athena.get_query_execution(
                QueryExecutionId=query_execution_id
            )["QueryExecution"]
            state = execution["Status"]["State"]
            if state in TERMINAL:
                return execution
            sleep(delay)
            delay = min(delay * 2, max_delay)
    except KeyboardInterrupt:
        athena.stop_query_execution(QueryExecutionId=query_execution_id)
        raise


def fetch_results(athena: Any, query_execution_id: str) -> tuple[list[str], list[list[str | None]]]:
    """Column types and all rows (header row first) through the paginator."""
    paginator = athena.get_paginator("get_query_results")
    types: list[str] | None = None
    rows: list[list[str | None]] = []
    for page in paginator.paginate(QueryExecutionId=query_execution_id):
        result_set = page["ResultSet"]
        if types is None:
            info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            types = [str(c.get("Type", "varchar")) for c in info]
        rows.extend(
            [cell.get("VarCharValue") for cell in row["Data"]] for row in result_set["Rows"]
        )
    return types or [], rows


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "integer": int,
    "bigint": int,
    "smallint": int,
    "tinyint": int,
    "double": float,
    "float": float,
    "real": float,
    "boolean": lambda v: v == "true",
}


def run_query(
    athena: Any,
    sql: str,
    parameters: Sequence[str],
    settings: AthenaSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> AthenaResult:
    """Run one query to the end and fetch its typed rows, or raise with Athena's reason."""
    query_id = start_query(athena, sql, parameters, settings)
    execution = wait_for(athena, query_id, sleep=sleep)
    status = execution["Status"]
    scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
    if status["State"] != "SUCCEEDED":
        reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get(
            "ErrorMessage", "no reason given"
        )
        raise AthenaQueryError(
            f"Athena query {query_id} {status['State']}: {reason} "
            f"(scanned {scanned:,} bytes, billed ${scan_cost(scanned):.6f})"
        )
    types, rows = fetch_results(athena, query_id)
    columns = [c or "" for c in rows[0]] if rows else []
    types = types or ["varchar"] * len(columns)
    typed = [
        tuple(_convert(value, kind) for value, kind in zip(row, types, strict=False))
        for row in rows[1:]
    ]
    return AthenaResult(query_id, columns, typed, scanned, status["State"], types)


def _convert(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    converter = _CONVERTERS.get(kind)
    return converter(value) if converter else value
