"""De-identified copies of prompt logs (`audit redact`), in the layout they came in.

Interface: `redact_paths(paths, RedactOptions(...), settings) -> RedactReport`,
`redact_database(url, before, options, settings)` (LiteLLM's spend logs in place), and
`exit_code(report)`. Modules: layouts (files in and out), parquet (Parquet in and out),
litellm_db (LiteLLM's database in place), rewrite (one batch of records), pseudonyms
(consistent keyed replacements), surrogates and dates (what a value becomes), edit (writing
leaves back), files (targets, atomic writes, backups), verify (re-scan of the output),
report (the counts, and the registry event).
"""

from audit.redact.report import EVENT_KIND, RedactReport
from audit.redact.run import RedactOptions, exit_code, redact_database, redact_paths, residual_limit

__all__ = [
    "EVENT_KIND",
    "RedactOptions",
    "RedactReport",
    "exit_code",
    "redact_database",
    "redact_paths",
    "residual_limit",
]
