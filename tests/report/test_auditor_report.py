"""The report as an auditor reads it (issue 17, items 8-12): real tier breakdowns, separate tiers,
plain words, a phone layout and the evidence to check it against the registry."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from audit.model import Tier
from audit.report import html, json_report, markdown
from audit.report.registry_report import ReportData, from_registry
from audit.report.wording import describe_policy, plain, policy_packs
from tests.conftest import run_cli

from .test_reports import report_data

CODES = ("self_hosted", "closed_api", "closed_with_agreement", "redact_then_closed", "(s)", "(ies)")


class _Visible(HTMLParser):
    """Text a reader sees (hover titles included), outside <style>; and every style attribute."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.style_attrs: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        self.style_attrs += [v for k, v in attrs if k == "style"]

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def visible(doc: str) -> str:
    p = _Visible()
    p.feed(doc)
    return " ".join(p.text)


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


@pytest.fixture(scope="module")
def samples(samples_registry) -> tuple[ReportData, dict]:
    """The samples' report data and their scan JSON."""
    url, scan_json, _ = samples_registry
    return from_registry(url), json.loads(scan_json.read_text())


# 8. Decisions by workload: each record at its own tier; the trend only when there is one.


def test_decisions_by_workload_counts_each_record_at_its_own_tier(samples):
    data, scan = samples
    card = next(w for w in data.workloads if w.name == "card-support")
    per_record = Counter(Tier(r["decision"]) for r in scan["records"] if r.get("workload") == "card-support")
    assert card.tiers == {t: per_record[t] for t in Tier if per_record[t]}  # the scan's own per-record decisions
    assert card.decision is Tier.STRIP and card.tiers[Tier.STRIP] < card.records_with_findings
    assert sum(card.tiers.values()) == card.records_with_findings
    assert all(next(iter(w.tiers)) is w.decision for w in data.workloads)  # the strictest record sets the decision
    svg = visible(html.render(data))
    assert f"card-support: {card.tiers[Tier.STRIP]} records strip before any model" in svg
    assert f"card-support: {card.tiers[Tier.SELF_HOSTED]} records self-hosted models only" in svg
    assert f"card-support: {card.records_with_findings} records strip" not in svg  # the old one-colour bar


def test_findings_over_scans_appears_only_with_a_trend():
    two = report_data()
    one = replace(two, scans=two.scans[:1])
    assert "Findings over scans" not in visible(html.render(one)) and html.render(one).count("<svg") == 4
    assert "Findings over scans" in visible(html.render(two)) and html.render(two).count("<svg") == 5


# 9. Strip and self-hosted are separate tiers.


def test_strip_and_self_hosted_workloads_are_listed_apart(samples):
    data, _ = samples
    text = visible(html.render(data))
    strip = section(text, "Must strip identifiers before any model", "Must stay on self-hosted models")
    hosted = section(text, "Must stay on self-hosted models", "Violations")
    assert "card-support" in strip and "code-helper" in strip and "patient-intake" not in strip
    assert "patient-intake" in hosted and "contract-review" in hosted
    assert "card-support" not in hosted and "code-helper" not in hosted
    summary = json_report.to_dict(data)["summary"]
    assert summary["strip"] == ["card-support", "code-helper"]
    assert summary["self_hosted"] == ["contract-review", "patient-intake"]
    md = markdown.render(data)
    assert md.index("**Must strip identifiers") < md.index("card\\-support") < md.index("**Must stay on self-hosted")


# 10. Words for a compliance officer; the JSON report keeps the codes.


def test_html_and_markdown_write_words_and_json_keeps_the_codes(samples):
    data, _ = samples
    text = visible(html.render(data))
    md = markdown.render(data).replace("\\_", "_").replace("\\(", "(").replace("\\)", ")")
    for doc in (text, md):
        assert [c for c in CODES if c in doc] == []
        assert not re.search(r"[\w-]+@\d[\w.]*#[0-9a-f]{6}", doc.replace("`", ""))  # no raw policy identity
    assert "self-hosted models only" in text and "closed API" in text
    doc = json_report.to_dict(data)
    assert {w["decision"] for w in doc["workloads"]} >= {"strip", "self_hosted"}
    assert {w["hosting"] for w in doc["workloads"]} == {"closed_api", "self_hosted"}
    assert doc["policy_versions"][0].count("#") == 7 and doc["workloads"][0]["tiers"]["strip"] == 3


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("it requires self_hosted: needs BAA", "it requires self-hosted: needs BAA"),
        ("closed_api endpoint 'assist'", "closed-API endpoint 'assist'"),
        ("requires closed_with_agreement", "requires a closed API with an agreement"),
        ("user.health_and_medical", "user.health_and_medical"),  # categories stay as they are
        ("not_self_hosted_x", "not_self_hosted_x"),
    ],
)
def test_plain_rewrites_codes_inside_sentences(code, words):
    assert plain(code) == words


def test_policy_identity_reads_as_packs_and_versions():
    identity = "42-cfr-2@1.0.0#dd0eddf4c5b9692b;hipaa@1.1.0#9a4892e93dc43bcd;disabled=x-rule"
    assert [(p.id, p.version, p.digest) for p in policy_packs(identity)] == [
        ("42-cfr-2", "1.0.0", "dd0eddf4c5b9692b"),
        ("hipaa", "1.1.0", "9a4892e93dc43bcd"),
    ]
    assert describe_policy(identity) == "42-cfr-2 1.0.0, hipaa 1.1.0; rules switched off: x-rule"
    assert describe_policy("none") == "no policy packs"


# 11. Phone layout: the stylesheet folds tables into cards; advisory rows fold under one line.


def test_advisory_rows_fold_under_a_summary_line_and_blocking_rows_do_not():
    doc = html.render(report_data())
    details = re.search(r"<details><summary>(.*?)</summary>(.*?)</details>", doc, re.S)
    assert details and details.group(1).startswith("Advisory: 1 undeclared data category in 1 workload")
    assert "user.contact.email" in details.group(2) and "user.health_and_medical" not in details.group(2)
    assert doc.index("user.health_and_medical") < doc.index("<details>")


def test_tables_carry_column_names_for_the_phone_layout():
    doc = html.render(report_data())
    assert "@media (max-width:640px)" in html.CSS and "content:attr(data-label)" in html.CSS
    assert '<td data-label="workload">clinical-notes</td>' in doc
    assert "repeat(auto-fit" in html.CSS and "svg{display:block;max-width:100%;height:auto}" in html.CSS


def test_the_stylesheet_is_allowed_by_its_hash_and_nothing_else_styles_the_page():
    doc = html.render(report_data())
    css = re.search(r"<style>(.*?)</style>", doc, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', doc).group(1)
    assert f"style-src 'sha256-{digest}'" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    parser = _Visible()
    parser.feed(doc)
    assert parser.style_attrs == [] and doc.count("<style>") == 1


# 12. Evidence: the audit trail head and the policy packs, checkable with `audit registry verify`.


def test_the_evidence_section_names_the_head_and_every_policy_pack(samples_registry, samples):
    url, _, env = samples_registry
    data, _ = samples
    text = visible(html.render(data))
    evidence = text[text.index("Evidence") :]
    assert data.event_head and f"audit registry verify --expect-head {data.event_head}" in evidence
    packs = policy_packs(data.policy_versions[0])
    assert {p.id for p in packs} >= {"hipaa", "pci-dss", "42-cfr-2"}
    for p in packs:
        assert re.search(rf"{re.escape(p.id)}\s+{re.escape(p.version)}\s+{p.digest}", evidence), p.id
    md = markdown.render(data)
    assert "## Evidence" in md and all(f"`{p.digest}`" in md for p in packs)
    assert json_report.to_dict(data)["summary"]["policy_packs"][0].keys() == {"id", "version", "digest"}
    verified = run_cli("registry", "verify", "--db", url.removeprefix("sqlite:///"), "--expect-head",
                       data.event_head, env=env)  # fmt: skip
    assert verified.returncode == 0, verified.stderr.decode()


def test_a_scan_file_report_says_it_has_no_audit_trail():
    data = replace(report_data(), event_head=None)
    assert "there is no audit trail to check it against" in visible(html.render(data))
