"""Compressed inputs (gzip, bzip2, zstd by their magic bytes) and case-blind directory globs."""

from __future__ import annotations

import bz2
import gzip
import io

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.model import ReadError, Record
from audit.readers import ReadOptions, read_paths, read_stream
from audit.readers.compressed import Decompressing, decompressed

from ._util import errors, jsonl, read, records, texts

CHAT = {"messages": [{"role": "user", "content": "hello"}]}
LINES = jsonl(*[{"id": str(i), **CHAT} for i in range(30000)]).encode()  # two bzip2 blocks


def _zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


CODECS = {"gzip": gzip.compress, "bzip2": bz2.compress, "zstd": _zstd}


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("name", ["log.jsonl.gz", "log.jsonl.bz2", "log.jsonl.zst", "no_suffix"])
def test_each_codec_is_read_by_its_magic_whatever_the_name(tmp_path, codec, name):
    items = read(tmp_path, CODECS[codec](jsonl(CHAT, CHAT).encode()), name=name)
    assert [r.line for r in records(items)] == [1, 2] and not errors(items)
    assert texts(records(items)[0]) == [("user", "hello")]


@pytest.mark.parametrize("codec", ["bzip2", "zstd"])
def test_concatenated_streams_are_read_to_the_end(tmp_path, codec):
    compress = CODECS[codec]
    data = compress(jsonl({"id": "a", **CHAT}).encode()) + compress(jsonl({"id": "b", **CHAT}).encode())
    assert [r.record_id for r in records(read(tmp_path, data, name="two.jsonl"))] == ["a", "b"]


@pytest.mark.parametrize("codec", ["bzip2", "zstd"])
def test_a_stream_cut_short_keeps_what_was_read_and_reports_the_rest_once(tmp_path, codec):
    data = CODECS[codec](LINES)
    items = read(tmp_path, data[: len(data) // 2], name="cut.jsonl")
    good, (err,) = records(items), errors(items)
    assert 0 < len(good) < 30000 and good[-1].line == len(good)
    assert err.source.endswith("cut.jsonl") and err.line == len(good) + 1
    assert err.reason == f"{codec} stream ends early; rest of file lost"


@pytest.mark.parametrize("codec", ["bzip2", "zstd"])
def test_a_damaged_stream_is_one_error_naming_the_file(tmp_path, codec):
    data = bytearray(CODECS[codec](LINES))
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xaa" * 64
    items = read(tmp_path, bytes(data), name="bad.jsonl")
    (err,) = errors(items)
    assert err.source.endswith("bad.jsonl") and err.reason.startswith(f"{codec} stream is damaged")
    assert "hello" not in err.reason


@pytest.mark.parametrize("codec", ["bzip2", "zstd"])
def test_damage_in_the_first_bytes_is_reported_not_raised(tmp_path, codec):
    magic = CODECS[codec](b"")[:4]
    (err,) = read(tmp_path, magic + b"\xff" * 40, name="junk.jsonl")
    assert "damaged" in err.reason or "ends early" in err.reason


def test_an_empty_compressed_file_is_no_records_and_no_error(tmp_path):
    assert read(tmp_path, _zstd(b""), name="empty.zst") == []
    assert read(tmp_path, bz2.compress(b""), name="empty.bz2") == []


def test_compressed_csv_keeps_its_format_from_the_name(tmp_path):
    table = b"id,prompt\nr1,my card is 4111 1111 1111 1111\n"
    for name, data in (("t.csv.bz2", bz2.compress(table)), ("t.CSV.zst", _zstd(table))):
        (record,) = read(tmp_path, data, name=name)
        assert record.record_id == "r1" and "4111" in record.messages[0].text


def test_read_stream_takes_a_decompressed_stream_from_an_engine():
    stream = decompressed(io.BytesIO(_zstd(jsonl(CHAT).encode())))
    (record,) = read_stream("s3://bucket/log.jsonl.zst", stream, ReadOptions())
    assert texts(record) == [("user", "hello")]


def test_decompression_output_per_step_is_bounded():
    """A highly repetitive stream inflates slice by slice, never all at once: memory stays flat."""
    data = _zstd(b"\n" * (64 << 20))
    raw = Decompressing(io.BytesIO(data), lambda: zstandard.ZstdDecompressor().decompressobj(), "zstd")
    largest = 0
    while raw._step():
        largest = max(largest, len(raw._output))
        raw._output = memoryview(b"")
    assert 0 < largest <= 32 << 20


MAGICS = [b"BZh9", b"\x28\xb5\x2f\xfd", b"\x1f\x8b", b"PAR1"]


@settings(max_examples=200, deadline=None)
@given(magic=st.sampled_from(MAGICS), body=st.binary(max_size=300), cut=st.integers(0, 400))
def test_any_bytes_behind_a_magic_give_records_or_errors_never_an_exception(magic, body, cut):
    """Damaged compressed or Parquet bytes, and valid ones cut anywhere: the reader never raises."""
    valid = {b"BZh9": bz2.compress, b"\x28\xb5\x2f\xfd": _zstd, b"\x1f\x8b": gzip.compress}.get(magic)
    for data in (magic + body, valid(jsonl(CHAT).encode() + body)[:cut] if valid else magic):
        items = list(read_stream("fuzz", decompressed(io.BytesIO(data)), ReadOptions()))
        assert all(isinstance(i, Record | ReadError) for i in items)


def _tree(tmp_path, names):
    for name in names:
        path = tmp_path / "logs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(jsonl(CHAT))
    return tmp_path / "logs"


def _walked(root, **options) -> list[str]:
    return [i.source.removeprefix(f"{root}/") for i in read_paths([str(root)], ReadOptions(**options))]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ["a.JSONL", "b.jsonl", "sub/C.Jsonl"]),  # NOTES.MD and README.md are not logs, whatever their case
        ({"include": ["*.jsonl"]}, ["a.JSONL", "b.jsonl", "sub/C.Jsonl"]),
        ({"include": ["*.JSONL"]}, ["a.JSONL", "b.jsonl", "sub/C.Jsonl"]),
        ({"exclude": ["SUB/*"]}, ["a.JSONL", "b.jsonl"]),
        ({"include": ["*.md"]}, ["NOTES.MD", "README.md"]),
    ],
)
def test_directory_globs_ignore_case(tmp_path, options, expected):
    root = _tree(tmp_path, ["a.JSONL", "b.jsonl", "NOTES.MD", "README.md", "sub/C.Jsonl"])
    assert _walked(root, **options) == expected
