"""Flow checks: declared categories vs endpoints, and drift against the registry's latest scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.errors import ConfigError
from audit.flows import Endpoint, check_drift, check_flows, load_manifest, load_taxonomy, parse_manifest, verdict
from audit.model import Tier
from audit.scanner.entities import BY_NAME
from tests.conftest import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "workloads.yaml"
CLOSED = Endpoint(name="api", hosting="closed_api", agreements=frozenset({"DPA"}))
SELF = Endpoint(name="vllm", hosting="self_hosted")


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def test_every_entity_maps_to_a_known_category_and_a_known_entity_type(taxonomy):
    for entity, category in taxonomy.entities.items():
        assert entity in BY_NAME, entity
        assert taxonomy.known(category), category


def test_requirements_inherit_from_the_nearest_ancestor(taxonomy):
    assert taxonomy.requirement("user.health_and_medical.record_id").category == "user.health_and_medical"
    assert taxonomy.requirement("user.contact.email").category == "user"
    assert taxonomy.requirement("system.operations").otherwise is Tier.UNRESTRICTED


@pytest.mark.parametrize(
    ("category", "endpoint", "agreements", "redaction", "allowed", "required"),
    [
        ("user.health_and_medical", CLOSED, {"DPA"}, False, False, Tier.SELF_HOSTED),
        ("user.health_and_medical", CLOSED, {"BAA"}, False, True, Tier.CLOSED_WITH_AGREEMENT),
        ("user.health_and_medical", CLOSED, {"DPA"}, True, False, Tier.SELF_HOSTED),  # not redactable
        ("user.health_and_medical", SELF, set(), False, True, Tier.SELF_HOSTED),
        ("user.name", CLOSED, set(), False, False, Tier.REDACT_THEN_CLOSED),
        ("user.name", CLOSED, set(), True, True, Tier.REDACT_THEN_CLOSED),
        ("user.name", CLOSED, {"DPA"}, False, True, Tier.CLOSED_WITH_AGREEMENT),
        ("user.financial.credit_card", CLOSED, {"DPA"}, False, False, Tier.SELF_HOSTED),
        ("user.financial.credit_card", CLOSED, {"DPA"}, True, True, Tier.REDACT_THEN_CLOSED),
        ("user.authorization.credentials", SELF, set(), False, False, Tier.STRIP),
        ("user.content.private.legal_matter", CLOSED, {"NO_TRAINING"}, False, False, Tier.SELF_HOSTED),
    ],
)
def test_verdict(taxonomy, category, endpoint, agreements, redaction, allowed, required):
    v = verdict(taxonomy, category, endpoint, frozenset(agreements), redaction)
    assert (v.allowed, v.required) == (allowed, required)


def test_fixture_manifest_yields_one_explained_violation(taxonomy):
    report = check_flows(load_manifest(FIXTURE), taxonomy)
    assert report.flows_checked == 3
    [issue] = report.issues
    assert (issue.workload, issue.category, issue.required) == (
        "clinical-notes",
        "user.health_and_medical",
        Tier.SELF_HOSTED,
    )
    assert "needs BAA" in issue.explanation and "HIPAA" in issue.regulations and "164.502(e)" in issue.citation


def test_unknown_category_is_reported(taxonomy):
    manifest = parse_manifest(
        {"workloads": [{"name": "w", "owner": "o", "data_flows": [{"source": "s", "categories": ["user.helth"]}]}]}
    )
    [issue] = check_flows(manifest, taxonomy).issues
    assert issue.kind == "unknown_category"


def test_unknown_endpoint_is_a_config_error():
    flow = {"source": "s", "categories": ["user.name"], "endpoint": "nope"}
    with pytest.raises(ConfigError, match="unknown endpoint 'nope'"):
        parse_manifest({"workloads": [{"name": "w", "owner": "o", "data_flows": [flow]}]})


def test_bad_manifest_names_the_field():
    endpoint = {"name": "e", "provider": "p", "model": "m", "hosting": "moon"}
    with pytest.raises(ConfigError, match=r"workloads\[0\]\(w\)\.endpoints\[0\]\(e\)\.hosting: Input should be"):
        parse_manifest({"workloads": [{"name": "w", "owner": "o", "endpoints": [endpoint]}]})


def test_drift_flags_undeclared_regulated_data_only(taxonomy):
    observed = {
        "card-disputes": {"CREDIT_CARD": 3, "CARD_EXPIRY": 1, "PERSON": 9, "DATE_TIME": 4},
        "clinical-notes": {"MEDICAL_CONDITION": 2},
    }
    [drift] = check_drift(load_manifest(FIXTURE), taxonomy, observed)
    assert (drift.kind, drift.workload, drift.category, drift.count) == (
        "drift",
        "card-disputes",
        "user.financial.credit_card",
        4,
    )
    assert drift.entities == {"CARD_EXPIRY": 1, "CREDIT_CARD": 3}  # one row per category, its types counted
    assert drift.required is Tier.SELF_HOSTED and drift.endpoint == "claude-sonnet" and drift.blocking
    assert "PCI_AOC" in drift.explanation and "PCI-DSS" in drift.regulations and "3.4.1" in drift.citation
    assert check_drift(load_manifest(FIXTURE), taxonomy, observed, min_count=5) == []  # 4 in total


def test_undeclared_but_allowed_categories_are_advisory(taxonomy):
    observed = {"matter-review": {"EMAIL_ADDRESS": 2}, "card-disputes": {"US_ZIP_CODE": 1, "LOCATION": 2}}
    found = check_drift(load_manifest(FIXTURE), taxonomy, observed)
    assert [(d.workload, d.category, d.kind) for d in found] == [
        ("card-disputes", "user.contact.address", "undeclared"),  # LOCATION; DPA on file
        ("card-disputes", "user.contact.address.postal_code", "undeclared"),
        ("matter-review", "user.contact.email", "undeclared"),  # self-hosted endpoint
    ]
    report = check_flows(load_manifest(FIXTURE), taxonomy, ["matter-review"])
    report.add_drift(found)
    assert report.drift == [] and len(report.undeclared) == 3 and not report.failed
    assert "add it to a data flow" in found[-1].explanation


def test_explicitly_empty_flows_still_get_drift_checked(taxonomy):
    manifest = parse_manifest(
        {
            "workloads": [
                {
                    "name": "w",
                    "owner": "o",
                    "data_flows": [],
                    "endpoints": [
                        {"name": "api", "provider": "p", "model": "m", "hosting": "closed_api", "agreements": ["DPA"]}
                    ],
                }
            ]
        }
    )
    [drift] = check_drift(manifest, taxonomy, {"w": {"API_KEY": 3, "CONNECTION_STRING": 1}})
    assert (drift.kind, drift.category, drift.entities, drift.required) == (
        "drift",
        "user.authorization.credentials",
        {"API_KEY": 3, "CONNECTION_STRING": 1},
        Tier.STRIP,
    )
    assert "declared: none" in drift.explanation


def test_cli_exits_1_with_a_violation_and_a_drift_finding(tmp_path):
    """End to end: import the manifest, record a real scan of card-dispute logs, then check flows."""
    db = str(tmp_path / "reg.db")
    logs = tmp_path / "disputes.jsonl"
    prompt = "Customer disputes a charge on card 4111 1111 1111 1111 from last Tuesday."
    logs.write_text(json.dumps({"messages": [{"role": "user", "content": prompt}]}) + "\n")
    assert run_cli("registry", "import", str(FIXTURE), "--db", db).returncode == 0
    scan = run_cli("scan", str(logs), "--workload", "card-disputes", "--db", db, "--registry", "--fail-on", "never")
    assert scan.returncode == 0, scan.stderr.decode()
    proc = run_cli("flows", "check", str(FIXTURE), "--db", db, "--format", "json")
    assert proc.returncode == 1, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert [v["category"] for v in data["violations"]] == ["user.health_and_medical"]
    assert [(d["workload"], d["category"], d["entities"]) for d in data["drift"]] == [
        ("card-disputes", "user.financial.credit_card", {"CREDIT_CARD": 1})
    ]
    assert data["failed"] is True
    assert prompt not in proc.stdout.decode() and "4111" not in proc.stdout.decode()


def test_cli_table_and_clean_exit(tmp_path):
    clean = tmp_path / "clean.yaml"
    clean.write_text(
        "workloads:\n  - name: w\n    owner: me\n"
        "    endpoints: [{name: vllm, provider: hosted_vllm, model: llama, hosting: self_hosted}]\n"
        "    data_flows:\n      - {source: EHR notes, categories: [user.health_and_medical], endpoint: vllm}\n"
    )
    proc = run_cli("flows", "check", str(clean), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "1 flow(s) checked: 0 violation(s), drift not checked" in proc.stdout.decode()
    proc = run_cli("flows", "check", str(FIXTURE), cwd=tmp_path)
    assert proc.returncode == 1 and "Flow violations" in proc.stdout.decode()


def test_advisory_rows_alone_do_not_fail_ci(tmp_path):
    """A real scan finds an email the workload's flows do not list, but its endpoint's DPA allows it: exit 0."""
    manifest = tmp_path / "w.yaml"
    manifest.write_text(
        "workloads:\n  - name: faq\n    owner: me\n"
        "    endpoints: [{name: api, provider: openai, model: gpt-4o, hosting: closed_api, agreements: [DPA]}]\n"
        "    data_flows:\n      - {source: help widget, categories: [system.operations], endpoint: api}\n"
    )
    logs = tmp_path / "faq.jsonl"
    logs.write_text(json.dumps({"messages": [{"role": "user", "content": "Write to jane.roe@example.com now"}]}) + "\n")
    db = str(tmp_path / "reg.db")
    assert run_cli("registry", "import", str(manifest), "--db", db).returncode == 0
    scan = run_cli("scan", str(logs), "--workload", "faq", "--db", db, "--fail-on", "never")
    assert scan.returncode == 0, scan.stderr.decode()
    proc = run_cli("flows", "check", str(manifest), "--db", db, "--format", "json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr.decode()
    assert data["violations"] == [] and data["drift"] == [] and data["failed"] is False
    assert [(d["category"], d["kind"]) for d in data["undeclared"]] == [("user.contact.email", "undeclared")]
    assert "jane.roe" not in proc.stdout.decode()
    table = run_cli("flows", "check", str(manifest), "--db", db)
    assert table.returncode == 0 and "Undeclared (advisory)" in table.stdout.decode()
    assert "0 violation(s), 0 drift finding(s), 1 undeclared (advisory)" in table.stdout.decode()
