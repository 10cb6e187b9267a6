"""User output cites regulations, never the project's own research notes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# our notes, however they are referred to: the file, or its "section N rule M" numbering
NOTES = re.compile(r"regulatory-reference|section \d+ (?:rule|item) \d+", re.I)


def test_no_shipped_file_or_doc_cites_our_research_notes():
    shipped = [*ROOT.glob("audit/**/*.py"), *ROOT.glob("audit/data/*.yaml"), *ROOT.glob("policies/*.yaml")]
    docs = [ROOT / "README.md", *ROOT.glob("docs/*.md")]
    offenders = [str(p.relative_to(ROOT)) for p in shipped + docs if NOTES.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
