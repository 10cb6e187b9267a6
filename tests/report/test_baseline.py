"""Baselines: value-free files that hide exactly the accepted findings."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from audit import baseline as bl
from audit.errors import ConfigError
from audit.model import Tier
from audit.settings import Settings

from .conftest import RAW_VALUES, make_results

SECRET = b"s" * 32


def baseline_of(results, **header) -> bl.Baseline:
    b = bl.Baseline()
    for r in results:
        b.add_result(r)
    b.header = bl.build_header(Settings(), SECRET, "9.9", "none") | header
    return b


def test_entry_id_binds_the_workload():
    assert bl.entry_id("a" * 32, "billing") != bl.entry_id("a" * 32, "support")
    assert bl.entry_id("a" * 32, None) == bl.entry_id("a" * 32, "")


def test_fully_baselined_record_is_clean_and_unrestricted():
    results = make_results()
    b = baseline_of(results[:1])
    out = b.filter(results[0])
    assert not out.has_output and out.decision is Tier.UNRESTRICTED and out.evaluation.rules == ()
    assert b.hidden == 3


def test_partly_baselined_record_keeps_new_findings_and_their_rules():
    results = make_results()
    phi = results[0]
    b = bl.Baseline()
    b.entries = {
        i: bl.Entry(i, "PERSON") for i in [bl.entry_id(phi.findings[1].fingerprint, "billing")]
    }  # accept the name only
    out = b.filter(phi)
    assert [f.entity_type for f in out.findings] == ["US_SSN", "DIAGNOSIS"]
    assert out.evaluation.rules[0].findings == (0, 1)  # re-indexed
    assert out.decision is Tier.SELF_HOSTED


def test_rule_dropped_when_all_its_findings_are_baselined_and_decision_recomputed():
    results = make_results()
    phi = results[0]
    accepted = [bl.entry_id(phi.findings[i].fingerprint, "billing") for i in (0, 2)]
    b = bl.Baseline({i: bl.Entry(i, "X") for i in accepted})
    out = b.filter(phi)
    assert out.evaluation.rules == () and out.decision is Tier.UNRESTRICTED
    assert [f.entity_type for f in out.findings] == ["PERSON"] and out.has_output


def test_rules_citing_no_finding_are_never_hidden():
    results = make_results()
    b = baseline_of(results)
    assert b.filter(results[2]) is results[2]


def test_same_value_in_another_workload_is_new():
    results = make_results()
    b = baseline_of(results[:1])
    moved = results[0].__class__(**{**results[0].__dict__, "workload": "support"})
    assert b.filter(moved).has_output


def test_expired_entries_count_again():
    results = make_results()
    b = baseline_of(results[:1])
    b.entries = {
        k: bl.Entry(k, e.entity_type, e.workload, "ana", "test data", "2020-01-31") for k, e in b.entries.items()
    }
    b.today = dt.date(2020, 2, 1)
    assert b.filter(results[0]) is results[0]
    assert len(b.expired_entries()) == 3
    b2 = bl.Baseline(dict(b.entries), today=dt.date(2020, 1, 31))
    assert not b2.filter(results[0]).has_output  # still valid on its expiry day


def test_file_is_sorted_one_entry_per_line_and_value_free(tmp_path):
    results = make_results()
    b = baseline_of(results)
    path = tmp_path / "base.json"
    bl.save(b, path)
    text = path.read_text()
    data = json.loads(text)
    assert data["format"] == "llm-audit-baseline" and data["version"] == 1
    assert data["tool"]["version"] == "9.9" and data["settings"]["score_threshold"] == 0.4
    ids = [e["id"] for e in data["entries"]]
    assert ids == sorted(ids) and len(ids) == 5
    entry_lines = [line for line in text.splitlines() if line.strip().startswith('{"id"')]
    assert len(entry_lines) == 5
    for token in (*RAW_VALUES, "***-**-6789", "line", 'fingerprint":"a', "logs/chat.jsonl"):
        assert token not in "\n".join(entry_lines)
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_round_trip_and_merge_keeps_metadata(tmp_path):
    results = make_results()
    path = tmp_path / "base.json"
    first = baseline_of(results[:1])
    key = sorted(first.entries)[0]
    first.entries[key] = bl.Entry(key, first.entries[key].entity_type, "billing", "ana", "synthetic", "2999-01-01")
    bl.save(first, path)
    loaded = bl.load(path)
    assert loaded.entries == first.entries
    merged = bl.merge(baseline_of(results), loaded)
    assert merged.entries[key].owner == "ana" and merged.entries[key].expires == "2999-01-01"
    assert len(merged.entries) == 5


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "cannot read"),
        ('{"format": "other"}', "not an llm-audit baseline"),
        ('{"format": "llm-audit-baseline", "version": 99}', "version 99"),
        ('{"format": "llm-audit-baseline", "version": 1, "entries": [{"id": "x", "expires": "soon"}]}', "entry 1"),
    ],
)
def test_bad_files_are_config_errors(tmp_path, content, message):
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        bl.load(path)


def test_secret_check():
    b = baseline_of([])
    assert bl.check_secret(b, SECRET)
    assert not bl.check_secret(b, b"t" * 32)
