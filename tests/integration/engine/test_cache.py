"""The local engine's cache (`--cache DIR`, engine.cache): typed Parquet copies of text files
give the same answer as the text, for every query of the pack in several layouts and formats;
a changed file is read again; files with lines that do not match their header are never
copied; S3 objects are downloaded once across runs; nothing half-written is left behind."""

from __future__ import annotations

import errno
import gzip
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aws_examples
import pytest
from click.testing import CliRunner

from vpc_cidr_analysis import schema
from vpc_cidr_analysis.cli import cli
from vpc_cidr_analysis.engine import cache as cache_module
from vpc_cidr_analysis.engine.cache import CacheError, FlowLogCache
from vpc_cidr_analysis.engine.local import LocalEngine
from vpc_cidr_analysis.engine.sources import FlowLogObject, SourceError
from vpc_cidr_analysis.layout import KeyPartitions
from vpc_cidr_analysis.pack.queries import Query, load_queries
from vpc_cidr_analysis.pack.runner import local_engine, run_on
from vpc_cidr_analysis.simulate.simulator import SampleConfig, write_sample
from vpc_cidr_analysis.simulate.topology import hub_topology

END = date(2026, 11, 27)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
QUERIES = load_queries()
ACCOUNT = "123456789012"
V2 = " ".join(schema.V2_FIELDS)
CUSTOM_FIELDS = (
    "log-status action bytes packets end start protocol dstport srcport dstaddr srcaddr "
    "interface-id tcp-flags flow-direction version"
)


def _config(seed: int, **options: Any) -> SampleConfig:
    return SampleConfig(records=1500, days=12, end_date=END, seed=seed, now=NOW, **options)


#: Text logs (Parquet logs are not copied): every field, hourly, Hive; a custom field order
#: (entries keep the header's order); VPC and Transit Gateway logs under one prefix.
DATASETS = {
    "hive-hourly-text-v8": (
        _config(32, layout="hive", hourly=True, fields=schema.ALL_FIELDS),
        False,
    ),
    "default-daily-text-custom": (_config(33, fields=CUSTOM_FIELDS), False),
    "hub-daily-text-with-tgw": (_config(35), True),
}
#: Queries run once more on a warm cache (a new engine: entries found, none written), and
#: the only ones run over the custom field order.
SOME = ("eni_usage", "external", "rejected", "sg_connections", "tgw_route_usage")


@pytest.fixture(scope="module", params=sorted(DATASETS))
def dataset(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Sequence[str]]:
    config, hub = DATASETS[request.param]
    path = tmp_path_factory.mktemp(request.param)
    write_sample(config, path, hub_topology() if hub else None)
    return path, SOME if config.fields == CUSTOM_FIELDS else tuple(QUERIES)


def _values(query: Query) -> dict[str, str]:
    """Each parameter's example from the file's header; a window of the data's last 10 days."""
    values = {p.name: p.example.strip("'") for p in query.params}
    for name in ("start_day", "end_day"):
        if name in values:
            values[name] = ""
    if "days" in values:
        values["days"] = "10"
    return values


#: Rows of the `networks` table: named networks of the simulated VPCs and an AWS range.
NETWORKS = [
    ("vpc-a", "10.0.0.0/16"),
    ("vpc-b", "10.1.0.0/16"),
    ("hub-a", "10.10.0.0/16"),
    ("hub-b", "10.20.0.0/16"),
    ("aws:S3:us-east-1", "52.216.0.0/15"),
]


Answers = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def _answers(
    path: Path, cache: Path | None, names: Sequence[str] = tuple(QUERIES)
) -> tuple[Answers, set[str]]:
    """Queries of the pack over `path` on one engine: columns and rows; and the text files
    the queries read."""
    answers = {}
    read: set[str] = set()
    with local_engine(str(path), today=END, cache_dir=cache, networks=NETWORKS) as engine:
        for name in sorted(names):
            query = QUERIES[name]
            out = run_on(engine, query, _values(query))
            answers[name] = (out.columns, out.rows)
            read.update(f for f in engine.last_files if f.endswith(".log.gz"))
    return answers, read


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.parquet"))


def _has_entry(cache: Path, key: str) -> bool:
    return any(cache.rglob(f"{key}-*.parquet"))


def test_every_query_gives_the_same_answer_cold_and_warm(
    dataset: tuple[Path, Sequence[str]], tmp_path: Path
) -> None:
    """Text as the only reader, then a cold cache (the first query writes the entries the
    others find), then a warm one."""
    path, names = dataset
    plain, read = _answers(path, None, names)
    assert sum(len(rows) for _, rows in plain.values()) > 100, "the data must answer queries"
    cache = tmp_path / "cache"
    cold, _ = _answers(path, cache, names)
    entries = _entries(cache)
    written = {p: p.stat().st_mtime_ns for p in entries}
    warm, _ = _answers(path, cache, SOME)
    assert cold == plain
    assert warm == {name: plain[name] for name in SOME}
    assert len(entries) == len(read)  # one per text file read (none for Parquet logs)
    assert {p: p.stat().st_mtime_ns for p in _entries(cache)} == written  # warm: read only


def test_a_warm_run_reads_no_text_file(tmp_path: Path) -> None:
    path = tmp_path / "logs"
    write_sample(_config(36), path)
    cache = tmp_path / "cache"
    query = QUERIES["external"]
    values = query.bind(_values(query), query.sql)
    with LocalEngine(str(path), today=END, cache_dir=cache) as engine:
        first = engine.execute(query.sql, values).rows
    with LocalEngine(str(path), today=END, cache_dir=cache) as engine:
        again = engine.execute(query.sql, values).rows
        read = [f for group in engine._groups for f in group]
        assert read and all(f.file_format == "parquet" for f in read)
        assert all(f.path.is_relative_to(cache) for f in read)
        assert all(f.display.endswith(".log.gz") for f in read)  # named as the logs are
    assert first == again and first


def _day_folder(root: Path, day: date) -> Path:
    return root / "AWSLogs" / ACCOUNT / "vpcflowlogs" / "us-east-1" / f"{day:%Y/%m/%d}"


def _write_log(folder: Path, name: str, *lines: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ACCOUNT}_vpcflowlogs_us-east-1_fl-1_{name}.log.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join([V2, *lines]) + "\n")
    return path


def _record(src: str, nbytes: int, *, port: str = "443") -> str:
    times = "1795740000 1795740060"
    return f"2 {ACCOUNT} eni-0a1 {src} 10.0.0.2 {port} 50000 6 1 {nbytes} {times} ACCEPT OK"


SUM = "SELECT count(*), sum(bytes), count(srcport), min(srcaddr) FROM vpcflowlogstable"


def test_text_semantics_are_kept(tmp_path: Path) -> None:
    """`-` kept in string columns, values that do not parse NULL, absent fields NULL."""
    folder = _day_folder(tmp_path / "logs", END)
    _write_log(folder, "a", _record("10.0.0.1", 5, port="-"), _record("-", 7, port="http"))
    cache = tmp_path / "cache"
    sql = "SELECT srcaddr, srcport, bytes, vpc_id, day FROM vpcflowlogstable ORDER BY bytes"
    results = []
    for cache_dir in (None, cache, cache):
        with LocalEngine(str(tmp_path / "logs"), cache_dir=cache_dir) as engine:
            results.append(engine.execute(sql).rows)
    expected = [("10.0.0.1", None, 5, None, "2026/11/27"), ("-", None, 7, None, "2026/11/27")]
    assert results == [expected] * 3
    assert len(_entries(cache)) == 1


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    path = _write_log(_day_folder(logs, END), "a", _record("10.0.0.1", 5))
    cache = tmp_path / "cache"
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        assert engine.execute(SUM).rows == [(1, 5, 1, "10.0.0.1")]
    _write_log(_day_folder(logs, END), "a", _record("10.0.0.1", 5), _record("10.0.0.3", 9))
    os.utime(path, ns=(1, 1))  # even with an older modification time: the size differs
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        assert engine.execute(SUM).rows == [(2, 14, 2, "10.0.0.1")]
    assert len(_entries(cache)) == 2  # the old entry is never read again


def test_files_with_lines_that_do_not_match_their_header_are_not_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read as text every time (with the note), and copied only once: a marker says why."""
    logs = tmp_path / "logs"
    good = _write_log(_day_folder(logs, END), "good", _record("10.0.0.1", 5))
    short = _write_log(_day_folder(logs, END), "short", _record("10.0.0.3", 9), "2 only three")
    cache = tmp_path / "cache"
    copied: list[list[str]] = []
    fill_batch = FlowLogCache._fill_batch

    def spy(self: FlowLogCache, con: Any, batch: Any, work: Path) -> Any:
        copied.append(sorted(Path(read.display).name for _, _, read in batch))
        return fill_batch(self, con, batch, work)

    monkeypatch.setattr(FlowLogCache, "_fill_batch", spy)
    for _ in range(3):
        with LocalEngine(str(logs), cache_dir=cache) as engine:
            assert engine.execute(SUM).rows == [(3, 14, 2, "10.0.0.1")]
            assert [(r.display, r.line) for r in engine.last_ragged] == [(str(short), 3)]
    copied_names = sorted(name for batch in copied for name in batch)
    assert copied_names == sorted([good.name, short.name])  # the later runs copy nothing
    assert len(_entries(cache)) == 1
    keyed = FlowLogCache(cache)
    objects = {o.location: o for o in _objects(logs)}
    good_key, short_key = keyed.key(objects[str(good)]), keyed.key(objects[str(short)])
    assert good_key and short_key
    assert _has_entry(cache, good_key) and not _has_entry(cache, short_key)
    with (
        LocalEngine(str(logs), cache_dir=cache, strict=True) as engine,
        pytest.raises(SourceError, match=r"short\.log\.gz line 3: expected 14 fields"),
    ):
        engine.execute(SUM)


def test_a_header_only_file_gets_an_empty_entry(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    _write_log(_day_folder(logs, END), "empty")
    _write_log(_day_folder(logs, END), "one", _record("10.0.0.1", 5))
    cache = tmp_path / "cache"
    for _ in range(2):
        with LocalEngine(str(logs), cache_dir=cache) as engine:
            assert engine.execute(SUM).rows == [(1, 5, 1, "10.0.0.1")]
    assert len(_entries(cache)) == 2


def _objects(logs: Path) -> list[FlowLogObject]:
    from vpc_cidr_analysis.engine.sources import discover

    return discover(str(logs))


def test_a_failed_write_is_one_clear_error_and_leaves_no_partial_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up half way through: one line naming the cache; the entries already
    complete are whole, nothing else is left; the next run answers as without the cache."""
    logs = tmp_path / "logs"
    for n in range(4):
        _write_log(_day_folder(logs, END), f"f{n}", _record(f"10.0.0.{n + 1}", n + 1))
    cache = tmp_path / "cache"
    real_replace = os.replace
    calls = []

    def replace(source: Any, target: Any) -> None:
        if str(target).endswith(".parquet") and ".fill-" not in str(target):
            calls.append(target)  # an entry moved into place
            if len(calls) == 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(source, target)

    monkeypatch.setattr(cache_module.os, "replace", replace)
    with (
        LocalEngine(str(logs), cache_dir=cache, threads=1) as engine,
        pytest.raises(CacheError) as info,
    ):
        engine.execute(SUM)
    message = str(info.value)
    assert "cannot write an entry (No space left on device)" in message and "\n" not in message
    monkeypatch.setattr(cache_module.os, "replace", real_replace)
    leftovers = [p for p in cache.rglob("*") if p.name.startswith((".fill-", ".probe-"))]
    assert leftovers == []
    assert len(_entries(cache)) == 1  # the first file's entry was complete
    for cache_dir in (cache, None):
        with LocalEngine(str(logs), cache_dir=cache_dir) as engine:
            assert engine.execute(SUM).rows == [(4, 10, 4, "10.0.0.1")]
    assert len(_entries(cache)) == 4


def test_a_broken_entry_is_made_again(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    _write_log(_day_folder(logs, END), "a", _record("10.0.0.1", 5))
    cache = tmp_path / "cache"
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        engine.execute(SUM)
    (entry,) = _entries(cache)
    entry.write_bytes(entry.read_bytes()[:40])  # cut short, as by a full disk
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        assert engine.execute(SUM).rows == [(1, 5, 1, "10.0.0.1")]
    assert _entries(cache) == [entry] and entry.stat().st_size > 40


def test_a_cache_that_is_not_a_folder_is_one_clear_error(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    _write_log(_day_folder(logs, END), "a", _record("10.0.0.1", 5))
    taken = tmp_path / "a-file"
    taken.write_text("not a folder")
    with pytest.raises(CacheError, match=r"--cache .*a-file: cannot use it as the cache folder"):
        LocalEngine(str(logs), cache_dir=taken)
    result = CliRunner().invoke(
        cli,
        ["sql", "--logs", str(logs), "SELECT count(*) FROM vpcflowlogstable"],
        env={"VPC_CIDR_ANALYSIS_CACHE": str(taken)},
    )
    assert result.exit_code != 0
    assert "cannot use it as the cache folder" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_cache_option_and_environment(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    _write_log(_day_folder(logs, END), "a", _record("10.0.0.1", 5))
    query = [
        "sql",
        "--logs",
        str(logs),
        "--format",
        "csv",
        "SELECT sum(bytes) AS b FROM vpcflowlogstable",
    ]
    runner = CliRunner()
    by_option = runner.invoke(cli, [*query, "--cache", str(tmp_path / "c1")])
    by_env = runner.invoke(cli, query, env={"VPC_CIDR_ANALYSIS_CACHE": str(tmp_path / "c2")})
    without = runner.invoke(cli, query)
    assert by_option.output == by_env.output == without.output == "b\n5\n"
    assert len(_entries(tmp_path / "c1")) == len(_entries(tmp_path / "c2")) == 1


def test_keys_change_with_the_file_and_cover_only_text(tmp_path: Path) -> None:
    keyed = FlowLogCache(tmp_path)
    parts = KeyPartitions(ACCOUNT, "us-east-1", "2026/11/27", None, "text")
    s3 = FlowLogObject("s3://b/AWSLogs/x.log.gz", parts, 10, '"etag-1"')
    assert keyed.key(s3) != keyed.key(FlowLogObject(s3.location, parts, 10, '"etag-2"'))
    assert keyed.key(s3) != keyed.key(FlowLogObject(s3.location, parts, 11, '"etag-1"'))
    assert keyed.key(FlowLogObject(s3.location, parts, 10, None)) is None
    parquet = KeyPartitions(ACCOUNT, "us-east-1", "2026/11/27", None, "parquet")
    assert keyed.key(FlowLogObject("s3://b/AWSLogs/x.log.parquet", parquet, 10, '"e"')) is None
    local = tmp_path / "x.log.gz"
    local.write_bytes(b"one")
    first = keyed.key(FlowLogObject(str(local), parts))
    os.utime(local, ns=(5, 5))
    assert first != keyed.key(FlowLogObject(str(local), parts)) is not None
    assert keyed.key(FlowLogObject(str(tmp_path / "gone.log.gz"), parts)) is None


def test_fill_batches_are_even_and_bounded() -> None:
    assert [len(b) for b in cache_module._batches(list(range(10)), 2)] == [5, 5]
    assert [len(b) for b in cache_module._batches(list(range(1)), 2)] == [1]
    sizes = [len(b) for b in cache_module._batches(list(range(200)), 2)]
    assert sum(sizes) == 200 and max(sizes) <= cache_module.FILL_BATCH and len(sizes) == 4


def test_s3_objects_are_downloaded_once_across_runs(s3: Any, tmp_path: Path) -> None:
    local = tmp_path / "logs"
    write_sample(_config(37), local)
    for path in local.rglob("*.log.gz"):
        s3.upload_file(str(path), "flow-logs", path.relative_to(local).as_posix())
    cache = tmp_path / "cache"
    query = QUERIES["external"]
    values = query.bind(_values(query), query.sql)
    runs = []
    for cache_dir in (None, cache, cache):
        with LocalEngine("s3://flow-logs/", today=END, s3_client=s3, cache_dir=cache_dir) as e:
            runs.append((e.execute(query.sql, values).rows, e.downloads))
    files = len(list(local.rglob("*.log.gz")))
    (plain, d0), (cold, d1), (warm, d2) = runs
    assert plain == cold == warm and plain
    assert 0 < d0 == d1 <= files and d2 == 0


def test_every_command_that_reads_logs_takes_the_cache(tmp_path: Path) -> None:
    """`query run`, `usage` and `report` give the same output with `--cache` as without, and
    fill it."""
    logs = tmp_path / "logs"
    write_sample(_config(38), logs)
    networks = tmp_path / "networks.yaml"
    networks.write_text("vpc-a: [10.0.0.0/16]\nvpc-b: [10.1.0.0/16]\n")
    common = ["--logs", str(logs), "--today", END.isoformat()]
    commands = {
        "query": ["query", "run", "external", "-p", "vpc_cidrs=10.0.0.0/16", "--format", "csv"],
        "usage": ["usage", "rules", "--inventory", str(logs), "--format", "csv"],
        "report": ["report", "--networks", str(networks), "--json", "{out}"],
    }
    runner = CliRunner()
    for name, args in commands.items():
        outputs = []
        for cache in (None, tmp_path / f"cache-{name}", tmp_path / f"cache-{name}"):
            out = tmp_path / f"{name}-{len(outputs)}.json"
            extra = [] if cache is None else ["--cache", str(cache)]
            argv = [a.replace("{out}", str(out)) for a in args] + common + extra
            result = runner.invoke(cli, argv)
            assert result.exit_code == 0, result.output
            text = out.read_text() if name == "report" else result.output
            outputs.append(text)
        assert outputs[0] == outputs[1] == outputs[2] and len(outputs[0]) > 100, name
        assert _entries(tmp_path / f"cache-{name}"), name


def test_a_copy_with_the_same_size_and_mtime_is_read_again(tmp_path: Path) -> None:
    """`cp -p`, `rsync -a` and `tar x` keep size and mtime; the inode and ctime change."""
    logs = tmp_path / "logs"
    path = _write_log(_day_folder(logs, END), "a", _record("10.0.0.1", 5))
    cache = tmp_path / "cache"
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        assert engine.execute(SUM).rows == [(1, 5, 1, "10.0.0.1")]
    stat = path.stat()
    other = _write_log(tmp_path, "b", _record("10.0.0.9", 7))
    assert other.stat().st_size == stat.st_size
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(other, path)
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        assert engine.execute(SUM).rows == [(1, 7, 1, "10.0.0.9")]


def test_a_real_write_failure_is_one_clear_line(tmp_path: Path) -> None:
    """A file-size limit hit while DuckDB writes an entry (as a full disk would be): one line
    naming the cache, non-zero exit, no work folder left (in a child: the limit is the
    process's)."""
    logs = tmp_path / "logs"
    for name in ("a", "b"):
        lines = [_record(f"10.0.{n // 256}.{n % 256}", n) for n in range(3000)]
        _write_log(_day_folder(logs, END), name, *lines)
    cache = tmp_path / "cache"
    child = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))\n"
        "from vpc_cidr_analysis.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    argv = ["sql", "--logs", str(logs), "--cache", str(cache), SUM]
    done = subprocess.run(
        [sys.executable, "-c", child, *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"--cache {cache}: cannot write an entry (File too large)" in lines[0]
    assert not [p for p in cache.rglob("*") if p.name.startswith(".fill-")]
    assert _entries(cache) == []


def test_work_folders_a_killed_run_left_are_removed_later(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    _write_log(_day_folder(logs, END), "a", _record("10.0.0.1", 5))
    cache = tmp_path / "cache"
    entries = FlowLogCache.open(cache).entries
    old, recent = entries / ".fill-old", entries / ".fill-recent"
    for folder in (old, recent):
        (folder / "0").mkdir(parents=True)
        (folder / "0" / "data_0.parquet").write_bytes(b"PAR1 cut short")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    with LocalEngine(str(logs), cache_dir=cache) as engine:
        assert engine.execute(SUM).rows == [(1, 5, 1, "10.0.0.1")]
    assert not old.exists() and recent.exists()  # a recent one may be another run's


def test_keys_change_with_how_entries_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache_module._entries_digest()
    cache_module._entries_digest.cache_clear()
    real = cache_module.sources.column_expr
    monkeypatch.setattr(
        cache_module.sources, "column_expr", lambda f, ref: real(f, ref).replace("TRY_", "")
    )
    try:
        assert cache_module._entries_digest() != before
    finally:
        cache_module._entries_digest.cache_clear()


@pytest.mark.parametrize("name", sorted(aws_examples.load()))
def test_aws_example_records_read_the_same_from_the_cache(name: str, tmp_path: Path) -> None:
    """AWS's own example records (VPC User Guide): every column, plain, cold and warm; the
    record with AWS's double space (a line that does not match its header) is not copied."""
    example = aws_examples.load()[name]
    logs = tmp_path / "logs"
    aws_examples.write(example, logs)
    sql = "SELECT * FROM vpcflowlogstable"
    cache = tmp_path / "cache"
    results = []
    for cache_dir in (None, cache, cache):
        with LocalEngine(str(logs), cache_dir=cache_dir) as engine:
            rows = sorted(engine.execute(sql).rows, key=repr)
            results.append((rows, len(engine.last_ragged)))
    assert results[0][0] and results == [results[0]] * 3
    ragged = results[0][1] > 0
    assert ragged == (name == "tcp_flags")  # AWS's double space
    assert len(list(logs.rglob("*.log.gz"))) == 1
    assert len(_entries(cache)) == (0 if ragged else 1)
