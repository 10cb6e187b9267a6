"""EMAIL_ADDRESS, also under the reserved test domains (.example, .test, .invalid, .localhost).

The offline recognizer accepts only real public suffixes; addresses under
RFC 2606 / RFC 6761 names still reach a person's inbox in staging logs, and
test fixtures copied from production keep the local part.
"""

from __future__ import annotations

from audit.scanner.recognizers.email import RESERVED_TLDS, OfflineEmailRecognizer


class EmailAddressRecognizer(OfflineEmailRecognizer):
    """The offline email recognizer, plus reserved and private top-level domains."""

    def __init__(self) -> None:
        super().__init__()
        self.name = "EmailAddressRecognizer"

    def validate_result(self, pattern_text: str) -> bool:
        """True for a public suffix or a reserved one."""
        domain = pattern_text.rsplit("@", 1)[-1].rstrip(".").casefold()
        return domain.rsplit(".", 1)[-1] in RESERVED_TLDS or super().validate_result(pattern_text)
