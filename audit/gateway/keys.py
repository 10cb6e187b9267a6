"""API keys bound to workloads, for a LiteLLM proxy without a key database.

With LiteLLM's virtual keys (a database), put `llm_audit_workload` in the key's or team's metadata
instead. Without one, `custom_auth: audit.gateway.keys.user_api_key_auth` reads a keys file
(`LLM_AUDIT_KEYS_FILE`) that holds SHA-256 hashes of keys and the workload each is bound to, so
the workload comes from the key the client holds, never from what it writes in the request:

    keys:
      - sha256: 5f0c...e1      # of the key, never the key itself
        workload: patient-intake
        alias: intake-app      # optional: a label for people; LiteLLM sees the workload as the key's alias

`audit gateway key WORKLOAD --keys FILE` makes a key, prints it once and appends its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from audit.errors import ConfigError

KEYS_FILE_ENV = "LLM_AUDIT_KEYS_FILE"
KEY_PREFIX = "sk-audit-"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class BoundKey:
    sha256: str
    workload: str
    alias: str | None = None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def load_keys(path: str | os.PathLike) -> list[BoundKey]:
    """The bound keys of a keys file; a malformed entry is a ConfigError naming the file and entry."""
    import yaml

    from audit import safe_yaml

    try:
        data = safe_yaml.load(Path(path).read_bytes()) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(safe_yaml.error_line(str(path), exc)) from None
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a mapping with a 'keys' list")
    out = []
    for n, e in enumerate(entries, 1):
        ok = isinstance(e, dict) and isinstance(e.get("sha256"), str) and isinstance(e.get("workload"), str)
        if not ok or not HEX64.fullmatch(e["sha256"]) or not NAME.fullmatch(e["workload"]):
            raise ConfigError(f"{path}: keys entry {n}: needs 'sha256' (64 hex digits) and 'workload' (a name)")
        alias = e.get("alias")
        out.append(BoundKey(e["sha256"], e["workload"], alias if isinstance(alias, str) else None))
    return out


def find(keys: list[BoundKey], key: str) -> BoundKey | None:
    """The entry of `key`, compared in constant time against every entry."""
    given, found = digest(key), None
    for entry in keys:
        if hmac.compare_digest(entry.sha256, given):
            found = entry
    return found


_cache: dict[str, tuple[float, list[BoundKey]]] = {}


def _current_keys() -> list[BoundKey]:
    """The keys file named by LLM_AUDIT_KEYS_FILE, re-read when it changes (keys are added while serving)."""
    path = os.environ.get(KEYS_FILE_ENV)
    if not path:
        raise ConfigError(f"{KEYS_FILE_ENV} is not set: no keys file to authenticate with")
    info = os.stat(path)
    if info.st_mode & 0o022:  # whoever can write the file can bind a key of their own to any workload
        raise ConfigError(f"{path}: writable by group or others: make it private (chmod 600)")
    mtime = info.st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_keys(path))
        _cache[path] = cached
    return cached[1]


async def user_api_key_auth(request, api_key: str):
    """LiteLLM `custom_auth`: the caller's key must be in the keys file; its workload goes into the key metadata."""
    from litellm.proxy._types import ProxyException, UserAPIKeyAuth

    key = (api_key or "").removeprefix("Bearer ").strip()
    entry = find(_current_keys(), key) if key else None
    if entry is None:
        raise ProxyException("llm-audit: unknown API key", type="auth_error", param="api_key", code=401)
    # The alias is the workload too, for LiteLLM's Generic Guardrail API (`audit serve`), which sees aliases only.
    # Key-level tags: LiteLLM's tag routing then selects the workload's deployments even without the guardrail.
    metadata = {"llm_audit_workload": entry.workload, "tags": [entry.workload]}
    return UserAPIKeyAuth(api_key=entry.sha256, key_alias=entry.workload, metadata=metadata)


def new_key(path: str | os.PathLike, workload: str, alias: str | None = None) -> str:
    """Make a key bound to `workload`, append its hash to the keys file (0600), and return the key."""
    if not NAME.fullmatch(workload):
        raise ConfigError(f"not a workload name: {workload!r}")
    if alias is not None and not NAME.fullmatch(alias):
        raise ConfigError("an alias is a name: letters, digits, '.', '_', '-'")
    target = Path(path)
    keys = load_keys(target) if target.exists() else []
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    keys.append(BoundKey(digest(key), workload, alias))
    lines = ["keys:"]
    for k in keys:
        lines += [f"  - sha256: {k.sha256}", f"    workload: {k.workload}"]
        if k.alias:
            lines.append(f"    alias: {k.alias}")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return key
