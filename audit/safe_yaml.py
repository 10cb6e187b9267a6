"""YAML for the files we read (manifests, policy packs, pricing, categories): safe_load with aliases bounded.

An alias repeats a node wherever it is named, so a 500-byte file of aliases to
aliases grows into billions of nodes once anything walks it ("billion laughs").
Aliases stay usable for sharing a block (the packaged categories do), but the
nodes they add are counted while the file is composed, before anything expands.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError

MAX_ALIAS_NODES = 100_000


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that stops once aliases have added more than MAX_ALIAS_NODES nodes."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}
        self._added = 0
        self._open: set[str] = set()

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._count(event)
            return super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            return super().compose_node(parent, index)
        self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _count(self, event: yaml.AliasEvent) -> None:
        if event.anchor in self._open:  # a node inside itself: endless for whatever walks it
            raise ComposerError(
                None, None, f"alias *{event.anchor} refers to a node that contains it", event.start_mark
            )
        if event.anchor in self.anchors:
            self._added += self._size(self.anchors[event.anchor])
        if self._added > MAX_ALIAS_NODES:
            problem = f"aliases (*name) expand to more than {MAX_ALIAS_NODES} nodes; write the values out"
            raise ComposerError(None, None, problem, event.start_mark)

    def _size(self, node: yaml.Node) -> int:
        """Nodes in `node` with every alias inside it expanded; memoised, so shared nodes cost one visit."""
        if id(node) not in self._sizes:
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            else:
                children = node.value if isinstance(node, yaml.SequenceNode) else []
            self._sizes[id(node)] = 1 + sum(self._size(child) for child in children)
        return self._sizes[id(node)]


def load(stream: str | bytes):
    """The document in `stream`, as yaml.safe_load gives it; yaml.YAMLError also when aliases expand too far."""
    return yaml.load(stream, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass


def error_line(where: str, exc: yaml.YAMLError) -> str:
    """One line for a YAML error: 'FILE:LINE:COLUMN: invalid YAML: problem' (no position when unknown)."""
    mark = getattr(exc, "problem_mark", None)
    at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    return f"{where}{at}: invalid YAML: {problem}"
