"""0001 -> 0002: a registry created before flows were stored keeps every row and gains its declared flows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import MetaData, func, select

from audit.flows.stored import check_registry
from audit.store import migrate, views
from audit.store.db import make_engine
from audit.store.manifest import load_manifest
from audit.store.registry import Registry, spec_hash

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _create_at_0001(url: str) -> None:
    engine = make_engine(url, create=True)
    with engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    engine.dispose()


def _fill_0001(url: str) -> None:
    """What an 0001 registry held: code-helper (its spec lists one flow), its endpoint, and a scan with API keys."""
    spec = next(w for w in load_manifest(SAMPLE).workloads if w.name == "code-helper").model_dump(mode="json")
    engine = make_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(t["workloads"].insert(), [{
            "id": 1, "name": "code-helper", "owner": spec["owner"], "description": "", "domain": "engineering",
            "hipaa_entity": "none", "monthly_tokens": 1, "spec": spec, "spec_hash": spec_hash(spec),
            "manifest_path": "gone.yaml", "created_at": NOW, "updated_at": NOW,
        }])  # fmt: skip
        conn.execute(t["endpoints"].insert(), [{
            "workload_id": 1, "name": "default", "provider": "openai", "model": "gpt-4.1", "hosting": "closed_api",
            "region": None, "agreements": ["DPA", "NO_TRAINING"],
        }])  # fmt: skip
        conn.execute(t["scans"].insert(), [{
            "id": 1, "status": "completed", "started_at": NOW, "finished_at": NOW, "tool_version": "0.1",
            "git_commit": None, "policy_identity": "p@1", "workload": None, "inputs": [], "host": "h", "pid": 1,
            "records_read": 2, "records_skipped": 0, "records_with_findings": 2, "findings_count": 2,
            "by_entity": {"API_KEY": 2}, "by_decision": {"strip": 2}, "error": None,
        }])  # fmt: skip
        conn.execute(t["findings"].insert(), [{
            "scan_id": 1, "workload": "code-helper", "source": "x.jsonl", "record_id": str(i), "line": i,
            "message": 0, "role": "user", "start": 0, "end": 5, "entity_type": "API_KEY", "kind": "identifier",
            "score": 0.9, "recognizer": "r", "masked": "sk-****", "fingerprint": f"{i}" * 64, "rule_ids": [],
        } for i in (1, 2)])  # fmt: skip
        conn.execute(t["decisions"].insert(), [{
            "scan_id": 1, "workload": "code-helper", "tier": "strip", "raw_tier": "strip", "regulations": ["CCPA"],
            "records": 2, "records_with_findings": 2, "hosting": "closed_api", "violation": True,
            "rationale": {"top": [], "rules": []},
        }])  # fmt: skip
        if conn.dialect.name == "postgresql":  # explicit ids do not advance PostgreSQL's sequences
            for table in ("workloads", "scans"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
    engine.dispose()


def _count(registry: Registry, table: str) -> int:
    meta = MetaData()
    meta.reflect(registry.engine, only=[table])
    with registry.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(meta.tables[table])).scalar_one()


def test_upgrade_from_0001_keeps_rows_and_backfills_flows(db_url):
    _create_at_0001(db_url)
    _fill_0001(db_url)
    if db_url.startswith("postgresql"):
        migrate.upgrade(make_engine(db_url), db_url)  # servers are upgraded explicitly
    registry = Registry.open(db_url)
    try:
        with registry.engine.connect() as conn:
            assert migrate.schema_state(conn).current == migrate.head_revision()  # 0002, and any revision after it
        assert {t: _count(registry, t) for t in ("workloads", "endpoints", "scans", "findings", "decisions")} == {
            "workloads": 1, "endpoints": 1, "scans": 1, "findings": 2, "decisions": 1,
        }  # fmt: skip
        detail = views.show_workload(registry, "code-helper")
        assert [(f["source"], f["categories"], f["endpoint"]) for f in detail.data_flows] == [
            ("ide-plugin", ["system.operations"], "default")
        ]
        assert detail.findings_by_type == {"API_KEY": 2} and detail.status.violation
        report = check_registry(registry)  # the manifest file is gone: the registry alone answers
        assert report.issues == []
        assert [(d.workload, d.category, d.entities) for d in report.drift] == [
            ("code-helper", "user.authorization.credentials", {"API_KEY": 2})
        ]
        again = registry.import_manifest(SAMPLE)  # same spec: nothing to change
        assert "code-helper" in again.unchanged and "code-helper" not in again.changed
    finally:
        registry.close()
