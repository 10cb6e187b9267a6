"""The `guardrails:` entry (and key binding) that `audit route export --target litellm --guardrail` adds."""

from __future__ import annotations

import os

GUARDRAIL_CLASS = "audit.gateway.litellm_guardrail.AuditGuardrail"
KEYS_AUTH = "audit.gateway.keys.user_api_key_auth"


def add_guardrail(config: dict, manifest: str | None = None, db: str | None = None, keys_auth: bool = False) -> dict:
    """`config` with the llm-audit guardrail on every request (pre and post call) and, with `keys_auth`,
    keys bound to workloads by the keys file instead of LiteLLM's key database. Paths become absolute:
    the proxy resolves them from its own working directory."""
    params: dict = {"guardrail": GUARDRAIL_CLASS, "mode": ["pre_call", "post_call"], "default_on": True}
    if manifest:
        params["manifest"] = os.path.abspath(manifest)
    if db:
        params["db"] = db if ":" in db else os.path.abspath(db)
    config["guardrails"] = [{"guardrail_name": "llm-audit", "litellm_params": params}]
    if keys_auth:
        config.setdefault("general_settings", {})["custom_auth"] = KEYS_AUTH
    return config
