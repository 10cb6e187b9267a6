"""The in-process router: scan one request, apply policy, pick a target.

Targets: `closed` (a closed API may see it as is), `redact_then_closed` (a closed
API after reversible redaction), `self_hosted` (an open-weight model we run) and
`blocked` (strip material: no model or log may see it).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from audit.batch import scan_batch
from audit.cache import SpanMemo
from audit.errors import UnscannedText
from audit.flows.check import verdict
from audit.flows.taxonomy import Taxonomy, load_taxonomy
from audit.manifest import Endpoint, Manifest
from audit.model import Evaluation, Finding, Message, Record, Tier, WorkloadProfile, strictest
from audit.pipeline import ScanContext
from audit.routing.redact import Redaction, redact_text

TARGETS = ("closed", "redact_then_closed", "self_hosted", "blocked")
TARGET_OF_TIER = {
    Tier.STRIP: "blocked",
    Tier.SELF_HOSTED: "self_hosted",
    Tier.CLOSED_WITH_AGREEMENT: "closed",
    Tier.REDACT_THEN_CLOSED: "redact_then_closed",
    Tier.UNRESTRICTED: "closed",
}


@dataclass(frozen=True)
class RouteDecision:
    """Where one request may go, and why. Holds no raw values except inside `redaction`."""

    target: str
    tier: Tier
    workload: str | None
    reasons: tuple[str, ...]
    entities: tuple[str, ...] = ()  # entity types found (identifiers and context)
    rules: tuple[str, ...] = ()  # policy rules (or baseline categories) that drove the tier
    endpoint: str | None = None
    messages: list[dict] | None = field(default=None, repr=False)  # redacted messages, redact_then_closed only
    redaction: Redaction | None = None
    elapsed_ms: float = 0.0


@dataclass
class WorkloadRoute:
    """What the router knows about a workload's endpoints."""

    closed: Endpoint | None = None
    self_hosted: Endpoint | None = None
    agreements: frozenset[str] = frozenset()


class Router:
    """Routes requests with one ScanContext built once (loading the engine is the expensive part)."""

    def __init__(
        self,
        context: ScanContext,
        manifest: Manifest | None = None,
        taxonomy: Taxonomy | None = None,
    ):
        # The scan's engine and policy; a memo of its own and no persistent cache:
        # routing holds no state a request could leak into.
        self.context = dataclasses.replace(context, memo=SpanMemo(), cache=None, workloads=dict(context.workloads))
        if manifest:  # the policy engine sees each workload's profile (hosting, agreements) from the manifest
            self.context.workloads = {**manifest_profiles(manifest), **self.context.workloads}
        self.manifest = manifest
        self.taxonomy = taxonomy or load_taxonomy()
        self._routes: dict[str, WorkloadRoute] = {}

    def route(self, messages, workload: str | None = None) -> RouteDecision:
        """The decision for one request (OpenAI-style messages, or plain strings)."""
        parsed = normalise(messages)
        record = Record(
            "<route>", "request", 0, tuple(Message(i, role, text) for i, (role, text) in enumerate(parsed)), workload
        )
        return self.route_record(record)

    def route_record(self, record: Record) -> RouteDecision:
        """The decision for one logged record (its workload hint names the workload)."""
        started = time.perf_counter()
        parsed = [(m.role, m.text) for m in record.messages]
        result = self._scan(record)
        wr = self.workload_route(result.workload)
        tier, rules, reasons = self._tier(result.evaluation, result.findings, wr)
        if tier is Tier.SELF_HOSTED and (wr.closed is not None or not self.manifest):
            alternative = self._redaction_alternative(record, result, parsed, wr)
            if alternative:
                return _with_time(alternative, started)
        decision = self._decide(tier, rules, reasons, parsed, result.findings, wr, result.workload)
        return _with_time(decision, started)

    def _redaction_alternative(self, record: Record, result, parsed, wr: WorkloadRoute) -> RouteDecision | None:
        """D1 instead of D3 when every self_hosted rule fired only on redactable categories (e.g. a PAN,
        PCI 3.4.1) and a re-scan of the redacted request finds nothing stricter than redact_then_closed."""
        decisive = [h for h in result.evaluation.rules if h.decision is Tier.SELF_HOSTED]
        if not decisive or not self.context.policy_set.packs:
            return None
        for hit in decisive:
            for i in hit.findings:
                category = self.taxonomy.category_of(result.findings[i].entity_type)
                req = self.taxonomy.requirement(category) if category else None
                if req is None or not req.redactable or req.strip or not req.closed_requires:
                    return None
        redacted = self._decide(Tier.REDACT_THEN_CLOSED, (), (), parsed, result.findings, wr, result.workload)
        again = Record(
            record.source,
            record.record_id,
            record.line,
            tuple(Message(i, m["role"], m["content"]) for i, m in enumerate(redacted.messages)),
            record.workload,
        )
        check = self._scan(again)
        if check.evaluation.decision.stricter_than(Tier.REDACT_THEN_CLOSED):
            return None
        rules = tuple(f"{h.policy}/{h.rule}" for h in decisive)
        reasons = tuple(
            f"{_rule_reason(h, result.findings)}; redacted instead (D1 alternative), re-scan finds {check.evaluation.decision.value}"
            for h in decisive
        )
        from dataclasses import replace

        return replace(redacted, rules=rules, reasons=reasons)

    def _scan(self, record: Record):
        """The scan result of `record`; raises UnscannedText when any of its messages could not be
        analysed: a decision on the messages that could would pass what the others hide."""
        missed: list[str] = []
        result = scan_batch(
            self.context, [record], lambda _r, index, reason: missed.append(f"message {index}: {reason}")
        )[0]
        if missed:
            raise UnscannedText(
                f"request not routed: {len(missed)} message(s) could not be scanned ({'; '.join(missed)})"
            )
        return result

    def workload_route(self, name: str | None) -> WorkloadRoute:
        """The closed and self-hosted endpoints (and agreements) of a workload, from the manifest and profiles."""
        if name in self._routes:
            return self._routes[name]
        wr = WorkloadRoute()
        profile = self.context.workloads.get(name) if name else None
        if profile:
            wr.agreements = profile.agreements
        if self.manifest and name and any(w.name == name for w in self.manifest.workloads):
            w = self.manifest.workload(name)
            for e in self.manifest.endpoints_of(w):
                if e.closed and wr.closed is None:
                    wr.closed, wr.agreements = e, self.manifest.agreements_for(w, e)
                elif not e.closed and wr.self_hosted is None:
                    wr.self_hosted = e
        self._routes[name] = wr
        return wr

    def _tier(self, evaluation: Evaluation, findings: tuple[Finding, ...], wr: WorkloadRoute):
        if self.context.policy_set.packs:
            hits = sorted(evaluation.rules, key=lambda h: h.decision.rank)  # the decisive rule first
            rules = tuple(f"{h.policy}/{h.rule}" for h in hits)
            reasons = tuple(_rule_reason(h, findings) for h in hits)
            return evaluation.decision, rules, reasons
        return self._baseline(findings, wr)

    def _baseline(self, findings: tuple[Finding, ...], wr: WorkloadRoute):
        """No policy packs loaded: each finding's data category against the workload's closed endpoint."""
        endpoint = wr.closed or Endpoint(name="closed API", hosting="closed_api")
        has_identifier = any(f.kind == "identifier" for f in findings)
        tiers, rules, reasons = [], [], []
        for entity in sorted({f.entity_type for f in findings if has_identifier or f.kind == "identifier"}):
            category = self.taxonomy.category_of(entity)
            if category is None:
                continue
            v = verdict(self.taxonomy, category, endpoint, wr.agreements, redaction=True)
            tiers.append(v.required)
            rules.append(f"baseline/{category}")
            reasons.append(f"{entity} ({category}): {v.required.value}: {v.reason}")
        return strictest(tiers), tuple(rules), tuple(reasons)

    def _decide(self, tier, rules, reasons, parsed, findings, wr: WorkloadRoute, workload) -> RouteDecision:
        target = TARGET_OF_TIER[tier]
        entities = tuple(sorted({f.entity_type for f in findings}))
        reasons = reasons or ("no regulated data found",)
        if target in ("closed", "redact_then_closed") and wr.self_hosted and not wr.closed and self.manifest:
            target, reasons = "self_hosted", (*reasons, "the workload has no closed endpoint")
        endpoint = {"closed": wr.closed, "redact_then_closed": wr.closed, "self_hosted": wr.self_hosted}.get(target)
        base = dict(
            tier=tier,
            workload=workload,
            reasons=tuple(reasons),
            entities=entities,
            rules=rules,
            endpoint=endpoint.name if endpoint else None,
        )
        if target != "redact_then_closed":
            return RouteDecision(target=target, **base)
        redacted, redaction = redact_messages(parsed, findings)
        return RouteDecision(target=target, messages=redacted, redaction=redaction, **base)


def redact_messages(parsed: list[tuple[str, str]], findings) -> tuple[list[dict], Redaction]:
    """The (role, text) messages with each identifier finding replaced by a placeholder, and the mapping back."""
    redaction = Redaction()
    redacted = []
    for i, (role, text) in enumerate(parsed):
        ids = [f for f in findings if f.message == i and f.kind == "identifier"]
        redacted.append({"role": role, "content": redact_text(text, ids, redaction)})
    return redacted, redaction


def manifest_profiles(manifest: Manifest) -> dict[str, WorkloadProfile]:
    """Policy profiles derived the registry's way: closed_api if any endpoint is closed; shared agreements."""
    return {w.name: w.profile() for w in manifest.workloads}


def _rule_reason(hit, findings: tuple[Finding, ...]) -> str:
    """Rule, regulation, citation, tier and the entity types it fired on: no values, not even masked ones."""
    types = sorted({findings[i].entity_type for i in hit.findings if i < len(findings)})
    where = f"{hit.regulation}; {hit.citation}" if hit.citation else hit.regulation
    return f"{hit.rule} [{where}]: {hit.decision.value}" + (f" on {', '.join(types)}" if types else "")


def _with_time(decision: RouteDecision, started: float) -> RouteDecision:
    from dataclasses import replace

    return replace(decision, elapsed_ms=round((time.perf_counter() - started) * 1000, 2))


def normalise(messages) -> list[tuple[str, str]]:
    """(role, text) pairs from OpenAI-style dicts, content-part lists, or plain strings."""
    if isinstance(messages, str):
        messages = [messages]
    out = []
    for m in messages:
        if isinstance(m, str):
            out.append(("user", m))
        elif isinstance(m, Mapping):
            out.append((str(m.get("role", "user")), _text(m.get("content"))))
        else:
            raise TypeError(f"a message must be a dict or a string, not {type(m).__name__}")
    return out


def _text(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Iterable):
        parts = [p.get("text", "") if isinstance(p, Mapping) else str(p) for p in content]
        return "\n".join(p for p in parts if p)
    return str(content)
