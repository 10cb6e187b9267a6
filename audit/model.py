"""The few frozen values that travel down the pipeline.

readers -> Record; scanner -> Finding; policy -> RuleHit / Evaluation;
pipeline -> RecordResult and ScanSummary. Nothing here holds a raw matched
value unless the user asked for it with --show-values (Finding.value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Tier(str, Enum):
    """Deployment decision tiers, strictest first."""

    STRIP = "strip"
    SELF_HOSTED = "self_hosted"
    CLOSED_WITH_AGREEMENT = "closed_with_agreement"
    REDACT_THEN_CLOSED = "redact_then_closed"
    UNRESTRICTED = "unrestricted"

    @property
    def rank(self) -> int:
        """0 for the strictest tier (strip), 4 for unrestricted."""
        return TIER_ORDER.index(self)

    def stricter_than(self, other: Tier) -> bool:
        """True when this tier is strictly stricter than `other`."""
        return self.rank < other.rank


TIER_ORDER: tuple[Tier, ...] = (
    Tier.STRIP,
    Tier.SELF_HOSTED,
    Tier.CLOSED_WITH_AGREEMENT,
    Tier.REDACT_THEN_CLOSED,
    Tier.UNRESTRICTED,
)


def strictest(tiers) -> Tier:
    """The strictest of `tiers`; unrestricted when there are none."""
    return min(tiers, key=lambda t: t.rank, default=Tier.UNRESTRICTED)


REGULATIONS: tuple[str, ...] = ("HIPAA", "42-CFR-2", "PCI-DSS", "GLBA", "LEGAL-PRIVILEGE", "GDPR", "CCPA")


@dataclass(frozen=True)
class Message:
    """One message of a record. `index` is its 0-based position in the record."""

    index: int
    role: str
    text: str
    path: str = ""  # where the text lives in its record (`$.tools[0].function.description`); "" for a message


@dataclass(frozen=True)
class Record:
    """One logged request (or one line of text) as read from an input file."""

    source: str
    record_id: str
    line: int
    messages: tuple[Message, ...]
    workload: str | None = None


@dataclass(frozen=True)
class ReadError:
    """A record or line that could not be read; the scan goes on without it."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class ReadNotice:
    """Something a person must know about an input that is not an error: it was empty, or read field by field.

    `kind` is a closed vocabulary ("empty", "unknown-shape") so callers can gate on it (--fail-on-empty).
    """

    source: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.source}: {self.text}"


@dataclass(frozen=True)
class Span:
    """A detection in one text, before masking: what the analyzer returns.

    `kind` is "identifier" for things that identify a person or account, and
    "context" for signals (a diagnosis, a privilege banner) that make other
    identifiers regulated but identify nobody on their own.
    """

    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str
    kind: str = "identifier"


@dataclass(frozen=True)
class Finding:
    """A detection in one message of a record, with the raw value replaced."""

    message: int
    role: str
    start: int
    end: int
    entity_type: str
    score: float
    recognizer: str
    masked: str
    fingerprint: str
    kind: str = "identifier"
    value: str | None = None  # only with --show-values
    shapes: tuple[str, ...] = ()  # the value's shapes (audit.policy.shapes), for rules, never shown
    path: str = ""  # the field of the record the message came from, when it is not a message (`$.user`)


@dataclass(frozen=True)
class WorkloadProfile:
    """What the policy engine needs to know about a workload's deployment."""

    name: str
    hipaa_entity: str = "none"  # "covered_entity" | "business_associate" | "none"
    hosting: str | None = None  # "self_hosted" | "closed_api" | None when unknown
    agreements: frozenset[str] = frozenset()  # e.g. {"BAA", "DPA", "ZDR", "NO_TRAINING"}
    domain: str | None = None


@dataclass(frozen=True)
class RuleHit:
    """One policy rule that fired on a record, and why."""

    policy: str
    rule: str
    regulation: str
    citation: str
    decision: Tier
    description: str = ""
    remediation: str = ""
    findings: tuple[int, ...] = ()  # indexes into RecordResult.findings
    reason: str = ""


@dataclass(frozen=True)
class Evaluation:
    """The policy engine's answer for one record."""

    decision: Tier = Tier.UNRESTRICTED
    regulations: tuple[str, ...] = ()
    rules: tuple[RuleHit, ...] = ()
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordResult:
    """Everything the scan concluded about one record."""

    source: str
    record_id: str
    line: int
    workload: str | None
    findings: tuple[Finding, ...]
    evaluation: Evaluation = field(default_factory=Evaluation)

    @property
    def decision(self) -> Tier:
        """The record's decision tier."""
        return self.evaluation.decision

    @property
    def identifiers(self) -> tuple[Finding, ...]:
        """Findings that identify someone (not context signals)."""
        return tuple(f for f in self.findings if f.kind == "identifier")

    @property
    def has_output(self) -> bool:
        """True when the record belongs in the output contract."""
        return bool(self.identifiers or self.evaluation.rules)
