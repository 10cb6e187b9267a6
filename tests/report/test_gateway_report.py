"""The "Enforced at the gateway" section from a real registry: counts a DecisionCounter flushed, next to scan decisions."""

from __future__ import annotations

import json

import pytest

from audit.cli import main
from audit.enforcement import DecisionCounter
from audit.report import html
from audit.report.registry_report import from_registry

from .conftest import IMG, XSS, make_results

recorder_mod = pytest.importorskip("audit.store.recorder")
registry_mod = pytest.importorskip("audit.store.registry")
RULE = "hipaa/phi-closed-api"


@pytest.fixture
def registry_url(tmp_path, summary):
    """One scan (billing decides self_hosted) and two flushes of gateway counts, one of them under a hostile name."""
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    registry = registry_mod.Registry.open(url)
    try:
        with recorder_mod.ScanRecorder(registry, policy_identity="hipaa@1", profiles={}) as rec:
            for r in make_results():
                rec.add(r)
            rec.finish(summary)
        counter = DecisionCounter("guardrail")
        for _ in range(3):
            counter.count("billing", "self_hosted", "self_hosted", [RULE])
        counter.count("billing", "strip", "blocked", [RULE, "pci/pan"], refusal="blocked")
        assert counter.flush(registry)
        counter.count(f"gw{IMG}{XSS}", "unrestricted", "closed")
        counter.refuse(None, "no-workload")
        counter.refuse("billing", "internal-error")
        assert counter.flush(registry)
    finally:
        registry.close()
    return url


def test_the_json_report_holds_the_gateway_counts_exactly(registry_url, capsys):
    with pytest.raises(SystemExit) as done:
        main(["report", "--format", "json", "--db", registry_url])
    assert done.value.code == 0
    gateway = json.loads(capsys.readouterr().out)["gateway"]
    assert gateway["recorded"] is True and gateway["sources"] == ["guardrail"]
    assert gateway["requests"] == 7 and gateway["refused"] == 3
    assert gateway["period_start"] <= gateway["period_end"]
    assert gateway["workloads"] == [
        {"workload": "billing", "requests": 5, "scan_decision": "self_hosted",
         "by_target": {"blocked": 1, "self_hosted": 3}, "by_tier": {"strip": 1, "self_hosted": 3},
         "refusals": {"blocked": 1, "internal-error": 1},
         "top_rules": [{"rule": RULE, "requests": 4}, {"rule": "pci/pan", "requests": 1}]},
        {"workload": f"gw{IMG}{XSS}", "requests": 1, "scan_decision": None, "by_target": {"closed": 1},
         "by_tier": {"unrestricted": 1}, "refusals": {}, "top_rules": []},
        {"workload": None, "requests": 1, "scan_decision": None, "by_target": {}, "by_tier": {},
         "refusals": {"no-workload": 1}, "top_rules": []},
    ]  # fmt: skip


def test_the_html_section_escapes_hostile_workload_names(registry_url):
    doc = html.render(from_registry(registry_url))
    section = doc.split("<h2>Enforced at the gateway</h2>", 1)[1].split("<h2>", 1)[0]
    assert "7 requests decided at the gateway (guardrail)" in section and "3 self-hosted model" in section
    assert "gw&lt;img src=x onerror=alert(2)&gt;&lt;script&gt;" in section
    assert IMG not in doc and XSS not in doc and "<script" not in doc


def test_a_registry_without_gateway_decisions_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    registry_mod.Registry.open(url).close()
    data = from_registry(url)
    assert data.gateway.recorded and data.gateway.workloads == [] and data.gateway.requests == 0
    assert "No gateway decisions recorded" in html.render(data)
