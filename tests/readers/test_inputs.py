"""Where bytes come from: files, directories, globs, gzip, stdin, forced formats, line limits."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from audit.errors import ConfigError, InputError
from audit.readers import FORMAT_CHOICES, JSON_FORMATS, ReadOptions, detect_format, read_paths, read_stream
from audit.readers.inputs import MAX_LINE_ENV

from ._util import errors, jsonl, only_record, read, records, texts

CHAT = {"messages": [{"role": "user", "content": "hello"}]}


def test_gzip_is_detected_by_magic_not_name(tmp_path):
    data = gzip.compress(jsonl(CHAT, CHAT).encode())
    for name in ("a.jsonl.gz", "no_suffix"):
        items = read(tmp_path, data, name=name)
        assert [r.line for r in records(items)] == [1, 2] and not errors(items)


def test_gzip_that_ends_early_keeps_what_was_read_and_reports_the_rest(tmp_path):
    data = gzip.compress(jsonl(*[{"id": str(i), **CHAT} for i in range(2000)]).encode())
    items = read(tmp_path, data[: len(data) // 2], name="cut.jsonl.gz")
    good, (err,) = records(items), errors(items)
    assert 0 < len(good) < 2000 and good[-1].line == len(good)
    assert err.line == len(good) + 1 and "ends early" in err.reason


def _tree(tmp_path):
    root = tmp_path / "logs"
    for rel in ("a.jsonl", "b.txt", "sub/c.jsonl", "sub/deeper/d.jsonl", ".hidden.jsonl", ".git/e.jsonl"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(jsonl(CHAT))
    return root


def sources(items, root):
    return [str(Path(i.source).relative_to(root)) for i in items]


def test_directories_are_walked_in_order_skipping_hidden_entries(tmp_path):
    root = _tree(tmp_path)
    items = list(read_paths([str(root)]))
    assert sources(items, root) == ["a.jsonl", "b.txt", "sub/c.jsonl", "sub/deeper/d.jsonl"]


@pytest.mark.parametrize(
    ("include", "exclude", "expected"),
    [
        (["*.jsonl"], [], ["a.jsonl", "sub/c.jsonl", "sub/deeper/d.jsonl"]),
        (["sub/*"], [], ["sub/c.jsonl", "sub/deeper/d.jsonl"]),
        ([], ["sub/deeper/*"], ["a.jsonl", "b.txt", "sub/c.jsonl"]),
        (["*.jsonl"], ["c.jsonl"], ["a.jsonl", "sub/deeper/d.jsonl"]),
        (["*.csv"], [], []),
    ],
)
def test_include_and_exclude_globs(tmp_path, include, exclude, expected):
    root = _tree(tmp_path)
    items = list(read_paths([str(root)], ReadOptions(include=include, exclude=exclude)))
    assert sources(items, root) == expected


def test_explicit_files_ignore_globs_and_missing_paths_are_input_errors(tmp_path):
    root = _tree(tmp_path)
    items = list(read_paths([str(root / "b.txt")], ReadOptions(include=["*.jsonl"])))
    assert len(items) == 1
    with pytest.raises(InputError, match="no such file"):
        list(read_paths([str(tmp_path / "missing.jsonl")]))


def test_unknown_format_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown format"):
        ReadOptions(format="xml")


def test_stdin_dash_is_read_with_detection():
    code = (
        "import json, sys\n"
        "from audit.readers import read_paths\n"
        "print(json.dumps([[r.source, r.record_id, r.messages[0].text] for r in read_paths(['-'])]))\n"
    )
    data = gzip.compress(jsonl({"id": "s1", **CHAT}).encode())
    for payload in (jsonl({"id": "s1", **CHAT}).encode(), data):
        out = subprocess.run([sys.executable, "-c", code], input=payload, capture_output=True, check=True)
        assert json.loads(out.stdout) == [["-", "s1", "hello"]]


def test_every_registered_json_format_can_be_forced(tmp_path):
    assert set(JSON_FORMATS) <= set(FORMAT_CHOICES)
    line = {"custom_id": "b", "body": {"messages": [{"role": "user", "content": "x"}]}}
    assert only_record(read(tmp_path, jsonl(line), format="openai-batch")).record_id == "b"
    (err,) = read(tmp_path, jsonl(line), format="openai-chat")
    assert "openai-chat" in err.reason or "messages" in err.reason
    assert texts(only_record(read(tmp_path, '{"not": "a chat"}\n', format="text"))) == [("user", '{"not": "a chat"}')]


def test_one_file_may_mix_json_formats(tmp_path):
    lines = [
        {"custom_id": "1", "body": {"messages": [{"role": "user", "content": "batch"}]}},
        {"request_id": "2", "call_type": "completion", "messages": [{"role": "user", "content": "litellm"}]},
        {"input": "responses"},
        {"system": "s", "messages": [{"role": "user", "content": "anthropic"}]},
        {"messages": [{"role": "user", "content": "chat"}]},
    ]
    items = read(tmp_path, jsonl(*lines))
    assert [r.messages[-1].text for r in items] == ["batch", "litellm", "responses", "anthropic", "chat"]


def test_offsets_refer_to_decoded_text(tmp_path):
    raw = '{"messages": [{"role": "user", "content": "Wr\\u00f3bel \\ud83d\\ude00 at a\\tb"}]}\n'
    rec = only_record(read(tmp_path, raw))
    assert rec.messages[0].text == "Wróbel 😀 at a\tb"
    assert rec.messages[0].text.index("at") == 9


def test_lone_surrogates_are_replaced_one_for_one(tmp_path):
    raw = '{"id": "\\udc80x", "messages": [{"role": "user", "content": "a\\ud800b"}]}\n'
    rec = only_record(read(tmp_path, raw))
    assert rec.messages[0].text == "a\ufffdb" and rec.record_id == "\ufffdx"
    rec.messages[0].text.encode("utf-8")


def test_bom_and_crlf(tmp_path):
    rec = only_record(read(tmp_path, "\ufeff" + json.dumps(CHAT) + "\r\n"))
    assert texts(rec) == [("user", "hello")]


def test_utf16_with_bom_is_decoded(tmp_path):
    for encoding in ("utf-16-le", "utf-16-be"):
        bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
        data = bom + (json.dumps(CHAT) + "\nplain?\n").encode(encoding)
        items = read(tmp_path, data, name=f"{encoding}.jsonl")
        assert texts(records(items)[0]) == [("user", "hello")]
        assert len(errors(items)) == 1  # 'plain?' is not JSON
        assert texts(only_record(read(tmp_path, bom + "id,prompt\n1,Grüße\n".encode(encoding), name="u.csv"))) == [
            ("user", "Grüße")
        ]


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.jsonl", b'{"messages": []}', "jsonl"),
        ("a.log", b'\xef\xbb\xbf  \n{"x": 1}', "jsonl"),
        ("a.csv", b"id,prompt", "csv"),
        ("a.CSV.gz", b"id,prompt", "csv"),
        ("a.tsv", b"id\tprompt", "tsv"),
        ("a.txt", b"hello", "text"),
        ("a.jsonl", b"{\x00", "binary"),
        ("a.csv", b"\x00\x01", "binary"),
    ],
)
def test_detect_format(name, head, expected):
    assert detect_format(name, head) == expected


def test_max_line_bytes_option_and_environment(tmp_path, monkeypatch):
    long = {"messages": [{"role": "user", "content": "x" * 5000}]}
    content = jsonl(CHAT, long, CHAT)
    items = read(tmp_path, content, max_line_bytes=1000)
    (err,) = errors(items)
    assert err.line == 2 and "longer than 1000 bytes" in err.reason
    assert [r.line for r in records(items)] == [1, 3]
    monkeypatch.setenv(MAX_LINE_ENV, "1000")
    assert ReadOptions().max_line_bytes == 1000
    assert len(errors(read(tmp_path, content))) == 1
    monkeypatch.setenv(MAX_LINE_ENV, "nonsense")
    assert ReadOptions().max_line_bytes == 256 * 1024 * 1024


def test_read_stream_accepts_a_plain_bytes_stream():
    items = list(read_stream("mem.jsonl", io.BytesIO(jsonl(CHAT).encode()), ReadOptions()))
    assert texts(only_record(items)) == [("user", "hello")]


def test_empty_and_whitespace_files_yield_nothing(tmp_path):
    assert read(tmp_path, b"", name="e.jsonl") == []
    assert read(tmp_path, b"\n\n  \n", name="w.jsonl") == []
