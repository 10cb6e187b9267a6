"""The policy-pack schema: pydantic models for what a pack's YAML may say.

A pack is data: triggers name entity types (audit/scanner/entities.py), value
shapes (audit/policy/shapes.py) and workload conditions; no code lives in YAML.
Every model forbids unknown keys, so a typo is an error naming its field.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from audit.model import Tier, WorkloadProfile
from audit.policy.shapes import SHAPES
from audit.vocabulary import Agreement, HipaaEntity, Hosting

# Agreements a workload's endpoints may hold (WorkloadProfile.agreements), with what each one is.
AGREEMENTS: dict[str, str] = {a.value: a.description for a in Agreement}

RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

TierName = Literal["strip", "self_hosted", "closed_with_agreement", "redact_then_closed", "unrestricted"]


_TIERS = {t.value: t for t in Tier}


def _check_agreements(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [a for a in value if a not in AGREEMENTS]
    if unknown:
        raise ValueError(f"unknown agreement {unknown[0]!r}; known: {', '.join(AGREEMENTS)}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(_Strict):
    """Findings of `types`, scored at least `min_score`, of none of `not_shapes`, inside none of `not_within`."""

    types: tuple[str, ...] = Field(min_length=1)
    min_score: float = Field(0.0, ge=0.0, le=1.0)
    not_shapes: tuple[str, ...] = ()
    not_within: tuple[str, ...] = ()  # skip findings lying inside a finding of these types (an eponym in a diagnosis)

    @field_validator("not_shapes")
    @classmethod
    def _known_shapes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in SHAPES]
        if unknown:
            raise ValueError(f"unknown shape {unknown[0]!r}; known: {', '.join(SHAPES)}")
        return value


class Group(_Strict):
    """One condition: at least `min_count` distinct values matching any of `any_of`.

    Shorthand: a group written as a single match (`{types: [...]}`) means `any_of: [that]`.
    """

    label: str = ""
    any_of: tuple[Match, ...] = Field(min_length=1)
    min_count: int = Field(1, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data):
        if isinstance(data, dict) and "types" in data and "any_of" not in data:
            outer = {k: data[k] for k in ("label", "min_count") if k in data}
            inner = {k: v for k, v in data.items() if k not in outer}
            return {**outer, "any_of": [inner]}
        return data

    def types(self) -> tuple[str, ...]:
        """Every entity type this group can match."""
        return tuple(dict.fromkeys(t for m in self.any_of for t in m.types))

    def name(self) -> str:
        """The label, or the types it looks for."""
        return self.label or "/".join(self.types())


class WorkloadMatch(_Strict):
    """A workload condition; every field given must match. `unknown` matches a missing profile."""

    hipaa_entity: tuple[Literal["covered_entity", "business_associate", "none", "unknown"], ...] | None = None
    domain: tuple[str, ...] | None = None
    lacks: tuple[str, ...] = ()  # the workload holds none of these agreements

    @field_validator("lacks")
    @classmethod
    def _known_agreements(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_agreements(value)


class Trigger(_Strict):
    """When a rule fires: every `require` group matches in one scope and no `unless` group does."""

    scope: Literal["message", "record"] = "record"
    require: tuple[Group, ...] = Field(min_length=1)
    unless: tuple[Group, ...] = ()
    workload: WorkloadMatch | None = None


class WorkloadDecision(_Strict):
    """A different decision for workloads matching `when` (e.g. not a HIPAA entity)."""

    when: WorkloadMatch
    decision: TierName
    note: str = ""


class ExampleWorkload(_Strict):
    """The workload profile an example runs under (audit.model.WorkloadProfile fields)."""

    hipaa_entity: HipaaEntity = HipaaEntity.NONE
    hosting: Hosting | None = None
    agreements: tuple[str, ...] = ()
    domain: str | None = None

    @field_validator("agreements")
    @classmethod
    def _known_agreements(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_agreements(value)

    def profile(self) -> WorkloadProfile:
        """The profile the engine sees."""
        hosting = self.hosting.value if self.hosting else None
        return WorkloadProfile("example", self.hipaa_entity.value, hosting, frozenset(self.agreements), self.domain)


class Example(_Strict):
    """A text (or conversation) run through the real scanner, optionally under a workload."""

    text: str | None = None
    messages: tuple[str, ...] | None = None
    workload: ExampleWorkload | None = None
    decision: TierName | None = None  # the record decision expected, when given

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data):
        return {"text": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_body(self):
        if (self.text is None) == (self.messages is None):
            raise ValueError("give exactly one of text or messages")
        return self

    def texts(self) -> tuple[str, ...]:
        """The example's messages, in order."""
        return (self.text,) if self.text is not None else tuple(self.messages or ())


class Examples(_Strict):
    """Texts that must fire the rule and texts that must not."""

    fires: tuple[Example, ...] = ()
    silent: tuple[Example, ...] = ()


class Rule(_Strict):
    """One rule: citation, trigger, decision, the agreements that relax it, and remediation."""

    id: str
    citation: str = Field(min_length=1)
    description: str = Field(min_length=1)
    trigger: Trigger
    decision: TierName
    unlocked_by: tuple[str, ...] = ()
    unlocked_decision: TierName = "closed_with_agreement"
    advised: tuple[str, ...] = ()  # agreements section 7 expects alongside the contract (ZDR, no training)
    workload_decisions: tuple[WorkloadDecision, ...] = ()
    remediation: str = Field(min_length=1)
    examples: Examples = Examples()

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("rule ids are lower-case letters, digits and hyphens")
        return value

    @field_validator("unlocked_by", "advised")
    @classmethod
    def _known_agreements(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_agreements(value)

    @model_validator(mode="after")
    def _unlock_relaxes(self):
        if self.unlocked_by and not Tier(self.unlocked_decision).rank > Tier(self.decision).rank:
            raise ValueError("unlocked_decision must be less strict than decision")
        return self

    @property
    def tier(self) -> Tier:
        """The decision with no agreements and no workload exception."""
        return _TIERS[self.decision]


class Pack(_Strict):
    """A policy pack: one regulation's rules, versioned."""

    id: str
    version: str
    title: str
    regulation: Literal["HIPAA", "42-CFR-2", "PCI-DSS", "GLBA", "LEGAL-PRIVILEGE", "GDPR", "CCPA"]
    description: str = ""
    rules: tuple[Rule, ...] = ()
    overrides: tuple[dict, ...] = ()  # partial rules replacing other packs' rules by id (applied by the loader)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError("pack ids are lower-case letters, digits and hyphens")
        return value

    @model_validator(mode="after")
    def _unique_rules(self):
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return self
