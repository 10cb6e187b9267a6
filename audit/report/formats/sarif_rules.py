"""SARIF rule descriptors (`tool.driver.rules`), shaped for GitHub code scanning.

Each rule carries a `name`, descriptions, `help.text` and `help.markdown` (the
rule's description, its regulation and citation, and what to do for its
decision tier), and the properties GitHub reads: `security-severity` (a number
0.0-10.0 as a string, from the decision tier) and `tags` including "security".
GitHub maps a security-severity over 9.0 to critical, 7.0-8.9 to high, 4.0-6.9
to medium and 3.9 or less to low.
"""

from __future__ import annotations

import re

from audit.model import Tier

LEVELS = {
    Tier.STRIP: "error",
    Tier.SELF_HOSTED: "error",
    Tier.CLOSED_WITH_AGREEMENT: "warning",
    Tier.REDACT_THEN_CLOSED: "note",
    Tier.UNRESTRICTED: "none",
}
UNCLAIMED_LEVEL = "note"  # a detection no policy rule cites: worth a look, not a decision
# Critical / high / medium / low on GitHub, in tier order; keep them strings, as GitHub requires.
SECURITY_SEVERITY = {
    Tier.STRIP: "9.5",
    Tier.SELF_HOSTED: "8.0",
    Tier.CLOSED_WITH_AGREEMENT: "5.5",
    Tier.REDACT_THEN_CLOSED: "3.0",
    Tier.UNRESTRICTED: "0.0",
}
UNCLAIMED_SEVERITY = "2.0"  # low: no regulation decided anything about it
TIER_REMEDIATION = {
    Tier.STRIP: "Strip the value from the prompt (and from its logs): no model may receive it.",
    Tier.SELF_HOSTED: "Route the workload to a self-hosted model; a closed API may not receive this data.",
    Tier.CLOSED_WITH_AGREEMENT: (
        "Send it to a closed API only once the agreement the regulation requires (such as a BAA or DPA) "
        "is signed with the provider."
    ),
    Tier.REDACT_THEN_CLOSED: "Redact the value before the prompt goes to a closed API.",
    Tier.UNRESTRICTED: "No action needed: any model may receive it.",
}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def rule_id(policy: str, rule: str) -> str:
    """The SARIF id of a policy rule: `<pack>/<rule>` (unchanged when already qualified)."""
    if not policy or rule.startswith(f"{policy}/"):
        return rule
    return f"{policy}/{rule}"


def entity_rule_id(entity_type: str) -> str:
    """The SARIF id of the catch-all rule for one entity type."""
    return f"entity/{entity_type}"


def rule_name(rid: str) -> str:
    """An identifier-like name for a rule id: `hipaa/phi-closed-api` -> `PhiClosedApi`."""
    local = rid if rid.startswith("entity/") else rid.rsplit("/", 1)[-1]
    return "".join(w[:1].upper() + w[1:].lower() for w in re.split(r"[^0-9A-Za-z]+", local) if w) or "Rule"


def md_escape(text: str) -> str:
    """`text` with Markdown's inline syntax and raw HTML made literal."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def rule_descriptor(rid, description, citation, remediation, regulation, decision) -> dict:
    """The reportingDescriptor of a policy rule."""
    decision = Tier(decision)
    short = (description or rid).split("\n")[0][:200]
    cited = ", ".join(p for p in (regulation, citation) if p)
    todo = " ".join(p for p in (TIER_REMEDIATION[decision], remediation) if p)
    help_text = "\n\n".join(p for p in (description, f"Citation: {cited}" if cited else "", todo) if p)
    markdown = [
        md_escape(description or rid),
        f"**Regulation:** {md_escape(cited)}" if cited else "",
        f"**Decision:** `{decision.value}` (security severity {SECURITY_SEVERITY[decision]})",
        f"**Remediation:** {md_escape(todo)}",
    ]
    return {
        "id": rid,
        "name": rule_name(rid),
        "shortDescription": {"text": short},
        "fullDescription": {"text": description or rid},
        "help": {"text": help_text, "markdown": "\n\n".join(p for p in markdown if p)},
        "defaultConfiguration": {"level": LEVELS[decision]},
        "properties": {
            "regulation": regulation or "",
            "citation": citation or "",
            "decision": decision.value,
            "security-severity": SECURITY_SEVERITY[decision],
            "tags": ["security", "privacy", "compliance", *([regulation] if regulation else [])],
        },
    }


def entity_descriptor(entity_type: str) -> dict:
    """The reportingDescriptor of the catch-all rule for findings no policy rule cites."""
    description = _entity_descriptions().get(entity_type, entity_type.replace("_", " ").lower())
    text = f"Detected {description} ({entity_type})."
    todo = f"Remove or mask {description} before logging prompts, or allow-list known test values."
    rid = entity_rule_id(entity_type)
    return {
        "id": rid,
        "name": rule_name(rid),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text + " No policy rule cites this finding; it is reported for review."},
        "help": {
            "text": todo,
            "markdown": f"{md_escape(text)} No policy rule cites this finding.\n\n**Remediation:** {md_escape(todo)}",
        },
        "defaultConfiguration": {"level": UNCLAIMED_LEVEL},
        "properties": {
            "entityType": entity_type,
            "security-severity": UNCLAIMED_SEVERITY,
            "tags": ["security", "privacy", "pii"],
        },
    }


def _entity_descriptions() -> dict[str, str]:
    try:
        from audit.scanner.entities import ENTITY_TYPES
    except ImportError:  # the vocabulary is optional here
        return {}
    return {e.name: e.description for e in ENTITY_TYPES}


def pack_rules(policy_set) -> dict[str, dict]:
    """Rules declared by the policy set: its enabled `entries` when it has them, else every pack's rules."""
    entries = getattr(policy_set, "entries", None)
    if entries:
        pairs = [(e.pack, e.regulation, e.rule) for e in entries]
    else:
        pairs = [
            (getattr(p, "id", "") or "", getattr(p, "regulation", "") or "", r)
            for p in getattr(policy_set, "packs", None) or ()
            for r in getattr(p, "rules", None) or ()
        ]
    rules: dict[str, dict] = {}
    for pack_id, regulation, rule in pairs:
        rid = rule_id(pack_id, str(getattr(rule, "id", "")))
        rules[rid] = rule_descriptor(
            rid,
            getattr(rule, "description", "") or "",
            getattr(rule, "citation", "") or "",
            getattr(rule, "remediation", "") or "",
            regulation,
            _tier(getattr(rule, "decision", Tier.UNRESTRICTED)),
        )
    return rules


def _tier(value) -> Tier:
    try:
        return Tier(value)
    except ValueError:
        return Tier.UNRESTRICTED


def at_or_above_gate(decision: Tier, fail_on: str) -> bool:
    """True when `decision` is at least as strict as the gate (never for 'never')."""
    return fail_on != "never" and decision.rank <= Tier(fail_on).rank
