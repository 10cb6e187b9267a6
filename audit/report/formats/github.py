"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per flagged record.

Levels follow the decision tier (strip/self_hosted: error, closed_with_agreement:
warning, redact_then_closed and unrestricted-with-findings: notice), and a record at or above the
gate (--fail-on) is always an error: severity follows what fails the build. Values are
escaped per GitHub's rules: data escapes %, CR and LF; properties also `:` and `,`;
any other control character is written as `\\uXXXX`, since the log viewer obeys ANSI.
Masked previews only.
"""

from __future__ import annotations

from audit.model import Tier
from audit.report.formats.sarif import relative_path, rule_id
from audit.report.formats.sarif_rules import at_or_above_gate
from audit.report.terminal import escape_controls

LEVELS = {
    Tier.STRIP: "error",
    Tier.SELF_HOSTED: "error",
    Tier.CLOSED_WITH_AGREEMENT: "warning",
    Tier.REDACT_THEN_CLOSED: "notice",
    Tier.UNRESTRICTED: "notice",
}


def escape_data(value: str) -> str:
    """Escape a workflow command's message; other control characters become visible `\\uXXXX`."""
    return escape_controls(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (file, title)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, **props) -> str:
    """One workflow command line, e.g. `::error file=a.jsonl,line=3::text`."""
    rendered = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{level} {rendered}::{escape_data(message)}" if rendered else f"::{level}::{escape_data(message)}"


def record_message(result) -> str:
    """A one-line description of a flagged record: rules, then masked findings."""
    parts = []
    for hit in result.evaluation.rules:
        cite = f" ({hit.citation})" if hit.citation else ""
        parts.append(f"{rule_id(hit.policy, hit.rule)}{cite}: {hit.reason or hit.description}")
    found = ", ".join(f"{f.entity_type} {f.masked}" for f in result.identifiers)
    if found:
        parts.append(f"findings: {found}")
    return f"record {result.record_id}: " + "; ".join(parts)


class GithubFormat:
    """Streams one annotation per flagged record, then a summary notice."""

    def __init__(self, out, options) -> None:
        self.out = out
        self.options = options

    def add(self, result) -> None:
        """Write the record's annotation."""
        if not result.has_output:
            return
        decision = result.decision
        title = f"llm-audit: {decision.value}" + (
            f" ({', '.join(result.evaluation.regulations)})" if result.evaluation.regulations else ""
        )
        line = result.line if result.line >= 1 else None
        self.out.write(
            annotation(
                "error" if at_or_above_gate(decision, self.options.fail_on) else LEVELS[decision],
                record_message(result),
                file=relative_path(result.source, self.options.base_dir),
                line=line,
                title=title,
            )
            + "\n"
        )

    def finish(self, summary) -> None:
        """Write one notice with the totals."""
        decisions = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_decision.items()))
        text = (
            f"llm-audit: {summary.records_read} records, {summary.records_with_findings} with findings, "
            f"{summary.records_skipped} skipped" + (f" ({decisions})" if decisions else "")
        )
        self.out.write(annotation("notice", text, title="llm-audit summary") + "\n")
        self.out.flush()
