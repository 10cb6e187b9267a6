"""One scan, assembled: a ScanRequest in, a ScanResult out.

`run_scan` owns what every scan command shares: input selection (`since`),
the registry (workload profiles, recording, violations), the baseline, the
output files and formats, and the gate (the exit code, as a value). An
executor only produces results: this machine's processes by default, or
Spark (`audit.distributed.runner.SparkExecutor`). Nothing here prints: what a
person should read goes to `ScanEvents.notice`, the rest is in the result.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from audit import api
from audit import baseline as baseline_lib
from audit.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, ConfigError
from audit.manifest import check_workload
from audit.model import ReadError, Tier
from audit.outputs import open_output, refuse_inputs_as_outputs
from audit.readers import ReadOptions
from audit.readers.litellm_db import check_usage as check_database_usage
from audit.report.formats import FORMATS, Fanout, Target
from audit.settings import Settings, refuse_protected_outputs
from audit.store import scanning

if TYPE_CHECKING:
    from audit.executor import Executor

FAIL_ON_CHOICES = [t.value for t in Tier if t is not Tier.UNRESTRICTED] + ["never"]


@dataclass(frozen=True)
class Output:
    """One output of a scan: a format, written to `path` (None: standard output); `option` names it in errors."""

    format: str
    path: Path | None = None
    option: str = "--out"


@dataclass(frozen=True)
class ScanRequest:
    """What to scan, where the results go, and what fails the scan. The first output is the main one."""

    paths: list[str]
    outputs: list[Output] = field(default_factory=lambda: [Output("table")])
    options: ReadOptions = field(default_factory=ReadOptions)
    workload: str | None = None  # every record is attributed to it
    fail_on: str = "redact_then_closed"  # a tier, or "never"
    baseline: Path | None = None  # findings it accepts are hidden and do not gate
    since: str | None = None  # only files under `paths` changed since this git revision
    registry: bool | None = None  # record in the registry; None: when one is configured or exists
    manifest: str | None = None  # workload profiles from this file instead of the registry
    sarif_root: str | None = None
    fail_on_empty: bool = False  # an input with no records (or no input at all) is a failure, exit 3
    quiet: bool = False  # the terminal table shows flagged records only, without its summary

    def __post_init__(self) -> None:
        for output in self.outputs:
            if output.format not in FORMATS:
                raise ConfigError(f"unknown output format {output.format!r}; choose from {', '.join(FORMATS)}")
        if self.fail_on not in FAIL_ON_CHOICES:
            raise ConfigError(f"--fail-on must be one of {', '.join(FAIL_ON_CHOICES)}")
        options = self.options
        check_database_usage(self.paths, options.litellm_spend_logs, options.started_after, self.since)


def _ignore(_text: str, _always: bool) -> None:
    """Drop a notice."""


@dataclass(frozen=True)
class ScanEvents:
    """How a caller watches a scan; nothing here changes what the scan decides.

    `notice(text, always)`: a line for a person (`always`: even when the caller is quiet).
    `on_error`: each unreadable record. `progress`: a context yielding a callback(records, rate), or None.
    """

    notice: Callable[[str, bool], None] = _ignore
    on_error: Callable[[ReadError], None] | None = None
    progress: Callable[[], AbstractContextManager] = nullcontext


@dataclass
class ScanResult:
    """A finished scan: its outcome (strictest decision as the outputs saw it), the registry's decisions
    that still gate and their violation lines, the findings the baseline hid (None without one), the exit code."""

    outcome: api.ScanOutcome
    decisions: list = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    hidden: int | None = None
    exit_code: int = EXIT_OK

    @property
    def summary(self):
        """The scan's counts."""
        return self.outcome.summary


def run_scan(
    request: ScanRequest, settings: Settings, events: ScanEvents | None = None, executor: Executor | None = None
) -> ScanResult:
    """Scan as `request` says, write every output whole, record in the registry, and decide the exit code."""
    events = events or ScanEvents()
    choice = scanning.choose_registry(settings, request.registry)
    if choice.url:
        events.notice(choice.line(), False)
    store = scanning.open_chosen(choice, settings, create=bool(request.registry))
    profiles = scanning.scan_profiles(store, request.manifest)
    check_workload(request.workload, profiles)  # before anything is recorded
    recorder = scanning.recorder_for_scan(store, settings, request.workload, profiles)
    unregistered = scanning.UnregisteredNames(profiles)
    gate = None if recorder else scanning.ViolationGate(profiles)  # --no-registry stops writing only
    paths = _selected_paths(request, events)
    accepted = _load_baseline(request.baseline, settings, events) if request.baseline else None
    options = replace(request.options, notices=True, skip=_baseline_path(request))
    named = {o.option: o.path for o in request.outputs if o.path}
    refuse_protected_outputs(named, settings)
    refuse_inputs_as_outputs(named, paths, request.options.include, request.options.exclude)
    with ExitStack() as stack:
        fanout = _fanout(request, accepted, stack, private=settings.show_values)
        progress = stack.enter_context(events.progress())
        if recorder:
            scanning.check_inputs(paths)  # a mistyped path must not record a failed scan
            stack.enter_context(recorder)  # a scan that raises is marked failed, with no partial rows
        outcome = api.scan_to(
            paths, settings, options, fanout, sys.stdout, workload=request.workload,
            on_error=events.on_error, progress=progress, workloads=profiles,
            observers=[unregistered, recorder or gate], executor=executor,
        )  # fmt: skip
        decisions = recorder.finish(outcome.summary) if recorder else gate.decisions()
    outcome.strictest = fanout.strictest  # what the outputs saw: baselined findings do not gate
    if accepted is not None:  # a violation gates only on findings the baseline has not accepted
        decisions = [d for d in decisions if not d.violation or _still_reached(fanout, d)]
    violations = scanning.violation_lines(decisions)
    _input_notices(outcome.summary, request.fail_on_empty, events)
    for line in unregistered.warnings():
        events.notice(f"warning: {line}", True)
    code = exit_code(outcome, request.fail_on, request.fail_on_empty)
    code = code or (EXIT_FINDINGS if violations and request.fail_on != "never" else EXIT_OK)
    return ScanResult(outcome, decisions, violations, accepted.hidden if accepted else None, code)


def _input_notices(summary, fail_on_empty: bool, events: ScanEvents) -> None:
    """Warn about empty inputs (always) and records read field by field; an empty scan says how to fail on it."""
    for notice in summary.notices:
        events.notice(f"warning: {notice}", notice.kind == "empty")
    if summary.empty_inputs and not fail_on_empty:
        events.notice("warning: empty input passes; --fail-on-empty makes it exit 3", True)


def exit_code(outcome: api.ScanOutcome, fail_on: str, fail_on_empty: bool = False) -> int:
    """3 when input was (partly) unreadable (or empty, with `fail_on_empty`), else 1 when a decision reaches
    the gate, else 0."""
    if outcome.summary.records_skipped or outcome.failed:
        return EXIT_INPUT
    if fail_on_empty and outcome.summary.empty_inputs:
        return EXIT_INPUT
    if fail_on != "never" and outcome.strictest.rank <= Tier(fail_on).rank:
        return EXIT_FINDINGS
    return EXIT_OK


def _selected_paths(request: ScanRequest, events: ScanEvents) -> list[str]:
    """`request.paths`, or with `since` the files under them changed since that revision (plus untracked ones)."""
    if request.since is None:
        return request.paths
    changed = baseline_lib.changed_files(request.since, request.paths)
    events.notice(f"--since {request.since}: {len(changed)} changed files to scan", False)
    return changed


def _baseline_path(request: ScanRequest) -> frozenset[str]:
    """The baseline file, never read as a log even when it sits among the inputs."""
    return frozenset({os.path.realpath(request.baseline)}) if request.baseline else frozenset()


def _load_baseline(path: Path, settings: Settings, events: ScanEvents) -> baseline_lib.Baseline:
    """The baseline at `path`, with notices about expired entries and a foreign fingerprint secret."""
    from audit.fingerprint import load_secret

    accepted = baseline_lib.load(path)
    expired = accepted.expired_entries()
    if expired:
        events.notice(f"baseline {path}: {len(expired)} expired entries no longer hide findings", False)
    if not baseline_lib.check_secret(accepted, load_secret(settings.home_dir())):
        # always: it is why every finding of the scan that follows looks new (a quiet pre-commit run too)
        events.notice(
            f"baseline {path}: made with another fingerprint secret; every finding will look new "
            "(share the secret: see docs/ci.md)",
            True,
        )
    return accepted


def _fanout(request: ScanRequest, accepted, stack: ExitStack, private: bool) -> Fanout:
    """The formats of every output, each file opened on `stack` (written whole when the stack closes)."""
    targets = []
    for output in request.outputs:
        sink = stack.enter_context(open_output(output.path, private=private)) if output.path else sys.stdout
        targets.append(Target(output.format, sink))
    stack.callback(sys.stdout.flush)
    result_filter = accepted.filter if accepted else None
    return Fanout(targets, result_filter, fail_on=request.fail_on, sarif_root=request.sarif_root, quiet=request.quiet)


def _still_reached(fanout: Fanout, decision) -> bool:
    """True when the results the outputs saw for the workload (baseline applied) still reach its decision's tier."""
    seen = fanout.strictest_by_workload.get(decision.workload, Tier.UNRESTRICTED)
    return seen.rank <= Tier(decision.tier).rank
