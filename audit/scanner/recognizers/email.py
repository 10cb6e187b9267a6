"""EMAIL_ADDRESS, validated against the public-suffix snapshot that ships inside tldextract.

Presidio's EmailRecognizer calls tldextract's default extractor, which downloads
the public suffix list on first use; a scanner must never touch the network.
"""

from __future__ import annotations

import tldextract
from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import EmailRecognizer

# suffix_list_urls=() means "never fetch"; cache_dir=None means "never write a cache".
OFFLINE_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
# RFC 2606 / RFC 6761 names and common private zones: not public suffixes, but
# staging logs and fixtures copied from production still point at real people.
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local", "internal", "lan", "corp", "home"})

_LOCAL = r"[!#$%&'*+\-/=?^_`{|}~\w]"
# Presidio's pattern, except that a local part cannot start right after a dot and
# is at most 64 characters (RFC 5321): Presidio's retries the unbounded local part
# from every dot of `a.a.a...@`, which is quadratic.
EMAIL_PATTERN = (
    rf"\b(?<!\.)((?:{_LOCAL}|{_LOCAL}[!#$%&'*+\-/=?^_`{{|}}~.\w]{{0,62}}{_LOCAL})"
    r"@\w+(?:-+\w+)*(?:\.\w+(?:-+\w+)*)+)\b"
)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email patterns with an offline domain check."""

    def __init__(self) -> None:
        super().__init__(name="OfflineEmailRecognizer", patterns=[Pattern("Email (linear)", EMAIL_PATTERN, 0.5)])

    def validate_result(self, pattern_text: str) -> bool:
        """True when the address ends in a real public suffix."""
        domain = pattern_text.rsplit("@", 1)[-1]
        return OFFLINE_EXTRACT(domain).fqdn != ""
