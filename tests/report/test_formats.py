"""Every scan output format against the one shared fixture scan."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml

from audit.model import Tier
from audit.report.formats import FORMATS, Fanout, FormatOptions, Target
from audit.report.formats.github import annotation, escape_data, escape_property
from audit.report.formats.sarif import FINGERPRINT_KEY

from .conftest import FIXTURES, RAW_VALUES, render


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders_without_raw_values(name, results, summary):
    text = render(FORMATS[name], results, summary)
    assert text.strip()
    for raw in RAW_VALUES:
        assert raw not in text


def test_json_is_one_document_with_summary_and_flagged_records(results, summary):
    doc = json.loads(render(FORMATS["json"], results, summary))
    assert doc["tool"] == {"name": "llm-audit", "version": "9.9"}
    assert doc["summary"]["records_read"] == 5
    assert doc["summary"]["records_skipped"] == 1
    assert [r["record"] for r in doc["records"]][:3] == ["req-1", "2", "req-2"]
    assert len(doc["records"]) == 4  # the clean record is left out
    assert doc["records"][0]["context"][0]["entity_type"] == "DIAGNOSIS"


@pytest.fixture(scope="module")
def sarif_schema():
    return json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())


def sarif_of(results, summary, **options):
    return json.loads(render(FORMATS["sarif"], results, summary, base_dir=".", **options))


def test_sarif_validates_against_the_official_schema(results, summary, sarif_schema):
    doc = sarif_of(results, summary)
    jsonschema.validate(doc, sarif_schema)
    assert doc["version"] == "2.1.0"


def test_sarif_levels_follow_the_decision_tier(results, summary):
    run = sarif_of(results, summary, fail_on="never")["runs"][0]  # below the gate: the tier decides
    by_rule = {}
    for res in run["results"]:
        by_rule.setdefault(res["ruleId"], set()).add(res["level"])
    assert by_rule["hipaa/phi-closed-api"] == {"error"}
    assert by_rule["gdpr/gdpr-art9"] == {"warning"}
    assert by_rule["pci/pan"] == {"note"}
    # findings no rule cites fall back to one rule per entity type
    assert by_rule["entity/PERSON"] == {"note"}
    assert by_rule["entity/EMAIL_ADDRESS"] == {"note"}


def test_a_record_at_or_above_the_gate_is_a_sarif_error(results, summary):
    """Severity follows the gate (issue 25): a record that fails --fail-on is never a note or a warning."""
    gated = {r.record_id for r in results if r.decision.rank <= Tier.REDACT_THEN_CLOSED.rank}
    for res in sarif_of(results, summary, fail_on="redact_then_closed")["runs"][0]["results"]:
        if res["properties"].get("record") in gated:
            assert res["level"] == "error", res["ruleId"]


def test_sarif_results_carry_fingerprints_locations_and_record_properties(results, summary):
    run = sarif_of(results, summary)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ssn = next(r for r in run["results"] if r["properties"].get("entityType") == "US_SSN")
    assert ssn["partialFingerprints"] == {FINGERPRINT_KEY: "a" * 32}
    assert rules[ssn["ruleIndex"]]["id"] == ssn["ruleId"]
    loc = ssn["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "logs/chat.jsonl"
    assert loc["region"] == {"startLine": 3}  # JSON lines: no columns
    assert ssn["properties"]["record"] == "req-1" and ssn["properties"]["message"] == 0
    assert "***-**-6789" in ssn["message"]["text"]
    email = next(r for r in run["results"] if r["ruleId"] == "entity/EMAIL_ADDRESS")
    region = email["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 11, "endColumn": 31}  # plain text: offsets are columns
    assert run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 9
    }


def test_sarif_rule_help_comes_from_policy_packs(results, summary, sarif_schema):
    class Rule:
        id = "phi-closed-api"
        citation = "45 CFR 164.502(e)"
        description = "PHI sent to a closed API without a BAA"
        remediation = "Sign a BAA or self-host."
        decision = "self_hosted"

    class Pack:
        id = "hipaa"
        regulation = "HIPAA"
        rules = (Rule(),)

    class PolicySet:
        packs = (Pack(),)
        identity = "hipaa@1"

    doc = sarif_of(results, summary, policy_set=PolicySet())
    jsonschema.validate(doc, sarif_schema)
    rule = next(r for r in doc["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "hipaa/phi-closed-api")
    assert rule["fullDescription"]["text"] == "PHI sent to a closed API without a BAA"
    assert "45 CFR 164.502(e)" in rule["help"]["text"] and "Sign a BAA" in rule["help"]["text"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert doc["runs"][0]["properties"]["policy"] == "hipaa@1"


def junit_of(results, summary, **options):
    text = render(FORMATS["junit"], results, summary, **options)
    return JUnitXml.fromstring(text.encode())


def test_junit_fails_records_at_or_above_the_gate(results, summary):
    xml = junit_of(results, summary, fail_on="closed_with_agreement")
    cases = {(s.name, c.name): c for s in xml for c in s}
    failed = {k for k, c in cases.items() if any(isinstance(r, Failure) for r in c.result)}
    assert failed == {("logs/chat.jsonl", "record req-1 (line 3)"), ("logs/chat.jsonl", "record req-2 (line 4)")}
    failure = next(r for r in cases[("logs/chat.jsonl", "record req-1 (line 3)")].result if isinstance(r, Failure))
    assert "self_hosted" in failure.message and "***-**-6789" in failure.text
    case = cases[("logs/chat.jsonl", "record req-1 (line 3)")]
    assert case.system_out == "file: logs/chat.jsonl\nline: 3"  # junit-10.xsd has no file/line attributes
    errors = [c for c in cases.values() if any(isinstance(r, Error) for r in c.result)]
    assert len(errors) == 1  # the unreadable record
    assert xml.failures == 2 and xml.errors == 1


def test_junit_default_gate_and_never(results, summary):
    assert junit_of(results, summary).failures == 3  # redact_then_closed and stricter
    assert junit_of(results, summary, fail_on="never").failures == 0


def test_junit_gives_a_clean_file_one_passing_case(results, summary):
    xml = junit_of(results[4:], summary)
    suite = next(s for s in xml if s.name == "logs/notes.txt")
    assert [c.name for c in suite] == ["clean"]


def test_github_escaping_rules():
    assert escape_data("100%\r\nok") == "100%25%0D%0Aok"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert annotation("error", "x", file="f,1.txt", line=3) == "::error file=f%2C1.txt,line=3::x"


def test_github_annotations_one_line_per_flagged_record(results, summary):
    lines = render(FORMATS["github"], results, summary, base_dir=".", fail_on="never").splitlines()
    assert len(lines) == 5  # four flagged records and the summary notice
    assert all(line.startswith("::") for line in lines)
    assert lines[0].startswith("::error file=logs/chat.jsonl,line=3,title=llm-audit%3A self_hosted (HIPAA)::")
    assert lines[1].startswith("::notice file=logs/notes.txt,line=2")
    assert lines[2].startswith("::warning ")  # below the gate: the tier decides
    assert "%0A" in lines[3] and "\n" not in lines[3]  # a newline in a record id cannot end the command
    gated = render(FORMATS["github"], results, summary, base_dir=".", fail_on="redact_then_closed").splitlines()
    assert gated[2].startswith("::error ")  # closed_with_agreement fails that gate: an error, as in SARIF


def test_fanout_feeds_every_target_the_same_stream(results, summary):
    sarif, junit, main = io.StringIO(), io.StringIO(), io.StringIO()
    fanout = Fanout([Target("jsonl"), Target("sarif", sarif), Target("junit", junit)], fail_on="never")
    fmt = fanout(main, FormatOptions(tool_version="1"))
    for r in results:
        fmt.add(r)
    fmt.finish(summary)
    assert len(main.getvalue().splitlines()) == 4
    assert json.loads(sarif.getvalue())["runs"][0]["results"]
    assert JUnitXml.fromstring(junit.getvalue().encode()).failures == 0
    assert fanout.strictest is Tier.SELF_HOSTED


def test_fanout_with_a_filter_counts_what_the_formats_saw(results, summary):
    from dataclasses import replace

    out = io.StringIO()
    fanout = Fanout([Target("json")], lambda r: replace(r, findings=(), evaluation=type(r.evaluation)()))
    fmt = fanout(out, FormatOptions())
    for r in results:
        fmt.add(r)
    fmt.finish(summary)
    doc = json.loads(out.getvalue())
    assert doc["records"] == [] and doc["summary"]["records_with_findings"] == 0
    assert doc["summary"]["records_read"] == 5 and doc["summary"]["records_skipped"] == 1
    assert fanout.strictest is Tier.UNRESTRICTED
