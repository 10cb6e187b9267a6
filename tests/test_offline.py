"""Offline operation: a scan makes no network attempt at all (tldextract's suffix-list download included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_cli

GUARD = '''
"""Loaded by Python at start-up: every way out to the network raises, and is logged."""
import os
import socket

_LOG = os.environ["NETWORK_ATTEMPTS_LOG"]


def _refuse(what, original=None):
    def refuse(*args, **kwargs):
        # Local IPC (the worker pool's forkserver talks over a Unix socket) is not the network.
        if original is not None and args and getattr(args[0], "family", None) == socket.AF_UNIX:
            return original(*args, **kwargs)
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(what + " " + repr(args[:2])[:200] + "\\n")
        raise OSError(101, "network is disabled in this test")
    return refuse


socket.socket.connect = _refuse("socket.connect", socket.socket.connect)
socket.socket.connect_ex = _refuse("socket.connect_ex", socket.socket.connect_ex)
socket.socket.sendto = _refuse("socket.sendto", socket.socket.sendto)
socket.create_connection = _refuse("create_connection")
socket.getaddrinfo = _refuse("getaddrinfo")
socket.gethostbyname = _refuse("gethostbyname")
'''


@pytest.fixture
def offline_env(tmp_path):
    """Environment for a subprocess whose network calls fail and are logged; caches point at empty dirs."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "attempts.log"
    log.write_text("")
    home = tmp_path / "home"
    home.mkdir()
    config = tmp_path / "audit.toml"
    config.write_text("message_time_budget = 600\n")
    env = {
        "PYTHONPATH": str(site),
        "NETWORK_ATTEMPTS_LOG": str(log),
        "HOME": str(home),  # no warm tldextract / spaCy / HF caches to hide a download
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TLDEXTRACT_CACHE": str(home / "tldextract"),
        "AUDIT_HOME": str(home / "audit"),
    }
    return env, log, str(config)


def test_the_guard_really_blocks_and_logs(offline_env):
    env, log, _ = offline_env
    code = "import socket\ntry:\n    socket.create_connection(('example.com', 443))\nexcept OSError as e:\n    print(e.errno)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True)
    assert out.stdout.decode().strip() == "101"
    assert "create_connection" in log.read_text()


def test_scan_of_every_sample_makes_no_network_attempt(offline_env, tmp_path):
    env, log, config = offline_env
    proc = run_cli("scan", "samples/", "-o", "jsonl", "--config", config, env=env, cwd=REPO)
    assert proc.returncode == 1, proc.stderr.decode()  # the samples reach the default gate
    assert len(proc.stdout.decode().splitlines()) > 20
    assert log.read_text() == ""
    assert "Traceback" not in proc.stderr.decode()
    emails = [
        f
        for line in proc.stdout.decode().splitlines()
        for f in json.loads(line)["findings"]
        if f["entity_type"] == "EMAIL_ADDRESS"
    ]
    assert emails, "email validation (the tldextract path) must still work offline"
