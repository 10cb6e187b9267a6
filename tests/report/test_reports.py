"""HTML, Markdown and JSON reports from one constructed ReportData (golden-ish: structure and safety)."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest

from audit.model import Tier
from audit.report import charts, html, json_report, markdown
from audit.report.flows_section import FlowRow, FlowSection
from audit.report.gateway_section import GatewaySection, GatewayWorkload, RuleCount
from audit.report.registry_report import (
    EndpointInfo,
    EntityCount,
    Reason,
    ReportData,
    ScanPoint,
    WaiverInfo,
    WorkloadReport,
    from_scan_json,
    redact_url,
)

from .conftest import IMG, XSS, make_results, render

TODAY = dt.date(2025, 6, 1)


def report_data() -> ReportData:
    """Three workloads: a violating PHI one, a hostile-named one, and a clean one; three scans."""
    scans = [ScanPoint(i, f"2025-05-0{i} 10:00", 100, 10 * i, 12 * i, f"hipaa@1.{i}", "0.1.0") for i in (1, 2, 3)]
    phi = WorkloadReport(
        name="clinical-notes",
        decision=Tier.SELF_HOSTED,
        owner="ana@example.com",
        hosting="closed_api",
        violation=True,
        records=100,
        records_with_findings=30,
        regulations=["HIPAA"],
        reasons=[
            Reason("hipaa/phi-closed-api", "HIPAA", "45 CFR 164.502(e)", Tier.SELF_HOSTED, "PHI to a closed API", 30)
        ],
        endpoints=[EndpointInfo("gpt", "openai", "gpt-4o", "closed_api", "us", ["DPA"])],
        findings=[EntityCount("US_SSN", 12, ["***-**-6789"]), EntityCount("PERSON", 20, ["J*** D**"])],
        waivers=[WaiverInfo("clinical-notes", "bo", "migration", TODAY + dt.timedelta(days=10), rule="hipaa/x")],
        history=[ScanPoint(s.id, s.started_at, 100, 10, 12, s.policy, decision=Tier.SELF_HOSTED) for s in scans],
        tiers={Tier.SELF_HOSTED: 25, Tier.REDACT_THEN_CLOSED: 5},
    )
    hostile = WorkloadReport(
        name=f"wl{IMG}",
        decision=Tier.REDACT_THEN_CLOSED,
        description=f"prompt said {XSS}",
        records=5,
        records_with_findings=2,
        findings=[EntityCount("EMAIL_ADDRESS", 2, [f"{XSS}", IMG])],
        waivers=[WaiverInfo(f"wl{IMG}", XSS, XSS, TODAY - dt.timedelta(days=3), fingerprint="f" * 32)],
    )
    clean = WorkloadReport(name="faq-bot", records=50)
    return ReportData(
        generated_at="2025-06-01 09:00 UTC",
        tool_version="0.1.0",
        source="sqlite:////tmp/llm-audit.db",
        workloads=[phi, hostile, clean],
        scans=scans,
        by_regulation={"HIPAA": 30, "PCI-DSS": 2},
        by_entity={"PERSON": 20, "US_SSN": 12, "EMAIL_ADDRESS": 2},
        policy_versions=[s.policy for s in scans],
        today=TODAY,
        flows=FlowSection(checked=True, flows_declared=2, rows=flow_rows()),
        gateway=gateway_section(),
    )


def gateway_section() -> GatewaySection:
    """What the gateway enforced: a PHI workload, a hostile-named one, and requests that named no workload."""
    phi = GatewayWorkload(
        "clinical-notes", 42, Tier.SELF_HOSTED, {"blocked": 2, "self_hosted": 38},
        {Tier.STRIP: 2, Tier.SELF_HOSTED: 38}, {"internal-error": 2},
        [RuleCount("hipaa/phi-closed-api", 38), RuleCount(f"pci/{XSS}", 2)],
    )  # fmt: skip
    hostile = GatewayWorkload(f"gw{IMG}", 3, None, {"closed": 3}, {Tier.UNRESTRICTED: 3})
    nameless = GatewayWorkload(None, 5, refusals={"bad-request": 4, "no-workload": 1})
    return GatewaySection(
        recorded=True, sources=["guardrail", "serve"], period_start="2025-05-31T09:00:00Z",
        period_end="2025-06-01T09:00:00Z", requests=50, refused=7, workloads=[phi, hostile, nameless],
    )  # fmt: skip


def flow_rows() -> list[FlowRow]:
    """One flow violation, one drift finding (hostile strings in it) and one advisory row."""
    violation = FlowRow(
        "clinical-notes", "violation", "user.health_and_medical", "gpt", Tier.SELF_HOSTED,
        "EHR notes sends user.health_and_medical to closed_api endpoint 'gpt'; needs BAA for a closed API",
        flow="EHR notes", regulations=["HIPAA"], citation="45 CFR 164.502(e), 164.504(e)",
    )  # fmt: skip
    drift = FlowRow(
        f"wl{IMG}", "drift", "user.authorization.credentials", XSS, Tier.STRIP, f"the latest scan saw {XSS}",
        entities={"API_KEY": 3, "CONNECTION_STRING": 1}, regulations=["CCPA"], citation="Cal. Civ. Code 1798.81.5",
    )  # fmt: skip
    advisory = FlowRow(
        "faq-bot", "undeclared", "user.contact.email", "gpt", Tier.CLOSED_WITH_AGREEMENT,
        "may receive it (closed API with DPA on file): add it to a data flow", entities={"EMAIL_ADDRESS": 2},
    )  # fmt: skip
    return [violation, drift, advisory]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(doc: str) -> _Collector:
    p = _Collector()
    p.feed(doc)
    return p


def test_executive_summary_lists_self_hosted_violations_and_expiring_waivers():
    data = report_data()
    assert [w.name for w in data.self_hosted()] == ["clinical-notes"]
    assert [w.name for w in data.violations()] == ["clinical-notes"]
    assert [v.workload for v in data.expiring_waivers()] == [f"wl{IMG}", "clinical-notes"]  # expired first


def test_html_is_self_contained_with_inline_svg_charts():
    doc = html.render(report_data())
    p = parsed(doc)
    tags = [t for t, _ in p.tags]
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", doc)
    assert tags.count("svg") == 5  # four charts and the legend
    assert "Content-Security-Policy" in doc
    text = " ".join(p.text)
    for needle in ("Executive summary", "Must stay on self-hosted", "45 CFR 164.502(e)", "gpt-4o", "DPA", "hipaa 1.3"):
        assert needle in text


def test_html_keeps_prompt_derived_strings_inert():
    doc = html.render(report_data())
    assert "<script" not in doc and "<img" not in doc
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "&lt;img src=x onerror=alert(2)&gt;" in doc
    p = parsed(doc)
    assert not any(t in ("script", "img") for t, _ in p.tags)
    assert not any(k.startswith("on") for _, attrs in p.tags for k in attrs)
    assert XSS in " ".join(p.text)  # shown as text


def test_markdown_escapes_and_covers_every_workload():
    doc = markdown.render(report_data())
    assert "<script>" not in doc and "<img" not in doc
    assert "&lt;script&gt;" in doc
    for name in ("clinical\\-notes", "faq\\-bot", "Executive summary", "45 CFR 164\\.502\\(e\\)"):
        assert name in doc
    assert "\\*\\*\\*\\-\\*\\*\\-6789" in doc  # masked value escaped, not emphasis


def test_json_report_round_trips_through_json():
    doc = json.loads(json_report.render(report_data()))
    assert doc["summary"]["self_hosted"] == ["clinical-notes"]
    assert doc["workloads"][0]["decision"] == "self_hosted"
    assert doc["workloads"][0]["waivers"][0]["expires"] == "2025-06-11"


def test_charts_escape_labels_and_handle_empty_data():
    svg = charts.counts_chart("t", {XSS: 3})
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "no data" in charts.counts_chart("t", {})
    assert "no scans yet" in charts.trend_chart("t", [])
    assert svg.count("<rect") == 1


def test_redact_url_hides_passwords():
    assert redact_url("postgresql://u:secret@db/x") == "postgresql://u:***@db/x"
    assert redact_url("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"


@pytest.mark.parametrize("show_values", [False, True])
def test_report_from_a_json_scan_shows_values_only_when_asked(tmp_path, summary, show_values):
    from dataclasses import replace

    from audit.report.formats import FORMATS

    results = make_results()
    ssn = replace(results[0].findings[0], value="123-45-6789")
    results[0] = replace(results[0], findings=(ssn, *results[0].findings[1:]))
    path = tmp_path / "scan.json"
    path.write_text(render(FORMATS["json"], results, summary))
    data = from_scan_json(path, show_values=show_values)
    assert [w.name for w in data.workloads] == ["(no workload)", "billing", f"wl{IMG}"]
    billing = data.workloads[1]
    assert billing.decision is Tier.SELF_HOSTED and billing.reasons[0].rule == "hipaa/phi-closed-api"
    doc = html.render(data)
    assert ("123-45-6789" in doc) is show_values


def test_data_flows_section_in_every_format():
    data = report_data()
    doc = html.render(data)
    text = " ".join(parsed(doc).text)
    for needle in ("Data flows", "Flow violations and drift", "needs BAA", "164.504(e)", "API_KEY x3", "undeclared"):
        assert needle in text, needle
    assert "<script" not in doc and "<img" not in doc and "&lt;script&gt;" in doc
    assert text.index("user.health_and_medical") < text.index("user.contact.email")  # blocking rows first
    md_doc = markdown.render(data)
    assert "## Data flows" in md_doc and "**flow violation**" in md_doc and "**drift**" in md_doc
    assert "API\\_KEY x3" in md_doc and "<script>" not in md_doc and "164\\.504\\(e\\)" in md_doc
    doc = json.loads(json_report.render(data))
    assert doc["summary"]["flow_violations"] == ["clinical-notes"] and doc["summary"]["drift"] == [f"wl{IMG}"]
    assert [r["kind"] for r in doc["flows"]["rows"]] == ["violation", "drift", "undeclared"]
    assert doc["flows"]["rows"][1]["entities"] == {"API_KEY": 3, "CONNECTION_STRING": 1}
    assert doc["flows"]["rows"][1]["required"] == "strip"


def test_a_scan_file_report_says_flows_come_from_the_registry(tmp_path, summary):
    from audit.report.formats import FORMATS

    path = tmp_path / "scan.json"
    path.write_text(render(FORMATS["json"], make_results(), summary))
    data = from_scan_json(path)
    assert not data.flows.checked and data.flows.rows == []
    assert "checked from the registry" in " ".join(parsed(html.render(data)).text)


def test_gateway_section_in_every_format():
    data = report_data()
    doc = html.render(data)
    section = doc.split("<h2>Enforced at the gateway</h2>", 1)[1].split("<h2>", 1)[0]
    for needle in ("50 requests decided at the gateway (guardrail, serve)", "38 self-hosted model", "2 blocked",
                   "2 internal error", "4 malformed request", "not scanned", "(no workload named)",
                   "<code>hipaa/phi-closed-api</code>&nbsp;&times;38", "self-hosted models only"):  # fmt: skip
        assert needle in section, needle
    assert "&lt;img src=x onerror=alert(2)&gt;" in section and IMG not in doc and XSS not in doc
    md_doc = markdown.render(data)
    assert "## Enforced at the gateway" in md_doc and "38 self\\-hosted model" in md_doc and IMG not in md_doc
    gateway = json.loads(json_report.render(data))["gateway"]
    assert gateway["requests"] == 50 and gateway["refused"] == 7 and gateway["sources"] == ["guardrail", "serve"]
    assert gateway["workloads"][0] == {
        "workload": "clinical-notes", "requests": 42, "scan_decision": "self_hosted",
        "by_target": {"blocked": 2, "self_hosted": 38}, "by_tier": {"strip": 2, "self_hosted": 38},
        "refusals": {"internal-error": 2},
        "top_rules": [{"rule": "hipaa/phi-closed-api", "requests": 38}, {"rule": f"pci/{XSS}", "requests": 2}],
    }  # fmt: skip
    assert gateway["workloads"][2]["workload"] is None and gateway["workloads"][1]["scan_decision"] is None


def test_a_scan_file_report_says_gateway_decisions_come_from_the_registry(tmp_path, summary):
    from audit.report.formats import FORMATS

    path = tmp_path / "scan.json"
    path.write_text(render(FORMATS["json"], make_results(), summary))
    data = from_scan_json(path)
    assert not data.gateway.recorded and data.gateway.workloads == []
    assert "this report was built from a scan file" in html.render(data).split("Enforced at the gateway", 1)[1]
