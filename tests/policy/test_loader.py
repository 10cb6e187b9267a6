"""Loading packs: the built-ins, user directories, overrides, disabled rules, and precise errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit.errors import ConfigError
from audit.model import REGULATIONS
from audit.policy import load_policy_set
from audit.policy.loader import PolicyError, build_policy_set, load_pack_file
from audit.resources import policies_dir
from audit.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
BUILTIN_PACKS = {"hipaa", "42-cfr-2", "pci-dss", "glba", "legal-privilege", "gdpr", "ccpa"}

BROKEN = [
    (
        "bad-scope.yaml",
        "rule hipaa-phi-identifier-with-health-context: trigger.scope: Input should be 'message' or 'record'",
    ),
    ("bad-tier.yaml", "rule pci-x: decision: Input should be 'strip', 'self_hosted'"),
    ("bad-yaml.yaml", "bad-yaml.yaml:6:1: invalid YAML"),
    ("bad-agreement.yaml", "rule gdpr-x: unlocked_by: unknown agreement 'HANDSHAKE'"),
    ("bad-regulation.yaml", "bad-regulation.yaml: regulation: Input should be 'HIPAA'"),
    ("bad-shape.yaml", "rule hipaa-x: trigger.require[0].any_of[0].not_shapes: unknown shape 'year'"),
    ("bad-unknown-key.yaml", "rule ccpa-x: remediaton: Extra inputs are not permitted"),
    ("bad-not-mapping.yaml", "bad-not-mapping.yaml: a policy pack is a mapping"),
    ("bad-unlock.yaml", "rule glba-x: unlocked_decision must be less strict than decision"),
    ("bad-missing-trigger.yaml", "rule ccpa-y: trigger: Field required"),
]


def test_builtin_packs_load_with_every_regulation():
    ps = load_policy_set(Settings())
    assert {p.id for p in ps.packs} == BUILTIN_PACKS
    assert {p.regulation for p in ps.packs} == set(REGULATIONS)
    assert all(p.rules for p in ps.packs)


def test_policies_dir_is_the_checkout_directory_in_an_editable_install():
    assert (policies_dir() / "hipaa.yaml").is_file()


def test_identity_names_ids_versions_and_hashes(tmp_path):
    ps = load_policy_set(Settings())
    assert "hipaa@1.0.0#" in ps.identity and ps.identity.count(";") == 6
    user = tmp_path / "packs"
    user.mkdir()
    text = (policies_dir() / "glba.yaml").read_text().replace('version: "1.0.0"', 'version: "1.0.1"')
    (user / "glba.yaml").write_text(text)
    assert "glba@1.0.1#" in load_policy_set(Settings(policy_dirs=[str(user)])).identity


@pytest.mark.parametrize(("name", "expected"), BROKEN)
def test_broken_pack_error_names_file_rule_and_field(name, expected):
    with pytest.raises(PolicyError) as info:
        load_pack_file(FIXTURES / name)
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert all(name in p for p in info.value.problems)


def test_unsafe_yaml_tags_are_rejected(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("id: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(PolicyError, match="invalid YAML"):
        load_pack_file(path)


def test_a_broken_user_pack_stops_loading_with_its_file_named(tmp_path):
    shutil.copy(FIXTURES / "bad-scope.yaml", tmp_path / "bad-scope.yaml")
    with pytest.raises(ConfigError, match=r"bad-scope.yaml: rule .*: trigger.scope"):
        load_policy_set(Settings(policy_dirs=[str(tmp_path)]))


def test_user_pack_with_same_id_replaces_builtin(tmp_path):
    (tmp_path / "pci.yaml").write_text(
        "id: pci-dss\nversion: '9'\ntitle: Local PCI\nregulation: PCI-DSS\nrules:\n"
        "  - id: local-pan\n    citation: PCI DSS 3.4.1\n    description: d\n    remediation: r\n"
        "    trigger: {require: [{types: [CREDIT_CARD]}]}\n    decision: strip\n"
    )
    ps = load_policy_set(Settings(policy_dirs=[str(tmp_path)]))
    assert [r.id for r in ps.pack("pci-dss").rules] == ["local-pan"]
    assert ps.entry("pci-full-pan") is None


def test_override_changes_one_rule_by_id_and_keeps_the_rest(tmp_path):
    (tmp_path / "local.yaml").write_text(
        "id: local\nversion: '1'\ntitle: Local\nregulation: CCPA\n"
        "overrides:\n  - id: ccpa-personal-information\n    decision: self_hosted\n"
    )
    ps = load_policy_set(Settings(policy_dirs=[str(tmp_path)]))
    entry = ps.entry("ccpa-personal-information")
    assert entry.rule.decision == "self_hosted" and entry.pack == "ccpa"
    assert entry.rule.citation.startswith("Cal. Civ. Code")


def test_bad_override_is_reported_with_its_file(tmp_path):
    (tmp_path / "local.yaml").write_text(
        "id: local\nversion: '1'\ntitle: Local\nregulation: CCPA\n"
        "overrides:\n  - id: ccpa-personal-information\n    decision: maybe\n  - id: no-such-rule\n"
    )
    with pytest.raises(PolicyError) as info:
        load_policy_set(Settings(policy_dirs=[str(tmp_path)]))
    assert "local.yaml: override ccpa-personal-information: decision: Input should be" in info.value.problems[0]
    assert "override no-such-rule: id: no loaded rule has this id" in info.value.problems[1]


def test_duplicate_rule_id_across_packs_is_an_error(tmp_path):
    (tmp_path / "dup.yaml").write_text(
        "id: dup\nversion: '1'\ntitle: Dup\nregulation: GLBA\nrules:\n"
        "  - id: pci-full-pan\n    citation: c\n    description: d\n    remediation: r\n"
        "    trigger: {require: [{types: [CREDIT_CARD]}]}\n    decision: strip\n"
    )
    with pytest.raises(PolicyError, match="rule pci-full-pan: id: also defined in"):
        load_policy_set(Settings(policy_dirs=[str(tmp_path)]))


def test_disabled_rules_are_removed_and_recorded_in_identity():
    ps = load_policy_set(Settings(disabled_rules=["ccpa-personal-information"]))
    assert ps.entry("ccpa-personal-information") is None
    assert ps.identity.endswith("disabled=ccpa-personal-information")


def test_disabling_an_unknown_rule_is_a_config_error():
    with pytest.raises(ConfigError, match="disabled_rules: no loaded rule has id 'nope'"):
        load_policy_set(Settings(disabled_rules=["nope"]))


def test_missing_policy_dir_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="policy directory not found"):
        build_policy_set([tmp_path / "absent"])
