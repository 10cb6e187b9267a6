"""One manifest model: a file and the registry's rows build the same Manifest; one vocabulary for all."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.errors import ConfigError
from audit.flows.stored import load_registry_manifest
from audit.manifest import DeclaredEndpoint, Endpoint, Manifest
from audit.policy.schema import AGREEMENTS
from audit.store.manifest import load_manifest
from audit.store.registry import Registry
from audit.vocabulary import Agreement, HipaaEntity, Hosting

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"
INLINE = """
endpoints:
  - {name: shared, provider: openai, model: gpt-4o, hosting: closed_api, agreements: [DPA], input_per_million: 3}
workloads:
  - name: w1
    owner: team@example.com
    hipaa_entity: covered_entity
    traffic: {requests_per_month: 1200, self_hosted_share: 0.5}
    endpoints:
      - {name: api, provider: anthropic, model: claude, hosting: closed_api, agreements: [ZDR, BAA]}
    data_flows:
      - {source: s, categories: [user.name], endpoint: shared}
      - {source: s, categories: [user.health_and_medical], endpoint: {name: x, hosting: self_hosted, output_per_million: 2}}
"""


def _routing_view(manifest: Manifest) -> dict:
    """What flows and routing read of each workload (the registry keeps agreements sorted)."""
    return {
        w.name: (
            w.profile(),
            w.categories,
            [(e.name, e.hosting, frozenset(e.agreements)) for e in manifest.endpoints_of(w)],
        )
        for w in manifest.workloads
    }


@pytest.mark.parametrize("text", [SAMPLE.read_text(encoding="utf-8"), INLINE])
def test_the_registry_builds_the_manifest_the_file_does(tmp_path, text):
    path = tmp_path / "workloads.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "logs").mkdir()
    registry = Registry.open(f"sqlite:///{tmp_path / 'reg.db'}", home=tmp_path)
    try:
        registry.import_manifest(path)
        stored = load_registry_manifest(registry)
    finally:
        registry.close()
    from_file = load_manifest(path)
    assert isinstance(stored, Manifest) and _routing_view(stored) == _routing_view(
        from_file.model_copy(update={"workloads": tuple(sorted(from_file.workloads, key=lambda w: w.name))})
    )


def test_a_flow_keeps_its_inline_endpoint_as_written_and_the_spec_keeps_traffic_as_written(tmp_path):
    path = tmp_path / "workloads.yaml"
    path.write_text(INLINE, encoding="utf-8")
    (w,) = load_manifest(path).workloads
    assert w.data_flows[1].inline_endpoint() == {"name": "x", "hosting": "self_hosted", "output_per_million": 2}
    assert w.model_dump(mode="json")["traffic"] == {"requests_per_month": 1200, "self_hosted_share": 0.5}
    assert isinstance(w.endpoints[0], DeclaredEndpoint) and type(w.data_flows[1].endpoint) is Endpoint


def test_traffic_is_checked_like_every_other_field(tmp_path):
    path = tmp_path / "workloads.yaml"
    path.write_text(INLINE.replace("requests_per_month:", "requests_per_mnth:"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_manifest(path)
    assert str(err.value) == f"{path}: workloads[0](w1).traffic.requests_per_mnth: Extra inputs are not permitted"


def test_vocabularies_are_strings_defined_once():
    assert list(AGREEMENTS) == list(Agreement) and all(AGREEMENTS[a] == a.description for a in Agreement)
    assert (f"{Hosting.CLOSED_API}", f"{HipaaEntity.NONE}") == ("closed_api", "none")
    assert Endpoint(name="e", hosting="self_hosted", agreements=["BAA"]).model_dump(mode="json")["agreements"] == [
        "BAA"
    ]
