"""`redact_paths`: every input file read, its records redacted in batches, written back atomically, reported."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full, Queue

from audit.batch import analyze_unique
from audit.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, ConfigError
from audit.model import ReadError
from audit.parallel import ParallelResolver, resolve_jobs
from audit.pipeline import ScanContext, batched, build_context
from audit.readers.base import display_path
from audit.readers.inputs import InputFile, default_max_line_bytes, open_binary
from audit.redact import files
from audit.redact.layouts import Blank, Layout, NoOutput, Writer, read_items, sniff
from audit.redact.pseudonyms import MODES, Replacer
from audit.redact.report import RedactReport, record_event
from audit.redact.rewrite import Plan, Unit, apply, plan
from audit.settings import Settings

OnError = Callable[[ReadError], None]


@dataclass(frozen=True)
class RedactOptions:
    """What `audit redact` was asked: where to write, how to replace, whether to verify."""

    out_dir: Path | None = None
    in_place: bool = False
    mode: str = "surrogate"
    locale: str = "en_US"
    verify: bool = False
    max_residual: str = "0"  # a count ("3") or a share of the values replaced ("0.5%", "0.005")
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    registry: bool | None = None  # record the run; None: when a registry is configured or exists

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"unknown mode {self.mode!r}; choose from {', '.join(MODES)}")
        if (self.out_dir is None) == (not self.in_place):
            raise ConfigError("give --output-dir DIR, or --in-place to rewrite the inputs (a backup is kept)")
        residual_limit(self.max_residual, 1)


def residual_limit(text: str, replaced: int) -> float:
    """The residual count allowed: `text` is a count, or a share of `replaced` ("1%" or "0.01")."""
    raw = text.strip()
    try:
        if raw.endswith("%"):
            return float(raw[:-1]) / 100 * replaced
        if "." in raw:
            return float(raw) * replaced
        value = int(raw)
    except ValueError:
        raise ConfigError(f"--max-residual {text!r}: give a count (3) or a share (0.5% or 0.005)") from None
    if value < 0:
        raise ConfigError("--max-residual must not be negative")
    return value


def redact_paths(
    paths: list[str],
    options: RedactOptions,
    settings: Settings,
    on_error: OnError | None = None,
    context: ScanContext | None = None,
) -> RedactReport:
    """De-identified copies of every log under `paths` (or the logs themselves, `in_place`), and what was done.

    `context`: a ScanContext to reuse (its engine, secret and policies); by default one is built from `settings`.
    """
    pairs = files.targets(paths, options.out_dir, options.include, [*options.exclude, "*" + files.BACKUP_SUFFIX])
    with _run(settings, options, context) as (ctx, replacer, report):
        for item, target in pairs:
            _redact_file(ctx, replacer, item.path, target, options, report, on_error or (lambda _e: None))
        if options.verify:
            from audit.redact.verify import verify_outputs

            verify_outputs(ctx, replacer, report.outputs, report)
            report.residual_limit_exceeded = report.residual > residual_limit(options.max_residual, report.replacements)
    return report


def redact_database(
    url: str,
    before: str,
    options: RedactOptions,
    settings: Settings,
    on_error: OnError | None = None,
    context: ScanContext | None = None,
) -> RedactReport:
    """LiteLLM's spend logs redacted in place: rows started before `before` (an ISO date), batch by batch,
    resumable (`audit.redact.litellm_db`). The run's counts go to the registry as for files."""
    from audit.redact import litellm_db

    moment = litellm_db.parse_before(before)
    with _run(settings, options, context) as (ctx, replacer, report):
        litellm_db.redact_spend_logs(ctx, replacer, url, moment, report, on_error or (lambda _e: None))
    return report


@contextmanager
def _run(settings: Settings, options: RedactOptions, context: ScanContext | None):
    """One run's engine, replacer and report; when the run completes its counts go to the registry; what the run
    opened is closed. A registry asked for but missing stops the run before any output."""
    registry = _registry(settings, options)
    ctx = context or build_context(settings)
    try:
        report = RedactReport(options.mode)
        yield ctx, Replacer(ctx.secret, options.mode, options.locale), report
        if registry is not None:
            record_event(registry, report)
    finally:
        if context is None:
            ctx.close()
        if registry is not None:
            registry.close()


def exit_code(report: RedactReport) -> int:
    """3 when an input could not be read or scanned, else 1 when --verify found more than allowed, else 0."""
    if report.failed:
        return EXIT_INPUT
    return EXIT_FINDINGS if report.residual_limit_exceeded else EXIT_OK


def _redact_file(ctx, replacer, path: str, target: Path, options: RedactOptions, report, on_error) -> None:
    source = display_path(path)
    with open_binary(InputFile(path)) as stream:
        kind = sniff(source, _peek(stream))
        if kind is None:
            report.files_unreadable += 1
            on_error(ReadError(source, 0, "binary or UTF-16 input: not redacted, no output written"))
            return
        if options.in_place:
            report.backups.append(files.backup(path))
        layout = Layout(kind)
        try:
            with files.atomic_output(target, files.compression_of(path), mode_of=path) as out:
                writer = Writer(out, layout)
                items = read_items(source, stream, layout, default_max_line_bytes())
                for batch, values in redacted_batches(ctx, replacer, items, report):
                    _write(writer, batch, values, report, on_error)
                writer.close()
        except NoOutput:  # its ReadError was reported as it was read
            report.files_unreadable += 1
            return
    report.files_written += 1
    report.outputs.append(str(target))


def _write(writer: Writer, batch: list, values: Iterator, report: RedactReport, on_error) -> None:
    for item in batch:
        if isinstance(item, ReadError):
            report.records_unreadable += 1
            on_error(item)
        elif isinstance(item, Blank):
            writer.blank(item)
        else:
            writer.write(item.unit, next(values))


def redacted_batches(ctx: ScanContext, replacer: Replacer, items: Iterable, report: RedactReport):
    """(batch of items with Plans in place of Units, iterator of the Plans' redacted values), batch by batch.

    Spans come from the scan's worker pool and span cache. With more than one job, reading, planning and the
    pool run in a thread of their own, a few batches ahead: the workers stay fed while this thread builds
    results and chooses replacements (in one process, so a value has one surrogate and two values never
    share one)."""
    jobs = resolve_jobs(ctx.settings.jobs)
    resolved = resolve(ctx, batched(items, ctx.settings.batch_size))
    for batch, spans in ahead(resolved, 2 * jobs + 2) if jobs > 1 else resolved:
        plans = [p for p in batch if isinstance(p, Plan)]
        yield batch, iter(apply(ctx, replacer, plans, spans, report))


def ahead(source: Iterator, size: int) -> Iterator:
    """`source`'s items, produced by a thread of their own up to `size` items ahead of the consumer."""
    queue: Queue = Queue(size)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put(("error", exc))
        finally:
            getattr(source, "close", lambda: None)()

    thread = threading.Thread(target=produce, name="redact-resolve", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield value
    finally:
        stop.set()
        thread.join()


def resolve(ctx: ScanContext, batches: Iterable[list]) -> Iterator[tuple[list, dict]]:
    """(batch with each Unit planned, spans by text key) per batch, analysed in this process or by the worker pool."""
    pending: deque[list] = deque()

    def planned() -> Iterator[list[Plan]]:
        for batch in batches:
            items = [plan(i) if isinstance(i, Unit) else i for i in batch]
            pending.append(items)
            yield [p for p in items if isinstance(p, Plan)]

    jobs = resolve_jobs(ctx.settings.jobs)
    if jobs > 1:
        for _plans, spans in ParallelResolver(ctx, jobs).run(planned()):
            yield pending.popleft(), spans
        return
    for plans in planned():
        yield pending.popleft(), analyze_unique(ctx, (m.text for p in plans for m in p.messages))


def _peek(stream) -> bytes:
    try:
        return stream.peek(8192)[:8192]
    except (OSError, EOFError):
        return b""


def _registry(settings: Settings, options: RedactOptions):
    """The registry to record the run in (`redact.completed`), when one is configured or asked for; else None."""
    from audit.store import scanning

    return scanning.open_for_scan(settings, options.registry)
