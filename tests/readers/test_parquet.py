"""Parquet inputs: found by their magic, read in record batches, each row through the registered formats."""

from __future__ import annotations

import builtins
import datetime
import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from audit.readers import ReadOptions, parquet, read_paths, read_stream

from ._util import errors, fields, records, texts

PROMPT = "Patient Maria Lopez, MRN 00482913, asks about her insulin dose."
ANSWER = "Maria Lopez should call her clinician at 555-0100."


def _parquet(rows: list[dict], **write) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink, **write)
    return sink.getvalue()


def _litellm_row(i: int) -> dict:
    """A LiteLLM spend-log row as a LangSmith/S3 export writes it: JSON columns as strings, times as timestamps."""
    return {
        "request_id": f"req-{i}",
        "call_type": "acompletion",
        "spend": 0.0012,
        "startTime": datetime.datetime(2026, 12, 1, 9, 0, i % 60),
        "model": "gpt-4o",
        "messages": json.dumps([{"role": "user", "content": PROMPT}]),
        "response": json.dumps({"choices": [{"message": {"role": "assistant", "content": ANSWER}}]}),
        "request_tags": json.dumps(["workload:patient-intake"]),
    }


def _read(tmp_path, data: bytes, name="export.parquet", **options):
    path = tmp_path / name
    path.write_bytes(data)
    return list(read_paths([str(path)], ReadOptions(**options)))


def test_a_litellm_export_row_gives_its_prompt_answer_and_workload(tmp_path):
    (record,) = _read(tmp_path, _parquet([_litellm_row(0)]))
    assert texts(record) == [("user", PROMPT), ("assistant", ANSWER)]
    assert (record.record_id, record.workload, record.line) == ("req-0", "patient-intake", 1)


def test_a_plain_prompt_response_table_is_read_by_the_same_formats(tmp_path):
    rows = [{"id": "p1", "prompt": PROMPT, "response": ANSWER, "notes": "SSN 123-45-6789"}]
    (record,) = _read(tmp_path, _parquet(rows), name="table.PARQUET")
    assert texts(record) == [("user", PROMPT), ("assistant", ANSWER)]
    assert ("$.notes", "SSN 123-45-6789") in fields(record)


def test_rows_are_read_batch_by_batch_with_their_row_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(parquet, "BATCH_ROWS", 7)
    items = _read(tmp_path, _parquet([_litellm_row(i) for i in range(50)], row_group_size=20), name="no_suffix")
    assert not errors(items)
    assert [r.line for r in items] == list(range(1, 51))
    assert [r.record_id for r in items][-1] == "req-49"


def test_a_forced_format_reads_each_row(tmp_path):
    (err,) = _read(tmp_path, _parquet([{"id": "x", "prompt": PROMPT}]), format="litellm")
    assert err.line == 1 and "not a record of format 'litellm'" in err.reason


def test_cells_of_every_type_become_json_like_values(tmp_path):
    rows = [
        {
            "prompt": PROMPT,
            "blob": b"\xff\xfe\x00binary",
            "raw": b"email me at ana@example.com",
            "day": datetime.date(2026, 1, 2),
            "nested": {"note": "call 555-0100", "tags": ["a"]},
            "not_json": "[not json",
        }
    ]
    (record,) = _read(tmp_path, _parquet(rows))
    found = dict(fields(record))
    assert found["$.raw"] == "email me at ana@example.com" and found["$.nested.note"] == "call 555-0100"
    assert found["$.not_json"] == "[not json" and "$.blob" not in found


@pytest.mark.parametrize("compress", [gzip.compress, None])
def test_a_stream_that_cannot_seek_is_spooled(compress):
    data = _parquet([_litellm_row(1)])

    class Pipe(io.RawIOBase):  # like stdin: readable, never seekable
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self._data.readinto(buffer)

    raw = io.BytesIO(compress(data)) if compress else io.BufferedReader(Pipe(data))
    from audit.readers.compressed import decompressed

    (record,) = read_stream("-", decompressed(raw), ReadOptions())
    assert record.record_id == "req-1"


def test_a_damaged_file_is_one_error_and_keeps_the_rows_before_it(tmp_path):
    data = _parquet([_litellm_row(i) for i in range(40)], row_group_size=10)
    (err,) = _read(tmp_path, data[:-100], name="cut.parquet")
    assert err.source.endswith("cut.parquet") and err.line == 0 and "not a readable Parquet file" in err.reason
    middle = len(data) // 2
    damaged = data[:middle] + b"\x00" * 200 + data[middle + 200 :]
    items = _read(tmp_path, damaged, name="damaged.parquet")
    assert len(errors(items)) == 1 and len(records(items)) < 40
    assert PROMPT not in errors(items)[0].reason


def test_without_pyarrow_the_error_names_the_extra(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    data = _parquet([_litellm_row(0)])
    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    (err,) = _read(tmp_path, data)
    assert "pip install 'llm-audit[parquet]'" in err.reason
