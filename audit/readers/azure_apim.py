"""Azure API Management LLM logs: `ApiManagementGatewayLlmLog` rows and `GatewayLlmLogs` resource-log records.

A row holds `RequestMessages` (the prompt's chat messages) and `ResponseMessages` (the
completion's), as dynamic columns or JSON strings, with `CorrelationId`, `DeploymentName`,
`ModelName` and `SequenceNumber`: a large exchange is split over several rows with one
correlation id, each read as its own record (`<CorrelationId>#<SequenceNumber>`).
Resource logs (storage, Event Hubs) carry the same columns under `properties`; names are
matched in any case. The table has no workload column: a query that adds one (`Workload`,
e.g. joined from ApiManagementGatewayLogs on CorrelationId) names it.
"""

from __future__ import annotations

from audit.readers.base import Container, JsonFormat, Parsed, content_text, string_or_none
from audit.readers.parent_fields import with_parent
from audit.readers.provider_bodies import ANSWER, answer_messages, decoded, request_messages

_MESSAGE_KEYS = ("requestmessages", "responsemessages")


def _columns(obj: dict) -> dict:
    """The record's columns by lower-case name, a resource log's `properties` included."""
    columns = {k.lower(): v for k, v in obj.items() if isinstance(k, str)}
    properties = decoded(columns.get("properties"))
    if isinstance(properties, dict):
        columns.update({k.lower(): v for k, v in properties.items() if isinstance(k, str)})
    return columns


def detect(obj: dict) -> bool:
    """A row or resource log with request or response messages (or the GatewayLlmLogs category)."""
    if str(obj.get("category", "")).lower() == "gatewayllmlogs" or obj.get("Type") == "ApiManagementGatewayLlmLog":
        return True
    return any(k.lower() in _MESSAGE_KEYS for k in obj if isinstance(k, str))


def parse(obj: dict) -> Parsed:
    """The request messages in order, then the response messages as `assistant`."""
    columns = _columns(obj)
    request = decoded(columns.get("requestmessages"))
    messages = request_messages({"messages": request} if isinstance(request, list) else request, "RequestMessages")
    messages += _answers(decoded(columns.get("responsemessages")))
    return Parsed(messages, _record_id(columns), string_or_none(columns, "workload"))


def _answers(response) -> list[tuple[str, str]]:
    """A list of response messages (or choices), or a whole completion body, as the assistant's turns."""
    if not isinstance(response, list):
        return answer_messages(response, "ResponseMessages")
    out = []
    for i, item in enumerate(response):
        message = item.get("message", item) if isinstance(item, dict) else item
        text = content_text(message.get("content"), f"ResponseMessages[{i}]") if isinstance(message, dict) else ""
        out.append((ANSWER, text if isinstance(message, dict) else str(message or "")))
    return [m for m in out if m[1]]


def _record_id(columns: dict) -> str | None:
    correlation = string_or_none(columns, "correlationid", "requestid")
    sequence = string_or_none(columns, "sequencenumber")
    if correlation and sequence and sequence != "0":
        return f"{correlation}#{sequence}"
    return correlation


def split_records(obj: dict) -> list | None:
    """The records of an Azure resource-log payload (`{"records": [...]}`: Event Hubs, storage), else None."""
    records = obj.get("records")
    if len(obj) != 1 or not isinstance(records, list):
        return None
    if not all(isinstance(r, dict) and ("category" in r or "resourceId" in r) for r in records):
        return None
    return records


def split_tables(obj: dict) -> list | None:
    """Rows of a Log Analytics query API answer (`{"tables": [{"columns", "rows"}]}`) as {column: value}, else None."""
    tables = obj.get("tables")
    if not isinstance(tables, list) or not tables or not all(_is_table(t) for t in tables):
        return None
    rows = []
    for table in tables:
        names = [c.get("name") if isinstance(c, dict) else str(c) for c in table["columns"]]
        table_rows = [_row(names, r) if isinstance(r, list) else r for r in table.get("rows") or []]
        held = ["rows", "columns"] if all(_plain_column(c) for c in table["columns"]) else ["rows"]
        rows += with_parent(table_rows, table, held) or [{k: v for k, v in table.items() if k != "rows"}]
    return with_parent(rows, obj, ["tables"])


def _is_table(table) -> bool:
    return (
        isinstance(table, dict) and isinstance(table.get("columns"), list) and isinstance(table.get("rows", []), list)
    )


def _plain_column(column) -> bool:
    """A column that is only a name (which becomes each row's key) and a type word: nothing to carry."""
    if not isinstance(column, dict) or not set(column) <= {"name", "type"}:
        return False
    kind = column.get("type", "string")
    return isinstance(column.get("name"), str) and isinstance(kind, str) and kind.isalpha()


def _row(names: list, cells: list) -> dict:
    """A row as {column: cell}; cells beyond the columns are kept under their position, never dropped."""
    row = {f"_cell{i}": cell for i, cell in enumerate(cells) if i >= len(names)}
    row.update(zip(names, cells, strict=False))
    return row


FORMAT = JsonFormat(
    name="azure-apim-llm",
    detect=detect,
    parse=parse,
    source="Azure API Management LLM logs (ApiManagementGatewayLlmLog rows, GatewayLlmLogs resource logs)",
    reads="prompt, answer, workload (a Workload column), correlation id",
)
RECORDS = Container(
    name="azure-records",
    split=split_records,
    source='Azure resource logs delivered to Event Hubs or storage (`{"records": [...]}`)',
)
TABLES = Container(
    name="log-analytics-tables",
    split=split_tables,
    source='Azure Monitor Log Analytics query API answers (`{"tables": [{"columns", "rows"}]}`)',
)
