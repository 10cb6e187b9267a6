"""`audit registry import|list|show|history|waive|verify`: the workload registry."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audit import api
from audit.cli.common import announce_registry
from audit.cli.options import JsonOpt, deprecated_option, resolve_format
from audit.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, ConfigError
from audit.flows import FlowReport
from audit.flows.stored import check_registry
from audit.manifest import check_workload
from audit.outputs import write_atomic
from audit.report import spreadsheet, terminal
from audit.settings import refuse_protected_outputs
from audit.store import events, scanning, views
from audit.store.registry import Registry

DbOption = Annotated[str | None, typer.Option("--db", help="Registry database: a file or SQLAlchemy URL.")]
ConfigOption = Annotated[str | None, typer.Option("--config", help="Config file (its `db` key names the registry).")]
LIST_FORMATS = ("table", "json", "csv")
SHOW_FORMATS = ("table", "json")
FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="Output format: table or json (default: table).")
]

app = typer.Typer(help="The workload registry: manifests, scan history, decisions, waivers.", no_args_is_help=True)


def register(root) -> None:
    """Add `audit registry` to the root app."""
    root.add_typer(app, name="registry")


def open_registry(db: str | None, config: str | None, create: bool = False, quiet: bool = False) -> Registry:
    """The registry named by --db, AUDIT_DB, the config file or ./llm-audit.db, named on stderr unless `quiet`."""
    settings = api.settings_from(config, db=db)
    choice = announce_registry(settings, create=create, quiet=quiet)
    if choice.url is None:
        raise ConfigError("no registry: pass --db FILE, set AUDIT_DB, or run `audit registry import MANIFEST` first")
    return scanning.open_chosen(choice, settings, create=create)


def _out() -> Console:
    return terminal.console(soft_wrap=True)


@app.command("import")
def import_(
    manifest: Annotated[str, typer.Argument(help="Workload manifest (YAML).")],
    root: Annotated[str | None, typer.Option(help="Log locations must stay under this directory.")] = None,
    prune: Annotated[bool, typer.Option("--prune", help="Remove registered workloads the manifest lacks.")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Import a workload manifest (idempotent) and report what was added, changed or unchanged."""
    report = open_registry(db, config, create=True).import_manifest(manifest, root=root, prune=prune)
    for name in report.added:
        print(f"added      {name}")
    for name, fields in report.changed.items():
        print(f"changed    {name} ({', '.join(fields)})")
    for name in report.unchanged:
        print(f"unchanged  {name}")
    for name in report.removed:
        print(f"removed    {name}")
    for name in report.absent:
        print(f"absent     {name} (registered, not in this manifest; --prune removes it)")
    counts = f"{len(report.added)} added, {len(report.changed)} changed, {len(report.unchanged)} unchanged"
    print(counts + (f", {len(report.removed)} removed" if report.removed else ""))


@app.command("list")
def list_(
    decision: Annotated[
        str | None, typer.Option(help="Only workloads whose latest decision is this tier ('none': never scanned).")
    ] = None,
    regulation: Annotated[
        str | None, typer.Option(help="Only workloads whose latest scan triggered this regulation.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only workloads with this owner.")] = None,
    stale: Annotated[
        int | None, typer.Option(help="Only workloads not scanned for DAYS days (or never).", metavar="DAYS")
    ] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", "-f", help="Output format: table, json or csv (default: table).")
    ] = None,
    as_json: JsonOpt = False,
    fail_on_violation: Annotated[
        bool,
        typer.Option(
            "--fail-on-violation",
            help="Exit 1 if a listed workload is in violation, or has a flow violation or blocking drift.",
        ),
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """List registered workloads with their latest decision and violation flag."""
    output_format = resolve_format(output_format, as_json, LIST_FORMATS, "table")
    registry = open_registry(db, config, quiet=output_format != "table")
    rows = views.list_workloads(registry, decision, regulation, owner, stale)
    flows = check_registry(registry, [r.name for r in rows]).by_workload() if rows else {}
    {"table": _list_table, "json": _list_json, "csv": _list_csv}[output_format](rows, flows)
    flow_failed = any(c.get("violations") or c.get("drift") for c in flows.values())
    failed = any(r.violation for r in rows) or flow_failed
    raise typer.Exit(EXIT_FINDINGS if fail_on_violation and failed else EXIT_OK)


FlowCounts = dict[str, dict[str, int]]
NO_FLOW_ISSUES = {"violations": 0, "drift": 0, "undeclared": 0}


def _list_table(rows: list[views.WorkloadStatus], flows: FlowCounts) -> None:
    terminal.print_table(list_table(rows, flows), "workload")


def list_table(rows: list[views.WorkloadStatus], flows: FlowCounts) -> Table:
    """The `registry list` table: one row per workload."""
    table = Table(
        "workload", "owner", "hipaa", "hosting", "agreements", "decision", "regulations", "last scan", "violation",
        "flows",
    )  # fmt: skip
    for r in rows:
        table.add_row(
            escape(r.name), escape(r.owner), r.hipaa_entity, r.hosting or "-", ", ".join(r.agreements) or "-",
            r.decision or "not scanned", ", ".join(r.regulations) or "-",
            (r.last_scan or "-") + (f" ({views.PROFILE_CHANGED})" if r.profile_changed else ""),
            "[bold red]VIOLATION[/]" if r.violation else "", _flow_cell(flows.get(r.name, NO_FLOW_ISSUES)),
        )  # fmt: skip
    return table


def _flow_cell(c: dict[str, int]) -> str:
    """'1 violation, 1 drift (+3 undeclared)': blocking counts in red, advisory ones after."""
    bad = [f"{c['violations']} violation" * bool(c["violations"]), f"{c['drift']} drift" * bool(c["drift"])]
    text = ", ".join(b for b in bad if b)
    text = f"[bold red]{text}[/]" if text else ""
    if c["undeclared"]:
        text += f" (+{c['undeclared']} undeclared)" if text else f"{c['undeclared']} undeclared"
    return text or "-"


def _list_dict(r: views.WorkloadStatus, flows: FlowCounts) -> dict:
    c = flows.get(r.name, NO_FLOW_ISSUES)
    return {**r.as_dict(), "flow_violations": c["violations"], "drift": c["drift"], "undeclared": c["undeclared"]}


def _list_json(rows: list[views.WorkloadStatus], flows: FlowCounts) -> None:
    print(json.dumps([_list_dict(r, flows) for r in rows], indent=2))


def _list_csv(rows: list[views.WorkloadStatus], flows: FlowCounts) -> None:
    fields = [*views.WorkloadStatus.__dataclass_fields__, "flow_violations", "drift", "undeclared"]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        d = _list_dict(r, flows)
        writer.writerow({k: spreadsheet.cell(v) for k, v in d.items()})


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Workload name.")],
    output_format: FormatOption = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Show a workload: endpoints, decision and reasons over its sources, findings by type, waivers, data flows.

    The decision is the strictest of what each source showed in the latest scan that read it. Data flows: the
    flows declared at import, flow violations, and drift against what its sources last showed.
    """
    as_json = resolve_format(output_format, as_json, SHOW_FORMATS, "table") == "json"
    registry = open_registry(db, config, quiet=as_json)
    detail = views.show_workload(registry, name)
    flows = check_registry(registry, [name])
    if as_json:
        print(json.dumps({**detail.as_dict(), "flow_checks": flows.as_dict()}, indent=2))
        return
    _print_detail(detail)
    _print_flows(detail, flows)


def _print_detail(d: views.WorkloadDetail) -> None:
    s, out = d.status, _out()
    out.print(
        f"[bold]{escape(s.name)}[/]  owner {escape(s.owner)}  domain {s.domain or '-'}  hipaa_entity {s.hipaa_entity}"
    )
    if d.description:
        out.print(escape(d.description))
    out.print(f"hosting {s.hosting or '-'}; agreements common to closed endpoints: {', '.join(s.agreements) or 'none'}")
    for e in d.endpoints:
        out.print(f"  endpoint {escape(e['name'])}: {escape(e['provider'])} {escape(e['model'])} ({e['hosting']}) "
                  f"region {e['region'] or '-'} agreements {', '.join(e['agreements']) or 'none'}")  # fmt: skip
    if s.decision is None:
        out.print("decision: not scanned yet")
    else:
        out.print(
            f"decision: [bold]{s.decision}[/] (scan {d.scan_id}, {s.last_scan}); regulations: {', '.join(s.regulations) or '-'}"
        )
    for src in d.sources:  # the decision is the strictest of these, each as its latest scan saw it
        out.print(f"  source {escape(src['source'])}: {src['decision']}, {src['findings']} findings "
                  f"(scan {src['scan']}, {src['last_scanned']}, {src['age']} ago)")  # fmt: skip
    if s.violation and s.decision == "strip":  # strip: those values removed, those requests blocked (as the router)
        out.print(
            "[bold red]VIOLATION[/]: declared on a closed API, and its logs hold data that must be stripped: block "
            f"those requests at the gateway; what remains requires {s.hosting_tier}"
        )
    elif s.violation:
        out.print(f"[bold red]VIOLATION[/]: declared on a closed API, but its data requires {s.decision}")
    if s.profile_changed:
        out.print(f"[bold yellow]{views.PROFILE_CHANGED}[/]")
    for r in d.reasons:
        waived = " (waived)" if r.get("waived") else ""
        out.print(
            f"  {r['decision']:<22} {escape(r['rule'])}{waived} ({escape(r['regulation'])}; {escape(r['citation'])}) x{r['records']}"
        )
    if d.findings_by_type:
        out.print("findings: " + ", ".join(f"{k} {v}" for k, v in d.findings_by_type.items()))
    for w in d.waivers:
        what = f"rule {w['rule']}" if w["rule"] else f"fingerprint {w['fingerprint']}"
        state = "active" if w["active"] else "expired"
        out.print(
            f"  waiver {w['id']}: {escape(what)} by {escape(w['owner'])}, expires {w['expires']} ({state}): {escape(w['reason'])}"
        )


def _print_flows(d: views.WorkloadDetail, report: FlowReport) -> None:
    out = _out()
    out.print(f"data flows ({len(d.data_flows)} declared):" if d.data_flows else "data flows: none declared")
    for f in d.data_flows:
        to = f" -> {escape(f['endpoint'])}" if f["endpoint"] else ""
        redacted = " (redacted before the endpoint)" if f["redaction"] else ""
        out.print(f"  {escape(f['name'] or f['source'])}{to}: {escape(', '.join(f['categories']) or '-')}{redacted}")
    for i in report.issues:
        cite = f" [{', '.join(i.regulations)}; {i.citation}]" if i.regulations else ""
        out.print(f"[bold red]FLOW VIOLATION[/] {escape(i.category)}: {escape(i.explanation + cite)}")
    for x in report.drift:
        cite = f" [{', '.join(x.regulations)}; {x.citation}]" if x.regulations else ""
        out.print(f"[bold red]DRIFT[/] {escape(x.category)}: {escape(x.explanation + cite)}")
    for x in report.undeclared:
        out.print(f"  undeclared (advisory) {escape(x.category)} ({x.seen}): {escape(x.endpoint)} may receive it; "
                  "add it to a data flow")  # fmt: skip
    if d.scan_id is None:
        out.print("drift: not checked (not scanned yet)")


@app.command("history")
def history(
    name: Annotated[str, typer.Argument(help="Workload name.")],
    output_format: FormatOption = None,
    as_json: JsonOpt = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """A workload's decisions per scan and its registry changes, newest first."""
    as_json = resolve_format(output_format, as_json, SHOW_FORMATS, "table") == "json"
    registry = open_registry(db, config, quiet=as_json)
    try:
        rows = views.history(registry, name)
    except ConfigError:  # no history: say which registered name was meant
        check_workload(name, [r.name for r in views.list_workloads(registry)], "WORKLOAD")
        raise
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for r in rows:
        if r["type"] == "scan":
            flag = "  VIOLATION" if r["violation"] else ""
            print(f"{r['at']}  scan {r['scan']:<5} {r['status']:<9} {r['decision']:<22} {r['records']} records{flag}")
        else:
            print(f"{r['at']}  {r['type']} (event {r['event']})")


@app.command("waive")
def waive(
    workload: Annotated[str, typer.Option(help="Workload the waiver applies to.")],
    owner: Annotated[str, typer.Option(help="Who accepts the risk.")],
    reason: Annotated[str, typer.Option(help="Why the finding or rule is acceptable.")],
    expires: Annotated[
        str, typer.Option(help="The date the waiver expires (YYYY-MM-DD): it holds before this date, not on it.")
    ],
    rule: Annotated[str | None, typer.Option(help="Rule id to waive (as shown by `show`).")] = None,
    fingerprint: Annotated[str | None, typer.Option(help="Finding fingerprint to waive.")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Waive a rule or a finding fingerprint for a workload until it expires (exclusive: not on --expires)."""
    try:
        until = date.fromisoformat(expires)
    except ValueError:
        raise ConfigError(f"--expires {expires!r} is not a YYYY-MM-DD date") from None
    if rule is not None:
        from audit import policy

        rule = policy.load_policy_set(api.settings_from(config)).canonical_rule_id(rule)
    w = open_registry(db, config).waive(workload, owner, reason, until, rule=rule, fingerprint=fingerprint)
    what = f"rule {rule}" if rule else f"fingerprint {fingerprint}"
    print(f"waiver {w.id}: {workload}: {what}, expires {until} (holds through {until - timedelta(days=1)})")


@app.command("verify")
def verify(
    expect_head: Annotated[
        str | None,
        typer.Option(
            envvar="AUDIT_EXPECT_HEAD",
            metavar="SEQ:HASH",
            help="Fail unless the log still holds this event, as an earlier verify printed it (or a bare HASH).",
        ),
    ] = None,
    expect_head_file: Annotated[
        Path | None, typer.Option(help="Read the expected SEQ:HASH from this file (as --save-head wrote it).")
    ] = None,
    save_head: Annotated[
        Path | None, typer.Option(help="After a successful check, write the head (SEQ:HASH) to this file.")
    ] = None,
    allow_legacy: Annotated[
        bool,
        typer.Option(
            "--allow-legacy",
            help="Accept a log whose every event is unkeyed (a registry from before the keyed chain, no anchor).",
        ),
    ] = False,
    accept_unkeyed: Annotated[bool, deprecated_option("registry verify", "--accept-unkeyed")] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Check the keyed event chain, the head kept beside the secret, the anchors and the rows the chain covers;
    exit 3 at the first problem."""
    anchors = _anchors(expect_head, expect_head_file)
    refuse_protected_outputs({"--save-head": save_head}, api.settings_from(config, db=db))
    registry = open_registry(db, config, quiet=True)  # its verdict: one stderr line
    report = registry.verify(anchors, allow_legacy or accept_unkeyed)
    if not report.ok:
        print(f"audit: registry verify FAILED: {report.problem}", file=sys.stderr)
        raise typer.Exit(EXIT_INPUT)
    if report.legacy:
        print(
            f"audit: note: events 1-{report.legacy} predate the keyed chain (plain sha256); "
            "only an anchor or a keyed event after them protects them",
            file=sys.stderr,
        )
    for note in report.notes:
        print(f"audit: warning: {note}", file=sys.stderr)
    if save_head:
        write_atomic(save_head, report.anchor + "\n")
    print(f"event log intact: {report.events} events and the rows they cover, head {report.anchor}")


def _anchors(value: str | None, path: Path | None) -> tuple[str, ...]:
    """The anchors to check: the option (or AUDIT_EXPECT_HEAD) and the file's, each validated."""
    found = []
    if value:
        events.parse_anchor(value, "--expect-head")
        found.append(value)
    if path:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise ConfigError(f"{path}: cannot read the expected head") from None
        events.parse_anchor(text, str(path))
        found.append(text)
    return tuple(found)
