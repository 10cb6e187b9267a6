"""llm-audit: find regulated data in LLM prompt logs and decide where each workload may run.

Library API (the CLI is a thin shell over these):

    from audit import scan_texts, scan_file, Settings
    results = scan_texts(["Patient John Smith, MRN 12345678"])
"""

__version__ = "0.1.0"

from audit.model import Finding, Record, RecordResult, Tier  # noqa: E402
from audit.settings import Settings, load_settings  # noqa: E402

# Loaded on first use (PEP 562): they pull in spaCy and Presidio, which registry,
# policy and report commands never need.
_LAZY = {
    "ScanOutcome": "audit.api",
    "scan_file": "audit.api",
    "scan_texts": "audit.api",
    "scan_to": "audit.api",
    "Output": "audit.scan_request",
    "ScanRequest": "audit.scan_request",
    "run_scan": "audit.scan_request",
    "RouteDecision": "audit.routing",
    "route": "audit.api",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'audit' has no attribute {name!r}")


__all__ = [
    "Finding",
    "Record",
    "RecordResult",
    "Output",
    "RouteDecision",
    "ScanOutcome",
    "ScanRequest",
    "Settings",
    "Tier",
    "load_settings",
    "route",
    "run_scan",
    "scan_file",
    "scan_texts",
    "scan_to",
]
