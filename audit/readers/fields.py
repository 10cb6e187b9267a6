"""The string leaves of a record that its format did not read: nothing in a record goes unscanned.

A known format gives structure (id, workload, roles, prompt vs answer); every other
string leaf of the record (and integers long enough to be an identifier) is scanned
too, as a message of its own whose `path` says where it was (`$.tools[0].function.description`).
A record whose shape no format knows is scanned leaf by leaf the same way.

What is skipped: a leaf whose text is already part of a message the format read, and
the values of structural keys (`model`, `role`, `object`...) when they are plain tokens
(letters, digits and `_.:/@+=-`) with fewer than six digits, a prefixed serial (`req-0000123`)
or digits that are a hash or UUID (so `ssn:219-09-9999` in `model` is still read), and bare timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from audit.leaves import JSON, KEY, render, string_leaves

# Keys whose values are the structure of a log record, not its content, in the formats we read.
STRUCTURAL_KEYS = frozenset(
    {
        "id", "_id", "object", "model", "model_id", "modelId", "role", "type", "kind", "status", "status_code",
        "finish_reason", "stop_reason", "call_type", "custom_id", "request_id", "requestId", "trace_id", "traceId",
        "span_id", "spanId", "parent_id", "parentId", "parent_span_id", "parentSpanId", "parent_run_id",
        "tool_use_id", "run_type", "method", "url", "endpoint", "api_base", "api_version", "anthropic_version",
        "cache_key", "api_key", "hashed_api_key", "team_id", "key_alias", "model_group", "deployment",
        "custom_llm_provider", "provider", "system_fingerprint", "service_tier", "tool_call_id", "call_id",
        "version", "schemaVersion", "operation", "operationName", "level", "severity", "severityText", "name_space",
        "region", "accountId", "account_id", "project_id", "location", "environment", "release", "format",
        "encoding", "mime_type", "media_type", "content_type", "detail", "tool_choice_type", "language",
        "created", "created_at", "createdAt", "updated_at", "startTime", "endTime", "start_time", "end_time",
        "workload", "llm_audit_workload", "user_api_key_team_alias", "request_tags", "tags", "completionStartTime", "timestamp", "time", "timeUnixNano", "startTimeUnixNano", "endTimeUnixNano",
    }
)  # fmt: skip
_TOKEN = re.compile(r"[A-Za-z0-9_.:/@+=-]{1,200}\Z")
_DIGITS_ONLY = re.compile(r"(?=(?:\D*\d){6})[\d\s().+/-]+\Z")  # six digits or more and nothing but separators
_COUNTER = re.compile(r"[A-Za-z]{1,32}[_.:/-]\d{1,20}\Z")  # a prefixed serial: req-0000123
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DIGIT_RUN = re.compile(r"\d+")
_STAMP = re.compile(r"(?:19|20)\d{2}(?:\d{4})?\Z")  # a year or a date stamp: 2024, 20240620
_HEX_RUN = re.compile(r"[0-9a-fA-F]{16,}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?\Z")
_COUNT_KEY = re.compile(
    r"(?i).*(?:time|date|_at|created|token|count|size|index|latency|_ms|duration|cost|spend|price|seed|port|"
    r"status|nano|epoch|bytes|length|limit|number_of|version)s?\Z"
)


def unread_fields(obj, read_texts: Iterable[str]) -> list[tuple[str, str]]:
    """(path, text) for each leaf of `obj` not already inside one of `read_texts`, in document order."""
    read = "\n".join(read_texts)
    return [(render(path), text) for path, text in _leaves(obj, read)]


def all_fields(obj) -> list[tuple[str, str]]:
    """(path, text) for every leaf worth scanning in a record no format knows."""
    return [(render(path), text) for path, text in _leaves(obj, "")]


def _leaves(obj, read: str) -> Iterator[tuple[tuple, str]]:
    for path, text in string_leaves(obj, json_strings=True, numbers=True):
        if text in read:
            continue
        stripped = text.strip()
        if stripped and stripped not in read and _worth_scanning(path, stripped):
            yield path, text


def _worth_scanning(path: tuple, text: str) -> bool:
    key = _key_of(path)
    if key is None:
        return True
    if len(path) < 2 or path[-2] != KEY:
        if text.isdigit() and _COUNT_KEY.match(key):
            return False  # a count, a size or a time in a numeric field
        if key in STRUCTURAL_KEYS and _TOKEN.match(text) and not _DIGITS_ONLY.match(text) and _plain_token(text):
            return False
    return not _TIMESTAMP.match(text)


def _plain_token(text: str) -> bool:
    """A token with too few digits to be an identifier, or whose digits are a hash or UUID (hex with letters)."""
    if sum(c.isdigit() for c in text) < 6 or _COUNTER.match(text) or _UUID.search(text) or _versioned(text):
        return True
    run = _HEX_RUN.search(text)
    return run is not None and not run.group().isdigit()


def _versioned(text: str) -> bool:
    """A name whose digits are versions and date stamps only: gpt-4o-2024-08-06, claude-3-5-sonnet-20240620-v1:0."""
    return all(len(run) <= 2 or _STAMP.match(run) for run in _DIGIT_RUN.findall(text))


def _key_of(path: tuple):
    """The object key a leaf sits under (skipping indexes and markers), or None at the top."""
    for part in reversed(path):
        if isinstance(part, str) and part not in (JSON, KEY):
            return part
    return None
