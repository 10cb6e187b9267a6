"""Writing new texts into a JSON value at the paths `audit.leaves.string_leaves` gave, keeping its layout.

Keys keep their order, a renamed key (a key that was itself a value) keeps its place, and a
string that held a JSON document is re-encoded in the style it came in (compact or spaced,
ASCII-escaped or not), so a nested request body stays a string holding JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from audit.leaves import JSON, KEY, Path, parse_nested


def rebuild(node: Any, changes: dict[Path, str]) -> Any:
    """`node` with the leaf at each path of `changes` replaced by its new text (the input is not modified)."""
    if not changes:
        return node
    prefixes = {path[:i] for path in changes for i in range(len(path) + 1)}
    return _rebuild(node, (), changes, prefixes)


Style = tuple[bool, bool]  # (compact separators, non-ASCII escaped)


def json_style(original: str) -> Style:
    """How a JSON text was written: compact or spaced separators, non-ASCII escaped or not (never its content)."""
    compact = '":' in original and '": ' not in original and '", "' not in original
    return compact, original.isascii() and "\\u" in original


def dumps_styled(value: Any, style: Style, indent: int | str | None = None) -> str:
    """`value` as JSON written in `style`."""
    compact, ascii_only = style
    separators = (",", ":") if compact and indent is None else ((",", ": ") if indent is not None else (", ", ": "))
    return json.dumps(value, ensure_ascii=ascii_only, separators=separators, indent=indent)


def dumps_like(original: str, value: Any) -> str:
    """`value` as JSON in the style of `original`."""
    return dumps_styled(value, json_style(original))


def _rebuild(node: Any, path: Path, changes: dict[Path, str], prefixes: set[Path]) -> Any:
    if path not in prefixes:
        return node
    if path in changes:
        return _typed(node, changes[path])
    if isinstance(node, str):
        nested = parse_nested(node)
        if nested is None:
            return node
        return dumps_like(node, _rebuild(nested, (*path, JSON), changes, prefixes))
    if isinstance(node, Mapping):
        out = {}
        for key, child in node.items():
            new_key = changes.get((*path, KEY, key), key) if isinstance(key, str) else key
            while new_key in out:  # two keys rewritten alike: never drop a value
                new_key = f"{new_key}_"
            out[new_key] = _rebuild(child, (*path, key), changes, prefixes)
        return out
    if isinstance(node, list | tuple):
        return [_rebuild(child, (*path, i), changes, prefixes) for i, child in enumerate(node)]
    return node


def _typed(old: Any, new: str) -> Any:
    """A rewritten number stays a number when its replacement is one."""
    if isinstance(old, int) and not isinstance(old, bool) and new.isdigit() and not new.startswith("0"):
        return int(new)
    return new
