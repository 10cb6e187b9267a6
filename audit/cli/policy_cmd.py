"""`audit policy list|show|lint|test` and `audit explain`: inspect, check and explain policy packs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table

from audit import api, policy
from audit.cli.common import NoRegistryOption, announce_registry
from audit.cli.options import close_matches
from audit.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ConfigError, InputError
from audit.manifest import check_workload
from audit.model import Finding, Message, Record, WorkloadProfile
from audit.policy.examples import run_examples
from audit.policy.lint import lint_dirs, lint_file
from audit.policy.loader import policy_dirs
from audit.policy.policyset import PolicySet
from audit.policy.schema import AGREEMENTS, Pack, Rule
from audit.readers import ReadOptions, read_paths
from audit.report import terminal
from audit.resources import policies_dir
from audit.vocabulary import HipaaEntity

ConfigOpt = Annotated[
    str | None, typer.Option(help="Config file (default: ./audit.toml or \\[tool.llm-audit] in ./pyproject.toml).")
]

policy_app = typer.Typer(help="List, show, lint and test policy packs.", no_args_is_help=True)


def _policy_set(config: str | None) -> tuple[PolicySet, object]:
    settings = api.settings_from(config)
    return policy.load_policy_set(settings), settings


@policy_app.command("list")
def list_packs(config: ConfigOpt = None) -> None:
    """List the loaded packs: id, version, regulation, enabled rules and source file."""
    ps, _ = _policy_set(config)
    table = Table("id", "version", "regulation", Column("rules", justify="right"), "source")
    for pack in ps.packs:
        enabled = sum(1 for e in ps.entries if e.pack == pack.id)
        table.add_row(*map(escape, (pack.id, pack.version, pack.regulation, str(enabled), str(ps.sources[pack.id]))))
    terminal.print_table(table, "pack", keys=(0, 4))
    typer.echo(f"identity: {ps.identity}")


def _show_rule(pack: Pack, rule: Rule, enabled: bool) -> list[str]:
    t = rule.trigger
    lines = [
        f"{rule.id}{'' if enabled else '  (disabled)'}",
        f"  citation:    {rule.citation}",
        f"  description: {rule.description.strip()}",
        f"  decision:    {rule.decision}"
        + (f" -> {rule.unlocked_decision} with {' + '.join(rule.unlocked_by)}" if rule.unlocked_by else ""),
    ]
    lines += [f"  workload:    {_when(w.when)} -> {w.decision}" for w in rule.workload_decisions]
    lines.append(f"  trigger:     scope {t.scope}; " + "; ".join(_group(g) for g in t.require))
    lines += [f"  unless:      {_group(g)}" for g in t.unless]
    lines.append(f"  remediation: {rule.remediation.strip()}")
    lines.append(f"  examples:    {len(rule.examples.fires)} fire, {len(rule.examples.silent)} silent")
    return lines


def _when(match) -> str:
    """'hipaa_entity none; lacks BAA': a workload condition as the pack author wrote it, not a Python dict."""
    fields = (("hipaa_entity", match.hipaa_entity), ("domain", match.domain))
    parts = [f"{name} {' or '.join(values)}" for name, values in fields if values]
    parts += [f"lacks {' and '.join(match.lacks)}"] if match.lacks else []
    return "; ".join(parts) or "any workload"


def _group(group) -> str:
    alts = []
    for m in group.any_of:
        extra = [f"score>={m.min_score}"] if m.min_score else []
        extra += [f"not {s}" for s in m.not_shapes] + [f"not inside {'/'.join(m.not_within)}"] * bool(m.not_within)
        alts.append("/".join(m.types) + (f" ({', '.join(extra)})" if extra else ""))
    count = f"{group.min_count} distinct of " if group.min_count > 1 else ""
    return f"{group.label or 'any'}: {count}" + " or ".join(alts)


@policy_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="A pack id, a rule id, or PACK/RULE as SARIF and reports print it.")],
    config: ConfigOpt = None,
) -> None:
    """Show a pack (all its rules) or one rule: citation, trigger, decision, agreements, remediation."""
    ps, _ = _policy_set(config)
    pack_id, _, rule_part = name.rpartition("/")
    enabled = {e.rule.id for e in ps.entries}
    pack = ps.pack(name)
    if pack:
        typer.echo(f"{pack.id} {pack.version}: {pack.title} [{pack.regulation}]  ({ps.sources[pack.id]})")
        for rule in pack.rules:
            typer.echo("\n".join(_show_rule(pack, rule, rule.id in enabled)))
        return
    for pack in ps.packs:
        for rule in pack.rules:
            if rule.id == name or (pack_id == pack.id and rule.id == rule_part):
                typer.echo(f"{pack.id} [{pack.regulation}]")
                typer.echo("\n".join(_show_rule(pack, rule, rule.id in enabled)))
                return
    names = [n for p in ps.packs for n in (p.id, *(r.id for r in p.rules))]
    raise ConfigError(f"no pack or rule named {name!r}: {close_matches(name, names)} (see `audit policy list`)")


@policy_app.command("lint")
def lint(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Pack files or directories (default: every configured pack).")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Check pack files: every schema error with file, rule and field, plus warnings. Exit 2 on errors."""
    settings = api.settings_from(config)
    if paths:
        files = [p for p in paths if p.is_file()]
        dirs = [p for p in paths if p.is_dir()]
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise ConfigError(f"{missing[0]}: no such file or directory")
        messages = [m for f in files for m in lint_file(f)]
        messages += lint_dirs([policies_dir(), *dirs], settings.disabled_rules) if dirs else []
    else:
        messages = lint_dirs(policy_dirs(settings), settings.disabled_rules)
    for m in messages:
        typer.echo(f"{m.level}: {m.text}")
    errors = sum(m.level == "error" for m in messages)
    typer.echo(f"{errors} error(s), {len(messages) - errors} warning(s)")
    raise typer.Exit(EXIT_USAGE if errors else EXIT_OK)


def _scanner(settings):
    """A function from message texts to findings on one engine built now, and the types it can emit."""
    from audit.batch import scan_batch
    from audit.pipeline import build_context

    ctx = build_context(settings)

    def findings_for(texts: tuple[str, ...]) -> tuple[Finding, ...]:
        messages = tuple(Message(i, "user" if i % 2 == 0 else "assistant", t) for i, t in enumerate(texts))
        return scan_batch(ctx, [Record("<example>", "example", 1, messages)])[0].findings

    return findings_for, frozenset(ctx.engine.get().analyzer.get_supported_entities())


@policy_app.command("test")
def test(
    packs: Annotated[list[str] | None, typer.Argument(help="Pack ids to test (default: all).")] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also show what each passing example fired.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail, not skip, examples of rules needing types no recognizer emits.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Run every rule's examples through the real scanner; exit 1 if any fails."""
    ps, settings = _policy_set(config)
    unknown = [p for p in packs or [] if ps.pack(p) is None]
    if unknown:
        hint = close_matches(unknown[0], [p.id for p in ps.packs])
        raise ConfigError(f"no pack named {unknown[0]!r}: {hint} (see `audit policy list`)")
    findings_for, supported = _scanner(settings)
    results = run_examples(ps, findings_for, tuple(packs or ()), None if strict else supported)
    for r in results:
        mark = "SKIP" if r.skipped else "PASS" if r.passed else "FAIL"
        line = f"{mark} {r.pack}/{r.rule} {r.kind}#{r.number}: {r.preview}"
        if not r.passed or r.skipped or verbose:
            line += f"\n     {r.detail}"
        typer.echo(line)
    failed = sum(not r.passed for r in results)
    skipped = sum(r.skipped for r in results)
    typer.echo(
        f"{len(results) - failed - skipped} passed, {failed} failed, {skipped} skipped ({len(results)} examples)"
    )
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def findings_from_contract(line: dict) -> tuple[Finding, ...]:
    """Findings rebuilt from one output-contract line (`findings` then `context`, as the scan indexed them)."""
    out = []
    for kind, key in (("identifier", "findings"), ("context", "context")):
        for f in line.get(key) or []:
            out.append(
                Finding(
                    int(f["message"]), str(f.get("role", "")), int(f["start"]), int(f["end"]), str(f["entity_type"]),
                    float(f.get("score", 1.0)), str(f.get("recognizer", "")), str(f.get("masked", "")),
                    str(f.get("fingerprint", "")), kind, shapes=tuple(f.get("shapes", ())),
                )
            )  # fmt: skip
    return tuple(sorted(out, key=lambda f: (f.message, f.start, f.end, f.entity_type)))


def _contract_line(path: Path, record_id: str) -> dict | None:
    """The output-contract line for `record_id` if `path` is a findings JSONL file, else None; InputError with
    the close matches when it is one and holds no such record."""
    seen: list[str] = []
    try:
        with open(path, encoding="utf-8") as fh:
            for text in fh:
                try:
                    line = json.loads(text)
                except json.JSONDecodeError:
                    return None
                if not isinstance(line, dict) or "findings" not in line or "decision" not in line:
                    return None
                if str(line.get("record")) == record_id:
                    return line
                seen.append(str(line.get("record")))
    except (OSError, UnicodeDecodeError):
        return None
    if not seen:
        return None
    raise InputError(f"{path}: no record with id {record_id!r}: {close_matches(record_id, seen)}")


def _scan_profiles(manifest: Path | None, settings, no_registry: bool = False) -> dict[str, WorkloadProfile]:
    """The workload profiles `audit scan` would use: --manifest, else the registry's when there is one."""
    from audit.store import scanning

    choice = None if manifest else announce_registry(settings, no_registry)
    registry = scanning.open_chosen(choice, settings) if choice else None
    try:
        return scanning.scan_profiles(registry, str(manifest) if manifest else None)
    finally:
        if registry is not None:
            registry.close()


def _profile(name, profiles, hipaa_entity, agreements) -> WorkloadProfile | None:
    """The workload's profile as a scan sees it (None when unknown), with the command line's overrides."""
    base = profiles.get(name) if name else None
    if not (hipaa_entity or agreements):
        return base
    base = base or WorkloadProfile(name or "adhoc")
    bad = [a for a in agreements if a not in AGREEMENTS]
    if bad:
        raise ConfigError(f"--agreement: unknown agreement {bad[0]!r}; known: {', '.join(AGREEMENTS)}")
    return WorkloadProfile(
        base.name, hipaa_entity or base.hipaa_entity, base.hosting, base.agreements | frozenset(agreements), base.domain
    )


def _describe_findings(findings: tuple[Finding, ...]) -> list[str]:
    return [
        f'  #{i} message {f.message} {f.role or "-"} {f.entity_type} "{f.masked}" score {f.score} ({f.kind})'
        for i, f in enumerate(findings)
    ]


def explain_cmd(
    file: Annotated[
        Path, typer.Argument(help="A log file to re-scan, or a findings JSONL file from `audit scan -f jsonl`.")
    ],
    record: Annotated[str, typer.Option("--record", help="The record id to explain.")],
    workload: Annotated[str | None, typer.Option(help="Evaluate under this workload (see --manifest).")] = None,
    manifest: Annotated[Path | None, typer.Option(help="Workload manifest to take the profile from.")] = None,
    hipaa_entity: Annotated[
        str | None, typer.Option(help="Override: covered_entity, business_associate or none.")
    ] = None,
    agreement: Annotated[
        list[str] | None,
        typer.Option(help=f"Add an agreement the workload holds (repeatable): {', '.join(AGREEMENTS)}."),
    ] = None,
    config: ConfigOpt = None,
    db: Annotated[str | None, typer.Option("--db", help="Registry to take workload profiles from (as scan).")] = None,
    no_registry: Annotated[bool, NoRegistryOption] = False,
) -> None:
    """Explain one record's decision: its findings, which finding fired which rule, and why no stricter tier applied.

    The workload is --workload, else the record's own (as `audit scan` reads it); its profile comes from
    --manifest, else from the registry, as a scan's does, so explain and scan decide alike.
    """
    if hipaa_entity not in (None, *HipaaEntity):
        raise ConfigError("--hipaa-entity must be covered_entity, business_associate or none")
    settings = api.settings_from(config, db=db)
    if not file.is_file():
        raise InputError(f"{file}: no such file")
    line = _contract_line(file, record)
    if line is not None:
        try:
            findings, seen = findings_from_contract(line), line.get("workload")
        except (KeyError, TypeError, ValueError, AttributeError):  # edited or truncated by hand
            raise InputError(
                f"{file}: record {record!r}: each finding needs a numeric message, start and end and an entity_type"
            ) from None
        source = f"{line.get('source')}:{line.get('line')} (from findings file {file})"
    else:
        findings, source, seen = _rescan(file, record, settings)
    name = workload or seen
    profiles = _scan_profiles(manifest, settings, no_registry)
    check_workload(workload, profiles)
    profile = _profile(name, profiles, hipaa_entity, agreement or [])
    evaluation = policy.evaluate_findings(policy.load_policy_set(settings), findings, profile)
    unknown = f"{name} (not registered: no agreements assumed)" if name else "(none: no agreements assumed)"
    typer.echo(f"record {record} at {source}; workload {profile.name if profile else unknown}")
    typer.echo(f"findings ({len(findings)}):")
    for text in _describe_findings(findings):
        typer.echo(text)
    typer.echo(policy.explain(evaluation))


def _rescan(file: Path, record_id: str, settings) -> tuple[tuple[Finding, ...], str, str | None]:
    """The record's findings, where it is, and the workload it names."""
    from audit.batch import scan_batch
    from audit.pipeline import build_context

    seen: list[str] = []
    for item in read_paths([str(file)], ReadOptions()):
        if isinstance(item, Record) and item.record_id == record_id:
            result = scan_batch(build_context(settings), [item])[0]
            return result.findings, f"{item.source}:{item.line}", item.workload
        if isinstance(item, Record):
            seen.append(item.record_id)
    raise InputError(f"{file}: no record with id {record_id!r}: {close_matches(record_id, seen)}")


def register(app) -> None:
    """Add `audit policy ...` and `audit explain`."""
    app.add_typer(policy_app, name="policy")
    app.command("explain")(explain_cmd)
