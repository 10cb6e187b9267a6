"""EMAIL_ADDRESS, validated against the public-suffix snapshot that ships inside tldextract.

Presidio's EmailRecognizer calls tldextract's default extractor, which downloads
the public suffix list on first use; a scanner must never touch the network.
"""

from __future__ import annotations

import tldextract
from presidio_analyzer.predefined_recognizers import EmailRecognizer

# suffix_list_urls=() means "never fetch"; cache_dir=None means "never write a cache".
_OFFLINE_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email patterns with an offline domain check."""

    def __init__(self) -> None:
        super().__init__(name="OfflineEmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        """True when the address ends in a real public suffix."""
        domain = pattern_text.rsplit("@", 1)[-1]
        return _OFFLINE_EXTRACT(domain).fqdn != ""
