"""Nothing we find leaks: every artefact of a full sample run is free of every planted raw value.

One run does what a team does: import the manifest, scan the samples into the
registry with every CI output, write a baseline, render every report. Then
every file it left (registry database and its WAL, outputs, reports, baseline,
span cache, fingerprint secret) and everything it printed is searched for each
raw value planted in the samples. The last test proves the search has teeth.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLES, run_cli

pytestmark = pytest.mark.slow

PLANTED = REPO / "tests" / "fixtures" / "sample_values.txt"


def _planted_values() -> list[str]:
    return [v.strip() for v in PLANTED.read_text(encoding="utf-8").splitlines() if v.strip() and not v.startswith("#")]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """Run the whole job once on a copy of the samples; return (workdir, home, printed output)."""
    work = tmp_path_factory.mktemp("leak-run")
    home = work / "home"
    shutil.copytree(SAMPLES, work / "samples")
    env = {"AUDIT_HOME": str(home), "AUDIT_DB": str(work / "registry.db"), "CI": "true"}
    steps = [
        ["registry", "import", "samples/workloads.yaml"],
        [
            "scan",
            "samples/logs",
            "-o",
            "jsonl",
            "--out",
            "findings.jsonl",
            "--sarif",
            "findings.sarif",
            "--junit",
            "junit.xml",
            "--github-annotations",
            "--fail-on",
            "never",
        ],
        ["scan", "samples/logs", "-o", "json", "--out", "findings.json", "--fail-on", "never"],
        ["baseline", "create", "samples/logs", "-o", "baseline.json"],
        ["report", "--format", "html", "-o", "report.html"],
        ["report", "--format", "markdown", "-o", "report.md"],
        ["report", "--format", "json", "-o", "report.json"],
        ["registry", "show", "patient-intake"],
        ["registry", "list", "--format", "json"],
    ]
    printed = []
    for args in steps:
        proc = run_cli(*args, cwd=work, env=env)
        assert proc.returncode == 0, f"audit {' '.join(args)} failed: {proc.stderr.decode()[-2000:]}"
        printed.append(proc.stdout + proc.stderr)
    return work, home, b"\n".join(printed)


def _artefacts(work: Path, home: Path) -> list[Path]:
    produced = [p for p in work.rglob("*") if p.is_file() and "samples" not in p.relative_to(work).parts]
    return produced + [p for p in home.rglob("*") if p.is_file()]


def test_every_artefact_kind_was_produced(sample_run):
    work, home, _ = sample_run
    names = {p.name for p in _artefacts(work, home)}
    for expected in (
        "registry.db",
        "findings.jsonl",
        "findings.sarif",
        "junit.xml",
        "baseline.json",
        "report.html",
        "report.md",
        "report.json",
        "secret.key",
    ):
        assert expected in names, f"{expected} was not produced"


def test_no_planted_value_in_any_artefact_or_output(sample_run):
    work, home, printed = sample_run
    values = _planted_values()
    assert len(values) >= 20, "the planted-values list is the yardstick; it must not be empty"
    blobs = {str(p.relative_to(work) if p.is_relative_to(work) else p): p.read_bytes() for p in _artefacts(work, home)}
    blobs["<stdout+stderr>"] = printed
    leaks = []
    for value in values:
        needles = {value.encode("utf-8"), value.encode("utf-16-le")}
        for name, blob in blobs.items():
            if any(n in blob for n in needles):
                leaks.append(f"{name}: planted value #{values.index(value) + 1}")
    assert not leaks, "raw values leaked:\n" + "\n".join(leaks)


def test_show_values_is_the_only_way_out(tmp_path):
    """The same search finds values when the user explicitly asks for them: the check can fail."""
    shutil.copytree(SAMPLES / "logs", tmp_path / "logs")
    proc = run_cli("scan", "logs", "-o", "jsonl", "--show-values", "--fail-on", "never", "--no-registry", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    found = [v for v in _planted_values() if v.encode() in proc.stdout]
    assert len(found) >= 10
