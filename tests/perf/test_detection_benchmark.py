"""The detection benchmark's guard: which dev files it reads, and what counts as a regression."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "detection.py"


def _module():
    spec = importlib.util.spec_from_file_location("detection_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_dev_file_is_pinned_with_its_source_and_licence():
    files = json.loads((REPO / "benchmarks" / "eval-sources.json").read_text())["files"]
    assert len(files) == 7
    for name, meta in files.items():
        assert name.endswith(".jsonl")
        assert len(meta["sha256"]) == 64 and int(meta["sha256"], 16) >= 0
        assert meta["records"] > 0 and meta["source"].startswith("https://") and meta["licence"] and meta["commit"]


def test_a_missing_dev_file_stops_the_run_naming_the_file_and_its_source(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--eval-dir", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert f"{tmp_path}/pupa.jsonl: missing; built from https://github.com/Columbia-NLP-Lab/PAPILLON" in result.stderr
    assert result.stdout == ""


def test_a_changed_or_unknown_dev_file_is_named_but_scored(tmp_path):
    module = _module()
    pinned = json.loads((REPO / "benchmarks" / "eval-sources.json").read_text())["files"]
    for name in pinned:
        (tmp_path / name).write_text("{}\n")
    (tmp_path / "extra.jsonl").write_text("{}\n")
    files, missing, differ = module.dev_files(tmp_path)
    assert missing == []
    assert len(files) == 8
    assert sum("sha256 differs" in line for line in differ) == 7
    assert any(line.startswith(f"{tmp_path / 'extra.jsonl'}: not in eval-sources.json") for line in differ)


def test_the_shared_dev_files_are_the_pinned_ones_when_present():
    dev = REPO.parent / "shared" / "eval" / "dev"
    if not dev.is_dir():
        pytest.skip("../shared/eval/dev is not beside the checkout")
    module = _module()
    files, missing, differ = module.dev_files(dev)
    assert (missing, differ) == ([], [])
    assert os.path.commonpath([str(p) for p in files]) == str(dev)


def test_a_drop_beyond_the_tolerance_is_a_regression_and_a_false_positive_rise_too():
    module = _module()
    recorded = {"pupa value recall": 0.714, "ordinary FP per 1k chars": 0.197, "physionet HIPAA FPR": 0.056}
    assert module.regressions(dict(recorded), recorded) == []
    assert module.regressions({**recorded, "pupa value recall": 0.705}, recorded) == []
    assert module.regressions({**recorded, "pupa value recall": 0.70}, recorded) == [
        "pupa value recall: 0.714 -> 0.700"
    ]
    assert module.regressions({**recorded, "ordinary FP per 1k chars": 0.25}, recorded) == [
        "ordinary FP per 1k chars: 0.197 -> 0.250"
    ]
    assert (
        module.regressions({"pupa value recall": 0.8}, recorded)[0]
        == "ordinary FP per 1k chars: 0.197 recorded, not measured now"
    )
