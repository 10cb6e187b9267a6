"""Langfuse exports: observations (GENERATION, SPAN, EVENT, ...), traces, and traces with their observations.

An observation (`GET /api/public/observations`, the UI's JSON/CSV export) has `id`,
`traceId`, `type`, `name`, `input`, `output` and `metadata`; its input is the prompt
(often a chat `messages` list) and its output the answer, scanned as the assistant
turn. Without its own format an observation would be read as an OpenAI Responses
request (it has `input`), and its answer would be scanned as a field only.

A trace with full details (`GET /api/public/traces/{id}`) holds its observations as
objects: it is a container whose records are the trace itself (its own input and
output) and each observation, which inherits the trace's workload. A page of an API
listing (`{"data": [...], "meta": {...}}`) is a container of its items.
The workload is `metadata.workload` (or a `workload` key), else the trace's.
"""

from __future__ import annotations

from collections.abc import Mapping

from audit.readers.base import Container, JsonFormat, Parsed, string_or_none, workload_hint
from audit.readers.trace_io import decoded, value_messages

OBSERVATION_TYPES = frozenset(
    {"GENERATION", "SPAN", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR", "EMBEDDING", "GUARDRAIL"}
)
_TRACE = "_langfuse_trace"  # marks the trace itself among the records of a trace with observations


def _is_observation(obj: Mapping) -> bool:
    kind = obj.get("type")
    return isinstance(kind, str) and kind.upper() in OBSERVATION_TYPES and ("traceId" in obj or "trace_id" in obj)


def _is_trace(obj: Mapping) -> bool:
    return _TRACE in obj or "htmlPath" in obj or ("sessionId" in obj and "observations" in obj)


def detect(obj: Mapping) -> bool:
    """A Langfuse observation (a known `type` and a `traceId`), or a Langfuse trace."""
    return _is_observation(obj) or (_is_trace(obj) and ("input" in obj or "output" in obj))


def _workload(obj: Mapping) -> str | None:
    meta = decoded(obj.get("metadata"))
    hint = workload_hint({"metadata": meta} if isinstance(meta, Mapping) else {}) or workload_hint(obj)
    return hint or string_or_none(obj, _TRACE)


def parse(obj: Mapping) -> Parsed:
    """The input as the prompt, the output as the answer; the observation (or trace) id is the record id."""
    messages = value_messages(obj.get("input"), "user") + value_messages(obj.get("output"), "assistant")
    return Parsed(messages, string_or_none(obj, "id"), _workload(obj))


def split(obj: Mapping) -> list | None:
    """A trace's own record and its observations, or the items of an API listing page."""
    observations = obj.get("observations")
    if isinstance(observations, list) and observations and all(isinstance(o, Mapping) for o in observations):
        trace = {k: v for k, v in obj.items() if k != "observations"}
        hint = _workload(trace) or ""
        return [{**trace, _TRACE: hint}, *({**o, _TRACE: hint} for o in observations)]
    meta, data = obj.get("meta"), obj.get("data")
    if isinstance(meta, Mapping) and "totalItems" in meta and isinstance(data, list):
        return data
    return None


CONTAINER = Container(
    name="langfuse-trace",
    split=split,
    source="Langfuse traces with their observations (GET /api/public/traces/{id}), API listing pages",
)
FORMAT = JsonFormat(
    name="langfuse",
    detect=detect,
    parse=parse,
    source="Langfuse observation and trace exports (API, UI JSON/CSV download)",
    reads="prompt (input), answer (output), observation id, workload (metadata)",
)
