"""The cheap-evidence prefilter (issue 30) must never lose a finding.

- the analysis on hand-written regexes, including what it must refuse to claim;
- the tokens are caseless: under IGNORECASE, in `re` and in `regex`, no other code point matches them,
  and every code point either engine matches with an ASCII letter folds (`evidence.fold`) to that letter;
- for every rule of every recognizer in the built engine, and every pattern of Presidio's recognizers,
  the regex finds nothing on texts stripped of the evidence the analysis says it needs;
- the whole scanner gives the same spans with the prefilter on and off.
"""

from __future__ import annotations

import json
import pickle
import re
import string
import sys

import pytest
import regex
from presidio_analyzer import PatternRecognizer

from audit.scanner import evidence
from audit.scanner.analyze import analyze_texts
from audit.scanner.engine import WARM_UP_TEXTS
from audit.scanner.evidence import DIGIT, NONE, AnyOf, regex_requirement, requirement
from audit.scanner.recognizers.base import ValidatedRecognizer
from tests.conftest import SHARED

DEV = SHARED / "eval" / "dev"


def need(pattern: str, flags: int = 0) -> frozenset[str]:
    """The digit and punctuation tokens of a regex's requirement (its keywords: `words`)."""
    return frozenset(t for t in requirement(re.compile(pattern, flags)) if not isinstance(t, AnyOf))


def words(pattern: str, flags: int = 0) -> set[str] | None:
    """The keywords one of which the regex's every match contains, or None."""
    found = [t.words for t in requirement(re.compile(pattern, flags)) if isinstance(t, AnyOf)]
    assert len(found) <= 1
    return set(found[0]) if found else None


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"\d{3}-\d{4}", 0, {DIGIT, "-"}),
        (r"[0-9]+", 0, {DIGIT}),
        (r"[2-7]", 0, {DIGIT}),
        (r"[\d]", 0, {DIGIT}),
        (r"\d", re.ASCII, {DIGIT}),
        (r"7", 0, {DIGIT}),
        (r"(?:ab|cd)\d", 0, {DIGIT}),
        (r"x(?:\d|[0-5])", 0, {DIGIT}),
        (r"(?>\d+)", 0, {DIGIT}),
        (r"\d++", 0, {DIGIT}),
        (r"\d+?", 0, {DIGIT}),
        (r"(\d)?(?(1)\d|7)", 0, {DIGIT}),
        (r"(?P<v>\d{2}):(?P=v)", 0, {DIGIT, ":"}),
        (r"[\w.]+@[\w.]+", 0, {"@"}),
        (r"\w+@\w+\.\w+", 0, {"@", "."}),
        (r"[@]", 0, {"@"}),
        (r"x@y", re.IGNORECASE, {"@"}),
        (r"(?i:MRN)\s*#\d", 0, {"#", DIGIT}),
        (r"(?x) \d \ \d  # comment", 0, {DIGIT}),
        # one alternative needs no digit: nothing is certain
        (r"a\d|b", 0, NONE),
        (r"\d{4}|[A-Z]{4}", 0, NONE),
        (r"(?:\d@|\d:)", 0, {DIGIT}),
        # optional, possibly empty
        (r"(?:\d{3})?x", 0, NONE),
        (r"\d*", 0, NONE),
        (r"\d{0,3}", 0, NONE),
        (r"\d*?", 0, NONE),
        (r"x(?:@)?", 0, NONE),
        # lookarounds test text outside the match: nothing required
        (r"(?=\d)\w+", 0, NONE),
        (r"(?<=\d)x", 0, NONE),
        (r"(?!\D)\w", 0, NONE),
        # sets with anything but digits, negated sets, ANY, letters (IGNORECASE or not)
        (r"[0-9a-f]+", 0, NONE),
        (r"[^0-9]", 0, NONE),
        (r"[^@]", 0, NONE),
        (r".", re.DOTALL, NONE),
        (r"\w+", 0, NONE),
        (r"MRN", 0, NONE),
        (r"mrn", re.IGNORECASE, NONE),
        (r"\D", 0, NONE),
        (r"(a)\1", 0, NONE),
        (r"", 0, NONE),
    ],
)
def test_requirement_of_hand_written_regexes(pattern, flags, expected):
    assert need(pattern, flags) == frozenset(expected)


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (r"MRN", 0, {"mrn"}),
        (r"mrn", re.IGNORECASE, {"mrn"}),
        (r"(?i:\b(?:patient|pt\.?|my[ ]name[ ]is))\s+\w+", 0, {"patient", "pt", "my name is"}),
        (r"(?:ab|cd)\d", 0, {"ab", "cd"}),
        (r"[Mm][Rr][Nn]#", 0, {"mrn#"}),  # a set of one letter's two cases is that letter
        (r"(?<![a-z])acct(?=\s)\b:", 0, {"acct:"}),  # zero-width items keep a run of literals whole
        (r"x\s+(?:member|subscriber)\s+id", 0, {"member", "subscriber"}),  # the rarer choice: longest shortest word
        (r"(?:policy|polic(?:y|ies))\s+no", 0, {"polic"}),  # re's parser takes the common prefix out
        (r"(?>street)|(?:road)+", 0, {"street", "road"}),
        (r"(\d)?(?(1)abc|def)", 0, {"abc", "def"}),
        # no certain keyword
        (r"member|\d+", 0, None),  # an alternative without one
        (r"(?:member)?\s\d", 0, None),  # optional
        (r"(?:member)*", 0, None),
        (r"x@y", 0, {"x@y"}),
        (r"a\d", 0, None),  # a single letter is in nearly every text: not required
        (r"[ab]cd", 0, {"cd"}),  # a set of two letters ends the run
        (r"caf\u00e9s", 0, {"caf"}),  # a non-ASCII literal ends the run
        (r"(?=member)\w+", 0, None),  # a lookahead's text is not the match's
        (r"(a)\1", 0, None),
        (r"(?!x)", 0, None),
    ],
)
def test_keywords_of_hand_written_regexes(pattern, flags, expected):
    assert words(pattern, flags) == expected


def test_what_is_not_a_compiled_re_pattern_needs_nothing():
    assert requirement(r"\d") == NONE  # a string
    assert requirement(re.compile(rb"\d")) == NONE  # bytes
    assert requirement(regex.compile(r"\d")) == NONE  # the regex module's patterns


def test_regex_module_syntax_is_read_only_where_re_agrees():
    assert regex_requirement(r"\d{3}", regex.IGNORECASE | regex.MULTILINE | regex.DOTALL) == {DIGIT}
    assert regex_requirement(r"[[:digit:]]x]", 0) == NONE  # a POSIX class: `re` would read a literal ']'
    assert regex_requirement(r"(?:\d@){e<=1}", 0) == NONE  # fuzzy: `re` would read literals '{', '<', '='
    assert regex_requirement(r"\p{Nd}\d", 0) == NONE  # `re` cannot parse it
    assert regex_requirement(r"(?|(\d)|(x))", 0) == NONE  # branch reset
    assert regex_requirement(r"\d", regex.VERSION1) == NONE  # same bit as re.ASCII
    assert regex_requirement(r"\d", regex.ASCII | regex.VERSION0) == {DIGIT}
    assert regex_requirement(r"\d", regex.FULLCASE | regex.IGNORECASE) == NONE


def test_text_evidence():
    def tokens(text: str) -> frozenset[str]:  # the keywords other tests make are known too: not these
        return frozenset(t for t in evidence.text_evidence(text) if not isinstance(t, AnyOf))

    assert tokens("call 555") == {DIGIT}
    assert tokens("x@y.z") == {"@", "."}
    assert tokens("٣") == {DIGIT}  # an Arabic-Indic digit is a digit to \d
    assert tokens("² ① Ⅻ") == NONE  # not decimal digits: \d matches none of them
    assert tokens("＠") == NONE  # fullwidth: not '@'
    assert evidence.possible(NONE, "") and not evidence.possible(frozenset({DIGIT}), "no digits")
    member = AnyOf(frozenset({"member", "subscriber id"}))
    assert member in evidence.text_evidence("MEMBER 12") and member in evidence.text_evidence("the Subscriber ID")
    assert member not in evidence.text_evidence("memb er, subscriber-id")
    assert member in evidence.text_evidence("SUBſCRİBER İD")  # long s and dotted I: what IGNORECASE matches
    assert evidence.fold("Straße KELVIN \u212a İı") == "straße kelvin k ii"


def test_a_keyword_made_after_a_text_was_read_is_found_in_it():
    text = "the quokka-id is below"
    assert evidence.text_evidence(text)  # '-' and, now cached, nothing of the new keyword
    quokka = AnyOf(frozenset({"quokka"}))
    assert quokka in evidence.text_evidence(text)
    restored = pickle.loads(pickle.dumps(AnyOf(frozenset({"wombat"}))))  # as a Spark executor receives one
    assert restored in evidence.text_evidence("a Wombat")


EVERY_CHAR = "".join(map(chr, range(0x110000)))


@pytest.mark.parametrize("engine_module", [re, regex], ids=["re", "regex"])
def test_tokens_are_caseless_for_every_code_point(engine_module):
    # What the analysis calls DIGIT or a punctuation character matches nothing else, even under
    # IGNORECASE: every character a digit class matches is one text_evidence counts as a digit.
    flags = engine_module.IGNORECASE
    for digits in (r"\d", r"[0-9]", r"[\d]", r"[3-5]", r"7"):
        found = set(engine_module.findall(digits, EVERY_CHAR, flags))
        assert found and all(DIGIT in evidence.text_evidence(c) for c in found), digits
    for c in sorted(evidence.PUNCTUATION):
        for rx in (re.escape(c), f"[{re.escape(c)}]"):
            assert set(engine_module.findall(rx, EVERY_CHAR, flags)) == {c}, rx


@pytest.mark.parametrize("engine_module", [re, regex], ids=["re", "regex"])
def test_every_character_a_letter_matches_folds_to_it(engine_module):
    # A keyword's match, under IGNORECASE or not, folds to the keyword: then the keyword pass sees it.
    for letter in string.ascii_letters:
        found = set(engine_module.findall(letter, EVERY_CHAR, engine_module.IGNORECASE))
        assert letter in found and {evidence.fold(c) for c in found} == {letter.lower()}, sorted(found)


# --- the property: no match without the evidence, for every regex the engine runs --------------


def _dev_texts(limit_per_source: int = 300, max_len: int = 4000) -> list[str]:
    texts = list(WARM_UP_TEXTS) + [
        "Reach me at j.smith+work@mail.example.co.uk or 10.0.0.12, fe80::1ff:fe23:4567:890a, 00:1A:2B:3C:4D:5E.",
        "SSN 123-45-6789, ITIN 912-70-1234, card 4111 1111 1111 1111 exp 09/27 cvv 123, IBAN GB82 WEST 1234 5698 7654 32.",
        "Born 04/05/1950, admitted 2023-01-17; MRN: 00123456; NPI 1234567893; DEA AB1234563; claim #CLM-2024-000123.",
        "uuid 123e4567-e89b-12d3-a456-426614174000, btc 1BoatSLRHtKNngkdXEeobR76b53LETtpyT, https://x.io/a?b=1&c=2",
        "Case No. 1:23-cv-04567, Bates ABC000123, matter 12345-678; api_key=sk_live_51Hxxxxxxxxxxxxxxxxxxxx9.",
    ]
    if DEV.is_dir():
        for path in sorted(DEV.glob("*.jsonl")):
            with path.open(encoding="utf-8") as f:
                for i, line in enumerate(f):
                    if i >= limit_per_source:
                        break
                    texts.append(json.loads(line)["text"][:max_len])
    return texts


_DIGITS = re.compile(r"\d")
_REGEX_DIGITS = regex.compile(r"\d")


def _without(token, texts: list[str]) -> list[str]:
    """Variants of the texts holding `token` that lack it: deleted, or replaced by look-alikes."""
    if isinstance(token, AnyOf):
        keyword = re.compile("|".join(map(re.escape, sorted(token.words, key=len, reverse=True))), re.IGNORECASE)
        out = []
        for t in texts:
            if token not in evidence.text_evidence(t):
                continue
            for r in ("", " "):
                variant = t
                while token in evidence.text_evidence(variant):  # a deletion can join a new keyword
                    variant = keyword.sub(r, variant)
                out.append(variant)
    elif token == DIGIT:
        held = [t for t in texts if _DIGITS.search(t) or _REGEX_DIGITS.search(t)]
        strip = lambda t, r: _REGEX_DIGITS.sub(r, _DIGITS.sub(r, t))  # noqa: E731
        out = [strip(t, r) for t in held for r in ("", "O", "²")]
    else:
        held = [t for t in texts if token in t]
        out = [t.replace(token, r) for t in held for r in ("", " ", chr(ord(token) + 0xFEE0))]  # fullwidth form
    assert all(token not in evidence.text_evidence(t) for t in out)
    return out


def _engine_regexes(engine) -> list[tuple[str, object, frozenset[str]]]:
    """(name, compiled regex, claimed evidence) for every rule and Presidio pattern that claims some."""
    out = []
    for r in engine.analyzer.registry.recognizers:
        if isinstance(r, ValidatedRecognizer):
            out += [(f"{r.name}/{rule.name}", rx, need) for rule, rx, need in r._rules if need]
        elif isinstance(r, PatternRecognizer):
            for p in r.patterns:
                claim = regex_requirement(p.regex, r.global_regex_flags)
                if claim:
                    out.append((f"{r.name}/{p.name}", regex.compile(p.regex, r.global_regex_flags), claim))
    return out


def _counterexamples(rx, claim: frozenset[str], variants: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(missing token, matched text) for each match in a text lacking one of `claim`'s tokens."""
    return [(token, m.group()) for token in claim for t in variants[token] for m in rx.finditer(t)][:5]


@pytest.fixture(scope="module")
def corpus():
    return _dev_texts()


@pytest.fixture(scope="module")
def variants(engine, corpus):
    tokens = set().union(*(claim for _, _, claim in _engine_regexes(engine)))
    return {token: _without(token, corpus) for token in tokens}


def test_no_rule_matches_a_text_without_its_evidence(engine, variants):
    regexes = _engine_regexes(engine)
    assert len(regexes) >= 80  # the analysis finds evidence for most identifier rules
    failures = {name: found for name, rx, claim in regexes if (found := _counterexamples(rx, claim, variants))}
    assert not failures


def test_the_property_test_has_teeth(engine, corpus, variants):
    # The same texts with their evidence do match most of these regexes...
    regexes = _engine_regexes(engine)
    joined = "\n\n".join(corpus)
    matched = sum(bool(rx.search(joined)) for _, rx, _ in regexes)
    assert matched >= len(regexes) // 2
    # ...and a wrong claim is caught: hex IDs and e-mail local parts need no digit or '@', and "the"
    # needs no "patient".
    assert _counterexamples(re.compile(r"\b[0-9a-f]{6,}\b"), frozenset({DIGIT}), variants)
    assert _counterexamples(re.compile(r"[a-z]+[.@][a-z]+"), frozenset({"@"}), variants)
    patient = AnyOf(frozenset({"patient"}))
    assert _counterexamples(re.compile(r"(?i)\bthe\b"), frozenset({patient}), {patient: _without(patient, corpus)})


def test_presidio_recognizers_keep_their_identity_order_and_overrides():
    from presidio_analyzer import RecognizerRegistry

    from audit.scanner.recognizers.cards import PaymentCardRecognizer

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    recognizers = [*registry.recognizers, PaymentCardRecognizer()]
    before = [(r, type(r), r.name, r.id) for r in recognizers]
    evidence.prefilter_patterns(recognizers)
    evidence.prefilter_patterns(recognizers)  # a second call changes nothing
    for (r, cls, name, id_), now in zip(before, recognizers, strict=True):
        assert now is r and r.name == name and r.id == id_
        if isinstance(r, PatternRecognizer):
            assert type(r).__mro__[1] is cls and type(r).__name__ == f"Prefiltered{cls.__name__}"
        else:
            assert type(r) is cls
    card = recognizers[-1]  # overrides analyze: still runs its own filter over Presidio's results
    found = card.analyze("card 4111 1111 1111 1111", ["CREDIT_CARD"])
    assert [(f.start, f.end) for f in found] == [(5, 24)]
    assert card.analyze("card four one one one", ["CREDIT_CARD"]) == []


def test_whole_scanner_gives_the_same_spans_with_and_without_the_prefilter(engine, settings, corpus, monkeypatch):
    texts = corpus[: 600 if DEV.is_dir() else None]
    texts += [_DIGITS.sub("", t) for t in texts[:200]] + [t.replace("@", " ") for t in texts[:200]]
    on = analyze_texts(engine, settings, texts)
    everything = evidence.every_token()
    assert any(isinstance(t, AnyOf) for t in everything)
    monkeypatch.setattr(evidence, "text_evidence", lambda text: everything)  # every regex runs
    off = analyze_texts(engine, settings, texts)
    assert on == off
    assert sum(map(len, on)) > len(texts) // 4  # texts with findings, not an empty comparison


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))


def test_care_dates_skip_a_text_none_of_their_patterns_can_match():
    from audit.scanner.recognizers.dates import _NEEDS, CareDateRecognizer

    assert _NEEDS == frozenset({DIGIT})  # every pattern needs a digit; a new one that does not shrinks this
    r = CareDateRecognizer()
    assert r.spans("s/p CABG in the spring, seen since") == []
    assert [("1992",)] == [(("s/p CABG 1992"[s:e]),) for s, e, _ in r.spans("s/p CABG 1992")]
