"""The HTML report: one self-contained file (inline CSS and SVG; no scripts, fonts or links out).

Every string from the registry or the logs goes through `html.escape`; a
Content-Security-Policy meta tag forbids scripts as a second line of defence.
"""

from __future__ import annotations

import re
from html import escape as e

from audit.report import charts, flows_section
from audit.report.registry_report import ReportData, WorkloadReport

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f3f4f6;color:#111827}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:26px}h2{margin:28px 0 10px;font-size:20px}h3{margin:14px 0 6px;font-size:15px}
.meta{color:#6b7280;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin-top:16px}
.card{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .n{font-size:28px;font-weight:700}.card .l{color:#6b7280;font-size:13px}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.panel{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08);overflow:hidden}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{color:#374151;background:#f9fafb}
.tier{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.bad{color:#b91c1c;font-weight:600}.ok{color:#15803d}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#f3f4f6;padding:0 3px;border-radius:3px}
ul{margin:4px 0;padding-left:20px}
td code{word-break:break-word}.nowrap{white-space:nowrap}
"""


def policy_cell(identity: str) -> str:
    """A policy identity without its content hashes (the full one on hover)."""
    short = re.sub(r"#[0-9a-f]{6,}", "", identity).replace(";", "; ")
    return f'<code title="{e(identity)}">{e(short)}</code>'


def tier_badge(tier) -> str:
    """A coloured pill naming a decision tier."""
    return f'<span class="tier" style="background:{charts.TIER_COLOURS[tier]}">{e(tier.value)}</span>'


def _table(headers: list[str], rows: list[list[str]], empty: str = "none") -> str:
    """A table whose cells are already-escaped HTML."""
    if not rows:
        return f'<p class="meta">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary(data: ReportData) -> str:
    must, bad, waivers = data.self_hosted(), data.violations(), data.expiring_waivers()
    cards = [
        (len(data.workloads), "workloads"),
        (len(must), "must stay self-hosted"),
        (len(bad), "violations"),
        (len(waivers), "waivers expiring within 30 days"),
    ]
    html = '<div class="cards">' + "".join(
        f'<div class="card"><div class="n">{n}</div><div class="l">{e(label)}</div></div>' for n, label in cards
    )
    html += "</div>"
    rows = [[e(w.name), tier_badge(w.decision), e(", ".join(w.regulations) or "-")] for w in must]
    html += "<h3>Must stay self-hosted</h3>" + _table(["workload", "decision", "regulations"], rows)
    rows = [[e(w.name), tier_badge(w.decision), f'<span class="bad">{e(w.hosting or "unknown")}</span>'] for w in bad]
    html += "<h3>Violations (declared hosting does not allow the decision)</h3>" + _table(
        ["workload", "decision", "hosting"], rows
    )
    rows = [
        [
            e(v.workload),
            e(v.rule or f"fingerprint {v.fingerprint}"),
            e(v.owner),
            e(str(v.expires)),
            _days(v.days_left(data.today)),
        ]
        for v in waivers
    ]
    html += "<h3>Expiring waivers</h3>" + _table(["workload", "waives", "owner", "expires", "days left"], rows)
    return html


def _days(n: int) -> str:
    return f'<span class="bad">expired {-n} days ago</span>' if n < 0 else e(str(n))


def _flows(data: ReportData) -> str:
    """Flow violations and drift (blocking), then undeclared categories (advisory); no values, only counts."""
    s = data.flows
    html = f'<div class="panel"><p class="meta">{e(flows_section.summary_line(s))}</p>'
    rows = [
        [e(r.workload), f'<span class="bad">{e(r.kind)}</span>', f"<code>{e(r.category)}</code>",
         e(flows_section.seen(r) or r.flow or "-"), e(r.endpoint), tier_badge(r.required) if r.required else "-",
         e(", ".join(r.regulations) or "-"), e(r.citation or "-"), e(r.explanation)]
        for r in s.blocking()
    ]  # fmt: skip
    headers = ["workload", "finding", "category", "flow / observed", "endpoint", "requires", "regulation"]
    html += "<h3>Flow violations and drift</h3>" + _table([*headers, "citation", "why"], rows)
    rows = [
        [e(r.workload), f"<code>{e(r.category)}</code>", e(flows_section.seen(r)), e(r.endpoint), e(r.explanation)]
        for r in s.advisory()
    ]
    html += "<h3>Undeclared (advisory)</h3>" + _table(["workload", "category", "observed", "endpoint", "why"], rows)
    return html + "</div>"


def _charts(data: ReportData) -> str:
    trend = [(f"#{s.id}", s.findings) for s in data.scans]
    panels = [
        ("Decisions by workload", charts.decisions_by_workload(data.workloads) + "<br>" + charts.legend()),
        ("Findings by regulation", charts.counts_chart("Findings by regulation", data.by_regulation)),
        ("Findings by entity type", charts.counts_chart("Findings by entity type", data.by_entity)),
        ("Findings over scans", charts.trend_chart("Findings per scan", trend)),
    ]
    return (
        '<div class="grid">' + "".join(f'<div class="panel"><h3>{e(t)}</h3>{svg}</div>' for t, svg in panels) + "</div>"
    )


def _workload(w: WorkloadReport) -> str:
    html = f'<div class="panel" id="wl-{e(w.name)}"><h2>{e(w.name)} {tier_badge(w.decision)}</h2>'
    meta = [f"owner {e(w.owner)}" if w.owner else "", f"hosting {e(w.hosting)}" if w.hosting else ""]
    meta.append(f"{w.records} records, {w.records_with_findings} with findings")
    if w.violation:
        meta.append('<span class="bad">violation</span>')
    html += f'<p class="meta">{" &middot; ".join(m for m in meta if m)}</p>'
    if w.description:
        html += f"<p>{e(w.description)}</p>"
    rows = [
        [e(p.name), e(p.provider), e(p.model), e(p.hosting), e(p.region or "-"), e(", ".join(p.agreements) or "none")]
        for p in w.endpoints
    ]
    html += "<h3>Declared endpoints and agreements</h3>" + _table(
        ["endpoint", "provider", "model", "hosting", "region", "agreements"], rows, "no endpoints declared"
    )
    rows = [
        [
            f"<code>{e(r.rule)}</code>",
            tier_badge(r.decision),
            e(r.regulation),
            e(r.citation),
            e(r.description),
            str(r.records),
        ]
        for r in w.reasons
    ]
    html += "<h3>Decision: reasons and citations</h3>" + _table(
        ["rule", "decision", "regulation", "citation", "why", "records"], rows, "no rule fired"
    )
    rows = [[e(f.entity_type), str(f.count), " ".join(f"<code>{e(x)}</code>" for x in f.examples)] for f in w.findings]
    html += "<h3>Findings by type (masked examples)</h3>" + _table(["entity type", "count", "examples"], rows)
    rows = [
        [e(v.rule or f"fingerprint {v.fingerprint}"), e(v.owner), e(v.reason), e(str(v.expires))] for v in w.waivers
    ]
    html += "<h3>Waivers</h3>" + _table(["waives", "owner", "reason", "expires"], rows)
    rows = [
        [
            f"#{s.id}",
            _when(s.started_at),
            tier_badge(s.decision) if s.decision else "-",
            str(s.records_with_findings),
            policy_cell(s.policy),
        ]
        for s in w.history
    ]
    html += "<h3>Scan history</h3>" + _table(["scan", "started", "decision", "flagged", "policy"], rows)
    return html + "</div>"


def _head(data: ReportData) -> str:
    if not data.event_head:
        return ""
    return f'<p class="meta">event log head <code>{e(data.event_head)}</code>; check it with <code>{e(data.head_check())}</code></p>'


def render(data: ReportData) -> str:
    """The complete HTML document."""
    scans = [
        [
            f"#{s.id}",
            _when(s.started_at),
            e(s.status),
            str(s.records_read),
            str(s.records_with_findings),
            str(s.findings),
            policy_cell(s.policy),
            e(s.tool_version),
        ]
        for s in reversed(data.scans)
    ]
    body = [
        "<h1>LLM audit report</h1>",
        f'<p class="meta">generated {e(data.generated_at)} by llm-audit {e(data.tool_version)} from {e(data.source)}</p>',
        _head(data),
        "<h2>Executive summary</h2>",
        _summary(data),
        "<h2>Data flows</h2>",
        _flows(data),
        "<h2>Charts</h2>",
        _charts(data),
        "<h2>Workloads</h2>",
        *(_workload(w) for w in data.workloads),
        "<h2>Scans</h2>",
        '<div class="panel">'
        + _table(["scan", "started", "status", "records", "flagged", "findings", "policy", "tool"], scans)
        + "</div>",
        "<h2>Policy versions used</h2>",
        '<div class="panel"><ul>'
        + "".join(f"<li><code>{e(p)}</code></li>" for p in data.policy_versions)
        + "</ul></div>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>LLM audit report</title><style>{CSS}</style></head><body><main>"
        + "\n".join(body)
        + "</main></body></html>\n"
    )


def _when(started_at: str) -> str:
    return f'<span class="nowrap">{e(started_at)}</span>'
