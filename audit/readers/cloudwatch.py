"""CloudWatch Logs payloads that hold log events: subscription deliveries and `aws logs` output.

A subscription (Lambda, Firehose, Kinesis) delivers `{"messageType", "logGroup",
"logEvents": [{"id", "timestamp", "message"}]}`; `aws logs get-log-events` and
`filter-log-events` print `{"events": [{"timestamp", "message", "ingestionTime"...}]}`.
Each event's `message` is the logged text: a JSON record (a Bedrock invocation log,
any other format) is read as such, plain text is scanned as it is.
"""

from __future__ import annotations

from audit.readers.base import Container
from audit.readers.parent_fields import carry, with_parent
from audit.readers.provider_bodies import decoded


def split(obj: dict) -> list | None:
    """The decoded message of each log event (the payload's other fields carried), or None when not a payload."""
    if isinstance(obj.get("logEvents"), list):
        key = "logEvents"
    elif isinstance(obj.get("events"), list) and obj["events"] and all(_cli_event(e) for e in obj["events"]):
        key = "events"
    else:
        return None
    return with_parent([_message(e) for e in obj[key]], obj, [key])


def _message(event):
    """An event's decoded message, carrying the event's other fields (its id and time, anything else)."""
    if not isinstance(event, dict) or "message" not in event:
        return event
    return carry(decoded(event["message"]), {k: v for k, v in event.items() if k != "message"})


def _cli_event(event) -> bool:
    """An event as the AWS CLI prints it (a message, and CloudWatch's own ingestion time or event id)."""
    return isinstance(event, dict) and "message" in event and ("ingestionTime" in event or "eventId" in event)


CONTAINER = Container(
    name="cloudwatch",
    split=split,
    source="CloudWatch Logs subscription payloads and `aws logs get-log-events` / `filter-log-events` output",
)
