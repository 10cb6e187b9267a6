"""What the registry saw: entity counts of each workload's latest completed scan."""

from __future__ import annotations

from collections.abc import Iterable


def observed_entities(db_url: str, workloads: Iterable[str]) -> dict[str, dict[str, int]]:
    """workload -> {entity type: findings} from its latest completed scan; workloads never scanned are left out.

    Raises StoreError when the registry cannot be opened (or does not exist).
    """
    from audit.errors import ConfigError
    from audit.store.registry import Registry
    from audit.store.views import show_workload

    registry = Registry.open(db_url, create=False)
    out: dict[str, dict[str, int]] = {}
    try:
        for name in workloads:
            try:
                detail = show_workload(registry, name)
            except ConfigError:  # not imported into this registry: nothing observed
                continue
            if detail.scan_id is not None:
                out[name] = dict(detail.findings_by_type)
    finally:
        registry.close()
    return out
