"""Helicone request exports (`npx @helicone/export`, the request query API): JSONL, a JSON array, or CSV.

A row is Helicone's request record: `request_id`/`response_id`, `request_body` (the provider
request) and, with `--include-body`, `response_body` (the provider's answer), with
`request_user_id`, `request_properties` (its custom `Helicone-Property-*` headers), `model`
and costs. The workload is the `workload` custom property. The export tool's CSV has no
response column, so from a CSV only the prompt (and the other columns, as fields) is read.
"""

from __future__ import annotations

from audit.readers.base import Container, JsonFormat, Parsed, string_or_none
from audit.readers.parent_fields import with_parent
from audit.readers.provider_bodies import answer_messages, decoded, request_messages

_BODY_KEYS = ("request_body", "response_body", "signed_body_url")
_HELICONE_KEYS = ("response_id", "request_properties", "request_user_id", "helicone_user", "request_path", "costusd")


def _lowered(obj: dict) -> dict:
    return {k.strip().lower(): v for k, v in obj.items() if isinstance(k, str)}


def detect(obj: dict) -> bool:
    """A Helicone request row: a request or response body beside Helicone's own columns."""
    keys = _lowered(obj)
    return any(k in keys for k in _BODY_KEYS) and any(k in keys for k in _HELICONE_KEYS)


def parse(obj: dict) -> Parsed:
    """The request body's turns, then the response body as `assistant`; `request_id` is the record id."""
    row = _lowered(obj)
    messages = request_messages(row.get("request_body"), "request_body")
    messages += answer_messages(row.get("response_body"), "response_body")
    return Parsed(messages, string_or_none(row, "request_id", "response_id"), _workload(row))


def _workload(row: dict) -> str | None:
    """The `workload` custom property (a Helicone-Property-Workload header), in any case."""
    for key in ("request_properties", "properties"):
        properties = decoded(row.get(key))
        if isinstance(properties, dict):
            hint = string_or_none(_lowered(properties), "workload")
            if hint:
                return hint
    return None


def split(obj: dict) -> list | None:
    """The rows of a saved request-query API answer (`{"data": [...], "error": null}`), else None."""
    data = obj.get("data")
    if not isinstance(data, list) or not set(obj) <= {"data", "error"}:
        return None
    if not data or not all(isinstance(r, dict) and detect(r) for r in data):
        return None
    return with_parent(data, {k: v for k, v in obj.items() if v is not None}, ["data"])


FORMAT = JsonFormat(
    name="helicone",
    detect=detect,
    parse=parse,
    source="Helicone request exports (@helicone/export JSONL, JSON or CSV; the request query API)",
    reads="prompt, answer (JSON exports), workload (Helicone-Property-Workload), request id",
)
CONTAINER = Container(
    name="helicone-query",
    split=split,
    source='Helicone request query API answers (`{"data": [...], "error": null}`)',
)
