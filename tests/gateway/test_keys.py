"""Keys bound to workloads: only hashes stored (0600), constant-time lookup, hostile names and files refused."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest

from audit.errors import ConfigError
from audit.gateway import keys
from tests.conftest import run_cli


def test_new_keys_are_stored_as_hashes_in_a_private_file(tmp_path):
    path = tmp_path / "keys.yaml"
    a, b = keys.new_key(path, "intake"), keys.new_key(path, "helpdesk", alias="desk")
    text = path.read_text()
    assert a not in text and b not in text and keys.digest(a) in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = keys.load_keys(path)
    assert keys.find(loaded, a).workload == "intake" and keys.find(loaded, b).alias == "desk"
    assert keys.find(loaded, "sk-audit-guess") is None
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize("name", ["", "a b", "x\x1b[31m", "../etc", "-flag", "a" * 200, "wörk"])
def test_hostile_workload_names_are_refused(tmp_path, name):
    with pytest.raises(ConfigError):
        keys.new_key(tmp_path / "keys.yaml", name)
    assert not (tmp_path / "keys.yaml").exists()


@pytest.mark.parametrize(
    "text",
    [
        "keys: nope\n",
        "keys:\n  - sha256: abc\n    workload: intake\n",
        "keys:\n  - sha256: " + "0" * 64 + "\n    workload: 'a b'\n",
        "keys: [\n",
        "a: &a [*a, *a]\n",
    ],
)
def test_malformed_keys_files_are_one_line_errors_naming_the_file(tmp_path, text):
    path = tmp_path / "keys.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        keys.load_keys(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_custom_auth_binds_the_workload_and_refuses_unknown_keys(tmp_path, monkeypatch):
    pytest.importorskip("litellm")
    from litellm.proxy._types import ProxyException

    path = tmp_path / "keys.yaml"
    key = keys.new_key(path, "intake")
    monkeypatch.setenv(keys.KEYS_FILE_ENV, str(path))
    auth = asyncio.run(keys.user_api_key_auth(None, f"Bearer {key}"))
    assert auth.metadata == {"llm_audit_workload": "intake", "tags": ["intake"]} and auth.key_alias == "intake"
    assert auth.api_key == keys.digest(key)  # LiteLLM logs this field: never the key itself
    with pytest.raises(ProxyException) as err:
        asyncio.run(keys.user_api_key_auth(None, "Bearer sk-audit-wrong"))
    assert err.value.code == "401"
    later = keys.new_key(path, "helpdesk")  # a key added while serving is seen without a restart
    os.utime(path, (1, 1))
    assert asyncio.run(keys.user_api_key_auth(None, later)).metadata["llm_audit_workload"] == "helpdesk"


def test_the_cli_prints_the_key_once_and_exits_0(tmp_path):
    r = run_cli("gateway", "key", "intake", "--keys", str(tmp_path / "k.yaml"), cwd=tmp_path)
    assert r.returncode == 0
    key = r.stdout.decode().strip()
    assert key.startswith("sk-audit-") and key not in (tmp_path / "k.yaml").read_text()
    bad = run_cli("gateway", "key", "bad name", "--keys", str(tmp_path / "k.yaml"), cwd=tmp_path)
    assert bad.returncode == 2 and "not a workload name" in bad.stderr.decode()


def test_a_keys_file_others_can_write_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "keys.yaml"
    keys.new_key(path, "intake")
    monkeypatch.setenv(keys.KEYS_FILE_ENV, str(path))
    assert keys._current_keys()[0].workload == "intake"
    path.chmod(0o664)
    with pytest.raises(ConfigError, match="chmod 600"):
        keys._current_keys()


def test_the_documented_setup_block_leaves_every_key_file_private(tmp_path):
    """docs/routing.md's copy-paste block, its `umask` and `audit gateway key` lines run as written."""
    import subprocess

    from tests.gateway.test_guardrail_proxy import BIN, setup_block

    lines = [line for line in setup_block().splitlines() if line.startswith(("umask", "audit gateway key"))]
    assert lines[0].startswith("umask 077") and len(lines) >= 3
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(lines)], cwd=tmp_path, env=env, check=True)
    written = sorted(tmp_path.glob("*.key")) + [tmp_path / "keys.yaml"]
    assert len(written) == len(lines)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
