"""SARIF 2.1.0: one run, one result per finding, for code-scanning dashboards.

Rules (`tool.driver.rules`) come from the policy packs when the policy set has
them, plus one `entity/<TYPE>` rule per entity type for findings no policy rule
claims. A finding's result takes the strictest rule that cites it; its level
follows that rule's decision tier. Messages carry masked previews only, never
raw values (even with --show-values: SARIF files are uploaded and kept).

Locations: the file relative to the base directory and the record's line. Only
plain-text inputs (one prompt per line) map message offsets to columns; for
JSON lines the region is the line, and the record id and message index are in
the result's properties.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from audit.model import Tier

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFO_URI = "https://github.com/llm-audit/llm-audit"
FINGERPRINT_KEY = "llmAuditFinding/v1"
RULE_FINGERPRINT_KEY = "llmAuditRule/v1"
LEVELS = {
    Tier.STRIP: "error",
    Tier.SELF_HOSTED: "error",
    Tier.CLOSED_WITH_AGREEMENT: "warning",
    Tier.REDACT_THEN_CLOSED: "note",
    Tier.UNRESTRICTED: "none",
}
UNCLAIMED_LEVEL = "note"  # a detection no policy rule cites: worth a look, not a decision
LINE_BASED_SUFFIXES = (".txt", ".text", ".md")


def rule_id(policy: str, rule: str) -> str:
    """The SARIF id of a policy rule: `<pack>/<rule>` (unchanged when already qualified)."""
    if not policy or rule.startswith(f"{policy}/"):
        return rule
    return f"{policy}/{rule}"


def entity_rule_id(entity_type: str) -> str:
    """The SARIF id of the catch-all rule for one entity type."""
    return f"entity/{entity_type}"


def relative_path(source: str, base_dir: str | None = None) -> str:
    """`source` relative to `base_dir` (default: the working directory), with forward slashes."""
    if source in ("-", "<stdin>", "<text>"):
        return source
    try:
        rel = os.path.relpath(os.path.abspath(source), base_dir or os.getcwd())
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(source)
    return Path(rel).as_posix()


def relative_uri(source: str, base_dir: str | None = None) -> str:
    """`relative_path` as a URI reference (percent-encoded)."""
    return quote(relative_path(source, base_dir))


def is_line_based(source: str) -> bool:
    """True when the source holds one prompt per line, so message offsets are columns."""
    return source.lower().removesuffix(".gz").endswith(LINE_BASED_SUFFIXES)


class SarifFormat:
    """Collects results and writes one SARIF log at the end."""

    def __init__(self, out, options) -> None:
        self.out = out
        self.options = options
        self.results: list[dict] = []
        self.rules: dict[str, dict] = _pack_rules(options.policy_set)

    def add(self, result) -> None:
        """Turn a record's findings (and finding-less rule hits) into SARIF results."""
        if not result.has_output:
            return
        hits = result.evaluation.rules
        for hit in hits:
            self._ensure_hit_rule(hit)
            if not hit.findings:
                self.results.append(self._hit_result(result, hit))
        for index, finding in enumerate(result.findings):
            claiming = [h for h in hits if index in h.findings]
            if finding.kind == "identifier" or claiming:
                self.results.append(self._finding_result(result, index, finding, claiming))

    def finish(self, summary) -> None:
        """Write the SARIF document."""
        json.dump(self.document(summary), self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")
        self.out.flush()

    def document(self, summary) -> dict:
        """The SARIF log as a dict."""
        rules = sorted(self.rules.values(), key=lambda r: r["id"])
        index = {r["id"]: i for i, r in enumerate(rules)}
        for res in self.results:
            res["ruleIndex"] = index[res["ruleId"]]
        base = Path(self.options.base_dir or os.getcwd()).resolve().as_uri().rstrip("/") + "/"
        run = {
            "tool": {
                "driver": {
                    "name": "llm-audit",
                    "version": self.options.tool_version,
                    "informationUri": INFO_URI,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {"%SRCROOT%": {"uri": base}},
            "columnKind": "unicodeCodePoints",
            "invocations": [self._invocation(summary)],
            "results": self.results,
            "properties": {"policy": getattr(self.options.policy_set, "identity", None)},
        }
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}

    def _invocation(self, summary) -> dict:
        notes = [
            {
                "level": "warning",
                "message": {"text": f"record skipped: {e.reason}"},
                "locations": [self._location(e.source, e.line)],
            }
            for e in summary.errors
        ]
        return {"executionSuccessful": True, "toolExecutionNotifications": notes}

    def _ensure_hit_rule(self, hit) -> None:
        rid = rule_id(hit.policy, hit.rule)
        if rid not in self.rules:
            self.rules[rid] = _rule_descriptor(
                rid, hit.description or hit.rule, hit.citation, hit.remediation, hit.regulation, hit.decision
            )

    def _ensure_entity_rule(self, entity_type: str) -> str:
        rid = entity_rule_id(entity_type)
        if rid not in self.rules:
            self.rules[rid] = _entity_descriptor(entity_type)
        return rid

    def _finding_result(self, result, index: int, finding, claiming) -> dict:
        if claiming:
            primary = min(claiming, key=lambda h: h.decision.rank)
            rid, level = rule_id(primary.policy, primary.rule), LEVELS[primary.decision]
            why = f"decision {primary.decision.value} by {rid}" + (f" ({primary.citation})" if primary.citation else "")
        else:
            rid, level, why = self._ensure_entity_rule(finding.entity_type), UNCLAIMED_LEVEL, "no policy rule cites it"
        text = (
            f"{finding.entity_type} {finding.masked} in message {finding.message} ({finding.role}) "
            f"of record {result.record_id}: {why}."
        )
        location = self._location(result.source, result.line, finding)
        props = self._properties(result, finding.message)
        props.update(
            entityType=finding.entity_type, role=finding.role, rules=[rule_id(h.policy, h.rule) for h in claiming]
        )
        return {
            "ruleId": rid,
            "level": level,
            "message": {"text": text},
            "locations": [location],
            "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
            "properties": props,
        }

    def _hit_result(self, result, hit) -> dict:
        rid = rule_id(hit.policy, hit.rule)
        text = f"{hit.description or hit.rule}: decision {hit.decision.value}" + (
            f" ({hit.reason})" if hit.reason else ""
        )
        key = hashlib.sha256(f"{result.source}\x00{result.record_id}\x00{rid}".encode()).hexdigest()[:32]
        return {
            "ruleId": rid,
            "level": LEVELS[hit.decision],
            "message": {"text": text + "."},
            "locations": [self._location(result.source, result.line)],
            "partialFingerprints": {RULE_FINGERPRINT_KEY: key},
            "properties": self._properties(result, None),
        }

    def _properties(self, result, message: int | None) -> dict:
        props = {
            "record": result.record_id,
            "workload": result.workload,
            "decision": result.decision.value,
            "regulations": list(result.evaluation.regulations),
        }
        if message is not None:
            props["message"] = message
        return props

    def _location(self, source: str, line: int, finding=None) -> dict:
        physical: dict = {
            "artifactLocation": {"uri": relative_uri(source, self.options.base_dir), "uriBaseId": "%SRCROOT%"}
        }
        if line >= 1:
            region: dict = {"startLine": line}
            if finding is not None and is_line_based(source) and finding.end > finding.start:
                region.update(startColumn=finding.start + 1, endColumn=finding.end + 1)
            physical["region"] = region
        return {"physicalLocation": physical}


def _rule_descriptor(rid, description, citation, remediation, regulation, decision) -> dict:
    decision = Tier(decision) if not isinstance(decision, Tier) else decision
    help_text = "\n\n".join(p for p in (description, f"Citation: {citation}" if citation else "", remediation) if p)
    return {
        "id": rid,
        "shortDescription": {"text": (description or rid).split("\n")[0][:200]},
        "fullDescription": {"text": description or rid},
        "help": {"text": help_text or rid},
        "defaultConfiguration": {"level": LEVELS[decision]},
        "properties": {
            "regulation": regulation or "",
            "citation": citation or "",
            "decision": decision.value,
            "tags": ["privacy", "compliance", *([regulation] if regulation else [])],
        },
    }


def _entity_descriptor(entity_type: str) -> dict:
    description = _entity_descriptions().get(entity_type, entity_type.replace("_", " ").lower())
    text = f"Detected {description} ({entity_type})."
    return {
        "id": entity_rule_id(entity_type),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text + " No policy rule cites this finding; it is reported for review."},
        "help": {"text": f"Remove or mask {description} before logging prompts, or allow-list known test values."},
        "defaultConfiguration": {"level": UNCLAIMED_LEVEL},
        "properties": {"entityType": entity_type, "tags": ["privacy", "pii"]},
    }


def _entity_descriptions() -> dict[str, str]:
    try:
        from audit.scanner.entities import ENTITY_TYPES
    except ImportError:  # the vocabulary is optional here
        return {}
    return {e.name: e.description for e in ENTITY_TYPES}


def _pack_rules(policy_set) -> dict[str, dict]:
    """Rules declared by the policy set: its enabled `entries` when it has them, else every pack's rules."""
    rules: dict[str, dict] = {}
    entries = getattr(policy_set, "entries", None)
    if entries:
        pairs = [(e.pack, e.regulation, e.rule) for e in entries]
    else:
        pairs = [
            (getattr(p, "id", "") or "", getattr(p, "regulation", "") or "", r)
            for p in getattr(policy_set, "packs", None) or ()
            for r in getattr(p, "rules", None) or ()
        ]
    for pack_id, regulation, rule in pairs:
        rid = rule_id(pack_id, str(getattr(rule, "id", "")))
        try:
            decision = Tier(getattr(rule, "decision", Tier.UNRESTRICTED))
        except ValueError:
            decision = Tier.UNRESTRICTED
        rules[rid] = _rule_descriptor(
            rid,
            getattr(rule, "description", "") or "",
            getattr(rule, "citation", "") or "",
            getattr(rule, "remediation", "") or "",
            regulation,
            decision,
        )
    return rules
