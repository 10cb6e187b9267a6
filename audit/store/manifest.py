"""Loading the workload manifest (audit.manifest): errors name the file, the workload and the field.

Log locations are paths or globs relative to the root (default: the
manifest's directory) and must stay inside it, symlinks resolved.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from audit import safe_yaml
from audit.errors import ConfigError, plain_validation_message
from audit.manifest import Manifest, profile_for
from audit.model import WorkloadProfile

__all__ = ["check_log_locations", "load_manifest", "log_files", "manifest_from_data", "profile_for",
           "profiles_from_manifest"]  # fmt: skip


def load_manifest(path: str | Path, root: str | Path | None = None) -> Manifest:
    """Parse and validate a manifest; ConfigError names the file and the field. Checks log containment."""
    path = Path(path)
    try:
        data = safe_yaml.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read manifest: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(safe_yaml.error_line(str(path), exc)) from None
    manifest = manifest_from_data(data, str(path))
    check_log_locations(manifest, path, Path(root) if root else path.parent)
    return manifest


def manifest_from_data(data: Any, where: str = "manifest") -> Manifest:
    """A Manifest from parsed YAML; ConfigError `where: field: problem` on one line."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a manifest is a mapping with a 'workloads' list")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_field_error(exc, data)}") from None


def _field_error(exc: ValidationError, data: dict) -> str:
    first = exc.errors()[0]
    parts: list[str] = []
    node = data
    for item in first["loc"]:
        if isinstance(item, int):
            label = f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str):
                label += f"({node['name']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    where = "".join(parts) or "manifest"
    return f"{where}: {plain_validation_message(first)}"


def check_log_locations(manifest: Manifest, path: Path, root: Path) -> None:
    """ConfigError unless every log location (and every file it matches) stays under `root`."""
    for w in manifest.workloads:
        for i, source in enumerate(w.data_sources):
            for j, pattern in enumerate(source.logs):
                field = f"workloads({w.name}).data_sources[{i}].logs[{j}]"
                try:
                    log_files(pattern, root)
                except ValueError as exc:
                    raise ConfigError(f"{path}: {field}: {exc}") from None


def log_files(pattern: str, root: Path) -> list[Path]:
    """Files matching a log location under `root`; ValueError when it (or a match) leaves `root`."""
    base = root.resolve()
    target = Path(pattern) if Path(pattern).is_absolute() else base / pattern
    fixed = Path(*[p for p in target.parts[: _first_glob(target.parts)]]) if target.parts else target
    if not _inside(fixed.resolve(), base):
        raise ValueError(f"{pattern!r} is outside the root {base}")
    matches = [Path(m) for m in sorted(glob.glob(str(target), recursive=True))]
    for m in matches:
        if not _inside(m.resolve(), base):
            raise ValueError(f"{pattern!r} matches {m}, which resolves outside the root {base}")
    return [m for m in matches if m.is_file()]


def _first_glob(parts: tuple[str, ...]) -> int:
    for i, part in enumerate(parts):
        if any(c in part for c in "*?["):
            return i
    return len(parts)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def profiles_from_manifest(path: str | Path, root: str | Path | None = None) -> dict[str, WorkloadProfile]:
    """Workload profiles straight from a manifest file, without a database."""
    return {w.name: w.profile() for w in load_manifest(path, root).workloads}


def check_categories(manifest: Manifest, where: str) -> None:
    """ConfigError (exit 2) naming file, workload, flow and category for a data-flow category that is neither
    fideslang's nor one of our extensions: a typo there would hide the flow from every check."""
    import difflib

    from audit.flows.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    for i, w in enumerate(manifest.workloads):
        for j, flow in enumerate(w.data_flows):
            for category in flow.categories:
                if not taxonomy.known(category):
                    close = difflib.get_close_matches(category, list(taxonomy.names), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    field = f"workloads[{i}]({w.name}).data_flows[{j}]({flow.name or flow.source}).categories"
                    raise ConfigError(f"{where}: {field}: unknown data category {category!r}{hint}")
