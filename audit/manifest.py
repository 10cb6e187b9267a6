"""The workload manifest: one strict model read by the registry, flows and routing.

A manifest file (audit.store.manifest.load_manifest) and the registry's rows
(audit.flows.stored.manifest_from_rows) both build a `Manifest`; nothing is
dumped and validated again on the way. Hosting, HIPAA role and agreements are
the enums of audit.vocabulary.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_serializer,
    field_validator,
    model_validator,
)

from audit.errors import ConfigError
from audit.model import WorkloadProfile
from audit.vocabulary import Agreement, HipaaEntity, Hosting

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")]
# As written: the registry hashes each workload's spec, and 1 and 1.0 hash apart.
Number = int | float
LITELLM_PROVIDERS = frozenset(
    {"openai", "anthropic", "azure", "bedrock", "vertex_ai", "gemini", "mistral", "cohere", "groq",
     "together_ai", "fireworks_ai", "hosted_vllm", "ollama", "huggingface", "deepseek", "xai"}
)  # fmt: skip


_AGREEMENTS = frozenset(Agreement)


def _known_agreement(value: object) -> object:
    if isinstance(value, str) and value not in _AGREEMENTS:
        raise ValueError(f"unknown agreement {value!r}; known: {', '.join(Agreement)}")
    return value


AgreementName = Annotated[Agreement, BeforeValidator(_known_agreement)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Endpoint(_Strict):
    """A model endpoint: who serves which model where, under which agreements.

    This base form is what a data flow may write inline (only the name is required) and
    what routing implies; `DeclaredEndpoint` is the form a manifest declares by name.
    """

    name: str
    provider: str | None = None
    model: str | None = None  # LiteLLM model string, e.g. "openai/gpt-4o" or "hosted_vllm/meta-llama/..."
    hosting: Hosting = Hosting.CLOSED_API
    region: str | None = None
    agreements: tuple[AgreementName, ...] = ()
    api_base: str | None = None
    input_per_million: Number | None = Field(default=None, ge=0)  # closed API prices; None: pricing.yaml defaults
    output_per_million: Number | None = Field(default=None, ge=0)

    @property
    def closed(self) -> bool:
        """True for a closed (third-party) API."""
        return self.hosting == Hosting.CLOSED_API

    @property
    def litellm_model(self) -> str:
        """The model string LiteLLM expects: provider/model; an OpenAI-compatible server for self-hosted ones."""
        model = self.model or self.name
        if self.provider in LITELLM_PROVIDERS:
            return model if model.startswith(f"{self.provider}/") else f"{self.provider}/{model}"
        if not self.closed:  # vLLM, TGI, llama.cpp... all speak the OpenAI API at api_base
            return f"openai/{model}"
        return f"{self.provider}/{model}" if self.provider else model


class DeclaredEndpoint(Endpoint):
    """An endpoint a manifest declares by name (a workload's own or a shared one): everything stated."""

    name: Name
    provider: str
    model: str
    hosting: Hosting
    # Floats, as the registry has always hashed declared endpoints (inline ones keep the number as written).
    input_per_million: float | None = Field(default=None, ge=0)
    output_per_million: float | None = Field(default=None, ge=0)


class DataSource(_Strict):
    """Where a workload's prompts come from, and the log locations to scan."""

    name: str
    description: str = ""
    logs: tuple[str, ...] = ()


def _endpoint_form(value: object) -> str:
    return "inline" if isinstance(value, dict | Endpoint) else "name"


FlowEndpoint = Annotated[
    Annotated[str, Tag("name")] | Annotated[Endpoint, Tag("inline")], Discriminator(_endpoint_form)
]


class DataFlow(_Strict):
    """A declared flow of data categories from a source to an endpoint: a name, or an inline endpoint."""

    name: str | None = None
    source: str
    categories: tuple[str, ...] = ()
    endpoint: FlowEndpoint | None = None
    redaction: bool = False  # True: the flow redacts identifiers before the endpoint sees them

    @field_validator("endpoint", mode="before")
    @classmethod
    def _known_endpoint_keys(cls, value: object) -> object:
        unknown = sorted(str(k) for k in value if k not in Endpoint.model_fields) if isinstance(value, dict) else []
        if unknown:
            raise ValueError(
                f"unknown endpoint field(s) {', '.join(unknown)}; known: {', '.join(Endpoint.model_fields)}"
            )
        return value

    @field_serializer("endpoint")
    def _endpoint_as_written(self, value: str | Endpoint | None) -> str | dict | None:
        return self.inline_endpoint() if isinstance(value, Endpoint) else value

    def inline_endpoint(self) -> dict | None:
        """An inline endpoint with the fields it was written with (the registry stores it so), else None."""
        if not isinstance(self.endpoint, Endpoint):
            return None
        return self.endpoint.model_dump(mode="json", exclude_unset=True)


class Traffic(_Strict):
    """Monthly volume used by the cost model."""

    requests_per_month: Number = 0
    input_tokens_per_request: Number = 800
    output_tokens_per_request: Number = 250
    self_hosted_share: Number | None = Field(None, ge=0, le=1)  # share of requests that must stay self-hosted


class Workload(_Strict):
    """One workload as declared in the manifest."""

    name: Name
    owner: str
    description: str = ""
    domain: str | None = None
    hipaa_entity: HipaaEntity = HipaaEntity.NONE
    monthly_tokens: int | None = Field(default=None, ge=0)  # the registry's single volume figure (input + output)
    data_sources: tuple[DataSource, ...] = ()
    endpoints: tuple[DeclaredEndpoint, ...] = ()
    data_flows: tuple[DataFlow, ...] = ()
    traffic: Traffic | None = None  # request volumes for cost estimates

    @model_validator(mode="after")
    def _unique_endpoints(self) -> Workload:
        _unique([e.name for e in self.endpoints], "endpoint")
        return self

    @field_serializer("traffic")
    def _traffic_as_written(self, value: Traffic | None) -> dict | None:
        return value.model_dump(mode="json", exclude_unset=True) if value is not None else None

    @property
    def categories(self) -> set[str]:
        """Every category declared across the workload's flows."""
        return {c for f in self.data_flows for c in f.categories}

    def profile(self) -> WorkloadProfile:
        """The WorkloadProfile the policy engine sees for this workload."""
        return profile_for(
            self.name, self.hipaa_entity, self.domain, [(e.hosting, e.agreements) for e in self.endpoints]
        )


class Manifest(_Strict):
    """A manifest: a version, its workloads, and shared endpoints that data flows may name."""

    version: Literal[1] = 1
    workloads: tuple[Workload, ...]
    endpoints: tuple[DeclaredEndpoint, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Manifest:
        _unique([w.name for w in self.workloads], "workload")
        shared = {e.name for e in self.endpoints}
        for w in self.workloads:
            names = shared | {e.name for e in w.endpoints}
            for flow in w.data_flows:
                if isinstance(flow.endpoint, str) and flow.endpoint not in names:
                    raise ValueError(f"workload {w.name!r}: data flow to unknown endpoint {flow.endpoint!r}")
        return self

    def workload(self, name: str) -> Workload:
        """The workload called `name`; ConfigError when the manifest has none."""
        for w in self.workloads:
            if w.name == name:
                return w
        raise ConfigError(f"workload {name!r} is not in the manifest ({', '.join(w.name for w in self.workloads)})")

    def endpoint_for(self, workload: Workload, flow: DataFlow) -> Endpoint:
        """The endpoint a flow reaches: named (workload's, then shared), inline, the workload's only one, or implied."""
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
        return Endpoint(name=f"{workload.name} ({Hosting.CLOSED_API})", hosting=Hosting.CLOSED_API)

    def endpoints_of(self, workload: Workload) -> list[Endpoint]:
        """The distinct endpoints a workload declares or its flows reach."""
        found: dict[str, Endpoint] = {e.name: e for e in workload.endpoints}
        for flow in workload.data_flows:
            e = self.endpoint_for(workload, flow)
            found.setdefault(e.name, e)
        return list(found.values())

    def agreements_for(self, workload: Workload, endpoint: Endpoint) -> frozenset[str]:
        """Agreements in force for data of `workload` reaching `endpoint`: the endpoint's."""
        return frozenset(endpoint.agreements)


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate {what} name {name!r}")
        seen.add(name)


def profile_for(name: str, hipaa_entity: str, domain: str | None, endpoints) -> WorkloadProfile:
    """A profile from (hosting, agreements) pairs, with plain strings as the registry's rows hold them.

    Hosting is closed_api if any endpoint is closed; the agreements are those
    common to every closed endpoint, since a prompt may go to any of them.
    """
    closed = [frozenset(map(str, agreements)) for hosting, agreements in endpoints if hosting == Hosting.CLOSED_API]
    if closed:
        hosting, agreements = Hosting.CLOSED_API.value, frozenset.intersection(*closed)
    else:
        hosting, agreements = (Hosting.SELF_HOSTED.value if endpoints else None), frozenset()
    return WorkloadProfile(
        name=name, hipaa_entity=str(hipaa_entity), hosting=hosting, agreements=agreements, domain=domain
    )


def unknown_workload(name: str | None, known, quote: bool = True) -> str | None:
    """Why `name` names no known workload, with the close matches; None when it is known, unset, or there
    is nothing to check against (no registry or manifest in use: `known` empty). `quote=False` leaves the
    name itself out (an HTTP answer never echoes its request)."""
    known = sorted(known)
    if not name or not known or name in known:
        return None
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"did you mean {', '.join(map(repr, close))}?" if close else f"registered: {', '.join(known[:10])}"
    return f"no workload named {name!r}: {hint}" if quote else f"no workload of that name: {hint}"


def check_workload(name: str | None, known, option: str = "--workload") -> None:
    """Raise ConfigError (exit 2) when `name` is not among `known` (see `unknown_workload`): a typo must not
    move evidence to a workload that does not exist."""
    problem = unknown_workload(name, known)
    if problem:
        raise ConfigError(f"{option}: {problem}")
