"""Places smaller than a state: street addresses (with the lines of an address block), PO and
military boxes, ZIP codes in context, hospitals and clinics, and places after "lives in" and the like.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from audit.scanner.lexicon import care_note, case_profile
from audit.scanner.recognizers.general_base import LETTER, UP, RegexRecognizer, Rule, rx, word
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
            rx(rf"\b\d{{1,6}}[A-Za-z]?(?:[ -]\d{{1,5}})?\s+(?:{_WORD}\s+){{0,4}}(?:{_SUFFIX})\b\.?(?:\s+\d{{1,5}}\b)?"),
            0.9,
        ),
        # continental: [number] Word(s) number ("Koskikatu 25", "ul. Słowicza 10", "Via Franscini 71")
        Rule(
            rx(
                rf"\b\d{{1,6}}[ ]+{_CONTINENTAL}(?=[ \t]*(?:\n|,|$|[ ]+(?:{_UNIT}|St\b)))",
                re.M,
            ),
            0.75,
        ),
        # without a house number the street must end its line or be followed by a unit
        Rule(rx(rf"(?<!\S){_CONTINENTAL}(?=[ \t]*(?:\n|$|[ ]+(?:{_UNIT}|St\b)))", re.M), 0.7),
        # number then "rue/via/..." lower-case street words ("36 rue de pologne")
        Rule(
            rx(
                r"\b\d{1,6}\s+(?:rue|via|rua|calle|avenida|chemin|strada|ulica|ul\.)\s+[\w'’. -]{2,40}?(?=,|\n|$)",
                re.I | re.M,
            ),
            0.85,
        ),
        # a unit on its own
        Rule(rx(rf"\b{_UNIT}"), 0.6, 0, needs_context=True),
        # PO boxes and US military mail
        Rule(rx(r"\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box)\s+\d{1,6}\b", re.I), 0.9),
        Rule(
            rx(
                r"\b(?:PSC|Unit|CMR)\s+\d{1,5},?\s+Box\s+\d{1,5}(?:\s*\n?\s*(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})?",
                re.I,
            ),
            0.9,
        ),
        Rule(rx(r"\b(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5}\b", re.I), 0.9),
        Rule(rx(r"\b(?:the\s+)?corner\s+of\s+(?:[\w'’.-]+\s+){1,5}and\s+(?:[\w'’.-]+\s+){0,4}[\w'’.-]+", re.I), 0.8),
    )
    CONTEXT = re.compile(r"\d|\n|address|street|\bst\b|road|avenue|located|live", re.I)
    WINDOW = (24, 24)

    def validate(self, text: str, start: int, end: int) -> bool:
        """Not a date, a time, a quantity phrase or "Chapter 3"."""
        value = text[start:end]
        if re.fullmatch(r"[\d\s.,-]+", value) or _NOT_STREET.search(value.split("\n")[0][-24:]):
            return False
        # "Koskikatu 25" names a street; "WBC 17", "Fluid 500" and "HCT REMAINS 26" are readings
        if _STREET_WORD.search(value):
            return True
        return case_profile(text) == "mixed" and not care_note(text) and names_a_place(value, "mixed")

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """Street matches, each extended over the address lines that follow it."""
        return [self._extend(text, r) for r in super().analyze(text, entities, nlp_artifacts)]

    def _extend(self, text: str, result: RecognizerResult) -> RecognizerResult:
        end = result.end
        inline = _INLINE_TAIL.match(text, end)
        end = inline.end() if inline else end
        for _ in range(6):
            m = _NEXT_LINE.match(text, end)
            if not m or not _address_line(m.group("line")):
                break
            end = m.end("line")
        return self.result(result.entity_type, result.start, end, result.score)


_INLINE_TAIL = rx(
    rf"(?:,?[ \t]*{_UNIT})?(?:,[ \t]*{_CAP}(?:[ \t]+{_CAP}){{0,3}}){{0,2}}(?:,?[ \t]+[A-Z]{{2}})?(?:,?[ \t]+\d{{4,5}}(?:-\d{{4}})?)?"
)
# The next line of an address block: a unit, a city, a state, a country, a postcode.
_NEXT_LINE = re.compile(r"[ \t,]*\n[ \t>?*,]*(?P<line>[^\n:@]*[^\s:@,][^\n:@]*?)[ \t,]*(?=\n|$)")


class ZipCodeRecognizer(RegexRecognizer):
    """ZIP or postal codes after a state, a "ZIP" label or a country at the end of an address."""

    ENTITY = "US_ZIP_CODE"
    RULES = (
        Rule(rx(r"\b(?:zip|zip\s*code|postal\s*code|postcode)\s*[:#]?\s*(?P<z>\d{3,5}(?:-\d{4})?)\b", re.I), 0.85, "z"),
        Rule(rx(r"(?<=[ ,])(?:[A-Z]{2})\s+(?P<z>\d{5}(?:-\d{4})?)\b"), 0.6, "z"),
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
            rx(
                rf"(?:\b(?:St|Mt)\.\s*|\b(?:Saint|Mount)\s+)?(?:{_CAP}\s+|&\s+|of\s+){{1,5}}(?:{_FACILITY})\b(?:\s+(?:of|at)\s+{_CAP}(?:\s+{_CAP}){{0,2}})?"
            ),
            0.9,
        ),
        Rule(rx(rf"\b(?:St|Mt)\.\s*{_CAP}(?:'s|’s)?(?:\s+{_CAP})?"), 0.87),  # above spaCy's 0.85 (Presidio dedup)
        Rule(rx(r"\b(?:Saint|Mount)\s+[A-Z][\w'’]+(?:'s|’s)?"), 0.6, 0, needs_context=True),
    )
    CONTEXT = re.compile(r"\b(?:at|to|from|in)\s*$", re.I)
    WINDOW = (12, 0)

    def validate(self, text: str, start: int, end: int) -> bool:
        """A name, not a sentence-initial "Health" or a lone "Memorial"."""
        words = text[start:end].split()
        return len(words) >= 2 or words[0][:2] in {"St", "Mt"}


CALENDAR_WORD = re.compile(
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?|mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b",
    re.I,
)
_ORG_SUFFIX = re.compile(
    r"\b(?:Inc|Incorporated|LLC|Ltd|Limited|Corp|Corporation|Company|Co|Group|Partners|Associates|Capital|"
    r"Systems|Solutions|Technologies|Holdings|Insurance|Bank|Agency|Foundation|Orchestra|Labs)\b\.?$"
)
_VISIT = re.compile(
    r"\b(?:seen|admitted|treated|evaluated|followed|diagnosed|operated|hospitali[sz]ed|discharged|transferred|"
    r"checked\s+in|presented|presenting|referred|visited|visit(?:ing)?|examined|managed|delivered|born|"
    r"stayed|cared\s+for|reviewed|scheduled|appointment|follow-up|carried\s+out|performed|done|surgery|under\s+care|imaged|scanned|tested|work(?:s|ed)?\s+(?:as\s+\w+\s+)?|"
    r"nurse|physician|doctor|surgeon|resident)"
    r"(?:\s+[\w.'’]+){0,5}?\s+(?:at|to|from|in|by)\s+(?:the\s+)?$",
    re.I,
)
_GEO = re.compile(
    r"\b(?:lives?|living|resides?|residing|grew\s+up|born|raised|moved|relocated|flew|travel(?:l?ed)?|drove|"
    r"based|located|originally|home\s+city|home\s+town|hometown|city|town|village|from|visiting|trip\s+to|"
    r"stationed|headquartered|University|College)(?:\s+(?:in|to|at|of|from|is))*\s*[:]?\s*$",
    re.I,
)


# Weaker place slots, trusted only for something spaCy already called an entity of some kind.
_GEO_WEAK = re.compile(
    r"\b(?:travell?ing|returned|returning|arrived|arriving|around\s+the\s+world|going|headed|heading|back|"
    r"trip|street|I\s+am|we\s+are|stay(?:ed|ing)?|visit(?:ed|s)?|fly(?:ing)?|flights?|"
    r"drive|driving|walk(?:ed)?|near|outside|downtown)(?:\s+(?:in|to|at|of|from|for|into))+\s*$",
    re.I,
)


class ContextualPlaceRecognizer(EntityRecognizer):
    """spaCy entities in a place slot become LOCATION: "seen at <ORG>" is a facility, "grew up in <X>" a place.

    spaCy's small model often labels a clinic ORG and a foreign town PERSON; the words before the
    entity settle what it is. Capitalised words spaCy missed in the same slots are reported too.
    """

    _SLOT = rx(rf"(?P<v>{_CAP}(?:[ -](?:(?:of|de|la|del|am|upon|nad|le|van|von)[ ])?{_CAP}){{0,4}})")

    def __init__(self) -> None:
        super().__init__(supported_entities=["LOCATION"], name="ContextualPlaceRecognizer", supported_language="en")

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """LOCATION for spaCy entities (and capitalised phrases) right after a visit or place phrase."""
        if "LOCATION" not in entities:
            return []
        out = []
        spans = [
            (e.start_char, e.end_char, e.label_)
            for e in getattr(nlp_artifacts, "entities", None) or []
            if e.label_ in {"ORGANIZATION", "PERSON", "LOCATION", "NRP"}
        ]
        spans += [(*m.span("v"), "") for m in self._SLOT.finditer(text)]
        seen = set()
        profile = case_profile(text)
        for start, end, label in spans:
            before = text[max(0, start - 60) : start]
            if (start, end) in seen or "\n" in before[-3:]:
                continue
            seen.add((start, end))
            value = text[start:end]
            if CALENDAR_WORD.match(value) or _ORG_SUFFIX.search(value) or re.search(r"[.!?:;]\s", value):
                continue
            if not names_a_place(value, profile):
                continue
            if _VISIT.search(before) and not re.match(r"(?:Dr|Mr|Mrs|Ms)\b", value):
                out.append(self._result(start, end, 0.88))
            elif label == "ORGANIZATION" and re.search(r"\bfrom\s*$", before):
                continue  # "she is from Acme": spaCy's ORG is as likely right as a place
            elif (_GEO.search(before) or label and _GEO_WEAK.search(before)) and (
                value[:1].isupper() and not re.search(r"\d", value)
            ):
                out.append(self._result(start, end, 0.87))
        return out

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return RecognizerResult("LOCATION", start, end, score, recognition_metadata=meta)
