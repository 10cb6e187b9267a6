"""LiteLLM's Generic Guardrail API, answered by the same verdicts as the in-process guardrail.

LiteLLM's `generic_guardrail_api` guardrail POSTs `{input_type, texts, images, structured_messages, tools,
tool_calls, model, request_data, ...}` to `<api_base>/beta/litellm_basic_guardrail_api` and reads
`{action: NONE | BLOCKED | GUARDRAIL_INTERVENED, texts, blocked_reason}`. The whole call is judged, not
only `texts`: the structured messages (tool calls, refusal parts, names), the tool definitions and the
tool calls are scanned too, and whatever cannot be read as text (images, files, audio, token arrays,
content that is an object) keeps the request away from the closed model. This API can change texts but
not the model, so a request that must stay self-hosted is BLOCKED with the reason (send it to
`self_hosted`); so is a request whose identifiers sit where LiteLLM cannot write a redacted text back
(only `texts` are written back). Redaction returns the texts with placeholders, and the answer
(`input_type: response`, same `litellm_call_id`) gets the values back, but only for a caller that
presents the same credential and LiteLLM key as the call that was redacted, and only when the service
was told to restore (it has a token: without one, anyone who learns a call id could ask).
The workload is the key's team alias, else the key's alias: names LiteLLM authenticated, never a
field of the request body (LiteLLM merges request-body parameters into
`additional_provider_specific_params`, so that field is not trusted).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping

from audit.gateway.enforce import SELF_HOSTED, Enforcer, Verdict, refuse
from audit.gateway.payloads import Texts
from audit.gateway.restore import PendingRedactions
from audit.leaves import string_leaves

PATH = "/beta/litellm_basic_guardrail_api"
TEXT_PARTS = frozenset({"text", "input_text", "output_text"})
INERT_PARTS = frozenset({"reasoning", "item_reference", "thinking", "redacted_thinking"})
SKIPPED_KEYS = frozenset({"role", "type", "id", "tool_call_id", "call_id", "index"})  # structure, not content
UNWRITABLE = "identifiers in parts LiteLLM cannot write back (tool calls, tool definitions, refusals, names)"


class Judged:
    """One call as the Enforcer judges it: `texts` (written back by LiteLLM) first, then every other
    readable string (`extra`, judged but never rewritten), and how many parts cannot be read."""

    def __init__(self, payload: Mapping):
        self.texts: list[str] = []
        self.extra: list[str] = []
        self.unscannable = 0
        for value in payload.get("texts") or []:
            if isinstance(value, str):
                self.texts.append(value)
            else:  # token arrays: not text we can read
                self.unscannable += 1
        seen = set(self.texts)
        for text in self._readable(payload):
            if text not in seen:
                seen.add(text)
                self.extra.append(text)

    def body(self) -> dict:
        """The body the Enforcer reads its segments from."""
        return {"texts": self.texts, "extra": self.extra}

    def segments(self) -> Texts:
        """Every string as one segment (texts, then extra) and the unreadable parts counted."""
        paths = [("user", ("texts", i)) for i in range(len(self.texts))]
        paths += [("user", ("extra", i)) for i in range(len(self.extra))]
        return Texts(segments=paths, unscannable=self.unscannable)

    def _readable(self, payload: Mapping) -> Iterator[str]:
        images = payload.get("images")
        if images:
            self.unscannable += len(images) if isinstance(images, list) else 1
        messages = payload.get("structured_messages")
        if isinstance(messages, list):
            for message in messages:
                yield from self._message(message)
        elif messages is not None:
            self.unscannable += 1
        for key in ("tool_calls", "tools"):
            yield from _leaves(payload.get(key))

    def _message(self, message) -> Iterator[str]:
        if not isinstance(message, Mapping):
            self.unscannable += 1
            return
        for key, value in message.items():
            if key == "content":
                yield from self._content(value)
            elif key not in SKIPPED_KEYS:
                yield from _leaves(value)

    def _content(self, content) -> Iterator[str]:
        if content is None:
            return
        if isinstance(content, str):
            yield content
            return
        if not isinstance(content, list) or not content:
            # An object or a number is not content we can read as text. An empty list is what LiteLLM's
            # request model leaves of parts its types do not declare (a `refusal` part): parts we were not shown.
            self.unscannable += 1
            return
        for part in content:
            if isinstance(part, str):
                yield part
            elif isinstance(part, Mapping) and part.get("type") in TEXT_PARTS and isinstance(part.get("text"), str):
                yield part["text"]
            elif isinstance(part, Mapping) and part.get("type") == "refusal" and isinstance(part.get("refusal"), str):
                yield part["refusal"]
            elif not (isinstance(part, Mapping) and part.get("type") in INERT_PARTS):
                self.unscannable += 1  # images, files, audio, token arrays, unknown parts


def _leaves(value) -> Iterator[str]:
    """The string leaves of a tool call, a tool definition or a message field, but structural keys."""
    for path, text in string_leaves(value):
        if not (path and path[-1] in SKIPPED_KEYS):
            yield text


class GenericGuardrail:
    """Answers Generic Guardrail API calls; keeps each redacted call's mapping until its answer is checked.

    `restore`: keep mappings and answer response checks with the values (only behind authentication).
    """

    def __init__(self, enforcer: Enforcer, restore: bool = True):
        self.enforcer, self.restore = enforcer, restore
        self.pending = PendingRedactions()

    def answer(self, payload: Mapping, caller: str = "") -> tuple[dict, Verdict | None]:
        """The API's answer for one call, and the verdict behind it (None for a response check).

        `caller` is the credential the call was authenticated with: a mapping is given back only to a
        response check with the same credential, the same LiteLLM key and the same call id.
        """
        call_id = payload.get("litellm_call_id")
        meta = payload.get("request_data") if isinstance(payload.get("request_data"), Mapping) else {}
        binding = _binding(call_id, caller, meta) if isinstance(call_id, str) and call_id else None
        if payload.get("input_type") == "response":
            texts = payload.get("texts") or []
            redaction = self.pending.take(binding) if binding and self.restore else None
            if redaction is None or not all(isinstance(t, str) for t in texts):
                return {"action": "NONE"}, None
            return {"action": "GUARDRAIL_INTERVENED", "texts": [redaction.restore(t) for t in texts]}, None
        workload = meta.get("user_api_key_team_alias") or meta.get("user_api_key_alias") or None
        judged = Judged(payload)
        verdict = self.enforcer.verdict(judged.body(), judged.segments(), workload, payload.get("model"))
        if verdict.action == "redact" and verdict.texts[len(judged.texts) :] != judged.extra:
            verdict = _unwritable(verdict, self.enforcer, workload)
        if verdict.action == "refuse":
            return {"action": "BLOCKED", "blocked_reason": f"llm-audit: refused: {verdict.reason}"}, verdict
        if verdict.action == "reroute":
            reason = f"llm-audit: send this request to model '{SELF_HOSTED}': {_self_host_reason(verdict)}"
            return {"action": "BLOCKED", "blocked_reason": reason}, verdict
        if verdict.action == "redact":
            if self.restore and binding:
                self.pending.keep(binding, verdict.redaction)
            return {"action": "GUARDRAIL_INTERVENED", "texts": verdict.texts[: len(judged.texts)]}, verdict
        return {"action": "NONE"}, verdict


def _binding(call_id: str, caller: str, meta: Mapping) -> str:
    """The pending mapping's name: the call id with the caller's credential and LiteLLM key folded in."""
    who = [caller, *(str(meta.get(k) or "") for k in ("user_api_key_hash", "user_api_key_alias"))]
    return call_id + ":" + hashlib.sha256("\0".join(who).encode()).hexdigest()


def _unwritable(verdict: Verdict, enforcer: Enforcer, workload: str | None) -> Verdict:
    """A redact verdict whose identifiers are (also) outside `texts`: self-hosted, or refused without one."""
    w = enforcer.manifest.workload(workload)
    if any(not e.closed for e in enforcer.manifest.endpoints_of(w)):
        return Verdict("reroute", workload, SELF_HOSTED, reason=UNWRITABLE, decision=verdict.decision)
    reason = f"self-hosted only, and none declared: {UNWRITABLE}"
    return refuse(workload, 403, "self-hosted-required", reason, verdict.decision)


def _self_host_reason(verdict: Verdict) -> str:
    """The reason to self-host: a rule that asks for it when the router gave several (the first may only
    have asked for redaction), else the verdict's own reason."""
    decision = verdict.decision
    if decision is None or decision.target != "self_hosted" or verdict.reason not in decision.reasons:
        return verdict.reason
    strict = [r for r in decision.reasons if "self_hosted" in r or "no closed endpoint" in r]
    return strict[0] if strict else verdict.reason
