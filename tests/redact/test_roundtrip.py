"""Every layout the readers know comes back in the same layout, read by our readers as the same records."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from audit.model import Record
from audit.readers import read_paths
from tests.redact.conftest import CARD_TURN, CHAT_TURN, KEY_TURN, OTHER_PERSON, PLANTED

CHAT = {
    "id": "chatcmpl-1",
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You are the intake assistant."},
        {"role": "user", "content": CHAT_TURN},
        {"role": "assistant", "content": "Thank you, Maria. A nurse will call (555) 201-4477 today."},
    ],
    "metadata": {"user": "maria.delgado@example.com", "workload": "intake"},
}
ANTHROPIC = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 512,
    "system": [{"type": "text", "text": "You help the card-support team."}],
    "messages": [
        {"role": "user", "content": [{"type": "text", "text": CARD_TURN}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "lookup",
                                           "input": {"holder": "Maria Delgado-Reyes", "mrn": "00482913"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": OTHER_PERSON}]},
    ],
}  # fmt: skip
RESPONSES = {
    "model": "gpt-4.1",
    "instructions": "You are a coding helper.",
    "input": [{"role": "user", "content": [{"type": "input_text", "text": KEY_TURN}]}],
}
LITELLM = {
    "request_id": "litellm-0101",
    "call_type": "acompletion",
    "model": "gpt-4o-mini",
    "startTime": "2024-10-14T09:12:40.000Z",
    "messages": [{"role": "user", "content": CHAT_TURN}],
    "response": json.dumps({"choices": [{"message": {"role": "assistant", "content": "Noted, Maria Delgado-Reyes."}}]}),
    "metadata": {"user_api_key_team_alias": "intake"},
}


def _write_jsonl(path, records, opener=open):
    with opener(path, "wt", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return path


def _records(path):
    return [r for r in read_paths([str(path)]) if isinstance(r, Record)]


def _shape(records):
    return [(len(r.messages), [m.role for m in r.messages if m.role != "field"]) for r in records]


def _assert_clean(out_dir):
    for f in out_dir.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
            for value in PLANTED:
                assert value not in text, f"{value!r} left in {f.name}"


CASES = {
    "chat.jsonl": lambda p: _write_jsonl(p, [CHAT, CHAT]),
    "anthropic.jsonl": lambda p: _write_jsonl(p, [ANTHROPIC]),
    "responses.jsonl": lambda p: _write_jsonl(p, [RESPONSES]),
    "litellm.jsonl": lambda p: _write_jsonl(p, [LITELLM]),
    "array.json": lambda p: p.write_text(json.dumps([CHAT, ANTHROPIC, RESPONSES])) and p,
    "pretty.json": lambda p: p.write_text(json.dumps(CHAT, indent=2)) and p,
    "chat.jsonl.gz": lambda p: _write_jsonl(p, [CHAT, LITELLM], gzip.open),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_layouts_round_trip(redact, tmp_path, name):
    src = CASES[name](tmp_path / name)
    report, out = redact([src])
    target = out / name
    assert report.files_written == 1 and not report.failed
    assert _shape(_records(target)) == _shape(_records(src)), "the readers see the same records and roles"
    raw_in, raw_out = src.read_bytes(), target.read_bytes()
    if name.endswith(".gz"):
        assert raw_out[:2] == b"\x1f\x8b", "gzip stays gzip"
        raw_in, raw_out = gzip.decompress(raw_in), gzip.decompress(raw_out)
    if name.endswith(".json"):
        before, after = json.loads(raw_in), json.loads(raw_out)
        assert type(before) is type(after)
        assert raw_out.count(b"\n") == raw_in.count(b"\n") + (0 if raw_in.endswith(b"\n") else 1), "same indent"
    else:
        before = [json.loads(line) for line in raw_in.splitlines()]
        after = [json.loads(line) for line in raw_out.splitlines()]
    assert _keys(before) == _keys(after), "same keys in the same order"
    _assert_clean(out)


def _keys(value):
    if isinstance(value, dict):
        return [(k, _keys(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_keys(v) for v in value]
    return type(value).__name__


def test_csv_keeps_its_columns(redact, tmp_path):
    src = tmp_path / "tickets.csv"
    rows = [["id", "workload", "prompt"], ["t-1", "intake", CHAT_TURN], ["t-2", "cards", CARD_TURN]]
    with open(src, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    report, out = redact([src])
    got = list(csv.reader(io.StringIO((out / "tickets.csv").read_text(encoding="utf-8"))))
    assert got[0] == rows[0] and len(got) == len(rows)
    assert [r[:2] for r in got] == [r[:2] for r in rows]
    assert _shape(_records(out / "tickets.csv")) == _shape(_records(src))
    _assert_clean(out)


def test_text_lines_stay_lines(redact, tmp_path):
    src = tmp_path / "prompts.txt"
    src.write_text(f"{CHAT_TURN}\n\nnothing here\n{KEY_TURN}\n", encoding="utf-8")
    report, out = redact([src])
    lines = (out / "prompts.txt").read_text(encoding="utf-8").split("\n")
    assert len(lines) == 5 and lines[1] == "" and lines[2] == "nothing here"
    _assert_clean(out)


def test_directories_keep_their_tree_and_the_input_is_untouched(redact, tmp_path):
    logs = tmp_path / "logs"
    (logs / "sub").mkdir(parents=True)
    _write_jsonl(logs / "a.jsonl", [CHAT])
    _write_jsonl(logs / "sub" / "b.jsonl", [ANTHROPIC])
    before = {p: p.read_bytes() for p in logs.rglob("*") if p.is_file()}
    report, out = redact([logs])
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "logs/a.jsonl",
        "logs/sub/b.jsonl",
    ]
    assert before == {p: p.read_bytes() for p in logs.rglob("*") if p.is_file()}
    assert report.records == 2 and report.records_changed == 2


def test_parquet_round_trips_under_its_own_schema(redact, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    schema = pa.schema(
        [
            pa.field("request_id", pa.string(), nullable=False),
            pa.field("startTime", pa.timestamp("ms", tz="UTC")),
            pa.field("messages", pa.string()),  # JSON held in a string, as exports write it
            pa.field("response", pa.large_binary()),  # text stored as binary
            pa.field("member", pa.int64()),
            pa.field("meta", pa.struct([("user", pa.string()), ("tags", pa.list_(pa.string()))])),
            pa.field("attrs", pa.map_(pa.string(), pa.string())),
        ],
        metadata={b"exporter": b"litellm-export"},
    )
    rows = [
        {
            "request_id": f"req-{n}",
            "startTime": 1728897160000 + n,
            "messages": json.dumps([{"role": "user", "content": turn}]),
            "response": f"Noted, {name}.".encode(),
            "member": 482913771204,
            "meta": {"user": "maria.delgado@example.com", "tags": ["intake", name]},
            "attrs": [("caller", name)],
        }
        for n, (turn, name) in enumerate([(CHAT_TURN, "Maria Delgado-Reyes"), (OTHER_PERSON, "Jonathan Pike")])
    ]
    src = tmp_path / "spend.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), src)
    report, out = redact([src])
    target = out / "spend.parquet"
    assert report.files_written == 1 and report.records == 2 and report.records_changed == 2 and not report.failed
    table = pq.read_table(target)  # pyarrow reads it back
    assert table.schema.equals(pq.read_schema(src), check_metadata=True) and table.num_rows == 2
    assert table.schema.metadata[b"exporter"] == b"litellm-export" and not table.schema.field("request_id").nullable
    got = table.to_pylist()
    assert [r["request_id"] for r in got] == ["req-0", "req-1"]
    assert [r["startTime"] for r in got] == [r["startTime"] for r in pq.read_table(src).to_pylist()]
    assert json.loads(got[0]["messages"])[0]["role"] == "user" and isinstance(got[0]["response"], bytes)
    assert got[0]["meta"]["tags"][0] == "intake" and got[0]["attrs"][0][0] == "caller"
    assert got[0]["member"] != 482913771204 and isinstance(got[0]["member"], int)  # a long number is an identifier
    assert _shape(_records(target)) == _shape(_records(src)), "our readers see the same records and roles"
    text = json.dumps(got, default=lambda v: v.decode() if isinstance(v, bytes) else str(v))
    for value in ("Maria Delgado-Reyes", "Delgado", "Jonathan Pike", "00482913", "maria.delgado@example.com"):
        assert value not in text, value


def test_an_unreadable_parquet_file_gets_no_copy_and_exit_3(redact, tmp_path):
    src = tmp_path / "broken.parquet"
    src.write_bytes(b"PAR1" + b"\0" * 64)
    errors = []
    report, out = redact([src], errors=errors.append)
    assert report.files_unreadable == 1 and report.files_written == 0 and not (out / "broken.parquet").exists()
    assert len(errors) == 1 and "Parquet" in errors[0].reason
