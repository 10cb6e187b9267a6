"""The Spark path (local[2]) gives exactly the findings and decisions of a local scan."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import SAMPLES, SHARED

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")


@pytest.fixture(scope="module")
def spark():
    from audit.distributed.spark import spark_session

    session = spark_session("local[2]", app_name="llm-audit-tests")
    yield session
    session.stop()


@pytest.fixture
def inputs(tmp_path, monkeypatch):
    """The samples plus a small gateway-log corpus, under the working directory."""
    if SAMPLES.joinpath("logs").is_dir():
        shutil.copytree(SAMPLES / "logs", tmp_path / "logs")
    corpus = subprocess.run(
        [sys.executable, str(SHARED / "bench" / "make_corpus.py"), "--requests", "150", "--seed", "3"],
        capture_output=True,
        check=True,
    ).stdout
    (tmp_path / "corpus.jsonl").write_bytes(corpus)
    monkeypatch.chdir(tmp_path)
    return [p.name for p in sorted(tmp_path.iterdir())]


def _local_rows(paths, settings):
    from audit.api import scan_to
    from audit.readers import ReadOptions
    from audit.report.formats.jsonl import JsonlFormat

    sink = io.StringIO()
    outcome = scan_to(paths, settings, ReadOptions(), JsonlFormat, sink)
    return outcome, [json.loads(line) for line in sink.getvalue().splitlines()]


def _spark_rows(spark, paths, settings):
    from audit.distributed.runner import run_spark_scan
    from audit.readers import ReadOptions
    from audit.report.formats.jsonl import JsonlFormat

    sink = io.StringIO()
    outcome = run_spark_scan(paths, settings, ReadOptions(), JsonlFormat, sink, spark=spark)
    return outcome, [json.loads(line) for line in sink.getvalue().splitlines()]


def _key(row):
    return (row["source"], row["line"], row["record"])


def test_spark_scan_matches_local_scan(spark, inputs, settings):
    local_outcome, local = _local_rows(inputs, settings)
    spark_outcome, remote = _spark_rows(spark, inputs, settings)

    assert local, "the inputs must produce findings, or the comparison proves nothing"
    assert sorted(remote, key=_key) == sorted(local, key=_key)
    assert spark_outcome.summary.records_read == local_outcome.summary.records_read
    assert spark_outcome.summary.records_skipped == local_outcome.summary.records_skipped
    assert spark_outcome.summary.by_decision == local_outcome.summary.by_decision
    assert spark_outcome.strictest == local_outcome.strictest


def test_spark_scan_reports_unreadable_lines(spark, tmp_path, monkeypatch, settings):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.jsonl").write_text('{"messages": [{"role": "user", "content": "Call Jane Doe"}]}\n{broken\n')
    outcome, rows = _spark_rows(spark, ["bad.jsonl"], settings)
    assert outcome.summary.records_read == 1
    assert outcome.summary.records_skipped == 1
    assert outcome.summary.errors[0].source == "bad.jsonl" and outcome.summary.errors[0].line == 2


def test_display_source_makes_local_paths_relative(tmp_path):
    from audit.distributed.spark import display_source

    assert display_source(f"file:{tmp_path}/a/b.jsonl", cwd=str(tmp_path)) == "a/b.jsonl"
    assert display_source("s3a://bucket/logs/x.jsonl", cwd=str(tmp_path)) == "s3a://bucket/logs/x.jsonl"
