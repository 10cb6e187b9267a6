"""Every surface gives the same answer about a workload: one read model, read everywhere (issues 15 and 25)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import REPO, invoke, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """The samples imported and scanned into one registry, then a rule waived on code-helper."""
    work = tmp_path_factory.mktemp("consistency")
    db = str(work / "reg.db")
    assert run_cli("registry", "import", "samples/workloads.yaml", "--db", db).returncode == 0
    out = str(work / "scan.jsonl")
    scan = run_cli(
        "scan", "samples/logs", "--db", db, "-q", "--fail-on", "never", "--no-cache", "-o", "jsonl", "--out", out
    )
    assert scan.returncode == 0, scan.stderr.decode()
    later = (date.today() + timedelta(days=30)).isoformat()
    waive = ("--workload", "code-helper", "--rule", "credential-strip", "--owner", "o", "--reason", "r")
    assert run_cli("registry", "waive", *waive, "--expires", later, "--db", db).returncode == 0
    return work, db


def _json(*args: str):
    proc = run_cli(*args, cwd=REPO)
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_registry_list_show_and_report_agree_on_decisions_and_violations(registry):
    work, db = registry
    listed = {w["name"]: w for w in _json("registry", "list", "--db", db, "--format", "json")}
    report_path = work / "report.json"
    done = run_cli("report", "--format", "json", "-o", str(report_path), "--db", db)
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(report_path.read_text())
    reported = {w["name"]: w for w in report["workloads"]}
    assert set(listed) <= set(reported)
    for name, row in listed.items():
        shown = _json("registry", "show", name, "--db", db, "--json")
        assert (reported[name]["decision"], reported[name]["violation"]) == (row["decision"], row["violation"]), name
        assert shown["status"]["decision"] == row["decision"] and shown["status"]["violation"] == row["violation"]
    assert sorted(report["summary"]["violations"]) == sorted(n for n, w in listed.items() if w["violation"])
    assert listed["code-helper"]["violation"] is False  # its only strip rule is waived


def _run_json(*args: str, code: int):
    proc = run_cli(*args, cwd=REPO)
    assert proc.returncode == code, (args, proc.stderr.decode())
    return json.loads(proc.stdout)


def test_every_surface_gives_each_workload_the_same_tier_violation_waivers_and_drift(registry):
    """registry list/show, the report, flows check, recommend and route export read one state (issue 15)."""
    work, db = registry
    listed = {w["name"]: w for w in _run_json("registry", "list", "--db", db, "--format", "json", code=0)}
    shown = {n: _run_json("registry", "show", n, "--db", db, "--json", code=0) for n in listed}
    report_path = work / "report-all.json"
    assert run_cli("report", "--format", "json", "-o", str(report_path), "--db", db).returncode == 0
    report = json.loads(report_path.read_text())
    reported = {w["name"]: w for w in report["workloads"]}
    flows = _run_json("flows", "check", "--db", db, "--format", "json", code=1)  # drift and a violation: exit 1
    recommended = {
        r["workload"]: r for r in _run_json("recommend", "--db", db, "--format", "json", code=0)["recommendations"]
    }
    export = run_cli("route", "export", "--target", "litellm", "--db", db, "-o", str(work / "litellm.yaml"))
    assert export.returncode == 0, export.stderr.decode()
    allowed = {
        line.split(":")[0]: line.split(": ")[1] == "closed API allowed"
        for line in export.stderr.decode().splitlines()
        if line.split(":")[0] in listed
    }

    drift = {d["workload"] for d in flows["drift"]}
    assert drift == set(report["summary"]["drift"]) == {n for n, s in shown.items() if s["flow_checks"]["drift"]}
    for name, row in listed.items():
        tier, violation = row["decision"], row["violation"]
        waivers = sorted(w["rule"] or w["fingerprint"] for w in shown[name]["waivers"])
        assert (shown[name]["status"]["decision"], shown[name]["status"]["violation"]) == (tier, violation), name
        assert (reported[name]["decision"], reported[name]["violation"]) == (tier, violation), name
        assert sorted(w["rule"] or w["fingerprint"] for w in reported[name]["waivers"]) == waivers, name
        hosting = row["hosting_tier"]  # strip blocked at the gateway: what remains decides hosting (issue 25)
        assert recommended[name]["floor"] == hosting, name  # the samples' scans are at least as strict as declared
        closed = any(e["hosting"] == "closed_api" for e in shown[name]["endpoints"])
        assert allowed[name] == (closed and hosting not in ("strip", "self_hosted")), name
    assert listed["code-helper"]["decision"] == "redact_then_closed"  # credential-strip waived


def test_explain_and_replay_read_the_same_workloads_as_the_scan(registry):
    """explain gives each scanned record the scan's workload and decision; replay routes alike from the registry
    and from the manifest the registry was imported from."""
    work, db = registry
    lines = [json.loads(line) for line in (work / "scan.jsonl").read_text().splitlines()]
    assert len(lines) > 20
    for line in lines:  # in-process: explaining from the findings file loads no model
        code, out, err = invoke("explain", str(work / "scan.jsonl"), "--record", line["record"], "--db", db)
        assert code == 0, err
        assert f"decision {line['decision']}; " in out, (line["record"], out)
        assert f"; workload {line['workload']}" in out or line["workload"] is None, (line["record"], out)
    replay = ("route", "replay", "samples/logs", "--format", "json")
    from_registry = _run_json(*replay, "--db", db, code=0)
    assert from_registry == _run_json(*replay, "--manifest", "samples/workloads.yaml", "--db", db, code=0)


SAMPLE_MANIFEST = str(REPO / "samples" / "workloads.yaml")
CODE_LOG = str(REPO / "samples" / "logs" / "openai_responses_code_helper.jsonl")


@pytest.fixture()
def fresh(tmp_path):
    """The samples' manifest imported into an empty registry, in a working directory of its own."""
    db = str(tmp_path / "reg.db")
    assert run_cli("registry", "import", SAMPLE_MANIFEST, "--db", db).returncode == 0
    return tmp_path, db


def test_a_workload_typo_never_moves_evidence_to_a_phantom_workload(fresh, context):
    """Item 1: an unknown --workload is exit 2 with the close match everywhere a registry or manifest is in use;
    record-level names that match nothing are warned once per file; a scan attributed elsewhere never takes a
    source away from the workload whose records it holds."""
    work, db = fresh
    typo = ("--workload", "code-helpr")
    for args in (
        ("scan", CODE_LOG, "--db", db, *typo, "--fail-on", "never"),
        ("explain", CODE_LOG, "--record", "resp_code_0004", "--db", db, *typo),
        ("route", "replay", CODE_LOG, "--db", db, *typo),
        ("route", "replay", CODE_LOG, "--manifest", SAMPLE_MANIFEST, *typo),
        ("gateway", "key", "code-helpr", "--keys", str(work / "keys.json"), "--db", db),
        ("recommend", "code-helpr", "--db", db),
    ):
        done = run_cli(*args, cwd=work)
        assert done.returncode == 2, (args, done.stderr.decode())
        assert "did you mean 'code-helper'?" in done.stderr.decode(), args
    assert not (work / "keys.json").exists()
    assert _run_json("registry", "history", "code-helper", "--db", db, "--json", code=0)[0]["type"] != "scan"

    from audit import api
    from audit.errors import ConfigError
    from audit.flows import load_manifest

    with pytest.raises(ConfigError, match="did you mean 'code-helper'"):
        api.route([{"role": "user", "content": "hi"}], "code-helpr", context, load_manifest(SAMPLE_MANIFEST))
    _serve_refuses_the_typo(context)

    named = work / "named.jsonl"  # two records naming a workload nobody registered
    line = '{"input": "How do I sort a list in Python?", "metadata": {"workload": "code-helpr"}}\n'
    named.write_text(line * 2)
    done = run_cli("scan", str(named), CODE_LOG, "--db", db, "--fail-on", "never", "-o", "jsonl", cwd=work)
    assert done.returncode == 0, done.stderr.decode()
    warned = [x for x in done.stderr.decode().splitlines() if "not registered" in x]
    assert warned == [f"warning: {named}: 2 record(s) name a workload not registered "
                      "(no workload named 'code-helpr': did you mean 'code-helper'?)"]  # fmt: skip

    elsewhere = run_cli("scan", CODE_LOG, "--db", db, "--workload", "card-support", "--fail-on", "never", cwd=work)
    assert elsewhere.returncode == 0, elsewhere.stderr.decode()
    shown = _run_json("registry", "show", "code-helper", "--db", db, "--json", code=0)
    assert [s["source"] for s in shown["sources"]] == [CODE_LOG]
    assert shown["status"]["decision"] == "strip"  # its API keys still count
    card = _run_json("registry", "show", "card-support", "--db", db, "--json", code=0)
    assert CODE_LOG in [s["source"] for s in card["sources"]]


def _serve_refuses_the_typo(context) -> None:
    """POST /v1/route with an unknown workload: 400 naming the close match, never the name sent."""
    from starlette.testclient import TestClient

    from audit.flows import load_manifest
    from audit.serve import create_app

    app = create_app(context.settings, load_manifest(SAMPLE_MANIFEST), token="t0ken-for-tests")
    auth = {"Authorization": "Bearer t0ken-for-tests"}
    with TestClient(app) as client:
        body = {"messages": [{"role": "user", "content": "hi"}], "workload": "code-helpr"}
        answer = client.post("/v1/route", json=body, headers=auth)
        assert answer.status_code == 400 and "'code-helper'" in answer.json()["error"]
        assert "code-helpr" not in answer.text
        body["workload"] = "code-helper"
        assert client.post("/v1/route", json=body, headers=auth).status_code == 200


def test_strip_means_block_those_requests_then_the_rest_decides_hosting(fresh):
    """Item 3: code-helper's API keys make its decision strip; recommend, route export and registry list all
    read its hosting from what remains (a name and an e-mail: redact_then_closed), as the router does."""
    work, db = fresh
    scan = run_cli("scan", CODE_LOG, "--db", db, "--fail-on", "never", "-q", cwd=work)
    assert scan.returncode == 0, scan.stderr.decode()
    listed = {w["name"]: w for w in _run_json("registry", "list", "--db", db, "--format", "json", code=0)}
    assert (listed["code-helper"]["decision"], listed["code-helper"]["hosting_tier"]) == ("strip", "redact_then_closed")
    rec = _run_json("recommend", "code-helper", "--db", db, "--format", "json", code=0)["recommendations"][0]
    assert rec["floor"] == "redact_then_closed" and rec["options"][0]["allowed"] is True
    assert any("strip at the gateway" in r for r in rec["reasons"]) or rec["floor"] != "strip"
    export = run_cli("route", "export", "--db", db, "-o", str(work / "litellm.yaml"), cwd=work)
    assert export.returncode == 0, export.stderr.decode()
    assert "code-helper: closed API allowed" in export.stderr.decode()
    config = (work / "litellm.yaml").read_text()
    assert "code-helper/closed/" in config
    done = run_cli("report", "--format", "json", "-o", str(work / "r.json"), "--db", db, cwd=work)
    assert done.returncode == 0, done.stderr.decode()
    reported = {w["name"]: w for w in json.loads((work / "r.json").read_text())["workloads"]}
    assert (reported["code-helper"]["decision"], reported["code-helper"]["hosting_tier"]) == (
        "strip",
        "redact_then_closed",
    )


def test_which_registry_is_used_is_said_and_a_missing_one_is_never_created(tmp_path):
    """Items 4/5: a command that reads a registry names it on stderr (not under --quiet or JSON output); a
    named --db that does not exist is exit 2 and stays absent; --db none creates no file `none`."""
    for args in (
        ("registry", "list", "--db", "missing.db"),
        ("report", "--db", "missing.db", "-o", "r.html"),
        ("flows", "check", SAMPLE_MANIFEST, "--db", "missing.db"),
        ("recommend", "--db", "missing.db", "--manifest", SAMPLE_MANIFEST),
        ("scan", CODE_LOG, "--db", "missing.db"),
        ("db", "current", "--db", "missing.db"),
        ("scan", CODE_LOG, "--db", "none"),
        ("registry", "import", SAMPLE_MANIFEST, "--db", "none"),
    ):
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr.decode())
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert run_cli("registry", "import", SAMPLE_MANIFEST, cwd=tmp_path).returncode == 0  # ./llm-audit.db
    said = f"registry: {tmp_path / 'llm-audit.db'} (./llm-audit.db in the working directory)"
    for args, code in ((("registry", "list"), 0), (("flows", "check", SAMPLE_MANIFEST), 1),
                       (("recommend",), 0), (("route", "export", "-o", "x.yaml"), 0)):  # fmt: skip
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == code, (args, done.stderr.decode())
        assert said in done.stderr.decode().splitlines(), args
    for args in (("registry", "list", "--format", "json"), ("recommend", "--format", "json")):
        done = run_cli(*args, cwd=tmp_path)
        assert done.returncode == 0 and "registry:" not in done.stderr.decode(), args
    quiet = run_cli("scan", CODE_LOG, "-q", "--fail-on", "never", cwd=tmp_path)
    assert quiet.returncode == 0 and "registry:" not in quiet.stderr.decode()
    unread = run_cli("flows", "check", SAMPLE_MANIFEST, "--no-registry", "--format", "json", cwd=tmp_path)
    assert unread.returncode == 1 and json.loads(unread.stdout)["drift_checked"] is False


def test_no_registry_stops_writing_only(tmp_path):
    """Item 6: with --no-registry, --manifest still gives the profiles and the violation gate."""
    intake = str(REPO / "samples" / "logs" / "openai_chat_patient_intake.jsonl")
    args = ("scan", intake, "--no-registry", "--manifest", SAMPLE_MANIFEST, "--fail-on", "strip", "-o", "jsonl")
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 1, done.stderr.decode()
    assert "workload 'patient-intake' runs on a closed API but its data requires self_hosted" in done.stderr.decode()
    assert list(tmp_path.iterdir()) == []


def test_the_report_after_a_single_file_rescan_reads_the_same_union_as_registry_show(fresh):
    """Item 2: decision, reasons, record counts and findings in the report are `registry show`'s per-source
    union, not the newest scan's rows."""
    work, db = fresh
    logs = str(REPO / "samples" / "logs")
    assert run_cli("scan", logs, "--db", db, "-q", "--fail-on", "never", cwd=work).returncode == 0
    one = str(REPO / "samples" / "logs" / "plaintext_code_helper.txt")
    rescan = run_cli("scan", one, "--db", db, "--workload", "code-helper", "-q", "--fail-on", "never", cwd=work)
    assert rescan.returncode == 0, rescan.stderr.decode()
    done = run_cli("report", "--format", "json", "-o", str(work / "r.json"), "--db", db, cwd=work)
    assert done.returncode == 0, done.stderr.decode()
    reported = {w["name"]: w for w in json.loads((work / "r.json").read_text())["workloads"]}
    for name in ("code-helper", "card-support"):
        shown = _run_json("registry", "show", name, "--db", db, "--json", code=0)
        w = reported[name]
        assert w["decision"] == shown["status"]["decision"], name
        assert w["records"] == sum(s["records"] for s in shown["sources"]), name
        top = {r["rule"]: r["records"] for r in shown["reasons"]}  # show prints the top reasons, the report all
        assert {r["rule"].split("/")[-1]: r["records"] for r in w["reasons"] if r["rule"].split("/")[-1] in top} == top
        found = {f["entity_type"]: f["count"] for f in w["findings"]}
        assert found == {t: n for t, n in shown["findings_by_type"].items() if t in found}, name
    assert reported["code-helper"]["decision"] == "strip"  # the API keys of the other code-helper log still count
    assert {f["entity_type"] for f in reported["code-helper"]["findings"]} >= {"API_KEY", "EMAIL_ADDRESS"}


def test_a_strip_category_is_never_admitted_through_a_declared_parent(fresh):
    """Item 8: card-support declares user.financial.credit_card; the card security codes its logs hold
    (…credit_card.authentication_data, strip everywhere) are drift, not admitted by that parent. An unknown
    data-flow category is a manifest error at import (exit 2)."""
    work, db = fresh
    card = str(REPO / "samples" / "logs" / "litellm_card_support.jsonl")
    assert run_cli("scan", card, "--db", db, "-q", "--fail-on", "never", cwd=work).returncode == 0
    flows = _run_json("flows", "check", "--db", db, "--format", "json", "--workload", "card-support", code=1)
    drift = {(d["workload"], d["category"]): d for d in flows["drift"]}
    row = drift[("card-support", "user.financial.credit_card.authentication_data")]
    assert row["required"] == "strip" and "CARD_SECURITY_CODE" in row["entities"]
    bad = work / "typo.yaml"
    bad.write_text(
        (REPO / "samples" / "workloads.yaml").read_text().replace("[system.operations]", "[system.operation]")
    )
    done = run_cli("registry", "import", str(bad), "--db", db, cwd=work)
    assert done.returncode == 2, done.stderr.decode()
    assert "data_flows[0](ide-plugin).categories: unknown data category 'system.operation'" in done.stderr.decode()


def test_waivers_are_marked_refused_twice_and_a_changed_profile_asks_for_a_rescan(fresh):
    """Item 9: `registry show` marks a waived rule; a second waiver of the same rule is refused (exit 2); a
    re-import that changes the declarations (a new BAA) makes show and list say to rescan, until a rescan."""
    work, db = fresh
    assert run_cli("scan", CODE_LOG, "--db", db, "-q", "--fail-on", "never", cwd=work).returncode == 0
    later = (date.today() + timedelta(days=30)).isoformat()
    waive = ("registry", "waive", "--workload", "code-helper", "--owner", "o", "--reason", "r", "--expires", later)
    assert run_cli(*waive, "--rule", "credential-strip", "--db", db).returncode == 0
    again = run_cli(*waive, "--rule", "ccpa/credential-strip", "--db", db)
    assert again.returncode == 2 and "already covers rule credential-strip" in again.stderr.decode()
    shown = run_cli("registry", "show", "code-helper", "--db", db, cwd=work)
    assert shown.returncode == 0 and "credential-strip (waived)" in shown.stdout.decode()
    assert "rescan" not in shown.stdout.decode()

    text = (REPO / "samples" / "workloads.yaml").read_text()
    head, sep, tail = text.rpartition("agreements: [DPA, NO_TRAINING]")
    changed = work / "workloads.yaml"
    changed.write_text(head + "agreements: [DPA, NO_TRAINING, BAA]" + tail)
    assert run_cli("registry", "import", str(changed), "--root", str(REPO / "samples"), "--db", db).returncode == 0
    shown = run_cli("registry", "show", "code-helper", "--db", db, cwd=work)
    assert shown.returncode == 0 and "profile changed since the last scan: rescan" in shown.stdout.decode()
    listed = {w["name"]: w for w in _run_json("registry", "list", "--db", db, "--format", "json", code=0)}
    assert listed["code-helper"]["profile_changed"] is True and listed["card-support"]["profile_changed"] is False
    assert run_cli("scan", CODE_LOG, "--db", db, "-q", "--fail-on", "never", cwd=work).returncode == 0
    listed = {w["name"]: w for w in _run_json("registry", "list", "--db", db, "--format", "json", code=0)}
    assert listed["code-helper"]["profile_changed"] is False


def test_rule_ids_as_printed_are_accepted_and_a_failing_record_is_never_a_note(tmp_path):
    """Item 10: `policy show ccpa/credential-strip` works; a record at or above --fail-on is a SARIF error and a
    GitHub ::error even when its tier alone would be a note (redact_then_closed)."""
    shown = run_cli("policy", "show", "ccpa/credential-strip")
    assert shown.returncode == 0 and "credential-strip" in shown.stdout.decode()
    assert run_cli("policy", "show", "hipaa/credential-strip").returncode == 2
    log = tmp_path / "one.jsonl"
    log.write_text('{"id": "r1", "messages": [{"role": "user", "content": "Email jane.roe@example.org please"}]}\n')
    sarif = tmp_path / "out.sarif"
    args = ("scan", str(log), "--no-registry", "--sarif", str(sarif), "-o", "github")
    done = run_cli(*args, "--fail-on", "redact_then_closed", cwd=tmp_path)
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout.decode().startswith("::error ")
    levels = {r["level"] for r in json.loads(sarif.read_text())["runs"][0]["results"]}
    assert levels == {"error"}
    below = run_cli(*args, "--fail-on", "self_hosted", cwd=tmp_path)
    assert below.returncode == 0 and below.stdout.decode().startswith("::notice ")


def test_integrity_a_rewritten_chain_protected_files_and_out_of_range_settings(fresh):
    """Item 11: a log rewritten wholly as unkeyed events fails verify; no output may name the registry or the
    secret key; a setting outside its range is exit 2."""
    import os
    import sqlite3

    from audit.store import events

    work, db = fresh
    before = run_cli("registry", "verify", "--db", db)
    assert before.returncode == 0, before.stderr.decode()
    conn = sqlite3.connect(db)
    conn.executescript("DROP TRIGGER events_no_update")
    prev = events.GENESIS
    rows = conn.execute("SELECT seq, at, kind, subject, payload FROM events ORDER BY seq").fetchall()
    for seq, at, kind, subject, payload in rows:  # every event re-hashed as the legacy chain did: no key
        digest = events.event_hash(None, prev, seq, at, kind, subject, payload)
        conn.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    conn.commit()
    conn.close()
    after = run_cli("registry", "verify", "--db", db)
    assert after.returncode == 3 and "every event is unkeyed" in after.stderr.decode(), after.stderr.decode()

    secret = os.path.join(os.environ["AUDIT_HOME"], "secret.key")
    for args in (
        ("report", "--db", db, "-o", db),
        ("scan", CODE_LOG, "--db", db, "-o", "jsonl", "--out", db),
        ("scan", CODE_LOG, "--no-registry", "--sarif", secret),
        ("route", "export", "--db", db, "-o", db),
    ):
        done = run_cli(*args, cwd=work)
        assert done.returncode == 2, (args, done.stderr.decode())
        assert "registry or the fingerprint secret" in done.stderr.decode(), args
    (work / "pyproject.toml").write_text("[tool.llm-audit]\nscore_threshold = 1.5\n")
    done = run_cli("scan", CODE_LOG, "--no-registry", cwd=work)
    assert done.returncode == 2 and "pyproject.toml: score_threshold" in done.stderr.decode(), done.stderr.decode()
