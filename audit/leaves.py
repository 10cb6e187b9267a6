"""Every string leaf of a JSON value, with the path that reaches it.

The one walk shared by the log readers (which scan whatever a known format did not
read) and the gateway (which judges the whole request body, not a list of known
fields). A path is a tuple of keys and indexes; `render` writes it as `$.a[0].b`.

The walk is iterative (no recursion limit to trip over), visits each node once, and
yields leaves in document order. Object keys that are not plain identifiers are
leaves too (a key can carry a value: `{"123-45-6789": true}`), marked by KEY in the
path. With `json_strings`, a string that holds a JSON object or array is parsed and
walked (its path gets JSON after the string's own), so values escaped inside nested
JSON (`"\\u0031\\u0032..."`) are read as the text they stand for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

Path = tuple[Any, ...]
KEY = "#key"  # path marker: the leaf is the object key itself, not its value
JSON = "#json"  # path marker: the leaf is inside the JSON document held by the string before it

_PLAIN_KEY = re.compile(r"[A-Za-z_$@][A-Za-z0-9_.$@:/-]{0,63}\Z")
_MIN_NUMBER = 10**5  # integers with six digits or more can be identifiers (a card, an account); smaller ones are counts
MAX_NESTED_JSON = 8 * 1024 * 1024  # nested JSON strings longer than this are scanned as text, not parsed


def string_leaves(
    node: Any, base: Path = (), *, json_strings: bool = False, numbers: bool = False
) -> Iterator[tuple[Path, str]]:
    """(path, text) for every string leaf under `node`, in document order.

    `numbers`: integers of six digits or more are leaves too, as their decimal text.
    """
    stack: list[tuple[Path, Any]] = [(base, node)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            nested = parse_nested(value) if json_strings else None
            if nested is None:
                yield path, value
            else:
                stack.append(((*path, JSON), nested))
        elif isinstance(value, Mapping):
            children = []
            for key, child in value.items():
                if isinstance(key, str) and not _PLAIN_KEY.match(key):
                    children.append(((*path, KEY, key), key))
                children.append(((*path, key), child))
            stack.extend(reversed(children))
        elif isinstance(value, list | tuple):
            stack.extend(((*path, i), child) for i, child in reversed(list(enumerate(value))))
        elif numbers and isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _MIN_NUMBER:
            yield path, str(value)


def parse_nested(text: str) -> Any | None:
    """The object or array a string holds as JSON, or None when it holds none (or is too large to parse)."""
    if not text or len(text) > MAX_NESTED_JSON or (text[0] not in "[{" and not text[0].isspace()):
        return None
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] not in "[{":
        return None
    if (stripped[0], stripped[-1]) not in (("{", "}"), ("[", "]")):
        return None
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict | list) else None


def render(path: Path) -> str:
    """A path as `$.messages[0].content`; a key leaf as `$.metadata{"key"}`, nested JSON as `$.a<json>.b`."""
    out = ["$"]
    parts = iter(path)
    for part in parts:
        if part == KEY:
            out.append("{" + json.dumps(str(next(parts, "")), ensure_ascii=True) + "}")
        elif part == JSON:
            out.append("<json>")
        elif isinstance(part, int):
            out.append(f"[{part}]")
        elif isinstance(part, str) and _PLAIN_KEY.match(part) and "." not in part:
            out.append(f".{part}")
        else:
            out.append("[" + json.dumps(str(part), ensure_ascii=True) + "]")
    return "".join(out)
