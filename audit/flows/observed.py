"""What the registry saw: entity counts of each workload's latest completed scan."""

from __future__ import annotations


def observed_entities(db_url: str) -> dict[str, dict[str, int]]:
    """workload -> {entity type: findings} from the latest completed scan that covered the workload.

    Raises StoreError when the registry cannot be opened (or does not exist).
    """
    from sqlalchemy import func, select

    from audit.store.db import make_engine, read_session
    from audit.store.models import FindingRow, Scan

    engine = make_engine(db_url, create=False)
    latest = (
        select(FindingRow.workload, func.max(FindingRow.scan_id).label("scan_id"))
        .join(Scan, Scan.id == FindingRow.scan_id)
        .where(Scan.status == "completed", FindingRow.workload.is_not(None))
        .group_by(FindingRow.workload)
        .subquery()
    )
    query = (
        select(FindingRow.workload, FindingRow.entity_type, func.count())
        .join(latest, (FindingRow.workload == latest.c.workload) & (FindingRow.scan_id == latest.c.scan_id))
        .group_by(FindingRow.workload, FindingRow.entity_type)
    )
    out: dict[str, dict[str, int]] = {}
    with read_session(engine) as session:
        for workload, entity, count in session.execute(query):
            out.setdefault(workload, {})[entity] = count
    engine.dispose()
    return out
