"""Per-workload recommendations: the manifest's volumes and declared data, through the cost model."""

from __future__ import annotations

from audit.cost import ClosedPricing, Pricing, Recommendation, Volume, recommend
from audit.flows.check import verdict
from audit.flows.taxonomy import Taxonomy
from audit.manifest import Endpoint, Manifest, Workload
from audit.model import Tier, strictest

GENERIC_CLOSED = Endpoint(name="closed API", hosting="closed_api")


def closed_endpoint(manifest: Manifest, w: Workload) -> Endpoint | None:
    """The workload's first closed endpoint (declared or reached by a flow), if any."""
    return next((e for e in manifest.endpoints_of(w) if e.closed), None)


def closed_floor(manifest: Manifest, taxonomy: Taxonomy, w: Workload) -> tuple[Tier, list[str], list[str]]:
    """(strictest tier the declared data needs on a closed API with the router's redaction; agreements needed;
    agreements missing; categories that must be redacted). A category that must be stripped does not count:
    the gateway blocks those requests (as the router does), and what remains decides hosting."""
    endpoint = closed_endpoint(manifest, w) or GENERIC_CLOSED
    agreements = manifest.agreements_for(w, endpoint)
    tiers, needed, missing, redacted = [], set(), set(), set()
    for category in sorted(w.categories):
        if not taxonomy.known(category):
            continue
        v = verdict(taxonomy, category, endpoint, agreements, redaction=True)
        if v.required is Tier.STRIP:
            continue
        tiers.append(v.required)
        if v.required is Tier.CLOSED_WITH_AGREEMENT:
            needed |= v.requirement.closed_requires
        elif v.required is Tier.REDACT_THEN_CLOSED and v.requirement.closed_requires:
            redacted.add(category)
        if not v.allowed:
            missing |= v.requirement.closed_requires - agreements
    return strictest(tiers), sorted(needed), sorted(missing), sorted(redacted)


def stripped_categories(taxonomy: Taxonomy, w: Workload) -> list[str]:
    """The declared categories no model may receive, self-hosted included: the gateway blocks their requests."""
    return sorted(c for c in w.categories if taxonomy.known(c) and taxonomy.requirement(c).strip)


def workload_volume(w: Workload, pricing: Pricing, override_million: float | None = None) -> Volume:
    """Monthly tokens: --volume, else traffic (requests x tokens), else monthly_tokens split by output share."""
    share = pricing.closed.output_share
    if override_million is not None:
        return Volume.from_total(override_million * 1e6, share)
    t = w.traffic
    if t and t.requests_per_month:
        return Volume(
            t.requests_per_month * t.input_tokens_per_request, t.requests_per_month * t.output_tokens_per_request
        )
    return Volume.from_total(float(w.monthly_tokens or 0), share)


def closed_prices(endpoint: Endpoint | None, pricing: Pricing) -> ClosedPricing:
    """The defaults, with the endpoint's own per-million prices where the manifest gives them."""
    update = {}
    if endpoint and endpoint.input_per_million is not None:
        update["input_per_million"] = endpoint.input_per_million
    if endpoint and endpoint.output_per_million is not None:
        update["output_per_million"] = endpoint.output_per_million
    return pricing.closed.model_copy(update=update)


def recommend_workload(
    manifest: Manifest,
    taxonomy: Taxonomy,
    pricing: Pricing,
    name: str,
    volume_million: float | None = None,
    observed_tier: Tier | None = None,
    self_hosted_share: float | None = None,
) -> Recommendation:
    """The recommendation for one workload; `observed_tier` (the registry's hosting tier, `views.hosting_tier`:
    strip removed, as the router blocks it) can only make the floor stricter."""
    w = manifest.workload(name)
    floor, needed, missing, redacted = closed_floor(manifest, taxonomy, w)
    declared = floor
    if observed_tier is not None:
        floor = strictest([floor, observed_tier])
    share = self_hosted_share if self_hosted_share is not None else (w.traffic.self_hosted_share if w.traffic else None)
    prices = closed_prices(closed_endpoint(manifest, w), pricing)
    volume = workload_volume(w, pricing, volume_million)
    rec = recommend(name, volume, floor, pricing, prices, share, needed, missing)
    if floor is not declared:
        rec.reasons.insert(0, f"the latest scan ({floor.value}) is stricter than the declared data ({declared.value})")
    if stripped_categories(taxonomy, w) or floor is Tier.STRIP:
        rec.reasons.append("strip at the gateway what no model may see, self-hosted included (audit.route blocks it)")
    if redacted and rec.choice in ("closed", "hybrid"):
        rec.reasons.append(f"redact before the closed API (audit.route): {', '.join(redacted)}")
    return rec
