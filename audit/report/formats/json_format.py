"""JSON: one document with the tool, the scan summary and every record with findings or rules.

Records use the same objects as the JSON Lines output contract (`contract.record_to_dict`).
"""

from __future__ import annotations

import json

from audit.report.contract import record_to_dict

SCHEMA_VERSION = 1


def summary_to_dict(summary) -> dict:
    """The scan summary's counts as plain JSON values."""
    return {
        "records_read": summary.records_read,
        "records_skipped": summary.records_skipped,
        "records_with_findings": summary.records_with_findings,
        "records_accepted": summary.records_accepted,
        "by_decision": dict(sorted(summary.by_decision.items())),
        "by_regulation": dict(sorted(summary.by_regulation.items())),
        "by_entity": dict(sorted(summary.by_entity.items())),
        "sources": list(summary.sources),
        "errors": [{"source": e.source, "line": e.line, "reason": e.reason} for e in summary.errors],
    }


class JsonFormat:
    """Collects flagged records and writes one JSON document at the end."""

    def __init__(self, out, options) -> None:
        self.out = out
        self.options = options
        self.records: list[dict] = []

    def add(self, result) -> None:
        """Keep a record with findings or fired rules."""
        if result.has_output:
            self.records.append(record_to_dict(result))

    def finish(self, summary) -> None:
        """Write the document: tool, summary, records."""
        doc = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "llm-audit", "version": self.options.tool_version},
            "policy": getattr(self.options.policy_set, "identity", None),
            "summary": summary_to_dict(summary),
            "records": self.records,
        }
        json.dump(doc, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")
        self.out.flush()
