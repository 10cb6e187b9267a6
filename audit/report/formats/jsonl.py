"""JSON Lines: the output contract, one object per record with findings or rules, streamed."""

from __future__ import annotations

import json

from audit.report.contract import record_to_dict


class JsonlFormat:
    """Writes each record as it arrives; clean records write nothing."""

    def __init__(self, out, options) -> None:
        self.out = out

    def add(self, result) -> None:
        """Write one line for a record with findings or fired rules."""
        if result.has_output:
            self.out.write(json.dumps(record_to_dict(result), ensure_ascii=False) + "\n")

    def finish(self, summary) -> None:
        """Nothing to add: the stream is complete."""
        self.out.flush()
