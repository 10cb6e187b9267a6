"""One gateway request's verdict: pass, reroute to the self-hosted group, redact for the closed group, or refuse.

The decision is the router's (the scan's engine and policy packs); whether a workload may use a closed
API at all is the export's `closed_allowed` (its declarations and its scans' decision in the registry), so
the guardrail and the exported proxy config never disagree. Refusals name the rule and regulation,
never a value. Any error on the way refuses the request: callers treat an exception as a refusal.
"""

from __future__ import annotations

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
    """Verdicts from one Router (built once); thread-safe: routing calls are serialised."""

    def __init__(
        self,
        router: Router,
        manifest: Manifest,
        observed: Callable[[], Mapping[str, Tier]] | None = None,
        taxonomy: Taxonomy | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
    ):
        self.router, self.manifest, self.max_chars = router, manifest, max_chars
        self.taxonomy = taxonomy or load_taxonomy()
        self._observed_source = observed
        self._observed: Mapping[str, Tier] = {}
        self._observed_at = float("-inf")
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
        endpoints = self.manifest.endpoints_of(w)
        has_self_hosted = any(not e.closed for e in endpoints)
        messages = [{"role": role, "content": get(body, path)} for role, path in texts.segments]
        if sum(len(m["content"]) for m in messages) > self.max_chars:
            return refuse(workload, 413, "too-large", f"the request carries more than {self.max_chars} characters")
        with self._lock:
            observed = self._observed_tiers().get(workload)
            decision = self.router.route(messages or [""], workload)
        if decision.target == "blocked":
            return refuse(workload, 403, "blocked", f"blocked: {decision.reasons[0]}", decision)
        if requested == SELF_HOSTED:
            if not has_self_hosted:
                return refuse(workload, 403, "no-self-hosted", "the workload has no self-hosted endpoint", decision)
            return Verdict("pass", workload, SELF_HOSTED, decision=decision)
        allowed, why = closed_allowed(self.manifest, self.taxonomy, workload, observed)
        must_stay = decision.target == "self_hosted" or not allowed or texts.unscannable
        if must_stay:
            reason = (
                decision.reasons[0]
                if decision.target == "self_hosted"
                else f"a closed API is not allowed: {why}"
                if not allowed
                else f"{texts.unscannable} part(s) (images, audio, files) cannot be scanned"
            )
            if has_self_hosted:
                return Verdict("reroute", workload, SELF_HOSTED, reason=reason, decision=decision)
            return refuse(
                workload, 403, "self-hosted-required", f"self-hosted only, and none declared: {reason}", decision
            )
        if decision.target == "redact_then_closed":
            texts_out = [m["content"] for m in decision.messages or []]
            if len(texts_out) != len(messages):
                return refuse(workload, 500, "internal-error", "redaction lost a message", decision)
            return Verdict("redact", workload, CLOSED, decision=decision, texts=texts_out, redaction=decision.redaction)
        return Verdict("pass", workload, CLOSED, decision=decision)

    def _observed_tiers(self) -> Mapping[str, Tier]:
        """The registry's decision per workload, re-read at most once a minute (scans land while we serve)."""
        now = time.monotonic()
        if self._observed_source is not None and now - self._observed_at >= REFRESH_SECONDS:
            self._observed = self._observed_source()
            self._observed_at = now
        return self._observed


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
    from audit import api

    names = [w.name for w in manifest.workloads]
    return Enforcer(router, manifest, observed=lambda: api.registry_tiers(settings, names))
