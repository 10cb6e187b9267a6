"""End to end: what hides outside the messages is found, named by its JSON path; empty input is never clean."""

from __future__ import annotations

import json

from tests.conftest import invoke

RECORD = {
    "id": "r1",
    "model": "gpt-4o-mini",
    "user": "jane.roe@example.com",
    "messages": [{"role": "user", "content": "hello"}],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "lookup",
                "description": "Patient SSN is 219-09-9999",
                "parameters": {"type": "object", "properties": {"mrn": {"type": "string", "default": "MRN 00482913"}}},
            },
        }
    ],
}
UNKNOWN = {"weird": {"deep": [{"x": "call me at (555) 201-4477, card 4111 1111 1111 1111"}]}}


def _findings(stdout: str) -> dict[str, list[tuple[str, str, str]]]:
    out = {}
    for line in stdout.splitlines():
        record = json.loads(line)
        out[record["record"]] = [(f["entity_type"], f.get("path", ""), f["role"]) for f in record["findings"]]
    return out


def test_fields_and_unknown_shapes_are_scanned_with_their_paths(tmp_path):
    log = tmp_path / "gateway.jsonl"
    log.write_text(json.dumps(RECORD) + "\n" + json.dumps(UNKNOWN) + "\n")
    code, out, err = invoke("scan", str(log), "--no-registry", "--no-cache", "-o", "jsonl", "--fail-on", "never")
    assert code == 0, err
    found = _findings(out)
    assert found["r1"] == [
        ("EMAIL_ADDRESS", "$.user", "field"),
        ("US_SSN", "$.tools[0].function.description", "field"),
        ("MEDICAL_RECORD_NUMBER", "$.tools[0].function.parameters.properties.mrn.default", "field"),
    ]
    assert {t for t, _, _ in found["2"]} >= {"PHONE_NUMBER", "CREDIT_CARD"}
    assert {(p, r) for _, p, r in found["2"]} == {("$.weird.deep[0].x", "unknown")}
    assert err.count("scanned field by field") == 1 and "--format text" in err


def test_an_empty_file_or_directory_warns_and_fails_with_fail_on_empty(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n  \n")
    (tmp_path / "nothing").mkdir()
    args = ("scan", str(tmp_path / "empty.jsonl"), str(tmp_path / "nothing"), "--no-registry", "--no-cache")
    code, _, err = invoke(*args)
    assert code == 0
    assert "empty.jsonl: no records" in err and "nothing: no files to read" in err and "--fail-on-empty" in err
    code, _, err = invoke(*args, "--fail-on-empty", "--quiet")
    assert code == 3
    assert "empty.jsonl: no records" in err


def test_a_pretty_printed_document_and_a_json_array_are_records_not_lines(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(RECORD, indent=2))
    (tmp_path / "rows.json").write_text(json.dumps([RECORD, UNKNOWN], indent=1))
    code, out, err = invoke("scan", str(tmp_path), "--no-registry", "--no-cache", "-o", "jsonl", "--fail-on", "never")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert sorted((r["source"].rsplit("/", 1)[-1], r["record"], r["line"]) for r in records) == [
        ("one.json", "r1", 1),
        ("rows.json", "31", 31),
        ("rows.json", "r1", 2),
    ]


def test_a_forced_format_that_does_not_fit_says_what_the_record_looks_like(tmp_path):
    from tests.readers._util import errors, read

    (err,) = errors(read(tmp_path, json.dumps(RECORD) + "\n", format="anthropic"))
    assert err.reason == (
        "not a record of format 'anthropic' (it looks like 'openai-chat'); drop --format to detect it"
    )
    assert "Error" not in err.reason
