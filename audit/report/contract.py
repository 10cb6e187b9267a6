"""The machine-readable output contract: one JSON object per record with findings or rules.

Keys are stable and documented in README ("Output contract"). Adding a key is
compatible; renaming or removing one is not.
"""

from __future__ import annotations

from audit.model import Finding, RecordResult, RuleHit


def finding_to_dict(f: Finding) -> dict:
    """A finding as the contract shows it; `value` only when --show-values filled it."""
    out = {
        "message": f.message,
        "role": f.role,
        "start": f.start,
        "end": f.end,
        "entity_type": f.entity_type,
        "score": f.score,
        "recognizer": f.recognizer,
        "masked": f.masked,
        "fingerprint": f.fingerprint,
        "shapes": list(f.shapes),
    }
    if f.path:
        out["path"] = f.path
    if f.value is not None:
        out["value"] = f.value
    return out


def rule_to_dict(hit: RuleHit) -> dict:
    """A fired rule as the contract shows it."""
    return {
        "policy": hit.policy,
        "rule": hit.rule,
        "regulation": hit.regulation,
        "citation": hit.citation,
        "decision": hit.decision.value,
        "reason": hit.reason,
        "findings": list(hit.findings),
    }


def record_to_dict(result: RecordResult) -> dict:
    """The contract object for one record. Context signals go under `context`, not `findings`."""
    return {
        "source": result.source,
        "record": result.record_id,
        "line": result.line,
        "workload": result.workload,
        "decision": result.decision.value,
        "regulations": list(result.evaluation.regulations),
        "rules": [rule_to_dict(h) for h in result.evaluation.rules],
        "findings": [finding_to_dict(f) for f in result.findings if f.kind == "identifier"],
        "context": [finding_to_dict(f) for f in result.findings if f.kind != "identifier"],
    }


def record_from_dict(data: dict) -> RecordResult:
    """Rebuild a RecordResult from its contract object (the inverse of record_to_dict)."""
    from audit.model import Evaluation, Tier

    findings = [_finding_from_dict(f, "identifier") for f in data["findings"]]
    findings += [_finding_from_dict(f, "context") for f in data.get("context", [])]
    rules = tuple(
        RuleHit(
            policy=r["policy"],
            rule=r["rule"],
            regulation=r.get("regulation", ""),
            citation=r.get("citation", ""),
            decision=Tier(r["decision"]),
            reason=r.get("reason", ""),
            findings=tuple(r.get("findings", ())),
        )
        for r in data["rules"]
    )
    evaluation = Evaluation(Tier(data["decision"]), tuple(data["regulations"]), rules)
    return RecordResult(data["source"], data["record"], data["line"], data["workload"], tuple(findings), evaluation)


def _finding_from_dict(f: dict, kind: str) -> Finding:
    return Finding(
        message=f["message"],
        role=f["role"],
        start=f["start"],
        end=f["end"],
        entity_type=f["entity_type"],
        score=f["score"],
        recognizer=f["recognizer"],
        masked=f["masked"],
        fingerprint=f["fingerprint"],
        kind=kind,
        value=f.get("value"),
        shapes=tuple(f.get("shapes", ())),
        path=f.get("path", ""),
    )
