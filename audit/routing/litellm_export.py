"""A LiteLLM proxy config that enforces, per workload tag, which endpoints a workload may reach.

Two model groups mirror the router's targets: `closed` (closed and
redact_then_closed decisions) and `self_hosted`. Each deployment is tagged with
the workloads allowed on it, and `router_settings.enable_tag_filtering` makes
LiteLLM refuse a request whose tags match no deployment in the group, so a
workload whose data requires self_hosted cannot reach a closed API through the proxy.
Documented structure: docs.litellm.ai/docs/proxy/tag_routing and /proxy/configs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.flows.taxonomy import Taxonomy
from audit.manifest import Endpoint, Manifest
from audit.model import Tier
from audit.routing.recommend import closed_floor

GROUPS = {"closed_api": "closed", "self_hosted": "self_hosted"}


@dataclass
class Export:
    """The config and what the export decided for each workload."""

    config: dict
    closed_allowed: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # why each workload is allowed or not
    warnings: list[str] = field(default_factory=list)


def closed_allowed(manifest: Manifest, taxonomy: Taxonomy, name: str, observed: Tier | None = None) -> tuple[bool, str]:
    """Whether a workload's requests may be tagged onto closed deployments, and why.

    Never without a closed endpoint, nor when its scans (`observed`, the registry's decision) require stripping
    or self-hosting, whatever its declarations allow.
    """
    w = manifest.workload(name)
    if not any(e.closed for e in manifest.endpoints_of(w)):
        return False, "it declares no closed endpoint"
    if observed is not None and observed.stricter_than(Tier.CLOSED_WITH_AGREEMENT):
        return False, f"its scans require {observed.value}"
    floor, _, missing, _ = closed_floor(manifest, taxonomy, w)
    if not floor.stricter_than(Tier.CLOSED_WITH_AGREEMENT):
        return True, f"declared data allows a closed API ({floor.value})"
    share = w.traffic.self_hosted_share if w.traffic else None
    if share is not None and share < 1:
        return True, f"hybrid: {share:.0%} of requests must stay self-hosted; the in-process router picks them"
    return False, f"declared data requires {floor.value}" + (f" (missing {', '.join(missing)})" if missing else "")


def export_litellm(manifest: Manifest, taxonomy: Taxonomy, observed: dict[str, Tier] | None = None) -> Export:
    """model_list with workload tags on each deployment, plus router_settings for tag filtering.

    `observed`: each workload's decision from its scans (the registry's), which can only make it stricter.
    """
    deployments: dict[tuple, dict] = {}
    out = Export(config={})
    for w in manifest.workloads:
        allowed, why = closed_allowed(manifest, taxonomy, w.name, (observed or {}).get(w.name))
        out.reasons[w.name] = why
        out.closed_allowed[w.name] = allowed
        endpoints = manifest.endpoints_of(w)
        if not allowed and not any(not e.closed for e in endpoints):
            out.warnings.append(
                f"{w.name}: {why}, but it declares no self-hosted endpoint: its requests match no deployment"
            )
        for e in endpoints:
            if e.closed and not allowed:
                continue
            entry = deployments.setdefault(_key(e), _deployment(e))
            entry["litellm_params"]["tags"].append(w.name)
    model_list = sorted(deployments.values(), key=lambda d: (d["model_name"], d["litellm_params"]["model"]))
    out.config = {
        "model_list": model_list,
        "router_settings": {"enable_tag_filtering": True},
        "general_settings": {"master_key": "os.environ/LITELLM_MASTER_KEY"},
    }
    return out


def _key(e: Endpoint) -> tuple:
    return (e.hosting, e.litellm_model, e.api_base)


def _deployment(e: Endpoint) -> dict:
    params: dict = {"model": e.litellm_model}
    if e.api_base:
        params["api_base"] = e.api_base
    if e.closed:  # self-hosted servers usually need no key; add one by hand if yours does
        provider = (e.provider or e.litellm_model.split("/", 1)[0]).upper().replace("-", "_")
        params["api_key"] = f"os.environ/{provider}_API_KEY"
    params["tags"] = []
    info = {"id": f"{GROUPS[e.hosting]}:{e.name}", "hosting": e.hosting.value}
    if e.agreements:
        info["agreements"] = sorted(a.value for a in e.agreements)
    return {"model_name": GROUPS[e.hosting], "litellm_params": params, "model_info": info}
