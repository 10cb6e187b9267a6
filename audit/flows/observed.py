"""What the registry saw: entity counts of each workload's latest completed scan."""

from __future__ import annotations

from collections.abc import Iterable


def observed_entities(db_url: str, workloads: Iterable[str]) -> dict[str, dict[str, int]]:
    """workload -> {entity type: findings} from its latest completed scan; workloads never scanned are left out.

    Raises StoreError when the registry cannot be opened (or does not exist).
    """
    from audit.store.registry import Registry
    from audit.store.views import latest_entity_counts

    registry = Registry.open(db_url, create=False)
    try:
        return latest_entity_counts(registry, list(workloads))
    finally:
        registry.close()
