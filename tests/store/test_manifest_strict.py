"""Every YAML input bounds alias expansion (billion laughs) and fails fast naming the file; data flows refuse unknown fields."""

from __future__ import annotations

import re
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from audit import safe_yaml
from audit.cost import load_pricing
from audit.errors import ConfigError
from audit.flows.model import parse_manifest
from audit.flows.taxonomy import load_taxonomy
from audit.policy.loader import load_pack_file
from audit.store.manifest import load_manifest

MANIFEST = """
workloads:
  - name: w1
    owner: team@example.com
    endpoints:
      - {name: api, provider: p, model: m, hosting: closed_api}
"""
# Some 500 bytes that expand to 9**9 strings once anything walks them (a dump, a hash, a validator).
LAUGHS = "\n".join(
    [
        'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)),
    ]
)
LOADERS = {
    "manifest": (
        load_manifest,
        "workloads.yaml",
        MANIFEST
        + "    data_flows:\n      - source: s\n        notes:\n"
        + "".join(f"          {line}\n" for line in LAUGHS.splitlines()),
    ),
    "policy pack": (load_pack_file, "pack.yaml", LAUGHS + "\nid: x\nrules: *l8\n"),
    "pricing": (load_pricing, "pricing.yaml", LAUGHS + "\nsensitivity: {x: *l8}\n"),
    "categories": (load_taxonomy, "categories.yaml", LAUGHS + "\ntaxonomy: {x: *l8}\n"),
}


@pytest.mark.parametrize("kind", LOADERS)
def test_billion_laughs_is_refused_fast_with_the_file_and_line_named(tmp_path, kind):
    load, name, text = LOADERS[kind]
    path = tmp_path / name
    path.write_text(text)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ConfigError) as err:
        load(path)
    elapsed, (_, peak) = time.perf_counter() - started, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1 and peak < 5_000_000
    message = str(err.value)
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: invalid YAML: aliases \(\*name\) expand to more than", message)
    assert "\n" not in message


def test_aliases_that_share_a_block_still_load():
    text = "base: &b {hosting: closed_api, agreements: [DPA]}\na: *b\nb: {<<: *b, region: eu}\n"
    assert safe_yaml.load(text)["b"] == {"hosting": "closed_api", "agreements": ["DPA"], "region": "eu"}
    assert load_taxonomy().requirements["user.demographic.religious_belief"].regulations == ("GDPR", "CCPA")


def test_expansion_is_bounded_by_nodes_added_not_by_file_size():
    shared = "x: &x [" + ", ".join(["1"] * 1000) + "]\n"
    assert len(safe_yaml.load(shared + "y: [" + ", ".join(["*x"] * 99) + "]\n")["y"]) == 99
    with pytest.raises(yaml.YAMLError, match="expand to more than"):
        safe_yaml.load(shared + "y: [" + ", ".join(["*x"] * 100) + "]\n")


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(yaml.YAMLError, match=r"alias \*a refers to a node that contains it"):
        safe_yaml.load("a: &a [1, *a]\n")


def _write(tmp_path: Path, flows: str) -> Path:
    path = tmp_path / "workloads.yaml"
    path.write_text(MANIFEST + "    data_flows:\n" + flows)
    return path


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        ("{source: s, endpoint: api, redact: true}", "workloads[0](w1).data_flows[0].redact: Extra inputs"),
        ("{source: s, categoires: [user.name]}", "data_flows[0].categoires: Extra inputs are not permitted"),
        ("{source: s, endpoint: {name: x, hosting: self_hosted, regoin: eu}}", "unknown endpoint field(s) regoin"),
    ],
)
def test_an_unknown_data_flow_field_is_refused_naming_file_and_field(tmp_path, flow, expected):
    path = _write(tmp_path, f"      - {flow}\n")
    with pytest.raises(ConfigError) as err:
        load_manifest(path)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)


def test_known_data_flow_fields_and_an_inline_endpoint_are_accepted(tmp_path):
    inline = "{name: x, provider: p, model: m, hosting: self_hosted, region: eu, api_base: 'http://h/v1'}"
    path = _write(tmp_path, f"      - {{name: f, source: s, categories: [user.name], endpoint: {inline}}}\n")
    (flow,) = load_manifest(path).workloads[0].data_flows
    assert flow.endpoint.region == "eu" and flow.inline_endpoint()["api_base"] == "http://h/v1"


def test_the_flows_model_refuses_unknown_data_flow_fields():
    data = {"workloads": [{"name": "w", "owner": "o", "data_flows": [{"source": "s", "redact": True}]}]}
    with pytest.raises(ConfigError, match="redact: Extra inputs are not permitted"):
        parse_manifest(data)
