"""Declared data flows: the manifest (audit.manifest) as flows, routing and cost read it.

The manifest is one model; this module is where flows takes it from: a file
through the registry's loader, or a mapping already parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit.manifest import DataFlow, Endpoint, Manifest, Traffic, Workload

__all__ = ["DataFlow", "Endpoint", "Manifest", "Traffic", "Workload", "load_manifest", "parse_manifest"]


def parse_manifest(data: Any, where: str = "manifest") -> Manifest:
    """A Manifest from the manifest's parsed YAML; ConfigError names the bad field."""
    from audit.store.manifest import manifest_from_data

    return manifest_from_data(data, where)


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a workload manifest file (log locations checked too)."""
    from audit.store.manifest import load_manifest as load_manifest_file

    return load_manifest_file(path)
