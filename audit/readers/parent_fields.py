"""A container's own fields, carried into each record it holds, so no leaf of the container goes unscanned.

A container's split() returns its records; whatever else the container holds (a CloudWatch
payload's log group, a list page's cursors, an error beside the data, a field no one
expected) is copied into each child under a private key, where it is scanned as an unread
field of that record. A child that is not an object is wrapped so it can carry them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PARENT_KEY = "_parent"


def carry(child, context: Mapping):
    """`child` holding `context` under a private key (a fresh one if the child has it); as it is if empty."""
    if not context:
        return child
    if isinstance(child, list):
        return [carry(c, context) for c in child]
    if not isinstance(child, Mapping):
        child = {"value": child}
    key = PARENT_KEY
    while key in child:
        key = f"_{key}"
    return {**child, key: dict(context)}


def with_parent(children: list, parent: Mapping, held: Iterable[str]) -> list | None:
    """`children`, each carrying `parent`'s fields other than `held`; None (read `parent` itself) when empty."""
    if not children:
        return None
    held = set(held)
    rest = {k: v for k, v in parent.items() if k not in held}
    return [carry(c, rest) for c in children]
