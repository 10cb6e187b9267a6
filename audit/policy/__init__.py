"""Policy: from findings to a deployment decision with citations.

Interface used by the pipeline (implementation in this package):
- `load_policy_set(settings) -> PolicySet`: the built-in packs plus the user's.
- `evaluate(policy_set, record, findings, workload) -> Evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.model import Evaluation, Finding, Record, WorkloadProfile
from audit.settings import Settings


@dataclass(frozen=True)
class PolicySet:
    """The loaded packs. `identity` names their ids, versions and content hashes (for caches and scans)."""

    packs: tuple = ()
    identity: str = "none"


def load_policy_set(settings: Settings) -> PolicySet:
    """The packs that apply under `settings`."""
    return PolicySet()


def evaluate(
    policy_set: PolicySet, record: Record, findings: tuple[Finding, ...], workload: WorkloadProfile | None
) -> Evaluation:
    """Every rule that fires on the record, and the strictest tier among them."""
    return Evaluation()
