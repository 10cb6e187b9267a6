"""The workload manifest: pydantic models and a loader whose errors name the file and the field.

Log locations are paths or globs relative to the root (default: the
manifest's directory) and must stay inside it, symlinks resolved.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from audit import safe_yaml
from audit.errors import ConfigError
from audit.model import WorkloadProfile

Hosting = Literal["self_hosted", "closed_api"]
HipaaEntity = Literal["covered_entity", "business_associate", "none"]
Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")]
ISSUE_AGREEMENTS = ("BAA", "DPA", "PCI_AOC", "ZDR", "NO_TRAINING", "QSOA", "GLBA_CONTRACT", "CLIENT_CONSENT")


def known_agreements() -> tuple[str, ...]:
    """The agreement vocabulary: the policy packs' (audit.policy.schema), else the registry's own list."""
    try:
        from audit.policy.schema import AGREEMENTS
    except ImportError:  # policy schema not present: fall back to the registry's list
        return ISSUE_AGREEMENTS
    return tuple(dict.fromkeys((*ISSUE_AGREEMENTS, *AGREEMENTS)))


def _agreement(value: str) -> str:
    known = known_agreements()
    if value not in known:
        raise ValueError(f"unknown agreement {value!r}; known: {', '.join(known)}")
    return value


Agreement = Annotated[str, AfterValidator(_agreement)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EndpointSpec(_Strict):
    """A model endpoint: who serves which model where, under which agreements."""

    name: Name
    provider: str
    model: str
    hosting: Hosting
    region: str | None = None
    agreements: list[Agreement] = []
    # Used by routing and cost estimates (audit.flows); stored, not interpreted here.
    api_base: str | None = None
    input_per_million: float | None = Field(default=None, ge=0)
    output_per_million: float | None = Field(default=None, ge=0)


class DataSourceSpec(_Strict):
    """Where a workload's prompts come from, and the log locations to scan."""

    name: str
    description: str = ""
    logs: list[str] = []


class DataFlowSpec(_Strict):
    """A declared flow of data categories from a source to an endpoint: a name, or an inline endpoint."""

    name: str | None = None
    source: str
    categories: list[str] = []
    endpoint: str | dict | None = None  # kept a dict: the registry stores an inline endpoint as written
    redaction: bool = False

    @field_validator("endpoint")
    @classmethod
    def _known_endpoint_keys(cls, value: str | dict | None) -> str | dict | None:
        unknown = sorted(str(k) for k in value if k not in EndpointSpec.model_fields) if isinstance(value, dict) else []
        if unknown:
            raise ValueError(
                f"unknown endpoint field(s) {', '.join(unknown)}; known: {', '.join(EndpointSpec.model_fields)}"
            )
        return value


class WorkloadSpec(_Strict):
    """One workload as declared in the manifest."""

    name: Name
    owner: str
    description: str = ""
    domain: str | None = None
    hipaa_entity: HipaaEntity = "none"
    monthly_tokens: int | None = Field(default=None, ge=0)
    data_sources: list[DataSourceSpec] = []
    endpoints: list[EndpointSpec] = []
    data_flows: list[DataFlowSpec] = []
    traffic: dict | None = None  # request volumes for cost estimates (audit.flows)

    @model_validator(mode="after")
    def _unique_endpoints(self) -> WorkloadSpec:
        _unique([e.name for e in self.endpoints], "endpoint")
        return self

    def profile(self) -> WorkloadProfile:
        """The WorkloadProfile the policy engine sees for this workload."""
        return profile_for(
            self.name, self.hipaa_entity, self.domain, [(e.hosting, e.agreements) for e in self.endpoints]
        )


class Manifest(_Strict):
    """A manifest file: a version and its workloads."""

    version: Literal[1] = 1
    workloads: list[WorkloadSpec]
    endpoints: list[EndpointSpec] = []  # shared endpoints that data flows may name

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


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"duplicate {what} name {name!r}")
        seen.add(name)


def profile_for(name: str, hipaa_entity: str, domain: str | None, endpoints) -> WorkloadProfile:
    """A profile from (hosting, agreements) pairs.

    Hosting is closed_api if any endpoint is closed; the agreements are those
    common to every closed endpoint, since a prompt may go to any of them.
    """
    closed = [frozenset(agreements) for hosting, agreements in endpoints if hosting == "closed_api"]
    if closed:
        hosting, agreements = "closed_api", frozenset.intersection(*closed)
    else:
        hosting, agreements = ("self_hosted" if endpoints else None), frozenset()
    return WorkloadProfile(name=name, hipaa_entity=hipaa_entity, hosting=hosting, agreements=agreements, domain=domain)


def load_manifest(path: str | Path, root: str | Path | None = None) -> Manifest:
    """Parse and validate a manifest; ConfigError names the file and the field. Checks log containment."""
    path = Path(path)
    try:
        data = safe_yaml.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read manifest: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(safe_yaml.error_line(str(path), exc)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a manifest is a mapping with a 'workloads' list")
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_field_error(exc, data)}") from None
    check_log_locations(manifest, path, Path(root) if root else path.parent)
    return manifest


def _field_error(exc: ValidationError, data: dict) -> str:
    first = exc.errors()[0]
    parts: list[str] = []
    node = data
    for item in first["loc"]:
        if isinstance(item, int):
            label = f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                label += f"({node['name']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    where = "".join(parts) or "manifest"
    return f"{where}: {first['msg']}"


def check_log_locations(manifest: Manifest, path: Path, root: Path) -> None:
    """ConfigError unless every log location (and every file it matches) stays under `root`."""
    for w in manifest.workloads:
        for i, source in enumerate(w.data_sources):
            for j, pattern in enumerate(source.logs):
                field = f"workloads({w.name}).data_sources[{i}].logs[{j}]"
                try:
                    log_files(pattern, root)
                except ValueError as exc:
                    raise ConfigError(f"{path}: {field}: {exc}") from None


def log_files(pattern: str, root: Path) -> list[Path]:
    """Files matching a log location under `root`; ValueError when it (or a match) leaves `root`."""
    base = root.resolve()
    target = Path(pattern) if Path(pattern).is_absolute() else base / pattern
    fixed = Path(*[p for p in target.parts[: _first_glob(target.parts)]]) if target.parts else target
    if not _inside(fixed.resolve(), base):
        raise ValueError(f"{pattern!r} is outside the root {base}")
    matches = [Path(m) for m in sorted(glob.glob(str(target), recursive=True))]
    for m in matches:
        if not _inside(m.resolve(), base):
            raise ValueError(f"{pattern!r} matches {m}, which resolves outside the root {base}")
    return [m for m in matches if m.is_file()]


def _first_glob(parts: tuple[str, ...]) -> int:
    for i, part in enumerate(parts):
        if any(c in part for c in "*?["):
            return i
    return len(parts)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def profiles_from_manifest(path: str | Path, root: str | Path | None = None) -> dict[str, WorkloadProfile]:
    """Workload profiles straight from a manifest file, without a database."""
    return {w.name: w.profile() for w in load_manifest(path, root).workloads}
