"""`audit spark scan` reads workload profiles and records one scan, exactly as `audit scan` does (local[2])."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, invoke

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
pytestmark = pytest.mark.slow

MANIFEST = str(REPO / "samples" / "workloads.yaml")


@pytest.fixture(scope="module")
def spark():
    from audit.distributed.spark import spark_session

    session = spark_session("local[2]", app_name="llm-audit-registry-tests")
    yield session
    session.stop()


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """The samples under the working directory, one install home and a fixed fingerprint secret."""
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AUDIT_SECRET", hashlib.sha256(b"llm-audit spark registry test").hexdigest())
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv("AUDIT_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "samples" / "logs", tmp_path / "logs")
    (tmp_path / "audit.toml").write_text("message_time_budget = 600\n")
    return tmp_path


def _registry(path: Path) -> str:
    code, _, err = invoke("registry", "import", MANIFEST, "--db", str(path))
    assert code == 0, err
    return str(path)


def _state(db: str) -> dict:
    """Decisions and counts per workload, the scan's counts and its findings rows (scan order aside)."""
    from tests.store.test_streaming_samples import registry_state

    state = json.loads(json.dumps(registry_state(Path(db))))
    state["findings"] = sorted(state["findings"], key=json.dumps)
    return state


def test_spark_scan_records_the_scan_audit_scan_records(spark, workdir):
    local, remote = _registry(workdir / "local.db"), _registry(workdir / "spark.db")
    common = ["--fail-on", "never", "--config", "audit.toml"]
    code, _, err = invoke("scan", "logs", "--db", local, "--jobs", "1", *common)
    assert code == 0, err
    code, out, err = invoke("spark", "scan", "logs", "--db", remote, "--master", "local[2]", *common)
    assert code == 0, err
    assert f"registry: {remote} (--db)" in err
    assert "registry: violation: workload 'patient-intake'" in err
    assert out.strip(), "the driver's jsonl stream still goes to standard output"

    spark_state, local_state = _state(remote), _state(local)
    assert spark_state["scan"]["status"] == "completed" and spark_state["findings"]
    assert spark_state["scan"] == local_state["scan"]
    assert spark_state["workloads"] == local_state["workloads"]
    assert spark_state["findings"] == local_state["findings"]
    assert {w["list"]["name"] for w in spark_state["workloads"].values() if w["list"]["violation"]} >= {
        "patient-intake"
    }
    code, _, err = invoke("registry", "verify", "--db", remote)
    assert code == 0, err


def test_spark_scan_without_registry_still_reads_the_manifest(spark, workdir):
    code, _, err = invoke(
        "spark", "scan", "logs", "--manifest", MANIFEST, "--no-registry", "--master", "local[2]",
        "--fail-on", "never", "--config", "audit.toml",
    )  # fmt: skip
    assert code == 0, err  # --fail-on never: violations do not gate, as for `audit scan`
    assert "registry: violation: workload 'patient-intake'" in err, "--no-registry stops writing only"
    assert not list(workdir.glob("*.db")), "nothing is recorded"


def test_spark_scan_refuses_a_registry_that_does_not_exist(workdir):
    code, _, err = invoke("spark", "scan", "logs", "--db", "typo.db", "--master", "local[2]")
    assert code == 2
    assert "no registry at" in err and "typo.db (named by --db)" in err
    assert not (workdir / "typo.db").exists()


def test_spark_scan_speaks_the_option_vocabulary_of_audit_scan(spark, workdir):
    common = ["--master", "local[2]", "--no-registry", "--fail-on", "never", "--config", "audit.toml"]
    code, out, err = invoke("spark", "scan", "logs", "-f", "jsonl", "-o", "new.jsonl", *common)
    assert code == 0, err
    assert out == "" and "deprecated" not in err
    code, out, err = invoke("spark", "scan", "logs", "-o", "jsonl", "--out", "old.jsonl", *common)
    assert code == 0, err
    assert out == ""
    assert "audit: warning: --out is deprecated; use --output" in err
    assert "audit: warning: -o/--output jsonl (an output format) is deprecated; use --format jsonl" in err
    assert (workdir / "old.jsonl").read_text() == (workdir / "new.jsonl").read_text() != ""
