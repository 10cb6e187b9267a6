"""LangSmith runs: JSON Lines of run objects (`list_runs`, the UI export) and the bulk export's Parquet rows.

A run (`id`, `name`, `run_type`, `inputs`, `outputs`, `extra`, `trace_id`, `session_name`...)
is one record. `inputs` is the prompt: for a chat model, `messages` (LangChain message
objects, often a list of lists); `outputs` is the answer: LangChain `generations`, an
OpenAI completion's `choices`, or any value. The bulk export writes `inputs`, `outputs`
and `extra` as JSON strings; they are decoded here. The workload is
`extra.metadata.workload`, else the run's project (`session_name`).
"""

from __future__ import annotations

from collections.abc import Mapping

from audit.readers.base import JsonFormat, Parsed, string_or_none, workload_hint
from audit.readers.trace_io import decoded, value_messages


def detect(obj: Mapping) -> bool:
    """A run: a `run_type` with `inputs` or `outputs`."""
    return isinstance(obj.get("run_type"), str) and ("inputs" in obj or "outputs" in obj)


def _workload(obj: Mapping) -> str | None:
    extra = decoded(obj.get("extra"))
    meta = extra.get("metadata") if isinstance(extra, Mapping) else None
    hint = workload_hint({"metadata": decoded(meta)}) if isinstance(decoded(meta), Mapping) else None
    return hint or workload_hint(obj) or string_or_none(obj, "session_name", "project_name")


def parse(obj: Mapping) -> Parsed:
    """The run's inputs as the prompt, its outputs as the answer, its id and workload."""
    messages = value_messages(obj.get("inputs"), "user") + value_messages(obj.get("outputs"), "assistant")
    return Parsed(messages, string_or_none(obj, "id", "run_id"), _workload(obj))


FORMAT = JsonFormat(
    name="langsmith",
    detect=detect,
    parse=parse,
    source="LangSmith runs (list_runs / UI JSONL export, bulk export Parquet rows)",
    reads="prompt (inputs), answer (outputs), run id, workload (metadata or project)",
)
