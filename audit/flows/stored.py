"""Flow checks from the registry alone: the flows as imported, drift against each workload's latest scan.

`audit registry show`, `audit registry list` and `audit report` use this, so the
checks do not depend on the manifest file still being where it was imported from.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit.errors import ConfigError
from audit.flows.check import FlowReport, check_drift, check_flows
from audit.flows.model import FlowManifest, parse_manifest
from audit.flows.taxonomy import Taxonomy, load_taxonomy


def manifest_from_rows(rows) -> FlowManifest:
    """A FlowManifest from stored workloads (audit.store.models.Workload with endpoints and data_flows loaded).

    Raises ConfigError for a flow naming an endpoint the registry does not hold (a shared endpoint of a
    registry migrated from 0001: importing the manifest again stores it).
    """
    return parse_manifest({"workloads": [_workload(w) for w in rows]}, "registry")


def _workload(w) -> dict:
    own = {e.name for e in w.endpoints}
    flows = []
    for f in w.data_flows:
        if f.endpoint_spec is None and f.endpoint is not None and f.endpoint not in own:
            raise ConfigError(
                f"registry: workload {w.name!r}: flow {f.name or f.source!r} names endpoint {f.endpoint!r}, "
                "which the registry does not hold; import the manifest again"
            )
        flows.append({"name": f.name, "source": f.source, "categories": list(f.categories),
                      "endpoint": f.endpoint_spec or f.endpoint, "redaction": f.redaction})  # fmt: skip
    endpoints = [{"name": e.name, "provider": e.provider, "model": e.model, "hosting": e.hosting,
                  "agreements": list(e.agreements or [])} for e in w.endpoints]  # fmt: skip
    return {"name": w.name, "domain": w.domain, "hipaa_entity": w.hipaa_entity, "monthly_tokens": w.monthly_tokens,
            "endpoints": endpoints, "data_flows": flows}  # fmt: skip


def load_registry_manifest(registry) -> FlowManifest:
    """Every registered workload with its endpoints and declared flows, as a FlowManifest."""
    from audit.store.db import read_session
    from audit.store.models import Workload

    query = (
        select(Workload)
        .options(selectinload(Workload.endpoints), selectinload(Workload.data_flows))
        .order_by(Workload.name)
    )
    with read_session(registry.engine) as session:
        return manifest_from_rows(session.scalars(query).all())


def check_registry(
    registry, workloads: list[str] | None = None, min_count: int = 1, taxonomy: Taxonomy | None = None
) -> FlowReport:
    """Flow violations and drift (against each workload's latest completed scan) from registry contents only.

    Raises ConfigError for a workload name the registry does not hold.
    """
    from audit.store.views import latest_entity_counts

    manifest, taxonomy = load_registry_manifest(registry), taxonomy or load_taxonomy()
    names = workloads or [w.name for w in manifest.workloads]
    report = check_flows(manifest, taxonomy, names)
    report.add_drift(check_drift(manifest, taxonomy, latest_entity_counts(registry, names), names, min_count))
    return report
