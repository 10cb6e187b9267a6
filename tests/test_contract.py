"""The output contract: `audit scan samples/ -o jsonl` emits one complete object per flagged record."""

from __future__ import annotations

import json
import re

import pytest

from audit.model import TIER_ORDER, Record
from audit.readers import read_paths
from tests.conftest import REPO, SAMPLES, run_cli

RECORD_KEYS = {"source", "record", "line", "workload", "decision", "regulations", "rules", "findings", "context"}
FINDING_KEYS = {"message", "role", "start", "end", "entity_type", "score", "recognizer", "masked", "fingerprint"}
RULE_KEYS = {"policy", "rule", "regulation", "citation", "decision", "reason", "findings"}
TIERS = {t.value for t in TIER_ORDER}


def patient_config(tmp_path_factory):
    """A config that gives each message a generous time budget, so a busy machine cannot skip one."""
    path = tmp_path_factory.mktemp("cfg") / "audit.toml"
    path.write_text("message_time_budget = 600\n")
    return str(path)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """(contract objects, completed process) of one --show-values scan of samples/."""
    home = tmp_path_factory.mktemp("home")
    proc = run_cli(
        "scan", "samples/", "-o", "jsonl", "--show-values", "--config", patient_config(tmp_path_factory),
        env={"AUDIT_HOME": str(home), "CI": "true"},
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr.decode()  # the samples reach the default gate
    return [json.loads(line) for line in proc.stdout.decode().splitlines()], proc


def test_every_line_is_a_complete_contract_object(scanned):
    objects, _ = scanned
    assert objects
    for obj in objects:
        assert set(obj) >= RECORD_KEYS
        assert isinstance(obj["source"], str) and isinstance(obj["record"], str)
        assert isinstance(obj["line"], int) and obj["line"] >= 1
        assert obj["workload"] is None or isinstance(obj["workload"], str)
        assert obj["decision"] in TIERS
        assert all(isinstance(r, str) for r in obj["regulations"])
        for rule in obj["rules"]:
            assert set(rule) >= RULE_KEYS and rule["decision"] in TIERS
            assert all(0 <= i < len(obj["findings"]) + len(obj["context"]) for i in rule["findings"])
        for f in obj["findings"] + obj["context"]:
            assert set(f) >= FINDING_KEYS
            assert isinstance(f["message"], int) and f["message"] >= 0
            assert 0 <= f["start"] < f["end"]
            assert 0.0 <= f["score"] <= 1.0
            assert re.fullmatch(r"[0-9a-f]{32}", f["fingerprint"])
            assert (
                isinstance(f["entity_type"], str) and isinstance(f["recognizer"], str) and isinstance(f["masked"], str)
            )


def test_every_sample_file_and_format_reaches_the_output(scanned):
    objects, _ = scanned
    flagged = {obj["source"] for obj in objects}
    for path in (SAMPLES / "logs").rglob("*"):
        if path.is_file():
            assert str(path.relative_to(REPO)) in flagged, path.name


def test_workloads_come_from_the_records(scanned):
    objects, _ = scanned
    by_file = {}
    for obj in objects:
        by_file.setdefault(obj["source"].rsplit("/", 1)[-1], set()).add(obj["workload"])
    assert by_file["openai_chat_patient_intake.jsonl"] == {"patient-intake"}
    assert by_file["litellm_card_support_2024-10.jsonl.gz"] == {"card-support"}
    assert by_file["anthropic_contract_review.jsonl"] == {"contract-review"}
    assert by_file["plaintext_code_helper.txt"] == {None}


def test_offsets_index_the_decoded_message_text(scanned, monkeypatch):
    objects, _ = scanned
    monkeypatch.chdir(REPO)
    records: dict[tuple[str, str], Record] = {
        (r.source, r.record_id): r for r in read_paths(["samples/"]) if isinstance(r, Record)
    }
    checked = 0
    for obj in objects:
        record = records[(obj["source"], obj["record"])]
        assert record.line == obj["line"]
        texts = {m.index: m for m in record.messages}
        for f in obj["findings"] + obj["context"]:
            message = texts[f["message"]]
            assert message.role == f["role"]
            assert message.text[f["start"] : f["end"]] == f["value"]
            checked += 1
    assert checked > 50
