"""CSV cells that a spreadsheet shows as text, never evaluates as a formula.

Excel, LibreOffice and Google Sheets treat a cell starting with `=`, `+`, `-`,
`@`, tab or carriage return as a formula (CSV injection, OWASP): an owner or
domain taken from a manifest could run `=HYPERLINK(...)` or DDE when an
auditor opens the export. Such cells get a leading `'`, which the spreadsheet
hides and which keeps the text intact; numbers and booleans are left alone.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """`value` made safe for a CSV cell: lists joined with `;`, formula-like text quoted."""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
