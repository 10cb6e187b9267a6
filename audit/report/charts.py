"""Inline SVG charts for the HTML report: no scripts, no external files.

Every label is escaped (workload names and entity types come from users and logs).
"""

from __future__ import annotations

from html import escape

from audit.model import Tier
from audit.report.wording import count, tier_label

TIER_COLOURS = {
    Tier.STRIP: "#7f1d1d",
    Tier.SELF_HOSTED: "#dc2626",
    Tier.CLOSED_WITH_AGREEMENT: "#f59e0b",
    Tier.REDACT_THEN_CLOSED: "#3b82f6",
    Tier.UNRESTRICTED: "#16a34a",
}
BAR_COLOUR = "#4f46e5"
ROW = 26
LABEL_W = 190
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _svg(title: str, width: int, height: int, body: str) -> str:
    t = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{t}</title>{body}</svg>'
    )


def _clip(label: str, n: int = 28) -> str:
    return label if len(label) <= n else label[: n - 1] + "\u2026"


def bar_chart(title: str, items: list[tuple[str, int, str]], width: int = 560, unit: str = "") -> str:
    """Horizontal bars: (label, value, colour) per row; an empty chart says 'no data'."""
    if not items:
        return _svg(title, width, 40, f'<text x="8" y="24" {FONT} fill="#6b7280">no data</text>')
    top = max(v for _, v, _ in items) or 1
    span = width - LABEL_W - 60
    rows = []
    for i, (label, value, colour) in enumerate(items):
        y = i * ROW + 4
        w = max(2, round(span * value / top)) if value else 0
        rows.append(
            f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end" {FONT} fill="#111827">{escape(_clip(label))}'
            f"<title>{escape(label)}</title></text>"
            f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{ROW - 8}" rx="3" fill="{colour}"/>'
            f'<text x="{LABEL_W + w + 6}" y="{y + 15}" {FONT} fill="#374151">{value}{escape(unit)}</text>'
        )
    return _svg(title, width, len(items) * ROW + 8, "".join(rows))


def decisions_by_workload(workloads, width: int = 560) -> str:
    """One stacked bar per workload: its records with findings split by each record's own strictest tier."""
    if not workloads:
        return _svg("Decisions by workload", width, 40, f'<text x="8" y="24" {FONT} fill="#6b7280">no data</text>')
    top = max(sum(w.tiers.values()) for w in workloads) or 1
    span = width - LABEL_W - 80
    rows = [_stacked_row(i * ROW + 4, w, span / top) for i, w in enumerate(workloads)]
    return _svg(
        "Decisions by workload (records with findings, by tier)", width, len(workloads) * ROW + 8, "".join(rows)
    )


def _stacked_row(y: int, workload, scale: float) -> str:
    name = escape(workload.name)
    parts = [
        f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end" {FONT} fill="#111827">{escape(_clip(workload.name))}'
        f"<title>{name}</title></text>"
    ]
    x = LABEL_W
    for tier, n in workload.tiers.items():
        w = max(2, round(n * scale))
        what = f"{name}: {count(n, 'record')} {escape(tier_label(tier))}"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{ROW - 8}" fill="{TIER_COLOURS[tier]}"><title>{what}</title></rect>'
        )
        if w >= 16:  # the count inside its segment, when it fits
            parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 14}" text-anchor="middle" {FONT} fill="#fff">{n}</text>')
        x += w
    total = sum(workload.tiers.values())
    parts.append(f'<text x="{x + 6}" y="{y + 15}" {FONT} fill="#374151">{count(total, "record")}</text>')
    return "".join(parts)


def counts_chart(title: str, counts: dict[str, int], limit: int = 12) -> str:
    """Bars of the largest `limit` counts."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return bar_chart(title, [(k, v, BAR_COLOUR) for k, v in items])


def trend_chart(title: str, points: list[tuple[str, int]], width: int = 560, height: int = 200) -> str:
    """A line over scans, oldest first: (label, value) per scan."""
    if not points:
        return _svg(title, width, 40, f'<text x="8" y="24" {FONT} fill="#6b7280">no scans yet</text>')
    left, right, top_pad, bottom = 48, 16, 16, 36
    top = max(v for _, v in points) or 1
    step = (width - left - right) / max(len(points) - 1, 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return left + i * step, top_pad + (height - top_pad - bottom) * (1 - v / top)

    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    base_y = height - bottom
    parts = [
        f'<line x1="{left}" y1="{base_y}" x2="{width - right}" y2="{base_y}" stroke="#9ca3af"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{base_y}" stroke="#9ca3af"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" {FONT} fill="#374151">{top}</text>',
        f'<text x="{left - 6}" y="{base_y + 4}" text-anchor="end" {FONT} fill="#374151">0</text>',
        f'<polyline points="{path}" fill="none" stroke="{BAR_COLOUR}" stroke-width="2"/>',
    ]
    every = max(1, len(points) // 8)
    for i, ((label, value), (x, y)) in enumerate(zip(points, coords, strict=True)):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{BAR_COLOUR}"><title>{escape(label)}: {value}</title></circle>'
        )
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x:.1f}" y="{base_y + 16}" text-anchor="middle" {FONT} fill="#374151">{escape(_clip(label, 12))}</text>'
            )
    return _svg(title, width, height, "".join(parts))


def legend(width: int = 480) -> str:
    """The decision tier colours, as inline SVG, wrapping onto a second row when needed."""
    parts = []
    x, y = 0, 0
    for tier, colour in TIER_COLOURS.items():
        item_w = 30 + 7 * len(tier_label(tier))
        if x and x + item_w > width:
            x, y = 0, y + 20
        parts.append(f'<rect x="{x}" y="{y + 4}" width="12" height="12" rx="2" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 14}" {FONT} fill="#111827">{escape(tier_label(tier))}</text>')
        x += item_w
    return _svg("Decision tiers", width, y + 20, "".join(parts))
