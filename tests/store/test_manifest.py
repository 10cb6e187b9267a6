"""The workload manifest: the sample loads, profiles follow the endpoint rule, errors name file and field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audit.errors import ConfigError
from audit.store.manifest import load_manifest, log_files, profile_for, profiles_from_manifest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "workloads.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "workloads.yaml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
workloads:
  - name: w1
    owner: team@example.com
    endpoints:
      - {name: a, provider: p, model: m, hosting: closed_api, agreements: [BAA, ZDR, DPA]}
      - {name: b, provider: p, model: m, hosting: closed_api, agreements: [BAA, DPA]}
      - {name: c, provider: p, model: m, hosting: self_hosted}
"""


def test_sample_manifest_declares_the_four_fictitious_workloads():
    manifest = load_manifest(SAMPLE)
    assert [w.name for w in manifest.workloads] == ["patient-intake", "card-support", "contract-review", "code-helper"]
    assert "fictitious" in SAMPLE.read_text().lower()
    profiles = profiles_from_manifest(SAMPLE)
    intake = profiles["patient-intake"]
    assert (intake.hosting, intake.hipaa_entity, "BAA" in intake.agreements) == ("closed_api", "covered_entity", False)
    assert "PCI_AOC" not in profiles["card-support"].agreements and "DPA" in profiles["card-support"].agreements
    assert profiles["contract-review"].hosting == "self_hosted"


def test_sample_log_locations_resolve_inside_the_samples_dir():
    manifest = load_manifest(SAMPLE)
    files = [f for w in manifest.workloads for s in w.data_sources for p in s.logs for f in log_files(p, SAMPLE.parent)]
    assert files and all(SAMPLE.parent.resolve() in f.resolve().parents for f in files)


def test_profile_uses_agreements_common_to_every_closed_endpoint(tmp_path):
    profile = profiles_from_manifest(write(tmp_path, MINIMAL))["w1"]
    assert profile.hosting == "closed_api"
    assert profile.agreements == frozenset({"BAA", "DPA"})


@pytest.mark.parametrize(
    ("endpoints", "hosting", "agreements"),
    [
        ([], None, frozenset()),
        ([("self_hosted", ["BAA"])], "self_hosted", frozenset()),
        ([("self_hosted", []), ("closed_api", ["ZDR"])], "closed_api", frozenset({"ZDR"})),
        ([("closed_api", ["ZDR"]), ("closed_api", ["DPA"])], "closed_api", frozenset()),
    ],
)
def test_profile_rule_table(endpoints, hosting, agreements):
    profile = profile_for("w", "none", None, endpoints)
    assert (profile.hosting, profile.agreements) == (hosting, agreements)


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        (
            "hosting: closed_api, agreements: [BAA, ZDR, DPA]",
            "hosting: cloud",
            "workloads[0](w1).endpoints[0](a).hosting",
        ),
        ("agreements: [BAA, DPA]}", "agreements: [BAA, NDA]}", "unknown agreement 'NDA'"),
        ("owner: team@example.com", "ownr: team@example.com", "workloads[0](w1).owner"),
        ("name: w1", "name: W 1", "workloads[0](W 1).name"),
        ("{name: b,", "{name: a,", "duplicate endpoint name 'a'"),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path, replace, by, expected):
    path = write(tmp_path, MINIMAL.replace(replace, by))
    with pytest.raises(ConfigError) as err:
        load_manifest(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_yaml_syntax_error_names_line(tmp_path):
    path = write(tmp_path, "workloads:\n  - name: [unclosed\n")
    with pytest.raises(ConfigError, match=rf"{path}:\d+:\d+: invalid YAML"):
        load_manifest(path)


def test_data_flow_to_unknown_endpoint_is_refused(tmp_path):
    text = MINIMAL + "    data_flows:\n      - {source: s, categories: [user.name], endpoint: nowhere}\n"
    with pytest.raises(ConfigError, match="unknown endpoint 'nowhere'"):
        load_manifest(write(tmp_path, text))


def test_flow_and_cost_keys_are_accepted(tmp_path):
    text = MINIMAL.replace("hosting: self_hosted}", "hosting: self_hosted, api_base: 'http://x:8000/v1'}")
    text += "    traffic: {requests_per_month: 100}\n    data_flows:\n      - {name: f, source: s, endpoint: c, redaction: true}\n"
    assert load_manifest(write(tmp_path, text)).workloads[0].data_flows[0].redaction is True


@pytest.mark.parametrize("pattern", ["../outside/*.jsonl", "/etc/passwd", "logs/../../x.jsonl"])
def test_log_locations_must_stay_under_the_root(tmp_path, pattern):
    root = tmp_path / "root"
    root.mkdir()
    text = MINIMAL + f"    data_sources:\n      - name: s\n        logs: ['{pattern}']\n"
    path = write(root, text)
    with pytest.raises(ConfigError, match=r"data_sources\[0\]\.logs\[0\]: .* outside the root"):
        load_manifest(path)


def test_symlink_escaping_the_root_is_refused(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "logs").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.jsonl").write_text("{}\n")
    os.symlink(outside / "secret.jsonl", root / "logs" / "link.jsonl")
    text = MINIMAL + "    data_sources:\n      - name: s\n        logs: ['logs/*.jsonl']\n"
    with pytest.raises(ConfigError, match="resolves outside the root"):
        load_manifest(write(root, text))


def test_root_option_overrides_the_manifest_directory(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.jsonl").write_text("{}\n")
    sub = tmp_path / "config"
    sub.mkdir()
    text = MINIMAL + "    data_sources:\n      - name: s\n        logs: ['logs/*.jsonl']\n"
    load_manifest(write(sub, text), root=tmp_path)  # inside --root: fine
    assert log_files("logs/*.jsonl", tmp_path) == [tmp_path / "logs" / "a.jsonl"]
