"""Flow checks from the registry alone: the flows as imported, drift against each workload's latest scan.

`audit registry show`, `audit registry list` and `audit report` use this, so the
checks do not depend on the manifest file still being where it was imported from.
"""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit.errors import ConfigError, plain_validation_message
from audit.flows.check import FlowReport, check_drift, check_flows
from audit.flows.taxonomy import Taxonomy, load_taxonomy
from audit.manifest import DataFlow, DeclaredEndpoint, Endpoint, Manifest, Traffic, Workload


def manifest_from_rows(rows) -> Manifest:
    """A Manifest from stored workloads (audit.store.models.Workload with endpoints and data_flows loaded).

    Carries what flows and routing read (not data sources): endpoints with their api_base and prices, in
    the order the manifest declared them, and traffic (from the stored spec). Raises ConfigError for a flow
    naming an endpoint the registry does not hold (a shared endpoint of a registry migrated from 0001:
    importing the manifest again stores it), or for a row the manifest model refuses.
    """
    return Manifest(workloads=tuple(_checked(w) for w in rows))


def _checked(w) -> Workload:
    try:
        return _workload(w)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in (exc.title, *first["loc"]))
        raise ConfigError(f"registry: workload {w.name!r}: {field}: {plain_validation_message(first)}") from None


def _workload(w) -> Workload:
    endpoints = tuple(
        DeclaredEndpoint(name=e.name, provider=e.provider, model=e.model, hosting=e.hosting, region=e.region,
                         agreements=tuple(e.agreements or ()), api_base=e.api_base,
                         input_per_million=e.input_per_million, output_per_million=e.output_per_million)
        for e in _as_declared(w)
    )  # fmt: skip
    own = {e.name for e in endpoints}
    return Workload(
        name=w.name, owner=w.owner, description=w.description, domain=w.domain, hipaa_entity=w.hipaa_entity,
        monthly_tokens=w.monthly_tokens, endpoints=endpoints, data_flows=tuple(_flow(w.name, f, own) for f in w.data_flows),
        traffic=_traffic(w),
    )  # fmt: skip


def _traffic(w) -> Traffic | None:
    """The traffic block of the stored spec (hashed with the workload): routing's hybrid share, recommend's volume."""
    traffic = w.spec.get("traffic") if isinstance(w.spec, dict) else None
    return Traffic.model_validate(traffic) if traffic is not None else None


def _as_declared(w) -> list:
    """The workload's endpoint rows in the order its manifest declared them (routing takes the first closed one)."""
    declared = (w.spec or {}).get("endpoints") if isinstance(w.spec, dict) else None
    order = {e.get("name"): i for i, e in enumerate(declared or []) if isinstance(e, dict)}
    return sorted(w.endpoints, key=lambda e: (order.get(e.name, len(order)), e.name))


def _flow(workload: str, f, own: set[str]) -> DataFlow:
    if f.endpoint_spec is None and f.endpoint is not None and f.endpoint not in own:
        raise ConfigError(
            f"registry: workload {workload!r}: flow {f.name or f.source!r} names endpoint {f.endpoint!r}, "
            "which the registry does not hold; import the manifest again"
        )
    endpoint = Endpoint.model_validate(f.endpoint_spec) if f.endpoint_spec else f.endpoint
    return DataFlow(name=f.name, source=f.source, categories=tuple(f.categories), endpoint=endpoint,
                    redaction=f.redaction)  # fmt: skip


def load_registry_manifest(registry) -> Manifest:
    """Every registered workload with its endpoints and declared flows, as a Manifest."""
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
