"""Masked previews and keyed fingerprints: what we keep instead of raw values.

The fingerprint is HMAC-SHA256(secret, entity_type + NUL + normalised value),
so two scans on one install agree, while nobody without the secret can test a
guess (a plain hash of an SSN is reversible by enumeration; HHS 164.514(c)).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
import secrets
import stat
from collections import Counter
from pathlib import Path

from audit.errors import ConfigError
from audit.scanner.normalize import fold

SECRET_FILE = "secret.key"
_SEPARATORS = re.compile(r"[\s\-./()_:]+")

# What a masked preview may show, by entity type (README, "Masked previews"):
# secrets show nothing, not even their length; dates show a four-digit year
# only (Safe Harbor keeps the year, 45 CFR 164.514(b)(2)(i)(C)); numbers show
# no digit, bar the last four of an identifier of ten digits or more (PCI DSS
# 3.4.1); words show their first letter. Every other character is a `*`, so
# the preview keeps a value's layout and never a short value whole.
OPAQUE_TYPES = frozenset(
    {"API_KEY", "PRIVATE_KEY", "PASSWORD", "CONNECTION_STRING", "CARD_SECURITY_CODE", "CARD_PIN", "CARD_TRACK_DATA"}
)
DATE_TYPES = frozenset({"DATE_TIME", "DATE_OF_BIRTH", "DATE_OF_SERVICE", "CARD_EXPIRY"})
NUMBER_TYPES = frozenset(
    {"IP_ADDRESS", "MAC_ADDRESS", "AGE", "AGE_OVER_89", "GEO_COORDINATES", "US_ZIP_CODE", "IMEI", "CRYPTO"}
)
OPAQUE_PREVIEW = "********"
_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")


MIN_SECRET_BYTES = 32
# A random 32-byte key has about 30 distinct byte values; a key with few is typed, padded or zeroed.
MIN_DISTINCT_BYTES = 8
# The byte entropy of a random key of n bytes is close to log2(min(n, 256)) (4.3-5 bits at 32 bytes, 100,000
# draws never under 4.3); a key far under that (75%) was typed or built from a pattern.
ENTROPY_SHARE = 0.75
GENERATE = 'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'


def load_secret(home: Path) -> bytes:
    """Return the fingerprint secret, creating the per-install one (mode 0600) on first use.

    A team that shares baselines in git must share the key: `AUDIT_SECRET`
    (hex) or `AUDIT_SECRET_FILE` (a file holding the hex) take precedence over
    the per-install file, so CI can inject the key from its secret store. Every
    source passes the same check (`validate_secret`): an empty, short or constant
    key would let anyone holding a fingerprint and its masked preview recover
    the value by enumeration, so it is refused, never used; so are periodic and
    low-entropy keys (a hex passphrase). A variable that is set but empty is
    refused too: that is how a missing CI secret arrives. A key file, the
    install's or AUDIT_SECRET_FILE, that group or others may read is refused.
    """
    if "AUDIT_SECRET" in os.environ:
        return _parse_secret(os.environ["AUDIT_SECRET"], "AUDIT_SECRET")
    if "AUDIT_SECRET_FILE" in os.environ:
        source = Path(os.environ["AUDIT_SECRET_FILE"])
        try:
            return _read_private_secret(source)
        except FileNotFoundError:
            raise ConfigError(f"{source}: cannot read fingerprint secret: No such file or directory") from None
    path = home / SECRET_FILE
    try:
        return _read_private_secret(path)
    except FileNotFoundError:
        pass
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return _read_private_secret(path)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return bytes.fromhex(key)


def _read_private_secret(path: Path) -> bytes:
    """A key file (the install's or AUDIT_SECRET_FILE), refused when others may read it (FileNotFoundError when
    absent)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read fingerprint secret: {exc.strerror}") from None
    if mode & 0o077:
        raise ConfigError(
            f"{path}: fingerprint secret is readable by group or others (mode {mode:04o}); refusing to use it: "
            f"run 'chmod 600 {path}' if the key has not leaked, else delete it (fingerprints then change)"
        )
    return _parse_secret(text, str(path))


def _parse_secret(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ConfigError(f"{where}: fingerprint secret must be hex") from None
    validate_secret(key, where)
    return key


def validate_secret(key: bytes, where: str) -> None:
    """Raise ConfigError unless `key` is long enough and not constant or near-constant."""
    if not key:
        raise ConfigError(f"{where}: fingerprint secret is empty (is the CI secret missing?)")
    if len(key) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"{where}: fingerprint secret must be at least {MIN_SECRET_BYTES} bytes ({MIN_SECRET_BYTES * 2} hex digits)"
        )
    problem = _not_random(key)
    if problem:
        raise ConfigError(f"{where}: fingerprint secret is not random ({problem}); {GENERATE}")


def _not_random(key: bytes) -> str | None:
    """Why `key` cannot be a random key, or None. A random key passes each test but for negligible odds (all bytes
    printable: (95/256)**32, 2e-14); a key that fails one could be guessed offline by whoever holds a fingerprint
    or a baseline's secret_id."""
    if len(set(key)) < MIN_DISTINCT_BYTES:
        return f"only {len(set(key))} distinct bytes"
    for period in range(1, len(key) // 2 + 1):
        differ = sum(a != b for a, b in zip(key[period:], key[:-period], strict=True))
        if differ <= (len(key) - period) // 4:  # a pattern with a few bytes changed or appended is no better
            return f"it repeats a {period}-byte pattern"
    if all(0x20 <= b < 0x7F for b in key):
        return "every byte is printable ASCII: a passphrase in hex, not a key"
    counts = Counter(key)
    entropy = -sum(c / len(key) * math.log2(c / len(key)) for c in counts.values())
    if entropy < ENTROPY_SHARE * math.log2(min(len(key), 256)):
        return f"{entropy:.1f} bits of entropy per byte"
    return None


def normalise(value: str) -> str:
    """Fold case and drop separators, so '123-45-6789' and '123 45 6789' agree; read as the scanner
    reads it (`audit.scanner.normalize`), so an obfuscated spelling ('１２３-４５-６７８９', zero-width
    characters, Unicode dashes) agrees with the plain one. An ASCII value is unchanged by that."""
    return _SEPARATORS.sub("", fold(value)).casefold()


def fingerprint(secret: bytes, entity_type: str, value: str) -> str:
    """Keyed, non-reversible identity of a value of one type (32 hex chars)."""
    msg = f"{entity_type}\x00{normalise(value)}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()[:32]


def mask(entity_type: str, value: str) -> str:
    """A preview that shows the layout of a value but not the value (see the table above), of the value
    as the scanner read it: invisible characters dropped, digits in ASCII."""
    if entity_type in OPAQUE_TYPES:
        return OPAQUE_PREVIEW
    value = fold(value)
    if entity_type in DATE_TYPES:
        return _mask_keep_years(value)
    digits = sum(c.isdigit() for c in value)
    if entity_type in NUMBER_TYPES or (digits and digits >= len(value) * 0.6):
        return _mask_keep_last_digits(value, 4 if digits >= 10 else 0)
    return _WORD.sub(_first_letter, _printable(value))


def _first_letter(word: re.Match) -> str:
    text = word.group()
    head = text[0] if text[0].isalpha() else "*"
    return head + "*" * (len(text) - 1)


def _printable(value: str) -> str:
    return "".join(c if c.isprintable() else "*" for c in value)


def _mask_keep_years(value: str) -> str:
    years = {i for m in _YEAR.finditer(value) for i in range(m.start(), m.end())}
    return "".join(c if i in years or not c.isalnum() else "*" for i, c in enumerate(_printable(value)))


def _mask_keep_last_digits(value: str, keep: int) -> str:
    out, seen = [], 0
    total = sum(c.isdigit() for c in value)
    for c in _printable(value):
        if c.isalnum():
            seen += 1 if c.isdigit() else 0
            out.append(c if keep and c.isdigit() and seen > total - keep else "*")
        else:
            out.append(c)
    return "".join(out)
