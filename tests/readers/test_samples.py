"""The shipped samples: every format, every workload, every planted value, no read errors."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

from audit.model import ReadError, Record
from audit.readers import JSON_FORMATS, read_paths
from audit.readers.inputs import GZIP_MAGIC

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "samples" / "logs"
VALUES = REPO / "tests" / "fixtures" / "sample_values.txt"
WORKLOADS = {"patient-intake", "card-support", "contract-review", "code-helper"}


def _items():
    return list(read_paths([str(LOGS)]))


def test_samples_read_without_errors_and_cover_every_workload():
    items = _items()
    assert not [i for i in items if isinstance(i, ReadError)]
    workloads = Counter(i.workload for i in items)
    assert set(workloads) == WORKLOADS | {None}  # plain text carries no workload
    assert all(i.messages for i in items)


# The request-log formats the samples show; the exports of other products have fixtures under tests/readers/fixtures.
SAMPLE_FORMATS = {"openai-batch", "litellm", "openai-responses", "anthropic", "openai-chat", "prompt-completion"}


def test_samples_cover_the_request_formats_and_line_formats():
    import json

    from audit.readers import read_paths

    seen = set()
    for path in LOGS.rglob("*"):
        if path.is_file() and path.suffix == ".csv":  # table rows are read as objects by the same formats
            rows = list(read_paths([str(path)]))
            if rows and all(isinstance(r, Record) and r.messages[0].role == "user" for r in rows):
                seen.add("prompt-completion")
        if path.is_file() and ".jsonl" in path.name:
            opener = gzip.open if path.read_bytes()[:2] == GZIP_MAGIC else open
            with opener(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    obj = json.loads(line)
                    seen.add(next(f.name for f in JSON_FORMATS.values() if f.detect(obj)))
    assert seen == SAMPLE_FORMATS
    assert SAMPLE_FORMATS <= set(JSON_FORMATS)
    suffixes = {p.name.split(".", 1)[1] for p in LOGS.rglob("*") if p.is_file()}
    assert {"txt", "csv", "jsonl", "jsonl.gz"} <= suffixes


def test_every_planted_value_occurs_in_the_decoded_samples():
    values = VALUES.read_text(encoding="utf-8").splitlines()
    assert values and all(v.strip() == v and v for v in values)
    assert len(values) == len(set(values))
    text = "\n".join(m.text for r in _items() if isinstance(r, Record) for m in r.messages)
    assert [v for v in values if v not in text] == []


def test_samples_say_they_are_fictitious():
    for path in LOGS.rglob("*"):
        if path.is_file():
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            assert b"FICTITIOUS" in data, path
