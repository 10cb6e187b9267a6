"""Where workloads come from is decided once (`api.workload_source`) and read by every surface."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from audit import api
from audit.errors import ConfigError
from audit.settings import Settings
from tests.conftest import SAMPLES


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_manifest_named_comes_first(workdir):
    shutil.copy(SAMPLES / "workloads.yaml", workdir / "workloads.yaml")
    named = str(SAMPLES / "workloads.yaml")
    assert api.workload_source(named, Settings()) == api.WorkloadSource(named, None)


def test_without_a_manifest_or_a_registry_workloads_yaml_is_read(workdir):
    with pytest.raises(ConfigError, match="no workloads"):
        api.workload_source(None, Settings())
    assert api.workload_names(None, Settings()) == []
    shutil.copy(SAMPLES / "workloads.yaml", workdir / "workloads.yaml")
    assert api.workload_source(None, Settings()) == api.WorkloadSource("workloads.yaml", None)
    names = api.workload_names(None, Settings())
    assert names == [w.name for w in api.load_workloads(None, Settings()).workloads] and "patient-intake" in names


def test_a_registry_comes_before_workloads_yaml_and_every_surface_reads_the_same(workdir):
    shutil.copy(SAMPLES / "workloads.yaml", workdir / "workloads.yaml")
    (workdir / "other.yaml").write_text(
        "version: 1\nworkloads:\n  - name: only-in-the-registry\n    owner: team@example.com\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "audit", "registry", "import", "other.yaml"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    settings = Settings()
    source = api.workload_source(None, settings)
    assert source.manifest is None and source.registry and source.registry.endswith("llm-audit.db")
    assert api.workload_names(None, settings) == ["only-in-the-registry"]
    assert [w.name for w in api.load_workloads(None, settings).workloads] == ["only-in-the-registry"]
    # without the registry (--no-registry), ./workloads.yaml again
    assert api.workload_source(None, settings, False) == api.WorkloadSource("workloads.yaml", None)
    assert "only-in-the-registry" not in api.workload_names(None, settings, False)
