"""The terminal view: a table of records with findings, then a summary.

Off a terminal (a CI log, a pipe, -o FILE) each row is one `finding ...` or
`summary ...` line instead (see `terminal.print_table`).
"""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from audit.report import terminal

MAX_ROWS = 50


class TableFormat:
    """Collects up to MAX_ROWS flagged records and prints them with the summary."""

    def __init__(self, out, options) -> None:
        self.out = out
        self.console = terminal.console(out)
        self.rows: list = []
        self.more = 0
        self.quiet = options.quiet

    def add(self, result) -> None:
        """Keep a flagged record for the table."""
        if not result.has_output:
            return
        if len(self.rows) < MAX_ROWS:
            self.rows.append(result)
        else:
            self.more += 1

    def finish(self, summary) -> None:
        """Print the findings table and (unless quiet) the summary."""
        if self.rows:
            terminal.print_table(_findings_table(self.rows), "finding", self.out, keys=(0, 2))
            if self.more:
                self.console.print(f"... and {self.more} more records with findings (use --format jsonl for all)")
        if not self.quiet:
            terminal.print_table(_summary_table(summary), "summary", self.out)


def _findings_table(rows) -> Table:
    table = Table(title="Records with findings", show_lines=False)
    for col in ("source:line", "record", "workload", "decision", "regulations", "findings"):
        table.add_column(col, overflow="fold")
    for r in rows:
        counts: dict[str, int] = {}
        for f in r.identifiers:
            counts[f.entity_type] = counts.get(f.entity_type, 0) + 1
        found = ", ".join(f"{k} x{v}" if v > 1 else k for k, v in sorted(counts.items()))
        table.add_row(
            escape(f"{r.source}:{r.line}"),
            escape(r.record_id),
            escape(r.workload or "-"),
            r.decision.value,
            ", ".join(r.evaluation.regulations) or "-",
            found or "-",
        )
    return table


def _summary_table(summary) -> Table:
    table = Table(title="Scan summary", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("records read", str(summary.records_read))
    table.add_row("records skipped (unreadable)", str(summary.records_skipped))
    table.add_row("records with findings", str(summary.records_with_findings))
    if summary.records_accepted:
        table.add_row("records accepted (baseline)", str(summary.records_accepted))
    for name, n in sorted(summary.by_decision.items()):
        table.add_row(f"decision: {name}", str(n))
    for name, n in sorted(summary.by_regulation.items()):
        table.add_row(f"regulation: {name}", str(n))
    for name, n in summary.by_entity.most_common():
        table.add_row(f"entity: {escape(name)}", str(n))
    return table
