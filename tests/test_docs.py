"""The README and docs/ document what the code does: entity types, commands, settings."""

from __future__ import annotations

import re

from audit.scanner.entities import ENTITY_TYPES
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
OUTPUT_DOC = (REPO / "docs" / "output.md").read_text(encoding="utf-8")


def test_the_entity_table_lists_every_type_the_scanner_can_report(engine):
    """docs/output.md's table is the vocabulary's own (name, kind, description), plus what Presidio adds (UUID)."""
    table = OUTPUT_DOC.split("## Entity types", 1)[1].split("\n## ", 1)[0]
    rows = {
        m[0]: (m[1], m[2]) for m in re.findall(r"^\| `([A-Z0-9_]+)` \| (identifier|context) \| (.*) \|$", table, re.M)
    }
    vocabulary = {e.name: (e.kind, e.description) for e in ENTITY_TYPES}
    assert {name: rows.get(name) for name in vocabulary} == vocabulary
    assert set(rows) == set(vocabulary) | set(engine.analyzer.get_supported_entities())


def test_every_top_level_command_is_documented():
    from typer.main import get_command

    from audit.cli import app

    commands = get_command(app).commands
    assert len(commands) >= 10
    missing = [name for name in commands if f"audit {name}" not in README]
    assert not missing, f"commands missing from README: {missing}"


def test_every_command_has_help_text():
    from typer.main import get_command

    from audit.cli import app

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")

    undocumented = [path for path, cmd in walk(get_command(app), "audit") if not (cmd.help or "").strip()]
    assert not undocumented, undocumented


def test_ci_workflow_fails_when_the_fingerprint_secret_is_missing():
    import re
    import subprocess

    import yaml

    ci = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    workflow = yaml.safe_load(re.search(r"```yaml\n(name: llm-audit\n.*?)```", ci, re.S).group(1))
    steps = {s.get("name"): s for s in workflow["jobs"]["audit"]["steps"]}
    check = steps["Check the fingerprint secret is there (so the committed baseline matches)"]
    assert steps["Scan prompt logs"]["env"]["AUDIT_SECRET"] == check["env"]["LLM_AUDIT_SECRET"]

    def run(value: str) -> int:
        return subprocess.run(
            ["bash", "-c", check["run"]], env={"LLM_AUDIT_SECRET": value}, capture_output=True
        ).returncode

    assert (run(""), run("5f1c0e9a7b3d24c8e6f0a1b2c3d4e5f6")) == (1, 0)


def test_the_readme_config_example_names_real_settings_and_rules():
    import re
    import tomllib

    from audit import policy
    from audit.settings import Settings

    block = re.search(r"```toml\n# audit.toml\n(.*?)```", README, re.S).group(1)
    config = tomllib.loads(block)
    assert set(config) <= set(Settings.model_fields)
    rules = {rule.id for pack in policy.load_policy_set(Settings()).packs for rule in pack.rules}
    assert set(config["disabled_rules"]) <= rules


def test_the_readme_library_example_runs_as_a_plain_script(tmp_path):
    """Saved as a script and run (no __main__ guard): small inputs need no process pool (issue 15, item 8)."""
    import os
    import re
    import subprocess
    import sys

    code = re.search(r"As a library.*?```python\n(.*?)```", README, re.S).group(1)
    script = tmp_path / "example.py"
    script.write_text(code + "print(results[0].decision.value, decision.tier.value)\n")
    env = {**os.environ, "AUDIT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["self_hosted", "unrestricted"]
    assert "00482913" not in done.stderr
