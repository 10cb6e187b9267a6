"""The HTML report: one self-contained file (inline CSS and SVG; no scripts, fonts or links out).

Every string from the registry or the logs goes through `html.escape`; a
Content-Security-Policy meta tag forbids scripts and every style but the page's
own stylesheet as a second line of defence (see html_layout). Words, not codes:
tiers and hosting are written for a compliance officer (wording); the JSON report keeps the codes.
"""

from __future__ import annotations

from html import escape as e

from audit.report import charts, flows_section, gateway_section
from audit.report.html_layout import CSS, cards, csp, table, tier_badge
from audit.report.registry_report import ReportData, WorkloadReport
from audit.report.wording import (
    KIND_LABELS,
    count,
    describe_policy,
    hosting_label,
    plain,
    refusal_label,
    target_label,
    tier_label,
)


def policy_cell(identity: str, sets: list[str]) -> str:
    """'policy set N' (listed under Evidence) with its packs on hover; the packs when it is no listed set."""
    title = e(describe_policy(identity))
    if identity in sets:
        return f'<span title="{title}">policy set {sets.index(identity) + 1}</span>'
    return title


def _summary(data: ReportData) -> str:
    strip, hosted, bad, waivers = data.stripped(), data.self_hosted(), data.violations(), data.expiring_waivers()
    html = cards(
        [
            (len(data.workloads), "workloads"),
            (len(strip), "must strip identifiers before any model"),
            (len(hosted), "must stay on self-hosted models"),
            (len(bad), "violations"),
            (len(waivers), "waivers expiring within 30 days"),
        ]
    )
    html += _strip_table(strip)
    html += _tier_table("Must stay on self-hosted models", hosted)
    rows = [[e(w.name), tier_badge(w.decision), f'<span class="bad">{e(hosting_label(w.hosting))}</span>'] for w in bad]
    html += "<h3>Violations (the declared hosting does not allow the decision)</h3>" + table(
        ["workload", "decision", "declared hosting"], rows
    )
    rows = [
        [e(v.workload), e(v.rule or f"fingerprint {v.fingerprint}"), e(v.owner), e(str(v.expires)),
         _days(v.days_left(data.today))]
        for v in waivers
    ]  # fmt: skip
    html += "<h3>Expiring waivers</h3>" + table(["workload", "waives", "owner", "expires", "days left"], rows)
    return html


def _strip_table(workloads: list[WorkloadReport]) -> str:
    """Strip as the router applies it: those values removed, those requests blocked; the rest decides hosting."""
    rows = [[e(w.name), e(", ".join(w.regulations) or "-"), _by_tier(w), e(_then(w))] for w in workloads]
    title = "Must strip identifiers before any model, self-hosted or not (the gateway blocks those requests)"
    return f"<h3>{e(title)}</h3>" + table(["workload", "regulations", "records by tier", "the rest"], rows)


def _then(w: WorkloadReport) -> str:
    return tier_label(w.hosting_tier) if w.hosting_tier else "-"


def _tier_table(title: str, workloads: list[WorkloadReport]) -> str:
    rows = [[e(w.name), e(", ".join(w.regulations) or "-"), _by_tier(w)] for w in workloads]
    return f"<h3>{e(title)}</h3>" + table(["workload", "regulations", "records by tier"], rows)


def _by_tier(w: WorkloadReport) -> str:
    """'3 strip before any model, 3 self-hosted models only, ...': each record counted once, at its own tier."""
    return e(", ".join(f"{n} {tier_label(t)}" for t, n in w.tiers.items()) or "-")


def _days(n: int) -> str:
    return f'<span class="bad">expired {-n} days ago</span>' if n < 0 else e(str(n))


def _flows(data: ReportData) -> str:
    """Flow violations and drift (blocking) in full, undeclared categories (advisory) folded away; counts only."""
    s = data.flows
    html = f'<div class="panel"><p class="meta">{e(flows_section.summary_line(s))}</p>'
    rows = [
        [e(r.workload), f'<span class="bad">{e(KIND_LABELS.get(r.kind, r.kind))}</span>', f"<code>{e(r.category)}</code>",
         e(flows_section.seen(r) or r.flow or "-"), e(r.endpoint), tier_badge(r.required) if r.required else "-",
         _regulation(r.regulations, r.citation), e(plain(r.explanation))]
        for r in s.blocking()
    ]  # fmt: skip
    headers = ["workload", "finding", "category", "flow / observed", "endpoint", "requires", "regulation and citation"]
    html += "<h3>Flow violations and drift</h3>" + table(headers, rows, note="why")
    return html + _advisory(data) + "</div>"


def _gateway(data: ReportData) -> str:
    """Per workload: requests by target and tier, refusals and the top rules, next to its decision from scans."""
    s = data.gateway
    rows = [
        [e(w.workload) if w.workload is not None else '<span class="meta">(no workload named)</span>',
         tier_badge(w.scan_decision) if w.scan_decision else "not scanned", str(w.requests),
         _counts(w.by_target, target_label), _counts(w.by_tier, tier_label), _counts(w.refusals, refusal_label),
         " ".join(f"<code>{e(r.rule)}</code>&nbsp;&times;{r.requests}" for r in w.top_rules) or "-"]
        for w in s.workloads
    ]  # fmt: skip
    headers = ["workload", "decision from scans", "requests", "target", "tier", "refused", "top rules"]
    html = f'<p class="meta">{e(gateway_section.summary_line(s))}</p>'
    if s.workloads:
        html += table(headers, rows)
    return f'<div class="panel">{html}</div>'


def _counts(counts: dict, label) -> str:
    """'3 self-hosted model, 1 blocked' (escaped), or '-'."""
    return e(", ".join(f"{n} {label(k)}" for k, n in counts.items())) or "-"


_DECISIONS_NOTE = '<p class="meta">Records with findings, each counted once, at the strictest rule it fired.</p>'


def _regulation(regulations: list[str], citation: str) -> str:
    """'CCPA: Cal. Civ. Code 1798.81.5' (one column, so the table fits a tablet)."""
    return e(": ".join(x for x in (", ".join(regulations), citation) if x) or "-")


def _advisory(data: ReportData) -> str:
    """Advisory rows under one summary line, so their long explanations do not bury the blocking rows."""
    advisory = data.flows.advisory()
    if not advisory:
        return ""
    rows = [
        [
            e(r.workload),
            f"<code>{e(r.category)}</code>",
            e(flows_section.seen(r)),
            e(r.endpoint),
            e(plain(r.explanation)),
        ]
        for r in advisory
    ]
    workloads = count(len({r.workload for r in advisory}), "workload")
    what = count(len(advisory), "undeclared data category", "undeclared data categories")
    return (
        f"<details><summary>Advisory: {what} in {workloads}, allowed by the endpoints' agreements</summary>"
        + table(["workload", "category", "observed", "endpoint"], rows, note="why")
        + "</details>"
    )


def _charts(data: ReportData) -> str:
    panels = [
        ("Decisions by workload", _DECISIONS_NOTE + charts.decisions_by_workload(data.workloads) + charts.legend()),
        ("Findings by regulation", charts.counts_chart("Findings by regulation", data.by_regulation)),
        ("Findings by entity type", charts.counts_chart("Findings by entity type", data.by_entity)),
    ]
    if data.has_trend():  # one scan would be a single dot, not a trend
        trend = [(f"#{s.id}", s.findings) for s in data.scans]
        panels.append(("Findings over scans", charts.trend_chart("Findings per scan", trend)))
    return (
        '<div class="grid">' + "".join(f'<div class="panel"><h3>{e(t)}</h3>{svg}</div>' for t, svg in panels) + "</div>"
    )


def _workload(w: WorkloadReport, sets: list[str]) -> str:
    html = f'<div class="panel" id="wl-{e(w.name)}"><h2>{e(w.name)} {tier_badge(w.decision)}</h2>'
    meta = [f"owner {e(w.owner)}" if w.owner else "", f"hosting: {e(hosting_label(w.hosting))}" if w.hosting else ""]
    meta.append(f"{count(w.records, 'record')}, {w.records_with_findings} with findings")
    if w.violation:
        meta.append('<span class="bad">violation</span>')
    html += f'<p class="meta">{" &middot; ".join(m for m in meta if m)}</p>'
    if w.tiers:
        html += f'<p class="meta">Records with findings, each at its own strictest tier: {_by_tier(w)}</p>'
    if w.description:
        html += f"<p>{e(w.description)}</p>"
    rows = [
        [e(p.name), e(p.provider), e(p.model), e(hosting_label(p.hosting)), e(p.region or "-"),
         e(", ".join(p.agreements) or "none")]
        for p in w.endpoints
    ]  # fmt: skip
    html += "<h3>Declared endpoints and agreements</h3>" + table(
        ["endpoint", "provider", "model", "hosting", "region", "agreements"], rows, "no endpoints declared"
    )
    rows = [
        [f"<code>{e(r.rule)}</code>", tier_badge(r.decision), e(r.regulation), e(r.citation), e(r.description),
         str(r.records)]
        for r in w.reasons
    ]  # fmt: skip
    html += "<h3>Decision: reasons and citations</h3>" + table(
        ["rule", "decision", "regulation", "citation", "why", "records"], rows, "no rule fired"
    )
    rows = [[e(f.entity_type), str(f.count), " ".join(f"<code>{e(x)}</code>" for x in f.examples)] for f in w.findings]
    html += "<h3>Findings by type (masked examples)</h3>" + table(["entity type", "count", "examples"], rows)
    rows = [
        [e(v.rule or f"fingerprint {v.fingerprint}"), e(v.owner), e(v.reason), e(str(v.expires))] for v in w.waivers
    ]
    html += "<h3>Waivers</h3>" + table(["waives", "owner", "reason", "expires"], rows)
    rows = [
        [f"#{s.id}", _when(s.started_at), tier_badge(s.decision) if s.decision else "-", str(s.records_with_findings),
         policy_cell(s.policy, sets)]
        for s in w.history
    ]  # fmt: skip
    html += "<h3>Scan history</h3>" + table(["scan", "started", "decision", "flagged", "policy"], rows)
    return html + "</div>"


def _head(data: ReportData) -> str:
    if not data.event_head:
        return ""
    return (
        f'<p class="meta">audit trail head <code>{e(data.event_head)}</code>; '
        f"check it with <code>{e(data.head_check())}</code></p>"
    )


def _evidence(data: ReportData) -> str:
    """What an auditor checks the report against: the audit trail's head and the policy packs behind the scans."""
    if data.event_head:
        html = (
            f"<p>Audit trail head (event number and hash): <code>{e(data.event_head)}</code>. "
            f"<code>{e(data.head_check())}</code> exits 0 only while the registry still holds "
            "everything this report was built from.</p>"
        )
    else:
        html = '<p class="meta">Built from a scan file: there is no audit trail to check it against.</p>'
    sets = [[f"policy set {i}", e(describe_policy(p))] for i, p in enumerate(data.policy_versions, 1)]
    html += "<h3>Policy sets used by the scans</h3>" + table(["set", "packs and versions"], sets)
    packs = [[e(p.id), e(p.version), f"<code>{e(p.digest or '-')}</code>"] for p in data.policy_packs()]
    html += "<h3>Policy packs</h3>" + table(["pack", "version", "content hash"], packs)
    return f'<div class="panel">{html}</div>'


def _scans(data: ReportData) -> str:
    rows = [
        [f"#{s.id}", _when(s.started_at), e(s.status), str(s.records_read), str(s.records_with_findings),
         str(s.findings), policy_cell(s.policy, data.policy_versions), e(s.tool_version)]
        for s in reversed(data.scans)
    ]  # fmt: skip
    headers = ["scan", "started", "status", "records", "flagged", "findings", "policy", "tool"]
    return f'<div class="panel">{table(headers, rows)}</div>'


def render(data: ReportData) -> str:
    """The complete HTML document."""
    body = [
        "<h1>LLM audit report</h1>",
        f'<p class="meta">generated {e(data.generated_at)} by llm-audit {e(data.tool_version)} from {e(data.source)}</p>',
        _head(data),
        "<h2>Executive summary</h2>",
        _summary(data),
        "<h2>Data flows</h2>",
        _flows(data),
        "<h2>Enforced at the gateway</h2>",
        _gateway(data),
        "<h2>Charts</h2>",
        _charts(data),
        "<h2>Workloads</h2>",
        *(_workload(w, data.policy_versions) for w in data.workloads),
        "<h2>Scans</h2>",
        _scans(data),
        "<h2>Evidence</h2>",
        _evidence(data),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp()}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>LLM audit report</title><style>{CSS}</style></head><body><main>"
        + "\n".join(body)
        + "</main></body></html>\n"
    )


def _when(started_at: str) -> str:
    return f'<span class="nowrap">{e(started_at)}</span>'
