"""`audit recommend`, `audit route export` and `audit route replay` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from tests.conftest import run_cli

FIXTURE = Path(__file__).parent.parent / "flows" / "fixtures" / "workloads.yaml"


class LitellmParams(BaseModel):
    """The documented litellm_params keys we emit (docs.litellm.ai/docs/proxy/configs, /proxy/tag_routing)."""

    model_config = ConfigDict(extra="forbid")
    model: str
    api_base: str | None = None
    api_key: str | None = None
    mock_response: str | None = None
    tags: list[str]


class Deployment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_name: Literal["closed", "self_hosted"]
    litellm_params: LitellmParams
    model_info: dict


class RouterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enable_tag_filtering: Literal[True]
    tag_filtering_match_any: Literal[False]


class LitellmConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_list: list[Deployment]
    router_settings: RouterSettings
    general_settings: dict


def test_recommend_table_and_json():
    proc = run_cli("recommend", "--manifest", str(FIXTURE))
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Break-even at defaults: 77M tokens/month" in out and "Sensitivity" in out
    assert "clinical-notes -> self_hosted" in out and "would become possible with: BAA" in out
    data = json.loads(
        run_cli("recommend", "card-disputes", "--manifest", str(FIXTURE), "--volume", "10", "--format", "json").stdout
    )
    [rec] = data["recommendations"]
    assert rec["choice"] == "closed" and rec["monthly_tokens"] == 10_000_000


def test_litellm_export_matches_the_documented_structure(tmp_path):
    out = tmp_path / "litellm_config.yaml"
    proc = run_cli("route", "export", "--target", "litellm", "--manifest", str(FIXTURE), "-o", str(out))
    assert proc.returncode == 0, proc.stderr.decode()
    config = LitellmConfig.model_validate(yaml.safe_load(out.read_text()))
    placed = [
        (d.model_name, d.model_info["id"], d.litellm_params.tags, d.litellm_params.model) for d in config.model_list
    ]
    assert placed == [
        ("closed", "card-disputes/closed/claude-sonnet", ["card-disputes"], "anthropic/claude-sonnet-4-5"),
        ("closed", "llm-audit:refusal:closed", ["default"], "openai/llm-audit-refusal"),
        (
            "self_hosted",
            "card-disputes/self_hosted/vllm-qwen-2.5-7b",
            ["card-disputes"],
            "hosted_vllm/Qwen/Qwen2.5-7B-Instruct",
        ),
        (
            "self_hosted",
            "clinical-notes/self_hosted/vllm-llama-3.1-8b",  # PHI without a BAA: no closed deployment
            ["clinical-notes"],
            "hosted_vllm/meta-llama/Llama-3.1-8B-Instruct",
        ),
        ("self_hosted", "llm-audit:refusal:self_hosted", ["default"], "openai/llm-audit-refusal"),
        (
            "self_hosted",
            "matter-review/self_hosted/vllm-llama-3.1-70b",
            ["matter-review"],
            "hosted_vllm/meta-llama/Llama-3.1-70B-Instruct",
        ),
    ]
    assert proc.stderr.decode().splitlines()[0] == f"wrote {out}: 4 workload deployment(s), 2 refusing default(s)"
    assert "clinical-notes: self-hosted only: declared data requires self_hosted (missing BAA)" in proc.stderr.decode()


def test_litellm_export_refuses_a_workload_named_default(tmp_path):
    manifest = tmp_path / "workloads.yaml"
    manifest.write_text(FIXTURE.read_text().replace("name: matter-review", "name: default"))
    proc = run_cli("route", "export", "--target", "litellm", "--manifest", str(manifest), "-o", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == (
        "audit: error: workload 'default': LiteLLM sends untagged requests to that tag; rename the workload"
    )
    assert not (tmp_path / "o").exists()


def test_replay_reports_shares_drivers_and_costs(tmp_path):
    logs = tmp_path / "logs.jsonl"
    rows = [
        "Summarise our refund policy in two sentences.",
        "Refund the charge on card 4111 1111 1111 1111 for Jane Doe.",
        "Patient John Smith, MRN 00482913, was admitted with pneumonia.",
        "Draft a friendly reminder about the team offsite.",
    ]
    logs.write_text("".join(json.dumps({"messages": [{"role": "user", "content": r}]}) + "\n" for r in rows))
    proc = run_cli(
        "route",
        "replay",
        str(logs),
        "--manifest",
        str(FIXTURE),
        "--workload",
        "clinical-notes",
        "--monthly-requests",
        "40000",
        "--format",
        "json",
    )
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)
    assert data["requests"] == 4 and data["monthly_scale"] == 10000
    assert data["by_target"]["self_hosted"] >= 1 and data["by_target"]["closed"] == 2
    assert any(r.startswith("hipaa/") for r in data["rules"])
    assert set(data["monthly_cost_usd"]) == {"routed", "all_closed", "all_self_hosted"}
    assert "4111" not in proc.stdout.decode() and "John Smith" not in proc.stdout.decode()
    table = run_cli(
        "route", "replay", str(logs), "--manifest", str(FIXTURE), "--workload", "clinical-notes"
    ).stdout.decode()
    assert "Routing of 4 request(s)" in table and "all self-hosted" in table


SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_routing_commands_read_the_registry_after_an_import(tmp_path):
    """Right after `registry import` (issue 15, items 5 and 9): recommend, export and replay need no manifest file,
    replay routes as with the manifest, and export never allows a closed API a workload cannot use."""
    assert run_cli("registry", "import", str(SAMPLES / "workloads.yaml"), cwd=tmp_path).returncode == 0
    recommend = run_cli("recommend", "--format", "json", cwd=tmp_path)
    assert recommend.returncode == 0, recommend.stderr.decode()
    names = [r["workload"] for r in json.loads(recommend.stdout)["recommendations"]]
    assert names == ["card-support", "code-helper", "contract-review", "patient-intake"]
    export = run_cli("route", "export", "--target", "litellm", "-o", "litellm.yaml", cwd=tmp_path)
    assert export.returncode == 0, export.stderr.decode()
    assert "contract-review: self-hosted only: it declares no closed endpoint" in export.stderr.decode()
    replay = ["route", "replay", str(SAMPLES / "logs" / "litellm_card_support.jsonl"), "--format", "json"]
    from_registry = run_cli(*replay, cwd=tmp_path)
    from_manifest = run_cli(*replay, "--manifest", str(SAMPLES / "workloads.yaml"), cwd=tmp_path)
    assert from_registry.returncode == from_manifest.returncode == 0, from_registry.stderr.decode()
    assert json.loads(from_registry.stdout) == json.loads(from_manifest.stdout)

    scan = run_cli("scan", str(SAMPLES / "logs"), "-q", "--fail-on", "never", cwd=tmp_path)
    assert scan.returncode == 0, scan.stderr.decode()
    after = run_cli("route", "export", "--target", "litellm", "-o", "litellm.yaml", cwd=tmp_path).stderr.decode()
    assert "card-support: self-hosted only: its scans require self_hosted" in after  # strip blocked, PANs remain
    config = yaml.safe_load((tmp_path / "litellm.yaml").read_text())
    closed_tags = {t for d in config["model_list"] if d["model_name"] == "closed" for t in d["litellm_params"]["tags"]}
    assert "card-support" not in closed_tags and "patient-intake" not in closed_tags


def test_recommend_without_workloads_says_how_to_get_them(tmp_path):
    done = run_cli("recommend", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        "audit: error: no workloads: pass --manifest FILE, or run `audit registry import FILE` first"
    )
