"""The library API. The CLI calls these; so can anyone who imports `audit`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from audit import __version__
from audit.model import Message, ReadError, Record, RecordResult, Tier, WorkloadProfile, strictest
from audit.readers import ReadOptions
from audit.report.formats import FormatOptions
from audit.settings import Settings, load_settings
from audit.summary import ScanSummary

if TYPE_CHECKING:  # the pipeline is loaded on first use: registry and policy commands never need it
    from audit.executor import Executor
    from audit.pipeline import ScanContext


@dataclass
class ScanOutcome:
    """What a finished scan leaves: its summary and the strictest decision seen."""

    summary: ScanSummary
    strictest: Tier = Tier.UNRESTRICTED
    failed: bool = False
    results: list[RecordResult] = field(default_factory=list)


def settings_from(config: str | None = None, **overrides) -> Settings:
    """Settings from the config file plus explicit overrides (None values are ignored)."""
    return load_settings(config, **overrides)


DEFAULT_MANIFEST_FILE = "workloads.yaml"


@dataclass(frozen=True)
class WorkloadSource:
    """Where workloads are read from: `manifest` (a file) or, when it is None, the registry at `registry`.
    `registry` is the registry in use either way (flows check adds drift from it)."""

    manifest: str | None
    registry: str | None

    @property
    def registry_use(self) -> bool | None:
        """The registry choice (`registry=` of this module) that reads the registry found: False when none."""
        return None if self.registry else False


def workload_source(manifest: str | None, settings: Settings, registry: bool | None = None) -> WorkloadSource:
    """The one precedence every reader of workloads follows: the manifest named (--manifest), else the registry
    when there is one (as `audit scan` decides: --db, AUDIT_DB, `db` in the config or ./llm-audit.db;
    `registry=False`: none), else ./workloads.yaml. ConfigError when there is none of them."""
    from pathlib import Path

    from audit.errors import ConfigError
    from audit.store.scanning import choose_registry

    url = choose_registry(settings, registry).url
    if manifest:
        return WorkloadSource(manifest, url)
    if url:
        return WorkloadSource(None, url)
    if Path(DEFAULT_MANIFEST_FILE).is_file():
        return WorkloadSource(DEFAULT_MANIFEST_FILE, None)
    raise ConfigError("no workloads: pass --manifest FILE, or run `audit registry import FILE` first")


def load_workloads(manifest: str | None, settings: Settings, registry: bool | None = None):
    """The workloads (a Manifest) that routing commands read, from where `workload_source` says."""
    return read_workloads(workload_source(manifest, settings, registry), settings)


def read_workloads(source: WorkloadSource, settings: Settings):
    """The workloads (a Manifest) `source` names."""
    from audit.flows import load_manifest

    if source.manifest:
        return load_manifest(source.manifest)
    from audit.flows.stored import load_registry_manifest
    from audit.store import scanning

    store = scanning.open_for_scan(settings, source.registry_use)
    if store is None:  # the registry went away since the choice
        from audit.errors import ConfigError

        raise ConfigError(f"no registry at {source.registry}: pass --manifest FILE")
    try:
        return load_registry_manifest(store)
    finally:
        store.close()


def workload_names(manifest: str | None, settings: Settings, registry: bool | None = None) -> list[str]:
    """The names of the workloads `load_workloads` reads; [] when no manifest, registry or ./workloads.yaml is in
    use (nothing to check a name against)."""
    from audit.errors import ConfigError

    try:
        source = workload_source(manifest, settings, registry)
    except ConfigError:
        return []
    return [w.name for w in read_workloads(source, settings).workloads]


def registry_tiers(settings: Settings, names: list[str], registry: bool | None = None) -> dict[str, Tier]:
    """Each named workload's hosting tier from the registry (`views.hosting_tier`: strip blocks those requests
    at the gateway, the rest decides hosting; waivers applied), when there is a registry (`registry=False`: none)."""
    from audit.store import scanning
    from audit.store.views import list_workloads

    registry = scanning.open_for_scan(settings, registry)
    if registry is None:
        return {}
    try:
        rows = list_workloads(registry)
    finally:
        registry.close()
    return {r.name: Tier(r.hosting_tier) for r in rows if r.name in names and r.hosting_tier}


def route(messages, workload: str | None = None, context=None, manifest=None):
    """`audit.routing.route`, refusing (ConfigError) a workload that neither the manifest nor the context's
    profiles know, with the close matches, whenever either names any workload: a typo is never routed as an
    unknown workload with no agreements."""
    from audit.manifest import check_workload
    from audit.routing import router_for

    router = router_for(context, manifest)
    check_workload(workload, router_workloads(router), "workload")
    return router.route(messages, workload)


def router_workloads(router) -> set[str]:
    """The workloads a Router knows: its manifest's and its context's profiles (empty: none in use)."""
    named = {w.name for w in router.manifest.workloads} if router.manifest else set()
    return named | set(router.context.workloads)


def scan_texts(
    texts: Iterable[str], settings: Settings | None = None, context: ScanContext | None = None
) -> list[RecordResult]:
    """Scan plain texts, one single-message record each (ids are 1-based positions).

    Raises UnscannedText when a text could not be analysed: an empty result would read as clean.
    """
    from audit.errors import UnscannedText
    from audit.pipeline import build_context, scan_records

    ctx = context or build_context(settings or Settings())
    records = (Record("<text>", str(i), i, (Message(0, "user", t),)) for i, t in enumerate(texts, 1))
    summary = ScanSummary()
    missed: list[ReadError] = []
    try:
        results = list(scan_records(ctx, records, summary, on_error=missed.append))
    finally:
        if context is None:
            ctx.close()
    if summary.messages_unscanned:
        which = "; ".join(f"text {e.line}: {e.reason}" for e in missed[:5])
        raise UnscannedText(f"{summary.messages_unscanned} text(s) could not be scanned ({which})")
    return results


def scan_file(
    path: str, settings: Settings | None = None, options: ReadOptions | None = None, workload: str | None = None
) -> ScanOutcome:
    """Scan one file or directory and keep every result in memory (for small inputs and tests)."""
    from audit.pipeline import build_context, scan_paths

    ctx = build_context(settings or Settings(), default_workload=workload)
    summary = ScanSummary()
    try:
        results = list(scan_paths(ctx, [path], options or ReadOptions(), summary))
    finally:
        ctx.close()
    return ScanOutcome(summary, strictest(r.decision for r in results), bool(summary.messages_unscanned), results)


def scan_to(
    paths: list[str],
    settings: Settings,
    options: ReadOptions,
    format_cls: type,
    sink: TextIO,
    workload: str | None = None,
    workloads: dict[str, WorkloadProfile] | None = None,
    on_error: Callable[[ReadError], None] | None = None,
    progress: Callable[[int, float], None] | None = None,
    observers: Iterable = (),
    executor: Executor | None = None,
) -> ScanOutcome:
    """Stream a scan of `paths` into an output format; observers (e.g. the registry) see every result.

    `executor` runs the analysis: this machine's processes by default, or Spark (`distributed.runner`).
    """
    from audit.executor import LocalExecutor, ScanJob

    job = ScanJob(paths, settings, options, workloads, workload, _error_handler(settings, on_error))
    summary = ScanSummary()
    outcome = ScanOutcome(summary)
    with (executor or LocalExecutor()).run(job, summary) as execution:
        fmt = format_cls(sink, FormatOptions(tool_version=__version__, policy_set=execution.policy_set))
        deliver(execution.results, fmt, outcome, observers, progress)
    outcome.failed = outcome.failed or bool(summary.messages_unscanned)  # an incomplete scan never passes as clean
    fmt.finish(summary)
    return outcome


def deliver(
    results: Iterable[RecordResult], fmt, outcome: ScanOutcome, observers: Iterable = (), progress=None
) -> None:
    """Feed each result to the format and the observers, tracking the strictest decision (local and Spark scans)."""
    tick = _progress_ticker(progress, outcome.summary)
    for result in results:
        fmt.add(result)
        for obs in observers:
            obs.add(result)
        if result.decision.stricter_than(outcome.strictest):
            outcome.strictest = result.decision
        tick()
    tick(final=True)


def _progress_ticker(progress, summary, every: float = 0.2) -> Callable[..., None]:
    """A tick() calling progress(records done, records/s) at most every `every` seconds, and when final.

    By time, not by count: results arrive a batch (256 records) at a time, after
    its analysis, and a trigger on every 200th record never fired on a small
    scan, so the bar stayed at 0 records and 0/s.
    """
    started = last = time.monotonic()

    def tick(final: bool = False) -> None:
        nonlocal last
        now = time.monotonic()
        if progress and (final or now - last >= every):
            last = now
            progress(summary.records_read, summary.records_read / max(now - started, 1e-6))

    return tick


def _error_handler(settings: Settings, on_error):
    def handle(error: ReadError) -> None:
        if on_error:
            on_error(error)
        if settings.strict:
            from audit.errors import InputError

            raise InputError(f"{error} (stopped: --strict)")

    return handle
