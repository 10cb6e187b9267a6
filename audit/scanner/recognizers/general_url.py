"""URL: web addresses, with and without a scheme, validated against the offline public-suffix list.

Replaces Presidio's UrlRecognizer, whose `[a-z0-9.\\-]{1,253}[.](tld|tld|...)`
pattern is retried from every dot of a long dotted run and takes tens of
seconds on 10,000 characters of `a.a.a...`. Here a host can start only where no
host character precedes it, each label is bounded (RFC 1035: 63 octets), and
the top-level domain is checked against the public-suffix snapshot instead of
a hand-kept alternation. Reserved test domains (.example, .test) count, as
they do for email addresses.
"""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import RegexRecognizer, Rule
from audit.scanner.recognizers.email import OFFLINE_EXTRACT, RESERVED_TLDS

_LABEL = r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?"
_HOST = rf"(?:{_LABEL}\.){{1,16}}[a-z]{{2,24}}(?![\w\-])"
# A path may not end in sentence punctuation: "see example.com/help." ends at "help".
_TAIL = r"(?::\d{2,5})?(?:[/?\#](?:[^\s()<>\"'`]*[^\s()<>\"'`.,;:!?])?)?"
# File names that happen to end in a country-code or brand TLD: in prompt logs
# "setup.py" and "notes.md" are code, not Paraguay or Moldova.
FILE_SUFFIXES = frozenset(
    {"py", "sh", "md", "rs", "pl", "pm", "ps", "so", "zip", "mov", "cc", "ml", "ts", "gz", "rar", "bat", "cmd", "in"}
)


# The suffixes real bare addresses use; any other after an ordinary word is a sentence break
# with its space missing ("no stool.tube in place", "tolerated.no distress").
_COMMON_SUFFIXES = frozenset("com org net edu gov mil int io ai co info biz app dev us uk eu de fr ca au in".split())


def _missing_space(value: str) -> bool:
    """ "liquid.no", "visit.Hr", "78.3.no": words or numbers run together at a full stop, not a domain.

    Only for bare names (no scheme, www or path) whose suffix is none of the common ones: a real
    address of that kind is written with its scheme or a path far more often than without.
    """
    labels = value.rstrip(".").split(".")
    tld = labels[-1]
    if not tld.islower():
        return True
    if tld in _COMMON_SUFFIXES:
        return False
    return (
        len(labels) == 2
        and (labels[0].islower() or labels[0][:1].isdigit())
        or any(label[:1].isdigit() for label in labels[:-1])
    )


class WebUrlRecognizer(RegexRecognizer):
    """URLs: with a scheme (http, https, ftp), with www., or a bare domain with a real public suffix."""

    ENTITY = "URL"
    RULES = (
        Rule(
            "scheme",
            rf"(?i)(?<![\w+.\-])(?:https?|ftp)://(?:[^\s/@:]{{1,64}}(?::[^\s/@]{{0,64}})?@)?{_HOST}{_TAIL}",
            0.6,
        ),
        Rule("www", rf"(?i)(?<![\w.\-@/:])www\d{{0,3}}\.{_HOST}{_TAIL}", 0.6),
        Rule("bare", rf"(?i)(?<![\w.\-@/:])(?!www\d{{0,3}}\.){_HOST}{_TAIL}", 0.5),
    )

    def validate(self, value: str) -> bool:
        """The host ends in a public suffix, and a bare name is not a file name."""
        host = re.sub(r"(?i)^(?:https?|ftp)://(?:[^@/]*@)?", "", value)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0].rstrip(".").casefold()
        tld = host.rsplit(".", 1)[-1]
        if tld not in RESERVED_TLDS and not OFFLINE_EXTRACT(host).suffix:
            return False
        bare = value[:4].casefold() not in {"http", "ftp:", "www."} and value.casefold() == host
        return not (bare and (tld in FILE_SUFFIXES or _missing_space(value)))
