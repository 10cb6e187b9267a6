"""A LiteLLM proxy config that enforces, per workload tag, which endpoints a workload may reach.

Two model groups mirror the router's targets: `closed` (closed and redact_then_closed decisions)
and `self_hosted`. Each (workload, endpoint) pair allowed for the workload is one deployment
carrying exactly one tag, the workload's name, and `router_settings.enable_tag_filtering` makes
LiteLLM pick only deployments whose tag the request carries.

Tag filtering alone fails open (LiteLLM 1.108, router_strategy/tag_based_routing.py): an
untagged request, or one whose tags no deployment carries, may use every deployment of the
group unless some deployment carries the tag `default`. So each group also gets one refusing
deployment tagged `default`, whose `mock_response` makes LiteLLM raise a 400 naming the reason
before any upstream is contacted. A 400 never puts a deployment in cooldown, so the refusal
cannot be exhausted; `tag_filtering_match_any: false` makes a request carrying two workloads'
tags match neither. Documented structure: docs.litellm.ai/docs/proxy/tag_routing and /proxy/configs.

`general_settings.allowed_routes` limits the proxy to the inference routes the guardrail inspects (and
model listing): LiteLLM checks it before any key, the master key included, so token counting
(`/v1/messages/count_tokens`, `/v1/responses/input_tokens`, which no guardrail sees and which post the
prompt to the provider), pass-through and batch routes are refused (403). LiteLLM marks the setting
enterprise-only and logs an error per request without a licence, but enforces it.

What this config cannot prevent (LiteLLM 1.108.7, router.py `_common_checks_available_deployment`,
proxy/route_llm_request.py): a request whose `model` is a deployment's `model_info.id`
(`<workload>/closed/<endpoint>`) or its provider model (`openai/gpt-4o-mini`) goes to that deployment
directly, without tag filtering and without the refusing default. No router or general setting turns
this off; a virtual key limited to `models: [closed, self_hosted]` closes it for that key, never for the
master key. The guardrail (`--guardrail`) closes it for every key: it refuses any model but the groups.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from audit.errors import ConfigError
from audit.flows.taxonomy import Taxonomy
from audit.manifest import Endpoint, Manifest, Workload
from audit.model import Tier
from audit.routing.recommend import closed_floor

GROUPS = {"closed_api": "closed", "self_hosted": "self_hosted"}
DEFAULT_TAG = "default"  # LiteLLM's tag for deployments serving untagged and unmatched requests
# LiteLLM turns a mock_response starting with this prefix into a 400 (main.py, _handle_mock_potential_exceptions).
REFUSAL_PREFIX = "Exception: content_filter_policy: "
REFUSAL = "llm-audit: request has no workload tag allowed on model group {group}; send tags: [<workload>] from a key bound to it"
_SAFE_PART = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass
class Export:
    """The config and what the export decided for each workload."""

    config: dict
    closed_allowed: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # why each workload is allowed or not
    warnings: list[str] = field(default_factory=list)

    @property
    def workload_deployments(self) -> int:
        """How many deployments serve a workload (the refusing defaults not counted)."""
        return sum(1 for d in self.config["model_list"] if "workload" in d["model_info"])


def closed_allowed(manifest: Manifest, taxonomy: Taxonomy, name: str, observed: Tier | None = None) -> tuple[bool, str]:
    """Whether a workload's requests may be tagged onto closed deployments, and why.

    Never without a closed endpoint, nor when its scans (`observed`, the registry's hosting tier: strip values
    are blocked at the gateway and what remains decides, `decide.hosting_tier`) require self-hosting, whatever
    its declarations allow.
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


# The only routes the proxy serves: those the guardrail inspects, and model listing (no prompt in either).
INSPECTED_ROUTES = (
    "/v1/chat/completions", "/chat/completions", "/v1/responses", "/responses", "/v1/messages",
    "/v1/completions", "/completions", "/v1/embeddings", "/embeddings",
)  # fmt: skip
INFO_ROUTES = ("/v1/models", "/models", "/model/info", "/v1/model/info")
HEADER = (
    "# Only the inspected routes are served (general_settings.allowed_routes): token counting and pass-through\n"
    "# routes are refused. LiteLLM cannot stop a request naming a deployment id (<workload>/closed/<endpoint>) or a\n"
    "# provider model directly, which skips tag filtering: export with --guardrail, which refuses any model but\n"
    "# closed and self_hosted, or limit every key to models: [closed, self_hosted] (never the master key).\n"
)

# Providers whose LiteLLM default address is on the local machine (ollama: http://localhost:11434).
LOCAL_DEFAULTS = frozenset({"ollama", "ollama_chat"})


def export_litellm(manifest: Manifest, taxonomy: Taxonomy, observed: dict[str, Tier] | None = None) -> Export:
    """model_list with one deployment per allowed (workload, endpoint), a refusing default per group, router_settings.

    `observed`: each workload's decision from its scans (the registry's), which can only make it stricter.
    Raises ConfigError for a workload named like LiteLLM's `default` tag, whose deployments would serve every
    untagged request.
    """
    out = Export(config={})
    deployments = [_refusal(group) for group in GROUPS.values()]
    for w in manifest.workloads:
        if w.name == DEFAULT_TAG:
            raise ConfigError(f"workload {w.name!r}: LiteLLM sends untagged requests to that tag; rename the workload")
        allowed, why = closed_allowed(manifest, taxonomy, w.name, (observed or {}).get(w.name))
        out.reasons[w.name] = why
        out.closed_allowed[w.name] = allowed
        endpoints = [e for e in manifest.endpoints_of(w) if allowed or not e.closed]
        for e in [e for e in endpoints if not e.closed and not e.api_base and e.provider not in LOCAL_DEFAULTS]:
            # LiteLLM would send this "self-hosted" traffic to the provider's public API.
            out.warnings.append(f"{w.name}: self-hosted endpoint {e.name!r} has no api_base: not exported")
            endpoints.remove(e)
        if not endpoints:
            out.warnings.append(f"{w.name}: {why}, but it declares no self-hosted endpoint: its requests are refused")
        deployments += [_deployment(w, e) for e in endpoints]
    _check_unique_ids(deployments)
    out.config = {
        "model_list": sorted(deployments, key=lambda d: (d["model_name"], d["model_info"]["id"])),
        "router_settings": {"enable_tag_filtering": True, "tag_filtering_match_any": False},
        "general_settings": {
            "master_key": "os.environ/LITELLM_MASTER_KEY",
            "allowed_routes": [*INSPECTED_ROUTES, *INFO_ROUTES],
        },
    }
    return out


def deployment_id(workload: str, group: str, endpoint: str) -> str:
    """`{workload}/{group}/{endpoint}`: unique per (workload, endpoint); an unsafe endpoint name becomes a slug + hash."""
    return f"{workload}/{group}/{_id_part(endpoint)}"


def _id_part(name: str) -> str:
    if _SAFE_PART.match(name):
        return name
    # Inline and implied endpoints keep names as written (slashes, spaces, control characters, any length).
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")[:40]
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}-{digest}" if slug else digest


def _check_unique_ids(deployments: list[dict]) -> None:
    seen: set[str] = set()
    for d in deployments:
        if d["model_info"]["id"] in seen:  # a shared id lets one deployment's cooldown refuse another's requests
            raise ConfigError(f"two LiteLLM deployments would share the id {d['model_info']['id']!r}")
        seen.add(d["model_info"]["id"])


def _deployment(w: Workload, e: Endpoint) -> dict:
    params: dict = {"model": e.litellm_model}
    if e.api_base:
        params["api_base"] = e.api_base
    if e.closed:  # self-hosted servers usually need no key; add one by hand if yours does
        provider = (e.provider or e.litellm_model.split("/", 1)[0]).upper().replace("-", "_")
        params["api_key"] = f"os.environ/{provider}_API_KEY"
    params["tags"] = [w.name]
    group = GROUPS[e.hosting]
    info = {
        "id": deployment_id(w.name, group, e.name),
        "workload": w.name,
        "hosting": e.hosting.value,
        "endpoint": e.name,
        "agreements": sorted(a.value for a in e.agreements),
    }
    return {"model_name": group, "litellm_params": params, "model_info": info}


def _refusal(group: str) -> dict:
    """A deployment that never reaches an upstream: LiteLLM raises its mock_response as a 400."""
    params = {
        "model": "openai/llm-audit-refusal",
        # Should the mock ever be bypassed, the request goes nowhere: .invalid never resolves (RFC 2606).
        "api_base": "http://refusal.llm-audit.invalid/v1",
        "api_key": "llm-audit-refusal",  # not a secret: the mock answers before any client is used
        "mock_response": REFUSAL_PREFIX + REFUSAL.format(group=group),
        "tags": [DEFAULT_TAG],
    }
    # `:` cannot appear in a workload name, so this id never collides with a workload's.
    # enable_tag_filtering here keeps the group filtered even if router_settings is dropped when merging configs.
    info = {"id": f"llm-audit:refusal:{group}", "enable_tag_filtering": True}
    return {"model_name": group, "litellm_params": params, "model_info": info}
