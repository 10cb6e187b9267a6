"""export_litellm through the library: deployment ids, the refusing defaults, and hostile names."""

from __future__ import annotations

import re

import pytest
import yaml

from audit.errors import ConfigError
from audit.flows import load_taxonomy
from audit.manifest import Manifest
from audit.model import Tier
from audit.routing.litellm_export import GROUPS, REFUSAL, REFUSAL_PREFIX, export_litellm

ID = re.compile(r"^[a-z0-9][a-z0-9._-]*/(closed|self_hosted)/[a-z0-9][a-z0-9._-]{0,63}$")


def _manifest(*workloads: dict) -> Manifest:
    return Manifest.model_validate({"workloads": list(workloads)})


def _workload(name: str, *endpoints: dict, flows: tuple[dict, ...] = ()) -> dict:
    return {"name": name, "owner": "o@example.org", "endpoints": list(endpoints), "data_flows": list(flows)}


def _endpoint(name: str, hosting: str = "closed_api") -> dict:
    base = {"api_base": "http://127.0.0.1:8000/v1"} if hosting == "self_hosted" else {}
    return {"name": name, "provider": "openai", "model": f"{name}-model", "hosting": hosting, **base}


def _by_id(config: dict) -> dict[str, dict]:
    return {d["model_info"]["id"]: d for d in config["model_list"]}


def test_every_group_gets_one_refusing_default_that_names_the_reason():
    config = export_litellm(_manifest(_workload("alpha", _endpoint("primary"))), load_taxonomy()).config
    refusals = [d for d in config["model_list"] if d["litellm_params"]["tags"] == ["default"]]
    assert [d["model_name"] for d in refusals] == list(GROUPS.values())
    for d in refusals:
        group = d["model_name"]
        assert d["litellm_params"]["mock_response"] == REFUSAL_PREFIX + REFUSAL.format(group=group)
        assert d["model_info"] == {"id": f"llm-audit:refusal:{group}", "enable_tag_filtering": True}
        assert d["litellm_params"]["api_base"] == "http://refusal.llm-audit.invalid/v1"
    assert config["router_settings"] == {"enable_tag_filtering": True, "tag_filtering_match_any": False}


def test_workloads_sharing_an_endpoint_name_get_one_deployment_each_with_one_tag():
    manifest = _manifest(
        _workload("alpha", _endpoint("primary"), _endpoint("primary-local", "self_hosted")),
        _workload("beta", _endpoint("primary")),
    )
    config = export_litellm(manifest, load_taxonomy()).config
    deployments = _by_id(config)
    assert sorted(deployments) == [
        "alpha/closed/primary",
        "alpha/self_hosted/primary-local",
        "beta/closed/primary",
        "llm-audit:refusal:closed",
        "llm-audit:refusal:self_hosted",
    ]
    assert deployments["beta/closed/primary"] == {
        "model_name": "closed",
        "litellm_params": {"model": "openai/primary-model", "api_key": "os.environ/OPENAI_API_KEY", "tags": ["beta"]},
        "model_info": {
            "id": "beta/closed/primary",
            "workload": "beta",
            "hosting": "closed_api",
            "endpoint": "primary",
            "agreements": [],
        },
    }
    assert deployments["alpha/self_hosted/primary-local"]["litellm_params"]["tags"] == ["alpha"]


def test_a_workload_whose_scans_require_self_hosting_loses_its_closed_deployment():
    manifest = _manifest(_workload("alpha", _endpoint("primary"), _endpoint("local", "self_hosted")))
    result = export_litellm(manifest, load_taxonomy(), {"alpha": Tier.SELF_HOSTED})
    assert sorted(_by_id(result.config)) == [
        "alpha/self_hosted/local",
        "llm-audit:refusal:closed",
        "llm-audit:refusal:self_hosted",
    ]
    assert result.closed_allowed == {"alpha": False} and result.workload_deployments == 1
    assert result.warnings == []


def test_a_workload_left_with_no_endpoint_is_warned_about():
    result = export_litellm(_manifest(_workload("alpha", _endpoint("primary"))), load_taxonomy(), {"alpha": Tier.STRIP})
    assert result.workload_deployments == 0
    assert result.warnings == [
        "alpha: its scans require strip, but it declares no self-hosted endpoint: its requests are refused"
    ]


def test_a_workload_named_default_is_refused():
    """LiteLLM serves untagged requests from deployments tagged `default`: such a workload would take them all."""
    with pytest.raises(ConfigError, match="workload 'default': LiteLLM sends untagged requests to that tag"):
        export_litellm(_manifest(_workload("default", _endpoint("primary"))), load_taxonomy())


HOSTILE = [
    "a/b",
    "../../etc",
    "ctl\x00\x1b[31m\nmodel_list: []",
    "x" * 500,
    "Primary",
    "primary",
    "   ",
    "\u2028line\u0085sep",
    "café: {x: 1}",
]


def test_hostile_inline_endpoint_names_give_unique_yaml_safe_ids():
    """Inline endpoints (in data flows) keep names as written; ids stay unique, bounded and plain."""
    flows = tuple(
        {
            "source": f"s{i}",
            "categories": [],
            "endpoint": {"name": name, "hosting": "self_hosted", "model": "m", "api_base": "http://10.0.0.9/v1"},
        }
        for i, name in enumerate(HOSTILE)
    )
    result = export_litellm(_manifest(_workload("alpha", flows=flows)), load_taxonomy())
    workload = [d for d in result.config["model_list"] if "workload" in d["model_info"]]
    ids = [d["model_info"]["id"] for d in workload]
    assert len(ids) == len(set(ids)) == len(HOSTILE)
    assert all(ID.match(i) and len(i) <= 100 for i in ids), ids
    assert sorted(d["model_info"]["endpoint"] for d in workload) == sorted(HOSTILE)
    text = yaml.safe_dump(result.config, sort_keys=False)
    assert all(c.isprintable() or c == "\n" for c in text) and text.isascii()
    assert yaml.safe_load(text) == result.config


def test_a_self_hosted_endpoint_without_an_address_is_never_exported():
    """LiteLLM would send its traffic, PHI included, to the provider's public API."""
    local = {"name": "local", "provider": "vllm", "model": "llama", "hosting": "self_hosted"}
    ollama = {"name": "laptop", "provider": "ollama", "model": "llama3", "hosting": "self_hosted"}
    result = export_litellm(_manifest(_workload("alpha", _endpoint("primary"), local, ollama)), load_taxonomy())
    assert sorted(_by_id(result.config)) == [
        "alpha/closed/primary",
        "alpha/self_hosted/laptop",
        "llm-audit:refusal:closed",
        "llm-audit:refusal:self_hosted",
    ]
    assert result.warnings == ["alpha: self-hosted endpoint 'local' has no api_base: not exported"]
