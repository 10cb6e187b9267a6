"""The registry report in each format against a reviewed golden file, from one constructed ReportData.

A change to a report's wording, layout or escaping shows up here as a diff to review. After reviewing it,
rewrite the files with: AUDIT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/report/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audit.report import html, json_report, markdown

from .test_reports import report_data

GOLDEN = Path(__file__).parent / "golden"
RENDERERS = {"report.html": html.render, "report.md": markdown.render, "report.json": json_report.render}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_report_matches_its_golden_file(name):
    text = RENDERERS[name](report_data())
    path = GOLDEN / name
    if os.environ.get("AUDIT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} changed: review the diff, then update the golden file"
