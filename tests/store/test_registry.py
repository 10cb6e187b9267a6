"""Import, profiles and waivers through the library API, on a real database."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit.errors import ConfigError
from audit.store.db import read_session
from audit.store.models import DataFlowRow, Endpoint, Event, Workload
from audit.store.registry import load_workload_profiles

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"
NAMES = ["patient-intake", "card-support", "contract-review", "code-helper"]


def test_import_is_idempotent_and_reports_changes(registry, tmp_path):
    first = registry.import_manifest(SAMPLE, root=SAMPLE.parent)
    assert first.added == NAMES and not first.changed and not first.unchanged
    again = registry.import_manifest(SAMPLE, root=SAMPLE.parent)
    assert again.unchanged == NAMES and not again.added and not again.changed
    edited = tmp_path / "workloads.yaml"
    text = SAMPLE.read_text().replace("owner: devex@example.com", "owner: platform@example.com")
    edited.write_text(text)
    third = registry.import_manifest(edited, root=SAMPLE.parent)
    assert third.changed == {"code-helper": ["owner"]}
    with read_session(registry.engine) as s:
        assert s.scalar(select(func.count()).select_from(Workload)) == 4
        assert s.scalar(select(func.count()).select_from(Endpoint)) == 4
        kinds = s.scalars(select(Event.kind).order_by(Event.seq)).all()
    assert kinds == ["workload.added"] * 4 + ["workload.changed"]


def test_endpoint_changes_replace_endpoints(registry, tmp_path):
    registry.import_manifest(SAMPLE)
    edited = tmp_path / "w.yaml"
    text = SAMPLE.read_text().replace("agreements: [DPA, ZDR]", "agreements: [BAA, DPA, ZDR]")
    edited.write_text(text)
    report = registry.import_manifest(edited, root=SAMPLE.parent)
    assert report.changed == {"patient-intake": ["endpoints"]}
    assert "BAA" in registry.profiles()["patient-intake"].agreements


def test_prune_removes_workloads_missing_from_the_manifest(registry, tmp_path):
    registry.import_manifest(SAMPLE)
    only = tmp_path / "one.yaml"
    only.write_text("workloads:\n  - {name: code-helper, owner: devex@example.com}\n")
    kept = registry.import_manifest(only)
    assert kept.absent == sorted(set(NAMES) - {"code-helper"})
    assert kept.changed == {
        "code-helper": ["data_flows", "data_sources", "description", "domain", "endpoints", "monthly_tokens"]
    }
    pruned = registry.import_manifest(only, prune=True)
    assert pruned.removed == sorted(set(NAMES) - {"code-helper"}) and pruned.unchanged == ["code-helper"]
    assert list(registry.profiles()) == ["code-helper"]


def test_import_stores_declared_flows(registry):
    registry.import_manifest(SAMPLE)
    with read_session(registry.engine) as s:
        rows = s.scalars(select(DataFlowRow).join(Workload).order_by(Workload.name, DataFlowRow.position)).all()
        flows = {r.workload.name: (r.source, r.categories, r.endpoint, r.endpoint_spec, r.redaction) for r in rows}
    assert flows["code-helper"] == ("ide-plugin", ["system.operations"], "default", None, False)
    assert flows["card-support"][4] is True  # the gateway masks card numbers
    assert flows["patient-intake"][1] == ["user.health_and_medical", "user.name", "user.contact.phone_number"]


def test_shared_endpoint_changes_refresh_stored_flows(registry, tmp_path):
    manifest = tmp_path / "shared.yaml"
    shared = "endpoints:\n  - {name: hub, provider: openai, model: gpt-4o, hosting: closed_api, agreements: [DPA]}\n"
    body = (
        "workloads:\n  - name: w\n    owner: me\n"
        "    data_flows:\n      - {source: s, categories: [user.health_and_medical], endpoint: hub}\n"
    )
    manifest.write_text(shared + body)
    registry.import_manifest(manifest)
    manifest.write_text(shared.replace("[DPA]", "[BAA, DPA]") + body)  # the workload's own entry is unchanged
    report = registry.import_manifest(manifest)
    assert report.changed == {"w": ["data_flows"]} and not report.unchanged
    with read_session(registry.engine) as s:
        [row] = s.scalars(select(DataFlowRow)).all()
        assert row.endpoint == "hub" and row.endpoint_spec["agreements"] == ["BAA", "DPA"]
        kinds = s.scalars(select(Event.kind).order_by(Event.seq)).all()
    assert kinds == ["workload.added", "workload.changed"]
    assert registry.import_manifest(manifest).unchanged == ["w"]


def test_load_workload_profiles_from_session(registry):
    registry.import_manifest(SAMPLE)
    with read_session(registry.engine) as s:
        profiles = load_workload_profiles(s)
    assert profiles["patient-intake"].hipaa_entity == "covered_entity"
    assert profiles["card-support"].agreements == frozenset({"DPA", "GLBA_CONTRACT", "NO_TRAINING", "ZDR"})
    assert profiles["contract-review"].hosting == "self_hosted"


def test_waiver_validation(registry):
    registry.import_manifest(SAMPLE)
    later = date.today() + timedelta(days=30)
    with pytest.raises(ConfigError, match="exactly one"):
        registry.waive("code-helper", "me", "why", later)
    with pytest.raises(ConfigError, match="exactly one"):
        registry.waive("code-helper", "me", "why", later, rule="r", fingerprint="f")
    with pytest.raises(ConfigError, match="not in the future"):
        registry.waive("code-helper", "me", "why", date.today(), rule="r")
    with pytest.raises(ConfigError, match="no workload named 'nope'"):
        registry.waive("nope", "me", "why", later, rule="r")
    waiver = registry.waive("code-helper", "me", "test data", later, rule="ccpa-personal-information")
    assert waiver.id and registry.verify().ok
