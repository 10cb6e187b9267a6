"""`audit eval` and audit.evaluation: the shared scorer's metrics, thresholds and exit codes."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from audit import evaluation
from audit.scanner.entities import ENTITY_TYPES
from tests.conftest import SHARED, run_cli

GOLD = [
    {
        "id": "g-1",
        "text": "Patient Maria Gonzalez, 72-year-old, seen at Elm Clinic on March 5th, 2021.",
        "spans": [
            {"start": 8, "end": 22, "label": "PERSON", "orig": "PERSON"},
            {"start": 24, "end": 26, "label": "AGE", "orig": "AGE"},
            {"start": 45, "end": 55, "label": "LOCATION", "orig": "GPE"},
        ],
        "values": None,
        "phi": None,
        "source": "spans-src",
    },
    {"id": "g-2", "text": "What are my options?", "spans": [], "values": None, "phi": None, "source": "spans-src"},
    {
        "id": "g-3",
        "text": "Call Dr. Okafor at (312) 555-0198 about MRN 5583920.",
        "spans": None,
        "values": [
            {"value": "Okafor", "label": "PERSON", "orig": "NAME"},
            {"value": "(312) 555-0198", "label": "PHONE", "orig": "PHONE_NUMBER"},
            {"value": "not in the text", "label": "ID", "orig": "UNIQUE_IDENTIFIER"},
        ],
        "phi": True,
        "source": "values-src",
    },
    {
        "id": "g-4",
        "text": "Dosing of metformin in CKD stage 3?",
        "spans": None,
        "values": [],
        "phi": False,
        "source": "values-src",
    },
]


@pytest.fixture
def gold_file(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in GOLD), encoding="utf-8")
    return path


def test_score_counts_by_hand():
    predicted = {
        "g-1": evaluation.Predicted(findings=((8, 22, "PERSON"), (45, 55, "ORGANIZATION"), (60, 70, "DATE_TIME"))),
        "g-3": evaluation.Predicted(findings=((9, 15, "PERSON"),), regulations=frozenset({"HIPAA"})),
    }
    res = evaluation.score(GOLD, predicted)
    span = res["span"]["ALL"]
    assert (span["gold_spans"], span["caught"], span["findings"], span["false_positives"]) == (3, 2, 3, 1)
    assert span["by_label"]["LOCATION"]["recall_any_type"] == 1.0
    assert span["by_label"]["LOCATION"]["recall"] == 0.0
    value = res["value"]["values-src"]
    assert (value["findable"], value["unfindable"], value["caught"]) == (2, 1, 1)
    record = res["record"]["ALL"]
    assert (record["tp"], record["fp"], record["fn"], record["tn"]) == (1, 0, 0, 1)


def _shared_scorer():
    path = SHARED / "eval" / "score.py"
    if not path.is_file():
        pytest.skip("shared/eval/score.py is not beside the repo")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_coarse_labels_agree_with_the_shared_scorer():
    shared = _shared_scorer()
    for entity in ENTITY_TYPES:
        assert evaluation.coarse_of(entity.name) == shared.coarse_of(entity.name), entity.name


def test_metrics_equal_the_shared_scorer(tmp_path, gold_file):
    shared = _shared_scorer()
    predicted = {
        "g-1": evaluation.Predicted(findings=((0, 7, "PERSON"), (8, 22, "PERSON"), (45, 55, "LOCATION"))),
        "g-3": evaluation.Predicted(findings=((19, 33, "PHONE_NUMBER"),), decision="strip"),
    }
    findings = tmp_path / "findings.jsonl"
    lines = [
        {"record": rid, "decision": p.decision, "regulations": sorted(p.regulations), "findings": [
            {"message": 0, "start": s, "end": e, "entity_type": t} for s, e, t in p.findings
        ]}
        for rid, p in predicted.items()
    ]  # fmt: skip
    findings.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    by_record, stats = shared.load_findings(str(findings))
    expected = shared.score(shared.load_gold([str(gold_file)]), by_record, stats)
    ours = evaluation.score(evaluation.load_gold([str(gold_file)]), predicted)
    for key in ("span", "value", "record", "coverage"):
        assert ours[key] == expected[key], key


def test_evaluate_scans_with_the_real_engine(context, settings, gold_file):
    res = evaluation.evaluate([str(gold_file)], settings, context)
    assert res["span"]["ALL"]["recall"] == 1.0
    assert res["span"]["ALL"]["by_label"]["AGE"]["recall"] == 1.0
    assert res["value"]["ALL"]["recall"] == 1.0


def test_thresholds():
    res = {"span": {"ALL": {"f2": 0.8, "recall": 0.9}}, "value": {"ALL": {"recall": 0.7}}, "record": {}}
    assert evaluation.threshold_failures(res, evaluation.Thresholds()) == []
    failures = evaluation.threshold_failures(
        res, evaluation.Thresholds(min_f2=0.85, min_recall=0.8, min_hipaa_recall=0.5)
    )
    assert failures == [
        "span F2 0.800 is below 0.850",
        "value recall 0.700 is below 0.800",
        "HIPAA record recall cannot be computed: the gold has no records with phi true",
    ]


def test_malformed_gold_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "text": "x", "source": "s"}\nnot json\n', encoding="utf-8")
    with pytest.raises(evaluation.GoldError, match=r"bad.jsonl:2") as exc:
        evaluation.load_gold([str(path)])
    assert exc.value.exit_code == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"spans": [{"start": 0, "end": 1, "label": "ID"}], "values": []}, "not both"),
        ({"spans": [{"start": 0, "end": 9, "label": "ID"}]}, "end <= 3"),
        ({"spans": [{"start": 2, "end": 2, "label": "ID"}]}, "start < end"),
        ({"spans": [{"start": "0", "end": 1, "label": "ID"}]}, "integer"),
        ({"values": [{"value": "", "label": "ID"}]}, "non-empty string 'value'"),
        ({"phi": "yes"}, "'phi' must be true, false or null"),
    ],
)
def test_gold_that_breaks_the_format_is_a_usage_error_with_file_and_line(tmp_path, fields, message):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "abc", "source": "s", **fields}) + "\n", encoding="utf-8")
    with pytest.raises(evaluation.GoldError, match=r"gold.jsonl:1: ") as exc:
        evaluation.load_gold([str(path)])
    assert message in str(exc.value)


def test_a_gate_the_gold_cannot_measure_fails():
    empty = {"span": {}, "value": {}, "record": {}}
    assert evaluation.threshold_failures(empty, evaluation.Thresholds()) == []
    failures = evaluation.threshold_failures(empty, evaluation.Thresholds(0.5, 0.5, 0.5))
    assert failures == [
        "span and value recall cannot be computed: the gold has no spans or values",
        "span F2 cannot be computed: the gold has no spans",
        "HIPAA record recall cannot be computed: the gold has no records with phi true",
    ]


def test_cli_gates_on_an_empty_gold_file_fail(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert run_cli("eval", str(empty)).returncode == 0
    gated = run_cli("eval", str(empty), "--min-f2", "0.5")
    assert gated.returncode == 1 and b"cannot be computed" in gated.stderr


def test_cli_prints_tables_json_and_exit_codes(gold_file):
    ok = run_cli("eval", str(gold_file), "--min-f2", "0.5")
    assert ok.returncode == 0, ok.stderr
    out = ok.stdout.decode()
    assert "Span level, type-agnostic" in out and "Value level" in out and "Record level" in out
    data = json.loads(run_cli("eval", str(gold_file), "--json").stdout)
    assert data["span"]["ALL"]["gold_spans"] == 3
    precision = data["span"]["ALL"]["precision"]
    assert precision < 1  # the gold marks no year; the scanner reports "2021"
    strict = run_cli("eval", str(gold_file), "--json", "--min-f2", "1")
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["threshold_failures"][0].startswith("span F2 ")
    # figures are printed in the unit thresholds take (0-1), and a threshold outside it is a usage error
    assert f"{precision:.3f}" in out
    for bad in ("88", "-0.1", "1.01"):
        refused = run_cli("eval", str(gold_file), "--min-f2", bad)
        assert refused.returncode == 2, bad
    missing = run_cli("eval", "no-such-gold.jsonl")
    assert missing.returncode == 3 and b"no-such-gold.jsonl" in missing.stderr


def test_gold_labels_may_be_entity_types(tmp_path):
    path = tmp_path / "gold.jsonl"
    rec = {"id": "a", "text": "SSN 123-45-6789", "source": "s", "spans": [{"start": 4, "end": 15, "label": "US_SSN"}]}
    rec2 = {"id": "b", "text": "Dr. Ng", "source": "s", "values": [{"value": "Ng", "label": "person"}]}
    path.write_text(json.dumps(rec) + "\n" + json.dumps(rec2) + "\n", encoding="utf-8")
    a, b = evaluation.load_gold([str(path)])
    assert a["spans"][0]["label"] == "ID" and b["values"][0]["label"] == "PERSON"


def test_unknown_gold_label_names_file_and_line(tmp_path):
    path = tmp_path / "gold.jsonl"
    rec = {"id": "a", "text": "x", "source": "s", "spans": [{"start": 0, "end": 1, "label": "SOCIAL_NUMBER"}]}
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    with pytest.raises(evaluation.GoldError, match=r"gold.jsonl:1: unknown label 'SOCIAL_NUMBER'"):
        evaluation.load_gold([str(path)])


def test_the_documented_gold_example_is_valid_gold(tmp_path):
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    section = doc.split("## Your own gold data", 1)[1]
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(json.loads(block)) + "\n", encoding="utf-8")
    (rec,) = evaluation.load_gold([str(path)])
    assert [rec["text"][s["start"] : s["end"]] for s in rec["spans"]] == ["Okafor", "3/4"]
