"""Credentials (all STRIP material): API keys, private keys, passwords, connection strings.

Vendor key shapes come from detect-secrets' own plugin regexes, run in-process
over the text with no verification (its `verify` hooks call vendor APIs; we
never do). detect-secrets lacks some LLM vendors, so those shapes are added
here. Generic high-entropy strings count only after a key/token/secret word.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.stripe import StripeDetector

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer, result

MAX_TOKEN = 4096  # secrets are shorter; longer runs are skipped so vendor regexes stay linear
_TOKENS = re.compile(r"\S{8,4096}")
_PLUGINS = (
    AWSKeyDetector, GitHubTokenDetector, GitLabTokenDetector, SlackDetector, StripeDetector, OpenAIDetector,
    SendGridDetector, PypiTokenDetector,
)  # fmt: skip
# LLM and cloud vendor shapes detect-secrets does not have (or has only in an older form).
VENDOR_KEYS = (
    r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,120}",  # Anthropic
    r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,200}",  # OpenAI project / service-account keys
    r"sk-[A-Za-z0-9]{48}",  # OpenAI legacy
    r"AIza[0-9A-Za-z_\-]{35}",  # Google API key
    r"hf_[A-Za-z]{34}",  # Hugging Face
    r"gsk_[A-Za-z0-9]{52}",  # Groq
    r"xai-[A-Za-z0-9]{80}",  # xAI
    r"r8_[A-Za-z0-9]{37}",  # Replicate
    r"(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{24,99}",  # Stripe (detect-secrets has live only)
    r"github_pat_[A-Za-z0-9_]{82}",  # GitHub fine-grained
)
_VENDOR = re.compile(r"(?<![A-Za-z0-9_\-])(?:" + "|".join(VENDOR_KEYS) + r")(?![A-Za-z0-9_\-])")
_KEY_WORDS = r"(?:api[_ .-]?key|apikey|access[_ .-]?key|secret[_ .-]?key|client[_ .-]?secret|secret|auth[_ .-]?token|access[_ .-]?token|token|bearer)"


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _span_of(token: str, secret: str) -> tuple[int, int] | None:
    i = token.find(secret)
    return (i, i + len(secret)) if i >= 0 else None


class ApiKeyRecognizer(ValidatedRecognizer):
    """API_KEY: vendor key shapes (detect-secrets plugins + LLM vendors), JWTs, and keyword-announced high-entropy tokens."""

    ENTITY = "API_KEY"
    RULES = (
        Rule(
            "keyword",
            rf"(?i:{_KEY_WORDS})[\"']?\s{{0,3}}(?:[:=]|\bis\b|=>)\s{{0,3}}[\"']?(?:Bearer\s{{1,3}})?(?P<value>[A-Za-z0-9_\-+/.=]{{16,512}})",
            0.9,
            0.9,
        ),
        Rule(
            "bearer",
            r"(?i:authorization)\s{0,3}:\s{0,3}(?i:bearer|token)\s{1,3}(?P<value>[A-Za-z0-9_\-+/.=]{16,2048})",
            0.95,
            0.95,
        ),
    )

    def __init__(self) -> None:
        super().__init__()
        self._plugins = [p() for p in _PLUGINS]
        self._jwt = JwtTokenDetector()

    def candidates(self, text):
        """Keyword rules, then vendor shapes and JWTs found token by token."""
        yield from super().candidates(text)
        vendor = Rule("vendor", "", 0.95, 0.95)
        for m in _TOKENS.finditer(text):
            token, base = m.group(), m.start()
            for v in _VENDOR.finditer(token):
                yield vendor, base + v.start(), base + v.end()
            for plugin in self._plugins:
                for rx in plugin.denylist:
                    for v in rx.finditer(token):
                        g = 1 if rx.groups and len(v.group(1) or "") >= 16 else 0
                        yield vendor, base + v.start(g), base + v.end(g)
            for secret in self._jwt.analyze_string(token):
                span = _span_of(token, secret)
                if span:  # detect-secrets' JWT regex stops lazily: take the signature's remaining characters too
                    tail = re.match(r"[A-Za-z0-9_\-]*", token[span[1] :])
                    yield vendor, base + span[0], base + span[1] + tail.end()

    def analyze(self, text, entities, nlp_artifacts=None):
        """Every candidate at its rule's score; keyword tokens must look random (entropy >= 3.0, mixed characters)."""
        out = {}
        for rule, start, end in self.candidates(text):
            value = text[start:end]
            if rule.name == "keyword" and not _random_looking(value):
                continue
            key = (start, end)
            if key not in out or out[key].score < rule.score:
                out[key] = result(self, self.ENTITY, start, end, rule.score)
        return list(out.values())


def _random_looking(value: str) -> bool:
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    return entropy(value) >= 3.0 and classes >= 2 and not re.fullmatch(r"[a-f0-9]{32}|[a-f0-9]{40}|[a-f0-9]{64}", value)


class PrivateKeyRecognizer(ValidatedRecognizer):
    """PRIVATE_KEY: a PEM/OpenSSH/PGP private key block, from its BEGIN line to its END line (or 8 KB of body)."""

    ENTITY = "PRIVATE_KEY"
    RULES = (
        Rule(
            "pem",
            r"-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,\-]{0,8192}?"
            r"(?:-----END (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----|(?=[^A-Za-z0-9+/=\s:,\-]|$))",
            1.0,
            1.0,
        ),
        Rule(
            "putty",
            r"PuTTY-User-Key-File-[23]: [^\n]{1,64}(?:\n[^\n]{0,128}){0,40}?\nPrivate-MAC: [0-9a-f]{20,128}",
            1.0,
            1.0,
        ),
    )


class PasswordRecognizer(ValidatedRecognizer):
    """PASSWORD: the value after password/passwd/pwd/passphrase/passcode (prose or assignment)."""

    ENTITY = "PASSWORD"
    RULES = (
        Rule(
            "password",
            r"(?i:(?<![A-Za-z])(?:password|passwd|pwd|passphrase|pass\s?code|pw))[\"']?\s{0,3}(?:[:=]|\bis\b|\bwas\b|=>)\s{0,3}"
            r"[\"'`]?(?P<value>[^\s\"'`]{4,128}?)[\"'`]?(?=[\s,;)]|[.!?](?:\s|$)|$)",
            0.9,
            0.9,
        ),
    )
    _PLACEHOLDER = re.compile(
        r"[*x•.]{3,}|<[^>]*>|\$\{?[A-Za-z_]+\}?|%\(?\w+\)?s?|\{\{?[^}]*\}\}?|(?i:required|incorrect|invalid|wrong|"
        r"expired|reset|changed|hidden|redacted|none|null|empty|blank|same|correct|strong|weak|secure|optional|"
        r"missing|needed|protected|manager|policy|field|prompt|the|my|your|not|too|set|ok)",
    )

    def validate(self, value: str) -> bool:
        """Not a placeholder, template variable or an ordinary word about passwords."""
        return value[0] not in "<{[$%(" and not self._PLACEHOLDER.fullmatch(value)


class ConnectionStringRecognizer(ValidatedRecognizer):
    """CONNECTION_STRING: a URI with user:password@ (database or any scheme), or an ADO/ODBC string with a password."""

    ENTITY = "CONNECTION_STRING"
    RULES = (
        Rule(
            "uri",
            r"(?<![A-Za-z0-9+.\-])[a-z][a-z0-9+.\-]{1,20}://[^\s:/@]{1,128}:[^\s/@]{1,256}@[^\s\"'<>]{1,512}",
            1.0,
            1.0,
        ),
        Rule(
            "ado",
            r"(?i:(?:server|data source|host|hostname|address)\s?=[^;\n]{1,200};(?:[^;\n]{0,200};){0,10}?[^;\n]{0,40}?"
            r"(?:password|pwd)\s?=[^;\n]{1,200};?)",
            0.95,
            0.95,
        ),
    )

    def validate(self, value: str) -> bool:
        """The password part is not empty, a placeholder or a template variable."""
        m = re.search(r"://[^:/@]+:([^/@]+)@|(?i:password|pwd)\s?=([^;]*)", value)
        secret = (m.group(1) or m.group(2) or "") if m else ""
        return bool(secret.strip()) and not re.fullmatch(
            r"[*x•]{3,}|<[^>]*>|\$\{?\w+\}?|\{\{?[^}]*\}\}?|password|pass", secret, re.I
        )


RECOGNIZERS = [ApiKeyRecognizer, PrivateKeyRecognizer, PasswordRecognizer, ConnectionStringRecognizer]
