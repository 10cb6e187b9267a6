"""SARIF 2.1.0: one run, one result per finding, for code-scanning dashboards.

Rules (`tool.driver.rules`) come from the policy packs when the policy set has
them, plus one `entity/<TYPE>` rule per entity type for findings no policy rule
claims. A finding's result takes the strictest rule that cites it; its level
follows that rule's decision tier. Messages carry masked previews only, never
raw values (even with --show-values: SARIF files are uploaded and kept).

Locations: the file relative to the SARIF root (`%SRCROOT%`: `--sarif-root`,
else the git top level of the working directory, else the working directory)
and the record's line; a file outside the root gets an absolute `file:` URI,
never a `../` path code scanning cannot place. Only plain-text inputs (one
prompt per line) map message offsets to columns; for JSON lines the region is
the line, and the record id and message index are in the result's properties.

Rule metadata for GitHub (security-severity, tags, help.markdown) is in
`sarif_rules`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

from audit.report.formats.sarif_rules import (
    LEVELS,
    UNCLAIMED_LEVEL,
    at_or_above_gate,
    entity_descriptor,
    entity_rule_id,
    pack_rules,
    rule_descriptor,
    rule_id,
)

__all__ = ["SarifFormat", "entity_rule_id", "relative_path", "relative_uri", "rule_id", "sarif_root"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFO_URI = "https://github.com/llm-audit/llm-audit"
FINGERPRINT_KEY = "llmAuditFinding/v1"
RULE_FINGERPRINT_KEY = "llmAuditRule/v1"
LINE_BASED_SUFFIXES = (".txt", ".text", ".md")


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


def git_toplevel(cwd: str | None = None) -> str | None:
    """The top level of the git work tree holding `cwd`, or None (not a repository, or no git)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = os.fsdecode(done.stdout).strip()
    return top if done.returncode == 0 and top else None


def sarif_root(options) -> str:
    """The directory SARIF URIs are relative to: `sarif_root`, `base_dir`, the git top level, or the cwd."""
    chosen = getattr(options, "sarif_root", None) or options.base_dir
    return os.path.abspath(chosen or git_toplevel() or os.getcwd())


def artifact_location(source: str, root: str) -> dict:
    """A SARIF artifactLocation: relative to `%SRCROOT%` under `root`, else an absolute file URI."""
    if source in ("-", "<stdin>", "<text>"):
        return {"uri": quote(source), "uriBaseId": "%SRCROOT%"}
    # Either spelling may match: git prints the real path, the user may have typed one through a symlink.
    for path in dict.fromkeys((os.path.abspath(source), os.path.realpath(source))):
        for base in dict.fromkeys((root, os.path.realpath(root))):
            if Path(path).is_relative_to(base):
                return {"uri": quote(Path(path).relative_to(base).as_posix()), "uriBaseId": "%SRCROOT%"}
    return {"uri": Path(os.path.abspath(source)).as_uri()}


def is_line_based(source: str) -> bool:
    """True when the source holds one prompt per line, so message offsets are columns."""
    return source.lower().removesuffix(".gz").endswith(LINE_BASED_SUFFIXES)


class SarifFormat:
    """Collects results and writes one SARIF log at the end."""

    def __init__(self, out, options) -> None:
        self.out = out
        self.options = options
        self.results: list[dict] = []
        self.rules: dict[str, dict] = pack_rules(options.policy_set)
        self.root = sarif_root(options)

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
        base = Path(self.root).as_uri().rstrip("/") + "/"
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
            self.rules[rid] = rule_descriptor(
                rid, hit.description or hit.rule, hit.citation, hit.remediation, hit.regulation, hit.decision
            )

    def _ensure_entity_rule(self, entity_type: str) -> str:
        rid = entity_rule_id(entity_type)
        if rid not in self.rules:
            self.rules[rid] = entity_descriptor(entity_type)
        return rid

    def _finding_result(self, result, index: int, finding, claiming) -> dict:
        if claiming:
            primary = min(claiming, key=lambda h: h.decision.rank)
            rid, level = rule_id(primary.policy, primary.rule), LEVELS[primary.decision]
            why = f"decision {primary.decision.value} by {rid}" + (f" ({primary.citation})" if primary.citation else "")
        else:
            rid, level, why = self._ensure_entity_rule(finding.entity_type), UNCLAIMED_LEVEL, "no policy rule cites it"
        if at_or_above_gate(result.decision, self.options.fail_on):
            level = "error"  # the record fails the build (--fail-on): never a note
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
            "level": "error" if at_or_above_gate(result.decision, self.options.fail_on) else LEVELS[hit.decision],
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
        physical: dict = {"artifactLocation": artifact_location(source, self.root)}
        if line >= 1:
            region: dict = {"startLine": line}
            if finding is not None and is_line_based(source) and finding.end > finding.start:
                region.update(startColumn=finding.start + 1, endColumn=finding.end + 1)
            physical["region"] = region
        return {"physicalLocation": physical}
