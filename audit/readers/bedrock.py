"""Amazon Bedrock model-invocation logs: one `ModelInvocationLog` object per line (S3 `.json.gz`, or CloudWatch).

`input.inputBodyJson` is the provider's request (Anthropic Messages, Converse
`messages`, Titan `inputText`, Llama/Mistral `prompt`...) and `output.outputBodyJson`
its answer (a list of chunks for streamed calls). The workload comes from the
Converse `requestMetadata` tags (`workload`), which Bedrock logs with the call.
A body too large for the record is delivered to S3 on its own (`inputBodyS3Path`):
that record is reported, not passed as clean. Batch inference files (`{"recordId", "modelInput",
"modelOutput"}`: the `.jsonl` input and the `.jsonl.out` output) hold the same bodies.
"""

from __future__ import annotations

from audit.readers.base import BadRecord, JsonFormat, Parsed, string_or_none, workload_hint
from audit.readers.provider_bodies import answer_messages, decoded, request_messages


def detect(obj: dict) -> bool:
    """A Bedrock invocation log: `schemaType: ModelInvocationLog`, or `modelId` with an `input` holding a body."""
    if obj.get("schemaType") == "ModelInvocationLog":
        return True
    body = obj.get("input")
    return "modelId" in obj and isinstance(body, dict) and ("inputBodyJson" in body or "inputBodyS3Path" in body)


def parse(obj: dict) -> Parsed:
    """The request's turns, then the answer as `assistant`; `requestId` is the record id."""
    request, response = _section(obj, "input"), _section(obj, "output")
    _inline(request, "input")
    _inline(response, "output")
    messages = request_messages(request.get("inputBodyJson"), "input.inputBodyJson")
    messages += answer_messages(response.get("outputBodyJson"), "output.outputBodyJson")
    return Parsed(messages, string_or_none(obj, "requestId"), _workload(obj, request.get("inputBodyJson")))


def _section(obj: dict, key: str) -> dict:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRecord(f"{key}: expected an object, got {type(value).__name__}")
    return value


def _inline(section: dict, key: str) -> None:
    """Refuse a record whose body was delivered to S3 apart from it: its text is not here to scan."""
    if f"{key}BodyJson" not in section and section.get(f"{key}BodyS3Path"):
        raise BadRecord(f"{key}.{key}BodyS3Path: the body was delivered to S3 apart from this record; scan that object")


def _workload(obj: dict, body) -> str | None:
    """`workload` among the request metadata tags (the log's, else the Converse request's), any key case."""
    body = decoded(body)
    for tags in (obj.get("requestMetadata"), body.get("requestMetadata") if isinstance(body, dict) else None):
        if isinstance(tags, dict):
            hint = string_or_none({k.lower(): v for k, v in tags.items() if isinstance(k, str)}, "workload")
            if hint:
                return hint
    return workload_hint(body) if isinstance(body, dict) else None


def detect_batch(obj: dict) -> bool:
    """A batch inference record: `recordId` with a `modelInput` object."""
    return "recordId" in obj and isinstance(obj.get("modelInput"), dict)


def parse_batch(obj: dict) -> Parsed:
    """The model input's turns, then the model output (in `.jsonl.out` files) as `assistant`."""
    messages = request_messages(obj["modelInput"], "modelInput")
    messages += answer_messages(obj.get("modelOutput"), "modelOutput")
    return Parsed(messages, string_or_none(obj, "recordId"), workload_hint(obj["modelInput"]))


BATCH = JsonFormat(
    name="bedrock-batch",
    detect=detect_batch,
    parse=parse_batch,
    source="Amazon Bedrock batch inference input (.jsonl) and output (.jsonl.out) files",
    reads="prompt, answer, recordId",
)
FORMAT = JsonFormat(
    name="bedrock",
    detect=detect,
    parse=parse,
    source="Amazon Bedrock model-invocation logs (S3 .json.gz objects, CloudWatch Logs)",
    reads="prompt, answer, workload (requestMetadata), request id",
)
