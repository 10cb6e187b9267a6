"""Consistent replacements for one run: the same value gets the same replacement, two values never share one.

The replacement of a value is drawn from a generator seeded with HMAC(key, type + value),
where the key derives from the install secret (audit.fingerprint.load_secret): the same
person is the same pseudonym in every turn and every file, on every run of this install,
and nobody without the secret can recompute the mapping. In memory the run holds digests
and the replacements it handed out (to refuse a second owner), never a raw value; nothing
of it is written anywhere. Names are mapped word by word, so "Maria Lopez", "MARIA" and
"Lopez" stay the same person.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections import Counter

from audit.redact import dates
from audit.redact.surrogates import FAKER_TYPES, generator_for, zip3
from audit.scanner.normalize import fold

STRIP_MARKER = "[REMOVED]"
UNSCANNED_MARKER = "[REMOVED: not scanned]"
MODES = ("surrogate", "mask")
DATE_TYPES = frozenset({"DATE_TIME", "DATE_OF_BIRTH", "DATE_OF_SERVICE"})
AGE_TYPES = frozenset({"AGE", "AGE_OVER_89"})
_TITLES = frozenset("dr mr mrs ms miss mx prof sir dame jr sr md do rn np pa phd dds".split())
_NAME_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"\w+")
_ATTEMPTS = 40


class Replacer:
    """Replacements of one run, in `mode` ('surrogate' or 'mask'), for one locale."""

    def __init__(self, secret: bytes, mode: str = "surrogate", locale: str = "en_US") -> None:
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        self.locale = locale
        self._key = hmac.new(secret, b"llm-audit redact surrogates", hashlib.sha256).digest()
        self._faker = None
        self._chosen: dict[bytes, str] = {}  # digest of (type, value) -> its replacement
        self._owner: dict[str, bytes] = {}  # a replacement (folded) -> the digest it was given to
        self._numbers: Counter[str] = Counter()
        self.produced: set[str] = set()  # folded tokens of every replacement, so --verify can tell ours apart

    def digest(self, entity_type: str, value: str) -> bytes:
        """HMAC of a value under its type family, normalised so that case and spacing do not matter."""
        return hmac.new(self._key, f"{entity_type}\0{_normal(entity_type, value)}".encode(), hashlib.sha256).digest()

    def date_offset(self, anchor: str) -> int:
        """The day shift of every date tied to `anchor` (a person's name, else a record's identity)."""
        return dates.shift_offset(self.digest("DATE_ANCHOR", anchor))

    def replace(self, entity_type: str, value: str, strip: bool, days: int) -> str:
        """The replacement of one detected value: the strip marker, a placeholder or a surrogate."""
        if strip:
            return STRIP_MARKER
        if entity_type in AGE_TYPES:
            return self._note(dates.cap_age(value))
        if self.mode == "surrogate" and entity_type in DATE_TYPES:
            return self._note(dates.shift_dates(value, days))
        if self.mode == "surrogate" and entity_type == "US_ZIP_CODE":
            return self._note(zip3(value))
        if self.mode == "mask" or generator_for(entity_type) is None:
            return self._note(self._placeholder(entity_type, value))
        if entity_type == "PERSON":
            return self._note(self._name(value))
        return self._note(_like(value, self._surrogate(entity_type, value)))

    def _placeholder(self, entity_type: str, value: str) -> str:
        key = self.digest(entity_type, value)
        if key not in self._chosen:
            self._numbers[entity_type] += 1
            self._chosen[key] = f"<{entity_type}_{self._numbers[entity_type]}>"
        return self._chosen[key]

    def _surrogate(self, entity_type: str, value: str) -> str:
        key = self.digest(entity_type, value)
        if key in self._chosen:
            return _relayout(value, self._chosen[key])
        generate = generator_for(entity_type)
        for attempt in range(_ATTEMPTS):
            rng = self._seeded(key, attempt, faker=entity_type in FAKER_TYPES)
            candidate = generate(value, rng, self.faker)
            if self._claim(key, candidate, value):
                return candidate
        return self._claimed(key, self._placeholder(entity_type, value))

    def _name(self, value: str) -> str:
        """Each word of a name mapped on its own (titles kept), so partial mentions stay the same person."""
        return _NAME_WORD.sub(lambda m: self._name_word(m.group()), value)

    def _name_word(self, word: str) -> str:
        if word.lower() in _TITLES:
            return word
        key = self.digest("NAME_WORD", word)
        if key not in self._chosen:
            self._chosen[key] = self._draw_name_word(key, word)
        return _like(word, self._chosen[key])

    def _draw_name_word(self, key: bytes, word: str) -> str:
        from audit.scanner.lexicon import lexicon

        given = word.lower() in lexicon().given
        for attempt in range(_ATTEMPTS):
            rng = self._seeded(key, attempt)
            if len(word) == 1:
                candidate = rng.choice("ABCDEFGHJKLMNPRSTVW")
            elif attempt < 10:
                candidate = self.faker.first_name() if given else self.faker.last_name()
            else:  # the locale's list is exhausted: the scanner's name lists are larger
                pool = sorted(lexicon().given if given else lexicon().surnames)
                candidate = rng.choice(pool).capitalize()
                candidate += "-" + rng.choice(pool).capitalize() if attempt >= 30 else ""
            if self._claim(key, candidate, word):
                return candidate
        return self._claimed(key, f"<NAME_{key.hex()[:8]}>")

    def _claim(self, key: bytes, candidate: str, original: str) -> bool:
        folded = fold(candidate).casefold()
        if folded == fold(original).casefold() or self._owner.get(folded, key) != key:
            return False
        self._claimed(key, candidate)
        return True

    def _claimed(self, key: bytes, candidate: str) -> str:
        self._owner[fold(candidate).casefold()] = key
        self._chosen[key] = candidate
        return candidate

    def _seeded(self, key: bytes, attempt: int, faker: bool = True) -> random.Random:
        """The generator of one attempt; Faker seeded too when the draw uses it (seeding costs ~0.3 ms)."""
        seed = int.from_bytes(key[:8], "big") + attempt
        if faker:
            self.faker.seed_instance(seed)
        return random.Random(seed)

    @property
    def faker(self):
        """The Faker of the locale, built on first use (importing it costs a few hundred ms)."""
        if self._faker is None:
            from faker import Faker

            self._faker = Faker(self.locale)
        return self._faker

    def _note(self, replacement: str) -> str:
        self.produced.update(t.casefold() for t in _TOKEN.findall(replacement))
        return replacement

    def ours(self, text: str) -> bool:
        """True when `text` holds a word of a replacement this run handed out and every other word of it is an
        ordinary word ("the State of" + our surrogate city): a re-scan finding our own output."""
        from audit.scanner.lexicon import lexicon

        words = [t for t in _TOKEN.findall(text) if len(t) > 1]
        theirs = [w for w in words if w.casefold() not in self.produced]
        if len(theirs) == len(words):
            return False
        return all(not any(c.isdigit() for c in w) and lexicon().is_word(w) for w in theirs)


def _normal(entity_type: str, value: str) -> str:
    folded = " ".join(fold(value).casefold().split())
    if any(c.isdigit() for c in folded) and entity_type not in ("EMAIL_ADDRESS", "URL", "LOCATION"):
        return "".join(c for c in folded if c.isalnum())
    return folded


def _relayout(value: str, surrogate: str) -> str:
    """A number's surrogate in this occurrence's layout ("4111 1111..." and "4111-1111..." are one value)."""
    chars = [c for c in surrogate if c.isalnum()]
    if "@" in value or sum(c.isdigit() for c in value) < 4 or len(chars) != sum(c.isalnum() for c in value):
        return surrogate
    it = iter(chars)
    return "".join(next(it) if c.isalnum() else c for c in value)


def name_words(value: str) -> list[str]:
    """The words of a name worth finding elsewhere on their own: capitalised, three letters or more, not a title."""
    return [w for w in _NAME_WORD.findall(value) if len(w) >= 3 and w[0].isupper() and w.lower() not in _TITLES]


def _like(original: str, new: str) -> str:
    """`new` in the case of `original` (upper or lower) when the original is all one case."""
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return new.upper()
    if len(letters) > 1 and all(c.islower() for c in letters) and not any(c.isupper() for c in original):
        return new.lower()
    return new
