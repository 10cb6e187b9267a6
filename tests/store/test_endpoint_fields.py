"""Endpoints keep api_base and prices in the registry (migration 0004), and `verify` covers them.

Before 0004 the endpoints table held neither, so routing from the registry exported self-hosted
deployments without api_base (LiteLLM then calls the provider's public API) and `recommend` lost
per-endpoint prices. A registry written at 0003 must still verify once upgraded: its events hashed
endpoint rows without the new columns, which the migration fills from the workload's stored spec.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic import command
from sqlalchemy import MetaData, text
from sqlalchemy.orm import Session

from audit.flows.stored import load_registry_manifest
from audit.store import digests, events, migrate
from audit.store.db import make_engine, utcnow
from audit.store.manifest import load_manifest
from audit.store.registry import Registry, flow_rows, spec_hash
from tests.conftest import invoke

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"
LOCAL = "http://10.0.0.5:8000/v1"
SHARED_GPU = "http://gpu.internal.example:9000/v1"
MANIFEST = f"""\
version: 1
endpoints:
  - name: shared-gpu
    provider: vllm
    model: qwen2.5-72b-instruct
    hosting: self_hosted
    api_base: {SHARED_GPU}
workloads:
  - name: clinic
    owner: clinic@example.test
    domain: healthcare
    hipaa_entity: covered_entity
    monthly_tokens: 5000000
    endpoints:
      - name: primary            # declared before `local`: the registry must keep this order
        provider: openai
        model: gpt-4o-mini
        hosting: closed_api
        agreements: [DPA, ZDR]
        api_base: http://127.0.0.1:9101/v1
        input_per_million: 0.15
        output_per_million: 0.6
      - name: local
        provider: vllm
        model: llama-3.1-8b-instruct
        hosting: self_hosted
        api_base: {LOCAL}
    data_flows:
      - source: intake
        categories: [user.health_and_medical]
        endpoint: local
  - name: support
    owner: support@example.test
    domain: retail
    traffic:
      requests_per_month: 120000
      self_hosted_share: 0.25
    endpoints:
      - name: assist
        provider: anthropic
        model: claude-sonnet
        hosting: closed_api
        agreements: [DPA, NO_TRAINING]
        input_per_million: 2
        output_per_million: 8
    data_flows:
      - source: chat
        categories: [user.name]
        endpoint: shared-gpu
      - source: tickets
        categories: [user.contact.email]
        endpoint:
          name: edge
          provider: ollama
          model: llama3.2
          hosting: self_hosted
          api_base: http://edge.example.test:11434
          input_per_million: 0.05
"""
WORKLOAD = r"workloads row \d+ \(with its endpoints and data_flows\): does not match event \d+ \(altered\?\)"
MARK = "TAMPERED"


@pytest.fixture
def manifest(tmp_path) -> Path:
    path = tmp_path / "workloads.yaml"
    path.write_text(MANIFEST)
    return path


def _registry_manifest(url: str):
    registry = Registry.open(url)
    try:
        return load_registry_manifest(registry)
    finally:
        registry.close()


def _assert_same_endpoints(url: str, path: Path) -> None:
    """Every workload's endpoints (own, then every one its flows reach) as the file declares them, in order."""
    from_file, from_registry = load_manifest(path), _registry_manifest(url)
    stored = {w.name: w for w in from_registry.workloads}
    assert sorted(stored) == sorted(w.name for w in from_file.workloads)
    for w in from_file.workloads:
        got = stored[w.name]
        assert got.endpoints == w.endpoints, w.name  # api_base and prices included, as floats
        reached = [e.model_dump(mode="json") for e in from_registry.endpoints_of(got)]
        assert reached == [e.model_dump(mode="json") for e in from_file.endpoints_of(w)], w.name
        assert got.traffic == w.traffic, w.name


def _verify(url: str) -> tuple[int, str, str]:
    return invoke("registry", "verify", "--db", url)


def _sql(url: str, statement: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_import_round_trips_api_base_and_prices(db_url, manifest):
    code, out, err = invoke("registry", "import", str(manifest), "--db", db_url)
    assert code == 0, err
    assert out.splitlines()[-1] == "2 added, 0 changed, 0 unchanged"
    _assert_same_endpoints(db_url, manifest)
    clinic = next(w for w in _registry_manifest(db_url).workloads if w.name == "clinic")
    assert [(e.name, e.api_base, e.input_per_million, e.output_per_million) for e in clinic.endpoints] == [
        ("primary", "http://127.0.0.1:9101/v1", 0.15, 0.6),
        ("local", LOCAL, None, None),
    ]
    support = next(w for w in _registry_manifest(db_url).workloads if w.name == "support")
    assert [(e.input_per_million, type(e.input_per_million)) for e in support.endpoints] == [(2.0, float)]
    code, out, err = _verify(db_url)
    assert code == 0, err


def test_the_sample_manifest_round_trips(db_url):
    code, _, err = invoke("registry", "import", str(SAMPLE), "--db", db_url)
    assert code == 0, err
    _assert_same_endpoints(db_url, SAMPLE)


def test_reimport_with_a_changed_api_base_is_a_change(db_url, manifest):
    assert invoke("registry", "import", str(manifest), "--db", db_url)[0] == 0
    manifest.write_text(MANIFEST.replace(LOCAL, "http://10.0.0.6:8000/v1"))
    code, out, err = invoke("registry", "import", str(manifest), "--db", db_url)
    assert code == 0, err
    assert out.splitlines() == [
        "changed    clinic (endpoints)",
        "unchanged  support",
        "0 added, 1 changed, 1 unchanged",
    ]
    _assert_same_endpoints(db_url, manifest)
    registry = Registry.open(db_url)
    try:
        again = registry.import_manifest(manifest)
        assert again.changed == {} and sorted(again.unchanged) == ["clinic", "support"]
    finally:
        registry.close()
    code, out, err = _verify(db_url)
    assert code == 0, err
    assert re.fullmatch(r"event log intact: 3 events and the rows they cover, head 3:[0-9a-f]{64}\n", out)


@pytest.mark.parametrize(
    "change",
    [
        f"api_base = 'http://{MARK}.example/v1' WHERE name = 'local'",  # self-hosted traffic sent elsewhere
        "api_base = NULL WHERE name = 'local'",  # ... or to the provider's public API
        "api_base = 'http://10.0.0.5:8000/v1' WHERE name = 'primary'",
        "input_per_million = 0.01 WHERE name = 'primary'",
        "output_per_million = 99 WHERE name = 'local'",
    ],
)
def test_tampering_with_api_base_or_prices_is_detected(db_url, manifest, change):
    assert invoke("registry", "import", str(manifest), "--db", db_url)[0] == 0
    _sql(db_url, f"UPDATE endpoints SET {change}")
    code, out, err = _verify(db_url)
    assert code == 3 and out == ""
    assert re.search(WORKLOAD, err) and MARK not in err and "10.0.0.5" not in err, err


def _write_at_0003(url: str, path: Path) -> None:
    """What llm-audit at migration 0003 wrote for `audit registry import`: endpoints without api_base or prices,
    and workload.added events whose state_sha256 hashed the six endpoint columns it had."""
    engine = make_engine(url, create=True)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0003")
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    assert "api_base" not in t["endpoints"].c
    key = Registry(engine, url).chain_key
    parsed = load_manifest(path)
    now = utcnow()
    with Session(engine, info={events.KEY_INFO: key}) as session, session.begin():
        for spec in parsed.workloads:
            data = spec.model_dump(mode="json")
            workload = {
                "name": spec.name, "owner": spec.owner, "description": spec.description, "domain": spec.domain,
                "hipaa_entity": str(spec.hipaa_entity), "monthly_tokens": spec.monthly_tokens, "spec": data,
                "spec_hash": spec_hash(data), "manifest_path": str(path),
            }  # fmt: skip
            workload_id = session.execute(
                t["workloads"]
                .insert()
                .values(**workload, created_at=now, updated_at=now)
                .returning(t["workloads"].c.id)
            ).scalar_one()
            endpoints = [
                {"name": e.name, "provider": e.provider, "model": e.model, "hosting": str(e.hosting),
                 "region": e.region, "agreements": sorted(map(str, e.agreements))}
                for e in spec.endpoints
            ]  # fmt: skip
            flows = flow_rows(spec, parsed.endpoints)
            session.execute(t["endpoints"].insert(), [{**e, "workload_id": workload_id} for e in endpoints])
            session.execute(t["data_flows"].insert(), [{**f, "workload_id": workload_id} for f in flows])
            state = digests.workload_digest(SimpleNamespace(**workload, endpoints=endpoints, data_flows=flows), 1)
            payload = {"spec_sha256": workload["spec_hash"], "fields": sorted(data), "manifest": str(path),
                       "state_sha256": state}  # fmt: skip
            events.append(session, "workload.added", spec.name, payload)
    engine.dispose()


def _upgrade(url: str) -> None:
    if url.startswith("postgresql"):
        migrate.upgrade(make_engine(url), url)  # servers are upgraded explicitly
    Registry.open(url).close()  # a SQLite file is backed up and upgraded on open


def test_a_registry_made_at_0003_verifies_after_the_upgrade_and_routes_as_the_manifest(db_url, manifest):
    _write_at_0003(db_url, manifest)
    _upgrade(db_url)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert migrate.schema_state(conn).current == migrate.head_revision()
    engine.dispose()
    code, out, err = _verify(db_url)
    assert code == 0, err
    assert re.fullmatch(r"event log intact: 2 events and the rows they cover, head 2:[0-9a-f]{64}\n", out)
    _assert_same_endpoints(db_url, manifest)  # backfilled from the stored spec: no re-import needed

    registry = Registry.open(db_url)
    try:
        again = registry.import_manifest(manifest)  # the same spec: nothing to change, the 0003 events stand
        assert again.changed == {} and sorted(again.unchanged) == ["clinic", "support"]
    finally:
        registry.close()
    assert _verify(db_url)[0] == 0
    manifest.write_text(MANIFEST.replace(LOCAL, "http://10.0.0.6:8000/v1"))
    code, out, err = invoke("registry", "import", str(manifest), "--db", db_url)
    assert code == 0 and out.splitlines()[0] == "changed    clinic (endpoints)", err
    code, out, err = _verify(db_url)
    assert code == 0, err
    _assert_same_endpoints(db_url, manifest)


@pytest.mark.parametrize(
    "change",
    [
        f"api_base = 'http://{MARK}.example/v1' WHERE name = 'local'",
        "api_base = NULL WHERE name = 'local'",
        "input_per_million = 0.01 WHERE name = 'primary'",
        "output_per_million = 1 WHERE name = 'assist'",
    ],
)
def test_tampering_after_the_upgrade_from_0003_is_detected(db_url, manifest, change):
    """The 0003 events did not hash the new columns; the stored spec they do hash says what those must hold."""
    _write_at_0003(db_url, manifest)
    _upgrade(db_url)
    assert _verify(db_url)[0] == 0
    _sql(db_url, f"UPDATE endpoints SET {change}")
    code, out, err = _verify(db_url)
    assert code == 3 and out == ""
    assert re.search(WORKLOAD, err) and MARK not in err, err


def _body(text_: str) -> str:
    """The YAML body: the first line names the source (the registry, or the manifest file)."""
    first, _, rest = text_.partition("\n")
    assert first.startswith("# LiteLLM proxy config generated by `audit route export` from "), first
    return rest


@pytest.mark.parametrize("which", ["test", "sample"])
def test_route_export_and_recommend_from_the_registry_equal_the_manifest(db_url, manifest, which):
    path = manifest if which == "test" else SAMPLE
    code, _, err = invoke("registry", "import", str(path), "--db", db_url)
    assert code == 0, err
    export = ("route", "export", "--target", "litellm", "--db", db_url)
    code, from_registry, err = invoke(*export)
    assert code == 0, err
    assert "from the registry." in from_registry.splitlines()[0]
    code, from_manifest, err = invoke(*export, "--manifest", str(path))
    assert code == 0, err
    assert _body(from_registry) == _body(from_manifest)
    if which == "test":
        for api_base in (LOCAL, SHARED_GPU, "http://edge.example.test:11434"):
            assert f"api_base: {api_base}\n" in from_registry
    recommend = ("recommend", "--format", "json", "--db", db_url)
    code, rec_registry, err = invoke(*recommend)
    assert code == 0, err
    code, rec_manifest, err = invoke(*recommend, "--manifest", str(path))
    assert code == 0, err
    by_workload = [
        {**data, "recommendations": sorted(data["recommendations"], key=lambda r: r["workload"])}
        for data in (json.loads(rec_registry), json.loads(rec_manifest))
    ]  # the registry lists workloads by name, the manifest as written
    assert by_workload[0] == by_workload[1]
