"""Declared data flows: what each workload sends, from where, to which endpoint.

The registry's loader (audit.store.manifest) validates the file; this module
keeps the parts flows, routing and cost use (each workload's endpoints, data
flows and traffic, plus shared top-level endpoints) and resolves which endpoint
each flow reaches.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from audit.errors import ConfigError

HOSTINGS = ("self_hosted", "closed_api")
LITELLM_PROVIDERS = frozenset(
    {"openai", "anthropic", "azure", "bedrock", "vertex_ai", "gemini", "mistral", "cohere", "groq",
     "together_ai", "fireworks_ai", "hosted_vllm", "ollama", "huggingface", "deepseek", "xai"}
)  # fmt: skip
# Agreements with the data subjects or clients, not with a vendor: they follow the workload to any endpoint.
SUBJECT_CONSENTS = frozenset({"CLIENT_CONSENT", "PART2_CONSENT", "BIOMETRIC_RELEASE", "ORDER_PERMITS"})


class Endpoint(BaseModel):
    """A model endpoint a flow reaches: where it runs and which agreements cover it."""

    # Lenient on purpose: the manifest loader refuses unknown fields, and endpoints stored
    # by earlier imports may carry fields (region, ...) that routing does not use.
    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    hosting: str = "closed_api"
    provider: str | None = None
    model: str | None = None  # LiteLLM model string, e.g. "openai/gpt-4o" or "hosted_vllm/meta-llama/..."
    api_base: str | None = None
    agreements: frozenset[str] = frozenset()
    input_per_million: float | None = None  # closed API prices; None: pricing.yaml defaults
    output_per_million: float | None = None

    @field_validator("hosting")
    @classmethod
    def _hosting(cls, value: str) -> str:
        if value not in HOSTINGS:
            raise ValueError(f"must be one of {', '.join(HOSTINGS)}")
        return value

    @property
    def closed(self) -> bool:
        """True for a closed (third-party) API."""
        return self.hosting == "closed_api"

    @property
    def litellm_model(self) -> str:
        """The model string LiteLLM expects: provider/model; an OpenAI-compatible server for self-hosted ones."""
        model = self.model or self.name
        if self.provider in LITELLM_PROVIDERS:
            return model if model.startswith(f"{self.provider}/") else f"{self.provider}/{model}"
        if not self.closed:  # vLLM, TGI, llama.cpp... all speak the OpenAI API at api_base
            return f"openai/{model}"
        return f"{self.provider}/{model}" if self.provider else model


class DataFlow(BaseModel):
    """One declared flow: a source, the data categories it carries, and the endpoint it reaches."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    source: str
    categories: tuple[str, ...] = ()
    endpoint: str | Endpoint | None = None
    redaction: bool = False  # True: the flow redacts identifiers before the endpoint sees them


class Traffic(BaseModel):
    """Monthly volume used by the cost model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests_per_month: float = 0
    input_tokens_per_request: float = 800
    output_tokens_per_request: float = 250
    self_hosted_share: float | None = Field(None, ge=0, le=1)  # share of requests that must stay self-hosted


class WorkloadFlows(BaseModel):
    """The parts of a workload's manifest entry that flows, routing and cost use."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str
    domain: str | None = None
    hipaa_entity: str = "none"
    hosting: str | None = None
    agreements: frozenset[str] = frozenset()
    endpoints: tuple[Endpoint, ...] = ()
    data_flows: tuple[DataFlow, ...] = ()
    monthly_tokens: float | None = None  # the registry's single volume figure (input + output)
    traffic: Traffic | None = None

    @property
    def categories(self) -> set[str]:
        """Every category declared across the workload's flows."""
        return {c for f in self.data_flows for c in f.categories}


class FlowManifest(BaseModel):
    """Workloads with their flows, and the endpoints they name."""

    model_config = ConfigDict(extra="allow", frozen=True)

    workloads: tuple[WorkloadFlows, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()

    def workload(self, name: str) -> WorkloadFlows:
        """The workload called `name`; ConfigError when the manifest has none."""
        for w in self.workloads:
            if w.name == name:
                return w
        raise ConfigError(f"workload {name!r} is not in the manifest ({', '.join(w.name for w in self.workloads)})")

    def endpoint_for(self, workload: WorkloadFlows, flow: DataFlow) -> Endpoint:
        """The endpoint a flow reaches: named (workload's, then top-level), inline, the workload's only one, or implied."""
        if isinstance(flow.endpoint, Endpoint):
            return flow.endpoint
        if flow.endpoint:
            for e in (*workload.endpoints, *self.endpoints):
                if e.name == flow.endpoint:
                    return e
            raise ConfigError(
                f"workload {workload.name!r}: flow {flow.name or flow.source!r} names unknown endpoint {flow.endpoint!r}"
            )
        if len(workload.endpoints) == 1:
            return workload.endpoints[0]
        return Endpoint(
            name=f"{workload.name} ({workload.hosting or 'closed_api'})",
            hosting=workload.hosting or "closed_api",
            agreements=workload.agreements,
        )

    def endpoints_of(self, workload: WorkloadFlows) -> list[Endpoint]:
        """The distinct endpoints a workload declares or its flows reach."""
        found: dict[str, Endpoint] = {e.name: e for e in workload.endpoints}
        for flow in workload.data_flows:
            e = self.endpoint_for(workload, flow)
            found.setdefault(e.name, e)
        return list(found.values())

    def agreements_for(self, workload: WorkloadFlows, endpoint: Endpoint) -> frozenset[str]:
        """Agreements in force for data reaching `endpoint`: the endpoint's plus the workload's subject consents."""
        return endpoint.agreements | (workload.agreements & SUBJECT_CONSENTS)


def parse_manifest(data: Any, where: str = "manifest") -> FlowManifest:
    """A FlowManifest from the manifest's parsed YAML; ConfigError names the bad field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping with a 'workloads' key")
    workloads = data.get("workloads") or []
    if isinstance(workloads, dict):  # name -> entry
        workloads = [{"name": k, **(v or {})} for k, v in workloads.items()]
    try:
        return FlowManifest(workloads=workloads, endpoints=data.get("endpoints") or [])
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{where}: {loc}: {first['msg']}") from None


def load_manifest(path: str | Path) -> FlowManifest:
    """Read a workload manifest, validated by the registry's loader (audit.store.manifest), as a FlowManifest."""
    from audit.store.manifest import load_manifest as load_registry_manifest

    validated = load_registry_manifest(path)
    return parse_manifest(validated.model_dump(mode="python"), str(path))
