"""The model providers' request and response bodies, wherever a log wraps them.

Gateways and cloud logs (Bedrock, Azure API Management, Vertex AI, Helicone, batch
files) store the provider's own JSON: a request body and the answer. These two
readers know the documented shapes of both, so each log format only says where the
bodies are. Answers are the `assistant` turn: a model can echo or invent personal
data. Streamed answers (a list of chunks) are joined into one text, so a value
split across chunks is still read whole.
"""

from __future__ import annotations

from audit.readers.base import BadRecord, as_json_text, content_text, decoded, nonempty
from audit.readers.openai_chat import chat_messages
from audit.readers.openai_responses import responses_messages

ANSWER = "assistant"
_MODEL_ROLES = {"model": ANSWER, "assistant": ANSWER, "bot": ANSWER, "chatbot": ANSWER}


def request_messages(body, where: str) -> list[tuple[str, str]]:
    """(role, text) of a provider request body: chat, Anthropic, Converse, Responses, Gemini, or a bare prompt."""
    body = decoded(body)
    if body is None or isinstance(body, str):
        return nonempty([("user", body or "")])
    if isinstance(body, list):
        return [m for i, item in enumerate(body) for m in request_messages(item, f"{where}[{i}]")]
    if not isinstance(body, dict):
        raise BadRecord(f"{where}: expected an object, got {type(body).__name__}")
    if isinstance(body.get("messages"), list):
        system = [("system", blocks_text(body.get("system"), f"{where}.system"))]
        return nonempty([*system, *_turns(body["messages"], f"{where}.messages")])
    if isinstance(body.get("contents"), list):
        return _gemini_request(body, where)
    if "input" in body and isinstance(body["input"], str | list):
        return responses_messages(body, where)
    if isinstance(body.get("instances"), list):
        return [m for i, x in enumerate(body["instances"]) for m in request_messages(x, f"{where}.instances[{i}]")]
    for key in ("inputText", "prompt", "message", "content", "text"):  # Titan, Llama/Mistral, Cohere, plain
        if isinstance(body.get(key), str | list):
            return nonempty([("user", blocks_text(body[key], f"{where}.{key}"))])
    return []


def answer_messages(body, where: str) -> list[tuple[str, str]]:
    """(role, text) of a provider response body, the model's turns as `assistant`; a list is a stream of chunks."""
    body = decoded(body)
    if body is None:
        return []
    if isinstance(body, str):
        return nonempty([(ANSWER, body)])
    if isinstance(body, list):
        text = "".join(t for i, chunk in enumerate(body) for t in _chunk_texts(chunk, f"{where}[{i}]"))
        return nonempty([(ANSWER, text)])
    if not isinstance(body, dict):
        raise BadRecord(f"{where}: expected an object, got {type(body).__name__}")
    return nonempty([(ANSWER, t) for t in _answer_texts(body, where)])


def _answer_texts(body: dict, where: str) -> list[str]:
    if isinstance(body.get("choices"), list):  # OpenAI chat and text completions
        return [_choice_text(c, f"{where}.choices[{i}]") for i, c in enumerate(body["choices"])]
    output = body.get("output")
    if isinstance(output, dict) and isinstance(output.get("message"), dict):  # Converse, Nova
        return [blocks_text(output["message"].get("content"), f"{where}.output.message.content")]
    if isinstance(output, list):  # Responses API output items
        return [_output_item_text(item, f"{where}.output[{i}]") for i, item in enumerate(output)]
    if isinstance(body.get("content"), list):  # an Anthropic Message
        return [content_text(body["content"], f"{where}.content")]
    if isinstance(body.get("candidates"), list):  # Gemini
        return [_candidate_text(c, f"{where}.candidates[{i}]") for i, c in enumerate(body["candidates"])]
    for key, inner in (("results", "outputText"), ("outputs", "text"), ("generations", "text")):
        if isinstance(body.get(key), list):  # Titan, Mistral, Cohere
            return [_text_of(x, inner) for x in body[key]]
    if isinstance(body.get("predictions"), list):  # Vertex AI predict
        return [blocks_text(p, f"{where}.predictions") for p in body["predictions"]]
    return [body[k] for k in ("generation", "completion", "outputText", "text") if isinstance(body.get(k), str)]


def _text_of(item, key: str) -> str:
    if isinstance(item, dict):
        return item[key] if isinstance(item.get(key), str) else ""
    return item if isinstance(item, str) else ""


def _chunk_texts(chunk, where: str) -> list[str]:
    """The text fragments of one streamed chunk (OpenAI, Anthropic, Converse, Gemini, Titan, Llama events)."""
    chunk = decoded(chunk)
    if isinstance(chunk, str):
        return [chunk]
    if not isinstance(chunk, dict):
        return []
    for holder in (chunk.get("contentBlockDelta"), chunk):  # Converse streams wrap their delta
        delta = holder.get("delta") if isinstance(holder, dict) else None
        if isinstance(delta, dict):
            return [v for k in ("text", "partial_json") if isinstance(v := delta.get(k), str)]
    if isinstance(chunk.get("choices"), list):
        return [_choice_text(c, f"{where}.choices[{i}]") for i, c in enumerate(chunk["choices"])]
    if isinstance(chunk.get("content_block"), dict):
        return [content_text([chunk["content_block"]], f"{where}.content_block")]
    return _answer_texts(chunk, where)


def blocks_text(content, where: str) -> str:
    """Text of a content value whose blocks may be typed (OpenAI, Anthropic) or keyed (Converse, Gemini parts)."""
    content = decoded(content)
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return content_text(content, where)
    return "\n".join(t for t in (_block_text(b, f"{where}[{i}]") for i, b in enumerate(content)) if t)


def _block_text(block, where: str) -> str:
    if not isinstance(block, dict) or "type" in block:
        return content_text([block], where)
    if isinstance(block.get("text"), str):
        return block["text"]
    tool = block.get("toolUse") or block.get("functionCall") or block.get("function_call")
    if isinstance(tool, dict):
        return as_json_text(tool.get("input", tool.get("args", tool.get("arguments"))))
    result = block.get("toolResult") or block.get("functionResponse")
    if isinstance(result, dict):  # Converse content blocks, or a Gemini function's JSON response
        if "content" in result:
            return blocks_text(result["content"], f"{where}.result.content")
        return as_json_text(result.get("response"))
    if "json" in block:
        return as_json_text(block["json"])
    reasoning = block.get("reasoningContent")
    if isinstance(reasoning, dict) and isinstance(reasoning.get("reasoningText"), dict):
        return reasoning["reasoningText"].get("text") or ""
    return ""


def _turns(messages: list, where: str) -> list[tuple[str, str]]:
    """Chat-style turns; Converse and Gemini-style keyed blocks are read by `blocks_text`."""
    keyed = any(
        isinstance(m, dict) and isinstance(m.get("content"), list) and any(_is_keyed(b) for b in m["content"])
        for m in messages
    )
    if not keyed:
        return chat_messages(messages, where)
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise BadRecord(f"{where}[{i}].role: expected a string")
        out.append((m["role"], blocks_text(m.get("content"), f"{where}[{i}].content")))
    return nonempty(out)


def _is_keyed(block) -> bool:
    return isinstance(block, dict) and "type" not in block


def _gemini_request(body: dict, where: str) -> list[tuple[str, str]]:
    system = body.get("systemInstruction", body.get("system_instruction"))
    out = [("system", blocks_text(system.get("parts") if isinstance(system, dict) else system, f"{where}.system"))]
    for i, turn in enumerate(body["contents"]):
        if not isinstance(turn, dict):
            raise BadRecord(f"{where}.contents[{i}]: expected an object, got {type(turn).__name__}")
        role = turn.get("role") if isinstance(turn.get("role"), str) else "user"
        out.append((_MODEL_ROLES.get(role, role), blocks_text(turn.get("parts"), f"{where}.contents[{i}].parts")))
    return nonempty(out)


def _candidate_text(candidate, where: str) -> str:
    content = candidate.get("content") if isinstance(candidate, dict) else None
    return blocks_text(content.get("parts"), f"{where}.content.parts") if isinstance(content, dict) else ""


def _choice_text(choice, where: str) -> str:
    if not isinstance(choice, dict):
        raise BadRecord(f"{where}: expected an object, got {type(choice).__name__}")
    for key in ("message", "delta"):
        message = choice.get(key)
        if isinstance(message, dict):
            texts = [text for _, text in chat_messages([{**message, "role": ANSWER}], f"{where}.{key}")]
            refusal = message.get("refusal")
            return "\n".join([*texts, refusal] if isinstance(refusal, str) else texts)
    return choice.get("text") if isinstance(choice.get("text"), str) else ""


def _output_item_text(item, where: str) -> str:
    if not isinstance(item, dict):
        raise BadRecord(f"{where}: expected an object, got {type(item).__name__}")
    kind = item.get("type")
    if kind in ("function_call", "custom_tool_call", "mcp_call"):
        return "\n".join(as_json_text(item.get(k)) for k in ("arguments", "input", "output") if item.get(k))
    if kind == "reasoning":
        return content_text(item.get("summary"), f"{where}.summary")
    return content_text(item.get("content"), f"{where}.content")
