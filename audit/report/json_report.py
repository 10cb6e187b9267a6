"""The JSON report: ReportData as one JSON document (tiers and hostings as their codes, dates as ISO strings).

The HTML and Markdown reports write plain words (audit.report.wording); this one keeps the codes for tools.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from enum import Enum

from audit.report.registry_report import ReportData

REPORT_SCHEMA_VERSION = 2  # 2: summary.self_hosted no longer lists strip workloads (summary.strip)


def _plain(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_dict(data: ReportData) -> dict:
    """The report as plain JSON values, with the executive summary spelled out."""
    out = _plain(dataclasses.asdict(data))
    out["schema_version"] = REPORT_SCHEMA_VERSION
    out["summary"] = {
        "strip": [w.name for w in data.stripped()],
        "self_hosted": [w.name for w in data.self_hosted()],
        "violations": [w.name for w in data.violations()],
        "expiring_waivers": [_plain(dataclasses.asdict(v)) for v in data.expiring_waivers()],
        "flows_checked": data.flows.checked,
        "flow_violations": sorted({r.workload for r in data.flows.blocking() if r.kind != "drift"}),
        "drift": sorted({r.workload for r in data.flows.rows if r.kind == "drift"}),
        "policy_packs": [dataclasses.asdict(p) for p in data.policy_packs()],
    }
    return out


def render(data: ReportData) -> str:
    """The JSON text."""
    return json.dumps(to_dict(data), indent=2, ensure_ascii=False) + "\n"
