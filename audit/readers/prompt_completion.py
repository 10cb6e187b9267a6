"""Flat prompt/answer records: `{"prompt": ..., "completion": ...}` lines, fine-tuning sets, and CSV/TSV rows.

A CSV row is read as an object of its columns (cells holding JSON are decoded), so a
table export goes through the same formats as a JSON log: a LiteLLM spend-log CSV is
read by the LiteLLM format, a plain ticket export by this one.
"""

from __future__ import annotations

from audit.readers.base import JsonFormat, Parsed, content_text, string_or_none, workload_hint

PROMPT_KEYS = ("prompt", "text", "content", "message", "input", "question", "query", "instruction", "request")
ANSWER_KEYS = ("completion", "response", "answer", "output", "reply", "generation")
ID_KEYS = ("id", "request_id", "custom_id", "uuid")


def _key(obj: dict, names: tuple[str, ...]) -> str | None:
    lowered = {k.strip().lower(): k for k in obj if isinstance(k, str)}
    return next((lowered[n] for n in names if n in lowered and _texty(obj[lowered[n]])), None)


def _texty(value) -> bool:
    return isinstance(value, str | list | dict) and bool(value)


def detect(obj: dict) -> bool:
    """A record with a prompt-like key holding text."""
    return _key(obj, PROMPT_KEYS) is not None


def parse(obj: dict) -> Parsed:
    """The prompt as the user turn, the answer (when there is one) as the assistant turn."""
    prompt = _key(obj, PROMPT_KEYS)
    answer = _key(obj, ANSWER_KEYS)
    messages = [("user", content_text(obj[prompt], prompt) if prompt else "")]
    if answer:
        messages.append(("assistant", content_text(obj[answer], answer)))
    lowered = {k.strip().lower(): v for k, v in obj.items() if isinstance(k, str)}
    return Parsed([m for m in messages if m[1]], string_or_none(lowered, *ID_KEYS), workload_hint(lowered))


FORMAT = JsonFormat(
    name="prompt-completion",
    detect=detect,
    parse=parse,
    source="fine-tuning sets, evaluation sets, CSV/TSV exports with a prompt column",
)
