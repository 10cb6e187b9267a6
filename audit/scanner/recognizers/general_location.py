"""Places smaller than a state: street addresses (with the lines of an address block), PO and
military boxes, ZIP codes in context, hospitals and clinics. Places after "lives in" and the like
are in general_place_slots.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from audit.scanner.lexicon import care_note, case_profile
from audit.scanner.recognizers.base import RegexRecognizer, Rule, result
from audit.scanner.recognizers.patterns import LETTER, UP, word
from audit.scanner.recognizers.places_in_context import names_a_place

_WORD = word(LETTER, r"[\w'’.-]")
_CAP = word(UP, r"[\w'’.-]")
_SUFFIX = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Courts|Way|Place|Pl|Terrace|"
    r"Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Loop|Trail|Trl|Crescent|Cres|Close|Row|Alley|Plaza|"
    r"Pike|Turnpike|Expressway|Freeway|Run|Path|Walk|Mews|Gardens|Green|Grove|Heights|Hill|Hills|Park|Point|"
    r"Ridge|Route|Rte|View|Vista|Crossing|Cove|Bend|Dam|Gate|Junction|Port|Harbor|Island|Mall|Manor|Station|"
    r"Village|Wharf|Estate|Estates|Fork|Forks|Meadow|Meadows|Mill|Mills|Pass|Pines|Spring|Springs|Summit|"
    r"Valley|Wells|Brook|Causeway|Creek|Falls|Field|Fields|Ford|Forest|Garden|Glen|Lake|Lakes|Landing"
)
_PARTICLE = r"(?:de|la|del|da|do|dos|van|von|der|den|am|an|u\.|ul\.|gate|vej|gade|utca|ulica|straße|strasse)"
_NOT_STREET = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday|version|chapter|page|"
    r"section|figure|table|step|level|grade|stage|type|phase|class|room|week|day|year|age|number|no|id|mrn|"
    r"turn|turned|was|is|at|in|on|since|by|of|during|until|after|before|around|circa|about|than|over|under|"
    r"top|only|all|summer|winter|spring|autumn|fall|q[1-4]|fy)\b",
    re.I,
)
_AFTER_MONTH = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?)\.?,?[ \t]*$",
    re.I,
)
_ARTICLE_AFTER_NUMBER = re.compile(r"\d+[A-Za-z]?\s+(?:the|a|an|this|that|his|her|their)\s", re.I)
_CONTINENTAL = (
    rf"(?:(?:ul|u|rue|via|rua|calle|avenida|av|str|al)\.?[ ]+)?{_CAP}(?:[ ]+(?:{_CAP}|{_PARTICLE})){{0,3}}"
    r"[ ]+\d{1,4}[a-zA-Z]?\b\.?"
)
_UNIT = r"(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|Bldg|Building|Flat)\.?\s*\#?\s*[\w-]{1,6}\b"

# One address line that follows a street line: a unit, a city, a state, a country, a postcode.
_DIGIT_GROUP = re.compile(r"\d+")


def _address_line(line: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'’.-]*", line)
    groups = _DIGIT_GROUP.findall(line)
    if len(groups) > 2 or any(len(g) > 6 for g in groups) or len(words) > 6:
        return False
    if re.search(r"[!?;\"“”]", line):
        return False
    return all(w[0].isupper() or w.casefold() in {"nan", "of", "de", "la", "del", "am", "an", "der"} for w in words)


_STREET_WORD = re.compile(
    rf"\b(?:{_SUFFIX})\b|\b(?:rue|via|rua|calle|avenida|chemin|strada|ulica|ul|box|apo|fpo|dpo|psc|cmr|corner)\b",
    re.I,
)


class StreetAddressRecognizer(RegexRecognizer):
    """Street lines ("4417 Old Kettle Rd", "Koskikatu 25", "56 rue La Boétie") and the block after them."""

    ENTITY = "LOCATION"
    RULES = (
        # number, up to five words, a street suffix
        Rule(
            "numbered",
            rf"\b\d{{1,6}}[A-Za-z]?(?:[ -]\d{{1,5}})?\s+(?:{_WORD}\s+){{0,4}}(?:{_SUFFIX})\b\.?(?:\s+\d{{1,5}}\b)?",
            0.9,
        ),
        # continental: [number] Word(s) number ("Koskikatu 25", "ul. Słowicza 10", "Via Franscini 71")
        Rule(
            "continental-numbered",
            rf"\b\d{{1,6}}[ ]+{_CONTINENTAL}(?=[ \t]*(?:\n|,|$|[ ]+(?:{_UNIT}|St\b)))",
            0.75,
            flags=re.M,
        ),
        # without a house number the street must end its line or be followed by a unit
        Rule("continental", rf"(?<!\S){_CONTINENTAL}(?=[ \t]*(?:\n|$|[ ]+(?:{_UNIT}|St\b)))", 0.7, flags=re.M),
        # number then "rue/via/..." lower-case street words ("36 rue de pologne")
        Rule(
            "rue",
            # "Via" capitalised only: "bp 110/60 via nbp", "13 via TLC" are a route, not a street
            r"\b\d{1,6}\s+(?:rue|(?-i:Via)|rua|calle|avenida|chemin|strada|ulica|ul\.)\s+[\w'’. -]{2,40}?(?=,|\n|$)",
            0.85,
            flags=re.I | re.M,
        ),
        # a unit on its own
        Rule("unit", rf"\b{_UNIT}", 0.6, needs_context=True),
        # PO boxes and US military mail
        Rule("po-box", r"\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box)\s+\d{1,6}\b", 0.9, flags=re.I),
        Rule(
            "military-box",
            r"\b(?:PSC|Unit|CMR)\s+\d{1,5},?\s+Box\s+\d{1,5}(?:\s*\n?\s*(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})?",
            0.9,
            flags=re.I,
        ),
        Rule("military-zip", r"\b(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}\b", 0.9, flags=re.I),
        Rule(
            "corner",
            r"\b(?:the\s+)?corner\s+of\s+(?:[\w'’.-]+\s+){1,5}and\s+(?:[\w'’.-]+\s+){0,4}[\w'’.-]+",
            0.8,
            flags=re.I,
        ),
    )
    CONTEXT = re.compile(r"\d|\n|address|street|\bst\b|road|avenue|located|live", re.I)
    WINDOW = (24, 24)

    def accept(self, text: str, start: int, end: int) -> bool:
        """Not a date, a time, a quantity phrase or "Chapter 3"."""
        value = text[start:end]
        if re.fullmatch(r"[\d\s.,-]+", value) or _NOT_STREET.search(value.split("\n")[0][-24:]):
            return False
        if _AFTER_MONTH.search(text, max(0, start - 16), start) or _ARTICLE_AFTER_NUMBER.match(value):
            return False  # "13 September 1988 the Erzincan Martial Law Court": a date, then a court
        # "Koskikatu 25" names a street; "WBC 17", "Fluid 500" and "HCT REMAINS 26" are readings
        if _STREET_WORD.search(value):
            return True
        return case_profile(text) == "mixed" and not care_note(text) and names_a_place(value, "mixed")

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Street matches, each extended over the address lines that follow it."""
        return [self._extend(text, r) for r in super().analyze(text, entities, nlp_artifacts)]

    def _extend(self, text: str, found: RecognizerResult) -> RecognizerResult:
        end = found.end
        inline = _INLINE_TAIL.match(text, end)
        end = inline.end() if inline else end
        sentence_end = _SENTENCE_END.search(text, found.end, end)  # "Springfield. BP 120/80": the next sentence
        end = sentence_end.start() + 3 if sentence_end else end
        for _ in range(6):
            m = _NEXT_LINE.match(text, end)
            if not m or not _address_line(m.group("line")):
                break
            end = m.end("line")
        return result(self, found.entity_type, found.start, end, found.score)


_INLINE_TAIL = re.compile(
    rf"(?:,?[ \t]*{_UNIT})?(?:,[ \t]*{_CAP}(?:[ \t]+{_CAP}){{0,3}}){{0,2}}(?:(?<!\.),?[ \t]+[A-Z]{{2}}\b)?(?:,?[ \t]+\d{{4,5}}(?:-\d{{4}})?)?",
)
_SENTENCE_END = re.compile(r"[a-z]{3}\.[ \t]")
# The next line of an address block: a unit, a city, a state, a country, a postcode.
_NEXT_LINE = re.compile(r"[ \t,]*\n[ \t>?*,]*(?P<line>[^\n:@]*[^\s:@,][^\n:@]*?)[ \t,]*(?=\n|$)")


class ZipCodeRecognizer(RegexRecognizer):
    """ZIP or postal codes after a state, a "ZIP" label or a country at the end of an address."""

    ENTITY = "US_ZIP_CODE"
    RULES = (
        Rule(
            "labelled",
            r"\b(?:zip|zip\s*code|postal\s*code|postcode)\s*[:#]?\s*(?P<z>\d{3,5}(?:-\d{4})?)\b",
            0.85,
            flags=re.I,
            group="z",
        ),
        Rule("state", r"(?<=[ ,])(?:[A-Z]{2})\s+(?P<z>\d{5}(?:-\d{4})?)\b", 0.6, group="z"),
    )
    CONTEXT = re.compile(r",|address|\n", re.I)

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """ZIP codes; the two-letter-state form needs an address-like neighbourhood."""
        out = super().analyze(text, ["US_ZIP_CODE"], nlp_artifacts)
        return [
            r
            for r in out
            if "US_ZIP_CODE" in entities and (r.score > 0.6 or "," in text[max(0, r.start - 40) : r.start])
        ]


_FACILITY = (
    r"Hospital|Hospitals|Medical\s+Center|Medical\s+Centre|Medical\s+Group|Clinic|Clinics|Health\s+Center|"
    r"Health\s+Centre|Health\s+System|Healthcare|Health\s+Care|Infirmary|Sanatorium|Hospice|Nursing\s+Home|"
    r"Care\s+Center|Urgent\s+Care|Rehabilitation\s+Center|Rehab\s+Center|Cancer\s+Center|Surgery\s+Center|"
    r"Surgical\s+Center|Memorial|Children's|Pediatrics|Family\s+Practice|Medical\s+Associates|"
    r"Dialysis\s+Center|Treatment\s+Center|Recovery\s+Center|Pharmacy"
)


class FacilityRecognizer(RegexRecognizer):
    """Hospitals, clinics and care centres by name: "UCLA Medical Center", "St. Vincent's", "Elm Clinic"."""

    ENTITY = "LOCATION"
    RULES = (
        Rule(
            "facility",
            rf"(?:\b(?:St|Mt)\.\s*|\b(?:Saint|Mount)\s+)?(?:{_CAP}\s+|&\s+|of\s+){{1,5}}(?:{_FACILITY})\b(?:\s+(?:of|at)\s+{_CAP}(?:\s+{_CAP}){{0,2}})?",
            0.9,
        ),
        Rule(
            "saint-abbrev", rf"\b(?:St|Mt)\.\s*{_CAP}(?:'s|’s)?(?:\s+{_CAP})?", 0.87
        ),  # above spaCy's 0.85 (Presidio dedup)
        Rule("saint", r"\b(?:Saint|Mount)\s+[A-Z][\w'’]+(?:'s|’s)?", 0.6, needs_context=True),
    )
    CONTEXT = re.compile(r"\b(?:at|to|from|in)\s*$", re.I)
    WINDOW = (12, 0)

    def validate(self, value: str) -> bool:
        """A name, not a sentence-initial "Health" or a lone "Memorial"."""
        words = value.split()
        return len(words) >= 2 or words[0][:2] in {"St", "Mt"}
