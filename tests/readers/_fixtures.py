"""Helpers for the tests of one log source (issue 23): its fixture files, read and scanned through the public API."""

from __future__ import annotations

from pathlib import Path

from audit.model import ReadError, Record
from audit.readers import ReadOptions, read_paths

FIXTURES = Path(__file__).parent / "fixtures"
MRN = "MRN 00482913"
CARD = "4111 1111 1111 1111"


def read_fixture(*names: str) -> list[Record | ReadError]:
    """Everything the readers yield for fixture files (paths under fixtures/)."""
    return list(read_paths([str(FIXTURES / n) for n in names], ReadOptions(notices=True)))


def by_id(items) -> dict[str, Record]:
    """The records by record id, asserting no error and no notice (an unknown shape is a notice)."""
    assert all(isinstance(i, Record) for i in items), [i for i in items if not isinstance(i, Record)]
    return {r.record_id: r for r in items}


def said(record: Record, role: str) -> str:
    """All text the format read for `role` (not the extra fields), one message per line."""
    return "\n".join(m.text for m in record.messages if m.role == role and not m.path)


def entities_by_role(context, *names: str) -> dict[str, set[str]]:
    """{entity type: roles it was found in} for fixture files scanned with the real engine."""
    from audit.pipeline import scan_paths
    from audit.summary import ScanSummary

    found: dict[str, set[str]] = {}
    paths = [str(FIXTURES / n) for n in names]
    summary = ScanSummary()
    for result in scan_paths(context, paths, ReadOptions(), summary):
        for finding in result.findings:
            found.setdefault(finding.entity_type, set()).add(finding.role)
    assert not summary.errors, summary.errors
    return found
