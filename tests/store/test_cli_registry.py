"""`audit registry ...` and `audit db ...` through the real CLI, on a real SQLite file (no scans here)."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from audit.store import migrate
from tests.conftest import run_cli

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workloads.yaml"


@pytest.fixture
def db(tmp_path) -> Path:
    """A registry file with the sample manifest imported."""
    path = tmp_path / "reg" / "llm-audit.db"
    done = run_cli("registry", "import", str(SAMPLE), "--db", str(path))
    assert done.returncode == 0, done.stderr
    return path


def out(*args: str, code: int = 0) -> str:
    done = run_cli(*args)
    assert done.returncode == code, (done.stdout, done.stderr)
    return done.stdout.decode()


def test_import_twice_reports_added_then_unchanged(db):
    again = out("registry", "import", str(SAMPLE), "--db", str(db))
    assert again.splitlines()[-1] == "0 added, 0 changed, 4 unchanged"
    assert "unchanged  patient-intake" in again


def test_database_file_is_private(db):
    for path in db.parent.iterdir():  # the file and any -wal/-shm beside it
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_list_formats(db):
    table = out("registry", "list", "--db", str(db))
    assert "patient-intake" in table and "not scanned" in table
    rows = json.loads(out("registry", "list", "--db", str(db), "--format", "json"))
    assert {r["name"] for r in rows} == {"patient-intake", "card-support", "contract-review", "code-helper"}
    assert all(r["decision"] is None and r["violation"] is False for r in rows)
    parsed = list(csv.DictReader(io.StringIO(out("registry", "list", "--db", str(db), "--format", "csv"))))
    assert parsed[0]["name"] == "card-support" and parsed[0]["agreements"] == "DPA;GLBA_CONTRACT;NO_TRAINING;ZDR"
    only = json.loads(out("registry", "list", "--db", str(db), "--format", "json", "--owner", "devex@example.com"))
    assert [r["name"] for r in only] == ["code-helper"]
    # nothing scanned yet, but patient-intake declares PHI to a closed API without a BAA: a flow violation
    gated = run_cli("registry", "list", "--db", str(db), "--fail-on-violation", "--format", "json")
    assert gated.returncode == 1, gated.stderr.decode()
    clean = ("--fail-on-violation", "--format", "json", "--owner", "devex@example.com")
    assert out("registry", "list", "--db", str(db), *clean)  # exit 0: code-helper has no issue before a scan


def test_show_history_waive(db):
    shown = out("registry", "show", "patient-intake", "--db", str(db))
    assert "endpoint primary: openai gpt-4o-mini (closed_api)" in shown and "not scanned yet" in shown
    assert "data flows (1 declared):" in shown and "FLOW VIOLATION user.health_and_medical" in shown  # no scan needed
    assert "drift: not checked (not scanned yet)" in shown
    later = (date.today() + timedelta(days=30)).isoformat()
    waived = out(
        "registry", "waive", "--workload", "code-helper", "--rule", "ccpa-personal-information",
        "--owner", "devex@example.com", "--reason", "synthetic test prompts", "--expires", later, "--db", str(db),
    )  # fmt: skip
    assert waived.startswith("waiver 1: code-helper: rule ccpa-personal-information")
    detail = json.loads(out("registry", "show", "code-helper", "--json", "--db", str(db)))
    assert detail["waivers"][0]["active"] and detail["waivers"][0]["owner"] == "devex@example.com"
    history = out("registry", "history", "code-helper", "--db", str(db))
    assert "workload.added" in history
    assert "event log intact: 5 events" in out("registry", "verify", "--db", str(db))


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["registry", "show", "nope"], 2, "no workload named 'nope'"),
        (["registry", "waive", "--workload", "code-helper", "--owner", "o", "--reason", "r", "--expires", "2020-01-01", "--rule", "ccpa-personal-information"], 2, "not in the future"),
        (["registry", "waive", "--workload", "code-helper", "--owner", "o", "--reason", "r", "--expires", "soon", "--rule", "x"], 2, "not a YYYY-MM-DD date"),
        (["registry", "list", "--format", "xml"], 2, "--format: unknown format 'xml'; choose from table, json, csv"),
        (["registry", "waive", "--workload", "code-helper", "--owner", "o", "--reason", "r", "--expires", "2999-01-01", "--rule", "no-such-rule"], 2, "unknown rule 'no-such-rule'"),
        (["registry", "waive", "--workload", "code-helper", "--owner", "o", "--reason", "r", "--expires", "2999-01-01", "--rule", "gdpr/ccpa-personal-information"], 2, "unknown rule 'gdpr/ccpa-personal-information'"),
    ],
)  # fmt: skip
def test_usage_errors(db, args, code, message):
    done = run_cli(*args, "--db", str(db))
    assert done.returncode == code and message in done.stderr.decode()


def test_bad_manifest_names_file_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SAMPLE.read_text().replace("hosting: self_hosted", "hosting: on_prem"))
    done = run_cli("registry", "import", str(bad), "--db", str(tmp_path / "x.db"))
    assert done.returncode == 2
    assert f"{bad}: workloads[2](contract-review).endpoints[0](on-prem).hosting" in done.stderr.decode()


def test_read_commands_do_not_create_a_registry(tmp_path):
    done = run_cli("registry", "list", "--db", str(tmp_path / "missing.db"))
    assert done.returncode == 2 and "no registry at" in done.stderr.decode()  # a named file that is not there
    assert not (tmp_path / "missing.db").exists()


def test_db_current_and_upgrade(db):
    head = migrate.head_revision()
    assert out("db", "current", "--db", str(db)).rstrip().endswith(f"{head} (latest {head}): up to date")
    assert f"already at {head}" in out("db", "upgrade", "--db", str(db))


def test_audit_db_env_and_default_file(db, tmp_path):
    via_env = run_cli("registry", "list", "--format", "json", env={"AUDIT_DB": str(db)})
    assert via_env.returncode == 0 and "patient-intake" in via_env.stdout.decode()
    via_cwd = run_cli("registry", "list", "--format", "json", cwd=db.parent)
    assert via_cwd.returncode == 0 and "patient-intake" in via_cwd.stdout.decode()


def test_csv_cells_never_start_a_formula(tmp_path):
    manifest = tmp_path / "workloads.yaml"
    manifest.write_text(
        "version: 1\nworkloads:\n"
        "  - name: sheet\n"
        '    owner: \'=HYPERLINK("http://x.example","open")\'\n'
        "    domain: '+cmd|calc'\n"
        "    data_sources: []\n"
        "    endpoints:\n"
        "      - {name: local, provider: vllm, model: llama, hosting: self_hosted}\n"
    )
    db = tmp_path / "r.db"
    out("registry", "import", str(manifest), "--db", str(db))
    text = out("registry", "list", "--db", str(db), "--format", "csv")
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["owner"], row["domain"]) == ('\'=HYPERLINK("http://x.example","open")', "'+cmd|calc")
    assert row["violation"] == "False"


def test_a_waiver_takes_the_pack_qualified_rule_id_that_sarif_and_reports_show(db):
    later = (date.today() + timedelta(days=30)).isoformat()
    args = ("--workload", "code-helper", "--owner", "o", "--reason", "r", "--expires", later, "--db", str(db))
    waived = out("registry", "waive", "--rule", "ccpa/ccpa-personal-information", *args)
    assert waived.startswith("waiver 1: code-helper: rule ccpa-personal-information,")
    shown = json.loads(out("registry", "show", "code-helper", "--db", str(db), "--json"))
    assert [w["rule"] for w in shown["waivers"]] == ["ccpa-personal-information"]
