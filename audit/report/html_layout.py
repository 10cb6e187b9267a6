"""The HTML report's page furniture: the stylesheet, its Content-Security-Policy, tables and badges.

The stylesheet is allowed by its SHA-256 in the CSP, not by 'unsafe-inline', so
no style attribute and no other stylesheet can apply: tier colours are classes.
Below 640 px every table turns into one small card per row, each cell headed
by its column name (data-label), so nothing needs scrolling sideways on a phone.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape as e

from audit.model import Tier
from audit.report.charts import TIER_COLOURS
from audit.report.wording import tier_label

_TIER_CSS = "".join(f".t-{t.value}{{background:{c}}}" for t, c in TIER_COLOURS.items())
CSS = (
    """
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f3f4f6;color:#111827}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:26px}h2{margin:28px 0 10px;font-size:20px}h3{margin:14px 0 6px;font-size:15px}
.meta{color:#6b7280;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:16px}
.card{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .n{font-size:28px;font-weight:700}.card .l{color:#6b7280;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:12px}
.panel{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08);min-width:0}
svg{display:block;max-width:100%;height:auto}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top;overflow-wrap:anywhere}
th{color:#374151;background:#f9fafb;overflow-wrap:normal}
.tier{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
@media (min-width:1000px){.tier{white-space:nowrap}}
.bad{color:#b91c1c;font-weight:600}.ok{color:#15803d}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#f3f4f6;padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
ul{margin:4px 0;padding-left:20px}
.nowrap{white-space:nowrap}
tr.noted td{border-bottom:0}tr.note td{color:#374151;padding-top:0}
tr.note td::before{content:attr(data-label) ": ";color:#6b7280;font-weight:600}
details{margin-top:10px}summary{cursor:pointer;font-weight:600;font-size:14px}
@media (max-width:640px){
main{padding:12px}h1{font-size:22px}.panel{padding:10px}
table.rt thead{display:none}
table.rt,table.rt tbody,table.rt tr,table.rt td{display:block;width:100%}
table.rt tr{border-bottom:2px solid #d1d5db;padding:4px 0}
table.rt td{border:0;padding:2px 0 2px 7.5em;display:flow-root;overflow-wrap:anywhere}
table.rt td::before{content:attr(data-label);float:left;width:7em;margin-left:-7.5em;color:#6b7280;font-weight:600}
}
"""
    + _TIER_CSS
    + "\n"
)


def csp(css: str = CSS) -> str:
    """The page's Content-Security-Policy: nothing loads, only this stylesheet (by hash) and data: images."""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"


def tier_badge(tier: Tier) -> str:
    """A coloured pill naming a decision tier in words (the code on hover)."""
    return f'<span class="tier t-{tier.value}" title="{e(tier.value)}">{e(tier_label(tier))}</span>'


def table(headers: list[str], rows: list[list[str]], empty: str = "none", note: str = "") -> str:
    """A table whose cells are already-escaped HTML; on a phone each row becomes a labelled card.

    With `note`, each row's last cell goes on a full-width line of its own under the row, headed
    `note`: long explanations then do not squeeze every other column into a narrow strip.
    """
    if not rows:
        return f'<p class="meta">{e(empty)}</p>'
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join(_row(headers, row, note) for row in rows)
    return f'<div class="scroll"><table class="rt"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _row(headers: list[str], row: list[str], note: str) -> str:
    cells = row[:-1] if note else row
    html = "".join(f'<td data-label="{e(h)}">{c}</td>' for h, c in zip(headers, cells, strict=True))
    if not note:
        return f"<tr>{html}</tr>"
    return (
        f'<tr class="noted">{html}</tr>'
        f'<tr class="note"><td colspan="{len(headers)}" data-label="{e(note)}">{row[-1]}</td></tr>'
    )


def cards(items: list[tuple[int, str]]) -> str:
    """The summary's number cards."""
    inner = "".join(
        f'<div class="card"><div class="n">{n}</div><div class="l">{e(label)}</div></div>' for n, label in items
    )
    return f'<div class="cards">{inner}</div>'
