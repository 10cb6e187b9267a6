"""CLI commands (placeholder until implemented)."""

from __future__ import annotations


def register(app) -> None:
    """Add this module's commands to the root app."""
