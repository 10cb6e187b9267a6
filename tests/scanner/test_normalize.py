"""Normalisation before detection: obfuscated values are found, typed as their plain spelling, and land
on the original text's offsets (issue 24, item 3)."""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import scan_texts
from audit.fingerprint import fingerprint, mask
from audit.scanner.normalize import fold, normalize
from audit.scanner.recognizers import build_recognizers
from audit.settings import Settings

ZW = "\u200b"
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066")

FOLDS = [
    ("plain ASCII", "SSN 219-09-9999", "SSN 219-09-9999"),
    ("zero-width", "219\u200b-09\u200c-99\u200d99\u2060\ufeff", "219-09-9999"),
    ("bidi controls", "\u202e219-09-9999\u202c", "219-09-9999"),
    ("non-breaking hyphen", "219\u201109\u20119999", "219-09-9999"),
    ("en dash, minus sign", "219\u201309\u22129999", "219-09-9999"),
    ("NBSP, narrow NBSP, ideographic space", "219\u00a009\u202f99\u300099", "219 09 99 99"),
    ("full-width digits", "\uff12\uff11\uff19-\uff10\uff19", "219-09"),
    ("Arabic-Indic digits", "\u0662\u0661\u0669-\u0660\u0669", "219-09"),
    ("Devanagari digits", "\u0968\u0967\u096f", "219"),
    ("ligature", "\ufb01ne", "fine"),
    ("combining accent composes", "Jose\u0301", "Jos\u00e9"),
    ("lone surrogate", "a\ud800b", "a\ufffdb"),
    ("line separator", "a\u2028b", "a\nb"),
    ("spaced digits", "SSN 2 1 9 - 0 9 - 9 9 9 9.", "SSN 219-09-9999."),
    ("spaced card", "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "4111111111111111"),
]
UNCHANGED = [
    "rated 5 4 3 2 1",  # five single digits: a list, not an identifier
    "scores 1 2 3 4 5 6.5 and 7",  # the run ends in a decimal
    "version 1 2 3 4 5 6a",
    "x1 2 3 4 5",
    "12 34 56 78 90 12",  # groups of two: not single digits
    "plain text, nothing to fold",
    "caf\u00e9 na\u00efve \u4e2d\u6587",
]


@pytest.mark.parametrize(("name", "text", "expected"), FOLDS, ids=[f[0] for f in FOLDS])
def test_folds(name, text, expected):
    n = normalize(text)
    assert n.text == expected
    assert n.original_span(0, len(n.text)) == (_first_visible(text), _last_visible(text))


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_text_is_left_alone(text):
    n = normalize(text)
    assert n.text == text and not n.changed


def _first_visible(text: str) -> int:
    return next(i for i, c in enumerate(text) if unicodedata.category(c) != "Cf")


def _last_visible(text: str) -> int:
    return max(i for i, c in enumerate(text) if unicodedata.category(c) != "Cf") + 1


FILLER = st.text(alphabet=st.sampled_from("abc XYZ.,:;-\n\u00e9\u4e2d\u00a0\u2011\uff21"), max_size=30)
VALUES = st.sampled_from(["219-09-9999", "4111 1111 1111 1111", "ghp_" + "aB3" * 12, "617-555-0199", "Maria Lopez"])


@settings(max_examples=300, deadline=None)
@given(before=FILLER, value=VALUES, after=FILLER, cuts=st.lists(st.integers(0, 40), max_size=6), data=st.data())
def test_a_value_found_on_the_normalised_text_maps_back_to_its_original_span(before, value, after, cuts, data):
    """Zero-width characters anywhere (inside the value too): the value is found on the normalised text,
    and its span maps back to the original from its first character to its last, swallowing those inside."""
    chars = list(value)
    for cut in sorted(cuts, reverse=True):
        chars.insert(min(cut, len(chars)), data.draw(st.sampled_from(INVISIBLE)))
    hidden = "".join(chars)
    text = f"{before} {hidden} {after}"
    n = normalize(text)
    found = [m for m in re.finditer(re.escape(value), n.text)]
    assert found, (text, n.text)
    m = found[0] if len(found) == 1 else next(f for f in found if n.original_span(*f.span())[0] >= len(before))
    start, end = n.original_span(*m.span())
    assert text[start:end].strip("".join(INVISIBLE)) == hidden.strip("".join(INVISIBLE))
    assert "".join(c for c in text[start:end] if c not in INVISIBLE) == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_every_normalised_character_maps_into_the_original_in_order(text):
    n = normalize(text)
    spans = [n.original_span(k, k + 1) for k in range(len(n.text))]
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)
    assert n.text == normalize(n.text).text  # idempotent
    assert not any(unicodedata.category(c) == "Cf" for c in n.text)
    assert all(c in "0123456789" for c in n.text if c.isdecimal())


@pytest.mark.parametrize(
    "text",
    [ZW * 100_000, "\u0301" * 100_000, "e" + "\u0301" * 100_000, "1 " * 100_000, "1 -" * 60_000, "\uff11 " * 100_000],
    ids=["zero-width", "marks", "zalgo", "spaced-digits", "spaced-dashes", "full-width-spaced"],
)
def test_linear_on_long_runs(text):
    started = time.process_time()
    n = normalize(text)
    assert time.process_time() - started < 5.0
    assert n.original_span(0, len(n.text))[1] <= len(text)


# --- the real scanner on the obfuscation set ----------------------------------------------------------

SSN, CARD, TOKEN = "219-09-9999", "4111 1111 1111 1111", "ghp_" + "A1b2C3d4E5" * 3 + "f6g7h8"
OBFUSCATED = [
    ("SSN zero-width", "My SSN is 219\u200b-09-99\u200b99, thanks", "US_SSN", SSN),
    ("SSN non-breaking hyphen", "My SSN is 219\u201109\u20119999, thanks", "US_SSN", SSN),
    ("SSN NBSP", "My SSN is 219\u00a009\u00a09999, thanks", "US_SSN", SSN),
    ("SSN full-width", "My SSN is \uff12\uff11\uff19-\uff10\uff19-\uff19\uff19\uff19\uff19, thanks", "US_SSN", SSN),
    ("SSN Arabic-Indic", "My SSN is \u0662\u0661\u0669-\u0660\u0669-\u0669\u0669\u0669\u0669, thanks", "US_SSN", SSN),
    ("SSN spaced digits", "My SSN is 2 1 9 - 0 9 - 9 9 9 9, thanks", "US_SSN", SSN),
    ("card zero-width", "Charge my visa card 4111\u200b1111\u200b1111\u200b1111 today", "CREDIT_CARD", CARD),
    (
        "card full-width",
        "Charge my visa card \uff14\uff11\uff11\uff11 "
        + "\uff11" * 4
        + " "
        + "\uff11" * 4
        + " "
        + "\uff11" * 4
        + " today",
        "CREDIT_CARD",
        CARD,
    ),  # fmt: skip
    (
        "card Arabic-Indic",
        "Charge my visa card \u0664\u0661\u0661\u0661 " + " ".join(["\u0661" * 4] * 3) + " today",
        "CREDIT_CARD",
        CARD,
    ),  # fmt: skip
    ("card spaced digits", "Charge my visa card " + " ".join("4111111111111111") + " today", "CREDIT_CARD", CARD),
    ("token zero-width", f"use token {TOKEN[:4]}\u200b{TOKEN[4:20]}\u2060{TOKEN[20:]} for the repo", "API_KEY", TOKEN),
    (
        "MRN zero-width",
        "Patient MRN 4\u200b8\u200b2\u200b9\u200b1\u200b3 admitted with sepsis",
        "MEDICAL_RECORD_NUMBER",
        "482913",
    ),  # fmt: skip
    ("name zero-width", "Patient Ma\u200bria Lo\u200bpez was admitted with sepsis", "PERSON", "Maria Lopez"),
    ("phone zero-width", "Call me at 6\u200b17-555-01\u200b99 please", "PHONE_NUMBER", "617-555-0199"),
]


def _digits_and_letters(value: str) -> str:
    return re.sub(r"[\s-]", "", fold(value))


@pytest.mark.parametrize(("name", "text", "entity", "value"), OBFUSCATED, ids=[o[0] for o in OBFUSCATED])
def test_the_scanner_finds_obfuscated_values_with_their_type(context, name, text, entity, value):
    result = scan_texts([text], context=context)[0]
    hits = [f for f in result.findings if f.entity_type == entity]
    assert hits, [(f.entity_type, text[f.start : f.end]) for f in result.findings]
    f = hits[0]
    original = text[f.start : f.end]
    assert _digits_and_letters(original) == _digits_and_letters(value)  # the whole value, nothing more
    assert original[0] not in INVISIBLE and original[-1] not in INVISIBLE
    plain = scan_texts([text.replace(original, value)], context=context)[0]
    twin = [p for p in plain.findings if p.entity_type == entity]
    assert twin and twin[0].fingerprint == f.fingerprint  # the same value, however spelled
    assert ZW not in f.masked


PLAIN_SET = {
    "My SSN is 219-09-9999, thanks": "US_SSN",
    "Charge my visa card 4111 1111 1111 1111 today": "CREDIT_CARD",
    f"use token {TOKEN} for the repo": "API_KEY",
}


@settings(max_examples=30, deadline=None)
@given(plain=st.sampled_from(sorted(PLAIN_SET)), cuts=st.lists(st.integers(0, 60), min_size=1, max_size=8))
def test_the_scanner_maps_findings_through_random_zero_width_insertions(engine, plain, cuts):
    """The real analyzer: zero-width characters inserted anywhere, the value is found with its type, and
    its span covers the same characters of the original as the plain text's span, invisible ones included."""
    from audit.scanner.analyze import analyze_texts

    chars = list(plain)
    positions = sorted({min(c, len(plain)) for c in cuts})
    for cut in reversed(positions):
        chars.insert(cut, ZW)
    text = "".join(chars)
    scan = Settings()
    entity = PLAIN_SET[plain]
    want = next(s for s in analyze_texts(engine, scan, [plain])[0] if s.entity_type == entity)
    got = [s for s in analyze_texts(engine, scan, [text])[0] if s.entity_type == entity]
    assert got, text
    shift = lambda offset: offset + sum(p <= offset for p in positions)  # noqa: E731
    assert text[got[0].start : got[0].end].replace(ZW, "") == plain[want.start : want.end]
    assert (got[0].start, got[0].end) == (shift(want.start), shift(want.end - 1) + 1)


def test_a_redaction_swallows_the_invisible_characters_inside_the_value(context):
    from audit.routing import Router

    decision = Router(context).route([{"role": "user", "content": "Call me at 6\u200b17-555-01\u200b99 please"}])
    assert decision.target == "redact_then_closed"
    content = decision.messages[0]["content"]
    assert not re.search(r"\d", re.sub(r"<[A-Z_]+_\d+>", "", content)) and ZW not in content, content


def test_fingerprint_and_preview_of_an_obfuscated_value_match_the_plain_one():
    key = bytes(range(32))
    assert fingerprint(key, "US_SSN", "\uff12\uff11\uff19\u2011\uff10\uff19-9\u200b999") == fingerprint(
        key, "US_SSN", "219-09-9999"
    )
    assert fingerprint(key, "US_SSN", "2 1 9 - 0 9 - 9 9 9 9") == fingerprint(key, "US_SSN", "219-09-9999")
    assert mask("CREDIT_CARD", "\u0664\u0661\u0661\u0661 1111 1111 1111") == "**** **** **** 1111"


FOREIGN_DIGITS = [chr(zero + d) for zero in (0x0660, 0x06F0, 0x0966, 0xFF10, 0x1D7CE) for d in range(10)]


LABELS = ["card", "visa", "SSN", "MRN", "NPI", "DEA", "routing", "IBAN", "account", "age", "phone", "IMEI", "cvv"]


@settings(max_examples=60, deadline=None)
@given(
    label=st.sampled_from(LABELS),
    chars=st.lists(st.sampled_from(FOREIGN_DIGITS + list("0123456789 -/")), min_size=3, max_size=24),
)
def test_no_recognizer_raises_on_other_scripts_digits(label, chars):
    """Called on the raw text, not the normalised one: a recognizer must not depend on normalisation to answer."""
    text = f"{label}: {''.join(chars)} and {label} DE{''.join(chars)}"
    for recognizer in _recognizers():
        recognizer.analyze(text, recognizer.supported_entities, None)


_RECOGNIZERS: list = []


def _recognizers() -> list:
    if not _RECOGNIZERS:
        _RECOGNIZERS.extend(build_recognizers(Settings()))
    return _RECOGNIZERS
