"""Helpers for the tests of one product's export: its fixture directory, and what the real scanner finds in it.

NOTE: reconstructed from its uses in test_otel.py after the original (not yet committed) was overwritten
by mistake during the issue 23 work; the author of test_otel.py should check it against the original.
"""

from __future__ import annotations

from pathlib import Path

from audit.model import Record

FIXTURES = Path(__file__).parent / "fixtures"


def assert_prompt_and_answer(record: Record, workload: str | None) -> None:
    """The record holds a user turn and an assistant turn read by its format, and names `workload`."""
    roles = [m.role for m in record.messages if not m.path and m.text]
    assert "user" in roles, roles
    assert "assistant" in roles, roles
    assert record.workload == workload


def scanned_entities(context, path: Path) -> dict[str, set]:
    """{entity type: roles it was found in} for one file scanned with the real engine; read errors under 'error'."""
    from audit.pipeline import scan_paths
    from audit.readers import ReadOptions
    from audit.summary import ScanSummary

    found: dict[str, set] = {}
    errors = []
    for result in scan_paths(context, [str(path)], ReadOptions(), ScanSummary(), on_error=errors.append):
        for finding in result.findings:
            found.setdefault(finding.entity_type, set()).add(finding.role)
    if errors:
        found["error"] = {e.reason for e in errors}
    return found
