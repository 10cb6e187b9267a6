"""llm-audit: find regulated data in LLM prompt logs and decide where each workload may run.

Library API (the CLI is a thin shell over these):

    from audit import scan_texts, scan_file, Settings
    results = scan_texts(["Patient John Smith, MRN 12345678"])
"""

__version__ = "0.1.0"

from audit.api import ScanOutcome, scan_file, scan_texts, scan_to  # noqa: E402
from audit.model import Finding, Record, RecordResult, Tier  # noqa: E402
from audit.routing import RouteDecision, route  # noqa: E402
from audit.settings import Settings, load_settings  # noqa: E402

__all__ = [
    "Finding",
    "Record",
    "RecordResult",
    "RouteDecision",
    "ScanOutcome",
    "Settings",
    "Tier",
    "load_settings",
    "route",
    "scan_file",
    "scan_texts",
    "scan_to",
]
