"""What a word is, from shipped vocabularies: a person's name, an ordinary English word, a clinical term.

The evidence the name and place recognizers and the NER filter weigh, so that the
same word is judged the same way everywhere:

- person names: given names and surnames from national name statistics
  (audit/data/person_names.tsv.gz, built by scripts/build_lexicon.py);
- English words in lower-case use with their frequency (audit/data/english_words.txt.gz);
- clinical shorthand, devices, units and eponyms that are not names in a note
  (audit/data/clinical_terms.txt), plus the medication and condition vocabularies.

A word's case carries evidence only where the text uses case: `case_profile` tells
mixed-case prose from text written all in capitals or all in lower case (ICU notes, chat).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

# A listed name this frequent in ordinary lower-case use is a word first ("will", "amber", "grace");
# below it a name is a name ("david", "nguyen", "okafor": no ordinary use at all).
COMMON_ZIPF = 3.0


FUNCTION_WORDS = frozenset(  # words that are never part of a name or a place
    "a an the and or but of to in on at by for from with without as is was are were be been has had have do does did "
    "not no yes he she it they we you i his her their our your my its this that these those who whom which what "
    "there here then than so if up out over into onto off about after before while will would can could may might "
    "shall should must also all any some each every other another again still very just only now today tonight "
    "yesterday tomorrow am pm per md mds md's rn rns np pa".split()
)


def _singulars(w: str) -> tuple[str, ...]:
    """The base forms an inflected word could have ("secretions", "masses", "requesting", "consented", "aunts");
    none for a name that merely ends like one ("Hawkes", "Hayes", "Jones" keep theirs)."""
    if w.endswith(("'s", "’s")):
        return (w[:-2],)
    if len(w) <= 4:
        return ()
    if w.endswith("ing"):
        return (w[:-3], w[:-3] + "e") if len(w) > 5 else ()
    if w.endswith("ied") or w.endswith("ies"):
        return (w[:-3] + "y",)
    if w.endswith("ed"):
        return (w[:-2], w[:-1])
    if w.endswith("ly"):
        return (w[:-2],)
    if not w.endswith("s") or w.endswith("ss"):
        return ()
    if w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return (w[:-2],)
    return (w[:-1],)


def _data(name: str) -> bytes:
    return resources.files("audit").joinpath("data", name).read_bytes()


@dataclass(frozen=True, repr=False)
class Lexicon:
    """The shipped vocabularies, loaded once per process (see `lexicon()`)."""

    given: frozenset[str]
    surnames: frozenset[str]
    words: dict[str, float]  # lower-case word -> Zipf frequency
    ordinary: frozenset[str]  # the words a dictionary spells in lower case
    clinical: frozenset[str]
    shorthand: frozenset[str]  # charting shorthand only (clinical_terms.txt): the mark of a care note
    places: frozenset[str]  # lower-case names of towns, cities, countries, US states and counties
    place_starts: frozenset[str]  # the first word of every place name, to rule most words out at once

    def is_place(self, phrase: str) -> bool:
        """A town, city, country, US state or county of that name ("catonsville", "new haven")."""
        return " ".join(phrase.lower().split()) in self.places

    def is_given_name(self, word: str) -> bool:
        """A given name in some national name statistics."""
        return word.lower() in self.given

    def is_surname(self, word: str) -> bool:
        """A surname in some national name statistics."""
        return word.lower() in self.surnames

    def is_name(self, word: str) -> bool:
        """A given name or a surname."""
        w = word.lower()
        return w in self.given or w in self.surnames

    def zipf(self, word: str) -> float:
        """How common the word (or its singular) is in ordinary lower-case English (0: not a listed word)."""
        w = word.lower()
        found = self.words.get(w)
        if found is None and w.endswith(("s", "'s", "’s")):
            found = next((self.words[s] for s in _singulars(w) if s in self.words), None)
        return found or 0.0

    def is_word(self, word: str) -> bool:
        """An ordinary (lower-case) English word or a clinical term, whatever else it may also be.

        "python", "grace" and "cross" are; "Canada", "Google" and "Nguyen" are not.
        """
        w = word.lower()
        if w in self.ordinary or w in self.clinical:
            return True
        stems = _singulars(w)
        if any(s in self.ordinary or s in self.clinical for s in stems) and not self.is_name(w):
            return True  # "requesting", "falls", "aunts", "trached"; a listed name keeps its own ("Hawkes")
        return False  # a frequent token no dictionary spells in lower case is a proper noun ("Canada")

    def is_clinical(self, word: str) -> bool:
        """Clinical shorthand, a device, unit, drug or condition word."""
        return word.lower() in self.clinical

    def name_first(self, word: str) -> bool:
        """A listed name that is not mainly an ordinary word: "David", "Nguyen", but not "Will" or "Foley"."""
        w = word.lower()
        if w in self.clinical or not (w in self.given or w in self.surnames):
            return False
        return self.words.get(w, 0.0) < COMMON_ZIPF

    def unknown(self, word: str) -> bool:
        """Neither a listed name nor a word: a rare surname, a misspelling, a product or a code."""
        w = word.lower()
        return not (w in self.given or w in self.surnames or w in self.clinical or self.zipf(w) > 0)


@cache
def lexicon() -> Lexicon:
    """The process-wide lexicon (immutable data, read once: about 40 ms)."""
    given, surnames = set(), set()
    for line in gzip.decompress(_data("person_names.tsv.gz")).decode("utf-8").splitlines():
        name, _, flags = line.partition("\t")
        if "F" in flags:
            given.add(name)
        if "L" in flags:
            surnames.add(name)
    words, ordinary = {}, set()
    for line in gzip.decompress(_data("english_words.txt.gz")).decode("utf-8").splitlines():
        word, zipf, flag = line.split("\t")
        words[word] = float(zipf)
        if flag:
            ordinary.add(word)
    clinical, shorthand = set(), set()
    for name in ("clinical_terms.txt", "medications.txt", "medical_conditions.txt"):
        for line in _data(name).decode("utf-8").splitlines():
            line = line.strip().lower()
            if line and not line.startswith("#") and " " not in line:
                clinical.add(line)
                if name == "clinical_terms.txt":
                    shorthand.add(line)
    places = frozenset(gzip.decompress(_data("place_names.txt.gz")).decode("utf-8").splitlines())
    place_starts = frozenset(p.split(" ", 1)[0] for p in places)
    return Lexicon(
        frozenset(given),
        frozenset(surnames),
        words,
        frozenset(ordinary),
        frozenset(clinical),
        frozenset(shorthand),
        places,
        place_starts,
    )


@lru_cache(maxsize=256)
def case_profile(text: str) -> str:
    """'upper' (written in capitals), 'lower' (no capitals to speak of) or 'mixed' (case carries meaning)."""
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    letters = upper + lower
    if letters == 0:
        return "mixed"
    if upper >= 0.6 * letters:
        return "upper"
    if upper <= 0.02 * letters:
        return "lower"
    return "mixed"


# Words on their own: not a piece of an identifier ("invoice_id") or of a hex string ("9fceb02d...dc970")
SHORTHAND_TOKEN = re.compile(r"(?<![\w.])[A-Za-z][A-Za-z&/']*(?![\w])")


@lru_cache(maxsize=256)
def care_note(text: str) -> bool:
    """Written as a care note: charting shorthand ("pt", "abd", "gtt", "s/p") is a good share of the words.

    In such notes spaCy's organisations, groups and lone places are drug names, misspellings and
    headings; facilities and people come from the recognizers that read their cues instead.
    """
    shorthand = lexicon().shorthand
    tokens = SHORTHAND_TOKEN.findall(text)
    hits = sum(1 for t in tokens if t.lower() in shorthand)
    return hits >= 4 and hits >= 0.06 * len(tokens)
