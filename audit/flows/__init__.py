"""Data flows: what each workload declares it sends where, checked without and with scans.

- `load_manifest(path) -> Manifest` (audit.manifest), `load_taxonomy() -> Taxonomy`
- `check_flows(manifest, taxonomy) -> FlowReport` (declared categories vs endpoints)
- `check_drift(manifest, taxonomy, observed) -> list[DriftIssue]` (declarations vs scans:
  blocking "drift" and advisory "undeclared" rows, one per workload and category)
- `audit.flows.stored.check_registry(registry) -> FlowReport` (both, from registry contents only)
"""

from __future__ import annotations

from audit.flows.check import DriftIssue, FlowIssue, FlowReport, check_drift, check_flows, verdict
from audit.flows.model import DataFlow, Endpoint, Manifest, Workload, load_manifest, parse_manifest
from audit.flows.taxonomy import Requirement, Taxonomy, load_taxonomy

__all__ = [
    "DataFlow",
    "DriftIssue",
    "Endpoint",
    "FlowIssue",
    "FlowReport",
    "Manifest",
    "Requirement",
    "Taxonomy",
    "Workload",
    "check_drift",
    "check_flows",
    "load_manifest",
    "load_taxonomy",
    "parse_manifest",
    "verdict",
]
