"""The nasty-input corpus, read directly: every file yields its records and one-line errors, nothing raises."""

from __future__ import annotations

import io
import os
import time

import pytest

from audit.model import ReadError, Record
from audit.readers import ReadOptions, read_paths, read_stream

from .corpus import GOOD, MANY_PARTS, add_links, build, deep_tool_results
from .corpus import names as _names

LIMIT = 4 * 1024 * 1024


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """(root, expectations) of the generated corpus."""
    root = tmp_path_factory.mktemp("corpus")
    return root, build(root)


def _read(path, **options):
    items = list(read_paths([str(path)], ReadOptions(max_line_bytes=LIMIT, **options)))
    assert all(isinstance(i, Record | ReadError) for i in items)
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, ReadError)]


NAMES = _names()


@pytest.mark.parametrize("name", NAMES)
def test_each_nasty_file(corpus, name):
    root, expected = corpus
    expect = expected[name]
    records, errors = _read(root / name)
    for err in errors:
        assert err.source == str(root / name)
        assert err.reason and "\n" not in err.reason and "Traceback" not in err.reason
        assert expect.reason in err.reason
    if expect.records >= 0:
        assert tuple(e.line for e in errors) == expect.error_lines, [str(e) for e in errors]
        assert len(records) == expect.records
    elif expect.reason:  # damaged gzip: what came before the damage, then one error
        assert len(errors) == 1 and records and errors[0].line == records[-1].line + 1
    else:  # deep nesting: a record or an error, then the good line after it
        assert records[-1].line == 2 and records[-1].messages[0].text == "Please reset the password for Ada Quill."


@pytest.mark.parametrize("depth", range(100, 1000, 60))
def test_deep_tool_results_are_read_or_reported(depth):
    data = io.BufferedReader(io.BytesIO(deep_tool_results(depth).encode()))
    (item,) = read_stream("deep.jsonl", data, ReadOptions())
    if isinstance(item, Record):
        assert item.messages[-1].text == "innermost"
    else:
        assert "nested too deeply" in item.reason


def test_many_content_parts_are_joined(corpus):
    root, _ = corpus
    (record,), _ = _read(root / "many_parts.jsonl")
    assert len(record.messages[0].text) == 2 * MANY_PARTS - 1


def test_directory_with_symlink_loops_terminates_and_reads_each_file_once(tmp_path):
    root = tmp_path / "tree"
    expected = add_links(root)
    records, errors = _read(root)
    assert [r.source for r in records] == [str(root / "loops" / "inside.jsonl")]
    assert sorted((e.source, e.line) for e in errors) == sorted(
        (str(root / rel), 0) for rel, x in expected.items() if x.error_lines
    )
    assert all("cannot open" in e.reason for e in errors)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file and lists every directory")
def test_unreadable_file_and_directory(tmp_path):
    (tmp_path / "locked.jsonl").write_text(GOOD + "\n")
    (tmp_path / "locked.jsonl").chmod(0)
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "x.jsonl").write_text(GOOD + "\n")
    (tmp_path / "closed").chmod(0)
    try:
        _, errors = _read(tmp_path)
    finally:
        (tmp_path / "closed").chmod(0o755)
    assert {os.path.basename(e.source) for e in errors} == {"locked.jsonl", "closed"}


def _write_long_line(path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write(GOOD.encode() + b"\n" + b'{"messages": [{"role": "user", "content": "')
        chunk = b"y" * (1 << 20)
        for _ in range(size // len(chunk)):
            fh.write(chunk)
        fh.write(b'"}]}\n' + GOOD.encode() + b"\n")


def test_a_50mb_line_over_the_limit_is_skipped_quickly(tmp_path):
    path = tmp_path / "long.jsonl"
    _write_long_line(path, 50 * 1024 * 1024)
    started = time.monotonic()
    records, (err,) = _read(path)
    assert time.monotonic() - started < 60
    assert [r.line for r in records] == [1, 3]
    assert err.line == 2 and f"longer than {LIMIT} bytes" in err.reason


def test_a_50mb_line_under_the_limit_is_read(tmp_path):
    path = tmp_path / "long.jsonl"
    _write_long_line(path, 50 * 1024 * 1024)
    items = list(read_paths([str(path)], ReadOptions(max_line_bytes=64 * 1024 * 1024)))
    assert [len(i.messages[0].text) for i in items] == [
        len("Please reset the password for Ada Quill."),
        50 * 1024 * 1024,
        40,
    ]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("AUDIT_SLOW_TESTS") != "1", reason="writes 200 MB; set AUDIT_SLOW_TESTS=1")
def test_a_200mb_line_with_the_default_limit(tmp_path):
    path = tmp_path / "huge.jsonl"
    _write_long_line(path, 200 * 1024 * 1024)
    items = list(read_paths([str(path)]))  # the default limit (256 MiB) reads it
    assert [i.line for i in items] == [1, 2, 3] and len(items[1].messages[0].text) == 200 * 1024 * 1024
    del items
    records, (err,) = _read(path)  # a 1 MiB limit skips it
    assert [r.line for r in records] == [1, 3] and err.line == 2
