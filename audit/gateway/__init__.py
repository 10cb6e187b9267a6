"""Enforcement at the gateway: the routing decision applied to live requests, failing closed.

- `payloads`: the texts of an OpenAI chat / Responses / Anthropic Messages request, and writing redacted texts back;
- `restore`: placeholders back into answers, streamed ones included;
- `enforce`: one request's verdict (pass, reroute to self-hosted, redact, refuse) from the router and the registry;
- `litellm_guardrail`: that verdict inside the LiteLLM proxy (the `gateway` extra);
- `keys`: binding API keys to workloads for a proxy without a key database.
"""
