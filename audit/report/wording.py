"""Plain words for the human-read reports (HTML, Markdown); the JSON report keeps the codes.

A compliance officer reads "self-hosted models only", not `self_hosted`; the
codes stay in the JSON report and in hover titles, so tools and engineers can
still match them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.model import Tier

TIER_LABELS = {
    Tier.STRIP: "strip before any model",
    Tier.SELF_HOSTED: "self-hosted models only",
    Tier.CLOSED_WITH_AGREEMENT: "closed API with agreement",
    Tier.REDACT_THEN_CLOSED: "redact, then closed API",
    Tier.UNRESTRICTED: "unrestricted",
}
KIND_LABELS = {"violation": "flow violation", "drift": "drift", "unknown_category": "unknown category"}
HOSTING_LABELS = {"self_hosted": "self-hosted", "closed_api": "closed API"}
TARGET_LABELS = {
    "blocked": "blocked",
    "self_hosted": "self-hosted model",
    "redact_then_closed": "redacted, then closed API",
    "closed": "closed API",
}
REFUSAL_LABELS = {
    "no-workload": "no workload named",
    "unknown-workload": "unknown workload",
    "unknown-model": "unknown model group",
    "unsupported-call": "call type not inspected",
    "blocked": "blocked by policy",
    "no-self-hosted": "no self-hosted endpoint",
    "self-hosted-required": "self-hosted only, none declared",
    "bad-request": "malformed request",
    "too-large": "request too large",
    "unauthorised": "not authorised",
    "busy": "busy",
    "internal-error": "internal error",
    "must-self-host": "blocked: to be resent to the self-hosted model",
    "timeout": "not judged within its time budget",
}
# Codes that other modules write into sentences (flow explanations): longest first, whole words only.
_CODES = {
    "closed_with_agreement": "a closed API with an agreement",
    "redact_then_closed": "redaction before a closed API",
    "self_hosted": "self-hosted",
    "closed_api": "closed-API",
}
_CODE_RE = re.compile(r"\b(" + "|".join(_CODES) + r")\b")


def tier_label(tier: Tier) -> str:
    """The tier as a compliance officer reads it."""
    return TIER_LABELS[tier]


def hosting_label(hosting: str | None) -> str:
    """'self-hosted' or 'closed API' for a hosting code; 'unknown' when there is none."""
    if not hosting:
        return "unknown"
    return HOSTING_LABELS.get(hosting, hosting)


def target_label(target: str) -> str:
    """Where the gateway sent a request, in words ('self-hosted model'); an unknown code as it is."""
    return TARGET_LABELS.get(target, target)


def refusal_label(reason: str) -> str:
    """Why the gateway refused a request, in words; an unknown code as it is."""
    return REFUSAL_LABELS.get(reason, reason)


def plain(text: str) -> str:
    """`text` with the tier and hosting codes written as words."""
    return _CODE_RE.sub(lambda m: _CODES[m.group(1)], text)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """'1 flow', '2 flows', '0 flows' (never 'flow(s)')."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


@dataclass(frozen=True)
class PolicyPack:
    """One policy pack named in a policy identity: id, version and content hash."""

    id: str
    version: str
    digest: str = ""


def policy_packs(identity: str) -> list[PolicyPack]:
    """The packs of an identity such as 'hipaa@1.0.0#9a48;pci-dss@1.0.0#35af' ('none' has none)."""
    packs = []
    for part in identity.split(";"):
        name, at, rest = part.partition("@")
        if at:
            version, _, digest = rest.partition("#")
            packs.append(PolicyPack(name, version, digest))
    return packs


def disabled_rules(identity: str) -> list[str]:
    """Rules the identity says were switched off ('...;disabled=a,b')."""
    for part in identity.split(";"):
        if part.startswith("disabled="):
            return [r for r in part.removeprefix("disabled=").split(",") if r]
    return []


def describe_policy(identity: str) -> str:
    """'hipaa 1.0.0, pci-dss 1.0.0' (plus rules switched off); the identity itself when it names no pack."""
    packs = policy_packs(identity)
    if not packs:
        return "no policy packs" if identity in ("", "none") else identity
    text = ", ".join(f"{p.id} {p.version}" for p in packs)
    off = disabled_rules(identity)
    return text + (f"; rules switched off: {', '.join(off)}" if off else "")
