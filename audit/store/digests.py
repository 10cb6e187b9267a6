"""Digests of the rows that decisions and reports are built from, kept in the events that wrote them.

A digest is the sha256 of canonical JSON over named columns, so the same rows
give the same digest whether read from ORM objects after a round trip through
SQLite or PostgreSQL, or from the dicts a writer is about to insert. Row sets
(findings, decisions, gateway counts) are order-independent: lines are sorted before hashing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from audit.store.db import as_utc
from audit.store.events import canonical

# v1: what scan.completed events recorded before digest_version 2 (no score, role, kind, recognizer, rule ids)
FINDING_KEYS_V1 = ("workload", "source", "record_id", "message", "start", "end", "entity_type", "fingerprint", "masked")
FINDING_KEYS = (
    "workload", "source", "record_id", "line", "message", "role", "start", "end", "entity_type", "kind", "score",
    "recognizer", "masked", "fingerprint", "rule_ids",
)  # fmt: skip
DECISION_KEYS = (
    "workload", "tier", "raw_tier", "regulations", "records", "records_with_findings", "hosting", "violation",
    "rationale",
)  # fmt: skip
SCAN_KEYS = (
    "status", "started_at", "finished_at", "tool_version", "git_commit", "policy_identity", "workload", "inputs",
    "host", "pid", "records_read", "records_skipped", "records_with_findings", "findings_count", "by_entity",
    "by_decision", "error",
)  # fmt: skip
WORKLOAD_KEYS = (
    "name", "owner", "description", "domain", "hipaa_entity", "monthly_tokens", "spec", "spec_hash", "manifest_path",
)  # fmt: skip
# v1: what workload events recorded before digest_version 2 (migration 0004 added the endpoint's api_base and prices)
ENDPOINT_KEYS_V1 = ("name", "provider", "model", "hosting", "region", "agreements")
ENDPOINT_EXTRA_KEYS = ("api_base", "input_per_million", "output_per_million")
ENDPOINT_KEYS = (*ENDPOINT_KEYS_V1, *ENDPOINT_EXTRA_KEYS)
FLOW_KEYS = ("position", "name", "source", "categories", "endpoint", "endpoint_spec", "redaction")
WAIVER_KEYS = ("rule_id", "fingerprint", "owner", "reason", "expires")  # checked against the waiver.added payload
GATEWAY_KEYS = (
    "source", "workload", "tier", "target", "refusal", "rule", "count", "period_start", "period_end", "recorded_at",
)  # fmt: skip
DIGEST_VERSION = 2  # scan.completed events: FINDING_KEYS
WORKLOAD_DIGEST_VERSION = 2  # workload.added/changed events: ENDPOINT_KEYS


def _plain(value):
    if isinstance(value, datetime):
        return as_utc(value).astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def values(row, keys: tuple[str, ...]) -> list:
    """The row's values for `keys` as plain JSON values; `row` is a dict or an ORM object."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return [_plain(get(k)) for k in keys]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rows_digest(rows, keys: tuple[str, ...]) -> str:
    """Order-independent sha256 of a set of rows over `keys`."""
    return _sha256("\n".join(sorted(canonical(values(r, keys)) for r in rows)))


def findings_digest(findings, keys: tuple[str, ...] = FINDING_KEYS) -> str:
    """The digest of a scan's findings rows (or the dicts about to become them)."""
    return rows_digest(findings, keys)


def decisions_digest(decisions) -> str:
    """The digest of a scan's decisions rows."""
    return rows_digest(decisions, DECISION_KEYS)


def scan_digest(scan) -> str:
    """The digest of one scans row, status included."""
    return rows_digest([scan], SCAN_KEYS)


def gateway_digest(rows) -> str:
    """The digest of one flush's gateway_decisions rows (or the dicts about to become them)."""
    return rows_digest(rows, GATEWAY_KEYS)


def workload_digest(workload, version: int = WORKLOAD_DIGEST_VERSION) -> str:
    """The digest of a workloads row together with its endpoints and data_flows rows.

    Version 1 (events without a digest_version) leaves out the endpoint columns migration 0004 added;
    `spec_endpoint_extras` is what those columns must then hold.
    """
    endpoint_keys = ENDPOINT_KEYS if version >= 2 else ENDPOINT_KEYS_V1
    state = {
        "workload": values(workload, WORKLOAD_KEYS),
        "endpoints": sorted(canonical(values(e, endpoint_keys)) for e in workload.endpoints),
        "data_flows": sorted(canonical(values(f, FLOW_KEYS)) for f in workload.data_flows),
    }
    return _sha256(canonical(state))


def spec_endpoint_extras(spec, name: str) -> list:
    """An endpoint's api_base and prices as its workload's stored spec declares them (as migration 0004 copied them)."""
    declared = spec.get("endpoints") if isinstance(spec, dict) else None
    found = next((e for e in declared or [] if isinstance(e, dict) and e.get("name") == name), {})
    api_base = found.get("api_base")
    return [api_base if isinstance(api_base, str) else None, *(_price(found.get(k)) for k in ENDPOINT_EXTRA_KEYS[1:])]


def _price(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def endpoints_match_spec(workload) -> bool:
    """True when every endpoint row's api_base and prices are what the workload's spec declares."""
    return all(
        values(e, ENDPOINT_EXTRA_KEYS) == spec_endpoint_extras(workload.spec, e.name) for e in workload.endpoints
    )
