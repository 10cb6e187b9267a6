"""The report gathered from a real registry database (the store records the shared fixture scan)."""

from __future__ import annotations

import pytest

from audit.model import Tier
from audit.report import html
from audit.report.registry_report import from_registry

from .conftest import IMG, XSS, make_results

recorder_mod = pytest.importorskip("audit.store.recorder")
registry_mod = pytest.importorskip("audit.store.registry")


@pytest.fixture
def registry_url(tmp_path, summary):
    url = f"sqlite:///{tmp_path / 'reg.db'}"
    registry = registry_mod.Registry.open(url)
    try:
        for _ in range(2):  # two scans: a history and a trend
            with recorder_mod.ScanRecorder(registry, policy_identity="hipaa@1", profiles={}) as rec:
                for r in make_results():
                    rec.add(r)
                rec.finish(summary)
    finally:
        registry.close()
    return url


def test_report_from_registry_has_decisions_history_and_masked_findings(registry_url):
    data = from_registry(registry_url, tool_version="9.9")
    names = [w.name for w in data.workloads]
    assert names[0] == "billing" and f"wl{IMG}" in names
    billing = data.workloads[0]
    assert billing.decision is Tier.SELF_HOSTED
    assert billing.reasons[0].rule == "hipaa/phi-closed-api"
    assert [s.decision for s in billing.history] == [Tier.SELF_HOSTED, Tier.SELF_HOSTED]
    assert {f.entity_type: f.examples for f in billing.findings}["US_SSN"] == ["***-**-6789"]
    assert len(data.scans) == 2 and data.policy_versions == ["hipaa@1"]


def test_registry_report_html_is_inert(registry_url):
    doc = html.render(from_registry(registry_url))
    assert "<img" not in doc and "<script" not in doc
    assert "&lt;img src=x onerror=alert(2)&gt;" in doc
    assert XSS not in doc


def test_every_format_prints_the_event_head_that_registry_verify_checks(registry_url, capsys):
    from audit.cli import main
    from audit.report import json_report, markdown

    data = from_registry(registry_url)
    head = data.event_head
    assert head and head.startswith("4:")  # two scans: started and completed each
    for text in (html.render(data), markdown.render(data)):
        assert head in text and f"audit registry verify --expect-head {head}" in text
    assert json_report.to_dict(data)["event_head"] == head
    with pytest.raises(SystemExit) as done:
        main(["registry", "verify", "--db", registry_url, "--expect-head", head])
    assert done.value.code == 0 and capsys.readouterr().out.split()[-1] == head
