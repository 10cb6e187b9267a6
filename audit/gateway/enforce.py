"""One gateway request's verdict: pass, reroute to the self-hosted group, redact for the closed group, or refuse.

The decision is the router's (the scan's engine and policy packs); whether a workload may use a closed
API at all is the export's `closed_allowed` (its declarations and its scans' decision in the registry), so
the guardrail and the exported proxy config never disagree. Refusals name the rule and regulation,
never a value. Any error on the way refuses the request: callers treat an exception as a refusal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from audit.flows.taxonomy import Taxonomy, load_taxonomy
from audit.gateway.payloads import Texts, get
from audit.manifest import Manifest
from audit.model import Tier
from audit.routing.litellm_export import GROUPS, closed_allowed
from audit.routing.redact import Redaction
from audit.routing.router import RouteDecision, Router

log = logging.getLogger("audit.gateway")
CLOSED, SELF_HOSTED = GROUPS["closed_api"], GROUPS["self_hosted"]
WORKLOAD_KEY = "llm_audit_workload"  # in a LiteLLM key's or team's metadata
REFRESH_SECONDS = 60.0
# Text one request may carry: scanning is linear (about 25 us a character) but serialised, so one huge request
# would hold every other request of the proxy behind it. Larger requests are refused, never passed unscanned.
DEFAULT_MAX_CHARS = 200_000


@dataclass
class Verdict:
    """What to do with one request. `texts` (redacted, one per segment) and `redaction` only for 'redact'."""

    action: str  # pass | reroute | redact | refuse
    workload: str | None
    model: str | None = None  # the model group the request goes to
    status: int = 200
    reason: str = ""  # for a refusal: the rule and regulation, or what is missing; never a value
    code: str = ""  # a closed vocabulary for counting refusals: no-workload, unknown-workload, ...
    decision: RouteDecision | None = None
    texts: list[str] | None = field(default=None, repr=False)
    redaction: Redaction | None = None

    @property
    def tier(self) -> Tier | None:
        return self.decision.tier if self.decision else None

    @property
    def route(self) -> str | None:
        """Where the request went (a router target), or the router's target when it was refused after routing."""
        if self.action == "refuse":
            return self.decision.target if self.decision else None
        if self.action == "redact":
            return "redact_then_closed"
        return "self_hosted" if self.model == SELF_HOSTED else "closed"

    @property
    def target(self) -> str:
        """The router's target, or 'refused' when the guardrail refused before or after routing."""
        return "refused" if self.action == "refuse" else (self.decision.target if self.decision else "closed")


def refuse(workload: str | None, status: int, code: str, reason: str, decision=None) -> Verdict:
    return Verdict("refuse", workload, status=status, code=code, reason=reason, decision=decision)


class Enforcer:
    """Verdicts from one Router (built once); thread-safe: routing calls are serialised.

    `observed` reads each workload's decision from the registry (None: registered, never scanned); it is re-read
    every REFRESH_SECONDS. When a read fails, or the registry no longer lists a workload it listed before (a
    deleted file re-created empty), the last known decisions stay in force, the failure is logged at ERROR and
    counted in `registry_failures`, and workloads never read successfully are refused: losing the registry never
    relaxes enforcement.
    """

    def __init__(
        self,
        router: Router,
        manifest: Manifest,
        observed: Callable[[], Mapping[str, Tier | None]] | None = None,
        taxonomy: Taxonomy | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
    ):
        self.router, self.manifest, self.max_chars = router, manifest, max_chars
        self.taxonomy = taxonomy or load_taxonomy()
        self._observed_source = observed
        self._observed: Mapping[str, Tier | None] = {}
        self._observed_at = float("-inf")
        self._read_ok = observed is None  # without a registry, every workload's state is its declarations
        self.registry_failures = 0
        self._lock = threading.Lock()
        self.names = {w.name for w in manifest.workloads}

    def workload_of(self, *metadatas: Mapping | None) -> str | None:
        """The workload bound to the caller: the key's metadata first, then the team's. Never the request body."""
        for meta in metadatas:
            value = (meta or {}).get(WORKLOAD_KEY)
            if isinstance(value, str) and value:
                return value
        return None

    def verdict(self, body: Mapping, texts: Texts, workload: str | None, requested: str | None) -> Verdict:
        """The verdict for a request body whose segments are `texts`, asked of model group `requested`."""
        if workload is None:
            return refuse(None, 403, "no-workload", f"no workload is bound to this API key or team ({WORKLOAD_KEY})")
        if workload not in self.names:
            return refuse(workload, 403, "unknown-workload", "the workload bound to this key is not in the registry")
        if requested not in (CLOSED, SELF_HOSTED):
            return refuse(workload, 400, "unknown-model", f"the model must be '{CLOSED}' or '{SELF_HOSTED}'")
        w = self.manifest.workload(workload)
        has_self_hosted = any(not e.closed for e in self.manifest.endpoints_of(w))
        messages = [{"role": role, "content": _text(texts, body, path)} for role, path in texts.segments]
        if sum(len(m["content"]) for m in messages) > self.max_chars:
            return refuse(workload, 413, "too-large", f"the request carries more than {self.max_chars} characters")
        with self._lock:
            known, observed = self._observed_tier(workload)
            if not known:
                return refuse(workload, 503, "registry-unavailable", "the registry cannot be read: state unknown")
            decision = self.router.route(messages or [""], workload)
        if decision.target == "blocked":
            return refuse(workload, 403, "blocked", f"blocked: {decision.reasons[0]}", decision)
        if requested == SELF_HOSTED:
            if not has_self_hosted:
                return refuse(workload, 403, "no-self-hosted", "the workload has no self-hosted endpoint", decision)
            return Verdict("pass", workload, SELF_HOSTED, decision=decision)
        allowed, why = closed_allowed(self.manifest, self.taxonomy, workload, observed)
        values = _values(texts, decision) if decision.target == "redact_then_closed" else None
        if decision.target == "self_hosted":
            reason = decision.reasons[0]
        elif not allowed:
            reason = f"a closed API is not allowed: {why}"
        elif texts.unscannable:
            reason = f"{texts.unscannable} part(s) (images, audio, files, encoded data) cannot be scanned"
        elif values is not None and None in values:
            reason = "an identifier runs into a field's name and cannot be redacted in place"
        else:
            reason = None
        if reason is not None:
            if has_self_hosted:
                return Verdict("reroute", workload, SELF_HOSTED, reason=reason, decision=decision)
            return refuse(
                workload, 403, "self-hosted-required", f"self-hosted only, and none declared: {reason}", decision
            )
        if values is not None:
            if len(values) != len(messages):
                return refuse(workload, 500, "internal-error", "redaction lost a message", decision)
            return Verdict("redact", workload, CLOSED, decision=decision, texts=values, redaction=decision.redaction)
        return Verdict("pass", workload, CLOSED, decision=decision)

    def _observed_tier(self, workload: str) -> tuple[bool, Tier | None]:
        """(whether the workload's state is known, its registry decision); re-read at most once a minute."""
        now = time.monotonic()
        if self._observed_source is not None and now - self._observed_at >= REFRESH_SECONDS:
            self._observed_at = now
            try:
                fresh = dict(self._observed_source())
                lost = sorted(n for n in self._observed if n not in fresh)
                if lost:
                    raise LookupError(f"{len(lost)} workload(s) it listed before are gone")
            except Exception as exc:  # noqa: BLE001 - any failure keeps the last known restrictions
                self.registry_failures += 1
                log.error(
                    "llm-audit gateway: the registry cannot be read (%s); keeping the last known decisions%s",
                    f"{exc}" if isinstance(exc, LookupError) else type(exc).__name__,
                    "" if self._read_ok else "; refusing every workload until it can be read",
                )
            else:
                self._observed, self._read_ok = fresh, True
        return self._read_ok, self._observed.get(workload)


def _text(texts: Texts, body: Mapping, path) -> str:
    """The text scanned for one segment (with the field name before it, when the segments carry one)."""
    return texts.text(body, path) if hasattr(texts, "text") else get(body, path)


def _values(texts: Texts, decision: RouteDecision) -> list[str | None]:
    """The redacted value of each segment, to write back; None where a placeholder ran into a field name."""
    scanned = [m["content"] for m in decision.messages or []]
    if not hasattr(texts, "value"):
        return list(scanned)
    return [texts.value(path, text) for (_, path), text in zip(texts.segments, scanned, strict=False)]


def count_verdict(counter, verdict: Verdict) -> None:
    """One verdict into an audit.enforcement.DecisionCounter: routed requests by tier, route and rules;
    refusals by code (with the router's tier and rules when the refusal came after routing)."""
    decision = verdict.decision
    if decision is None:
        counter.refuse(verdict.workload, verdict.code)
        return
    refusal = verdict.code if verdict.action == "refuse" else None
    counter.count(verdict.workload, decision.tier, verdict.route, decision.rules, refusal=refusal)


def enforcer_for(router: Router, manifest: Manifest, settings) -> Enforcer:
    """An Enforcer whose workloads' scan decisions come from the registry `settings` name (re-read each minute)."""
    names = {w.name for w in manifest.workloads}
    return Enforcer(router, manifest, observed=lambda: registry_decisions(settings, names))


def registry_decisions(settings, names) -> dict[str, Tier | None]:
    """Each named workload the registry lists, with its decision (None: never scanned); {} without a registry.

    Never creates the registry: a file that disappeared is an error here, not a new empty registry.
    """
    from audit.store import scanning
    from audit.store.registry import Registry
    from audit.store.views import list_workloads

    if not scanning.wants_registry(settings, None):
        return {}
    registry = Registry.open(settings.db_url(), create=False, home=settings.home_dir())
    try:
        rows = list_workloads(registry)
    finally:
        registry.close()
    return {r.name: Tier(r.decision) if r.decision else None for r in rows if r.name in names}
