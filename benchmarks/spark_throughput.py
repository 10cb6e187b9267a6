"""Spark local-mode throughput beside the single-process scan, on the same generated corpus.

    python benchmarks/spark_throughput.py --requests 2000 [--master local[2]]

Prints messages/s for the local scan (all cores, model load included) and for
the Spark path on the same files, and checks both gave the same records. Spark
runs a first job to start its Python workers and load their models; the timed
second job reuses them (as a long-running cluster does) but starts with empty
per-run memos. Neither side uses the persistent span cache.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAKE_CORPUS = HERE.parent.parent / "shared" / "bench" / "make_corpus.py"


def _messages(path: Path) -> int:
    with path.open() as fh:
        return sum(len(json.loads(line).get("messages", [])) for line in fh if line.strip())


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    """Run both scans and print one row each."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--no-replay", action="store_true")
    ap.add_argument("--shards", type=int, default=8, help="files the corpus is split into")
    args = ap.parse_args()

    from audit.api import scan_to
    from audit.distributed.runner import run_spark_scan
    from audit.distributed.spark import spark_session
    from audit.readers import ReadOptions
    from audit.report.formats.jsonl import JsonlFormat
    from audit.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="llm-audit-spark-bench-"))
    os.environ.setdefault("AUDIT_HOME", str(work / "home"))
    corpus = work / "corpus"
    corpus.mkdir()
    cmd = [sys.executable, str(MAKE_CORPUS), "--requests", str(args.requests)] + (
        ["--no-replay"] if args.no_replay else []
    )
    lines = subprocess.run(cmd, capture_output=True, check=True).stdout.splitlines(keepends=True)
    shard = max(1, -(-len(lines) // args.shards))
    for i in range(0, len(lines), shard):  # several files, so every Spark core gets tasks
        (corpus / f"part-{i // shard:04d}.jsonl").write_bytes(b"".join(lines[i : i + shard]))
    messages = sum(_messages(p) for p in corpus.iterdir())
    settings = Settings(cache=False)  # no persistent cache on either side: every run analyses every distinct text
    os.chdir(work)

    local_sink = io.StringIO()
    _, local_s = _timed(lambda: scan_to([corpus.name], settings, ReadOptions(), JsonlFormat, local_sink))
    spark = spark_session(args.master, app_name="llm-audit-bench")
    spark_session_warm = io.StringIO()
    run_spark_scan([corpus.name], settings, ReadOptions(), JsonlFormat, spark_session_warm, spark=spark)  # load models
    spark_sink = io.StringIO()
    _, spark_s = _timed(
        lambda: run_spark_scan([corpus.name], settings, ReadOptions(), JsonlFormat, spark_sink, spark=spark)
    )
    spark.stop()

    same = sorted(local_sink.getvalue().splitlines()) == sorted(spark_sink.getvalue().splitlines())
    size = sum(p.stat().st_size for p in corpus.iterdir()) / 1e6
    print(f"corpus: {args.requests} requests in {args.shards} files, {messages} messages, {size:.1f} MB")
    print(f"{'engine':<28}{'seconds':>10}{'messages/s':>14}")
    print(f"{'audit scan (local, all cores)':<28}{local_s:>10.1f}{messages / local_s:>14.0f}")
    print(f"{'spark ' + args.master:<28}{spark_s:>10.1f}{messages / spark_s:>14.0f}")
    print(f"identical records: {same}")


if __name__ == "__main__":
    main()
