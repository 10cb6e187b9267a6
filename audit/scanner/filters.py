"""False-positive filters: plain predicates over (text, span), applied after Presidio.

Each filter answers "is this span a known Presidio failure mode?"; `finalize`
drops the spans any filter rejects, then resolves overlaps: spans of one type
that overlap are merged, and where identifiers of different types overlap the
best one is kept (a validated pattern beats spaCy's NER, then the higher score,
then the longer span).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from audit.model import Span
from audit.scanner.lexicon import FUNCTION_WORDS, care_note, case_profile, lexicon
from audit.settings import Settings

Filter = Callable[[str, Span], bool]  # True: drop the span

NER_RECOGNIZERS = frozenset({"SpacyRecognizer"})
NAME_TYPES = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP"})

_CODE_LIKE = re.compile(
    r"[_/\\=<>{}\[\]|#@$`~^*]|\w\.\w+\(|::|->|\(\)|[a-z][A-Z]|[A-Z]{2,}[a-z]+[A-Z]|\.(?:py|js|ts|json|ya?ml|txt|log|csv|md|sh|go|rs|java|cpp?|h)\b"
)
_FORM_ACRONYMS = frozenset(
    "SSN IBAN ATM ASAP DOB MRN PIN CVV CVC ID NPI DEA EIN TIN ITIN BIC SWIFT ACH API URL FAQ PDF CSV JSON SQL HTML "
    "HTTP HTTPS PHI PII HIPAA GDPR CCPA PCI EHR EMR ICU ER OR ED CT MRI ECG EKG BP HR RR CBC BMP CMP ICD CPT "
    "USD EUR GBP ETA TBD FYI PTO CEO CFO CTO COO VP HR IT QA OK AM PM".split()
)
# "Crohn disease", "Graves' disease", "Gleason score": a name that is part of a medical term.
# Words without hyphens, possessive: "[A-Z][\w-]*" next to "[ -]+" split "AB-AB-AB..." every way (35 s on 8,000 chars).
_EPONYM_NOUN = re.compile(
    r"(?:'s|’s|'|’)?(?:[ -]++(?:(?-i:[A-Z]\w{0,39}+)|risk|heart|cell|type|like)){0,2}[ -]++(?:disease|syndrome|sign|score|trial|study|reflex|palsy|phenomenon|test|criteria|classification|"
    r"scale|esophagus|ulcer|lymphoma|sarcoma|tumou?r|procedure|maneuver|manoeuvre|law|effect|equation|method|"
    r"algorithm|distribution|theorem|index|fracture|cyst|node|triad|maneuvre|block|operation|pouch|catheter|"
    r"tear|tube|line|drain|valve|shunt|stocking|stockings)\b",
    re.I,
)
_INSTRUMENT = re.compile(
    r"\b(?:score|scale|study|trial|examination|exam|criteria|index|classification|questionnaire|inventory|"
    r"protocol|guidelines?|assessment|registry)\b",
    re.I,
)
_TITLE_ONLY = re.compile(r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Lady|Lord)\.?", re.I)
_LANGUAGE_SLOT = re.compile(
    r"(?:\b(?:translat\w*|interpret\w*)\b[^.\n]{0,40}\b(?:to|into|from)|"
    r"\b(?:respond|reply|answer|write|written|speak|speaks|spoken|fluent)\s+(?:\w+\s+)?in)\s*:?\s*$",
    re.I,
)
_POPULATION = re.compile(
    r"[ -]+(?:males?|females?|m[ae]n|wom[ae]n|patients?|adults?|children|kids|populations?|individuals?|"
    r"descent|ancestry|people|persons|subjects|participants|cohorts?)\b",
    re.I,
)
_PUBLICATION_AFTER = re.compile(
    r"\s+(?:[A-Z][\w/&-]*\s+){0,3}(?:guidelines?|criteria|recommendations?|update|consensus|statement|standards?|edition)\b",
    re.I,
)
_PUBLICATION_BEFORE = re.compile(
    r"\b(?:guidelines?|criteria|recommendations?|updates?|consensus|statement|standards?)\s+(?:from|of|in)\s+(?:the\s+)?$",
    re.I,
)
_MONTH = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_WEEKDAY = r"mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun"
_DATE_ANCHOR = re.compile(
    rf"\b(?:{_MONTH})\b\.?|\b(?:{_WEEKDAY})(?:day)?\b|\d{{1,4}}\s?[/.-]\s?\d{{1,2}}(?:\s?[/.-]\s?\d{{1,4}})?"
    r"|\b(?:1[6-9]|20)\d{2}\b|'\d{2}\b|\b\d{1,2}:\d{2}|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)|\b\d{8}\b",
    re.I,
)
_DURATION = re.compile(
    r"^(?:for\s+|about\s+|over\s+|nearly\s+|almost\s+|around\s+|approximately\s+|the\s+(?:last|past|next|first)\s+)?"
    r"(?:\d+(?:\.\d+)?\+?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|few|several|"
    r"a\s+couple\s+of|couple\s+of|many)\s*-?\s*(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?|decades?)"
    r"(?:\s+(?:old|ago|later|earlier|long|prior|before|after))?$",
    re.I,
)


def _text(text: str, span: Span) -> str:
    return text[span.start : span.end]


def ner_name_not_a_name(text: str, span: Span) -> bool:
    """spaCy PERSON/ORG/LOCATION/NRP that is a number, a code identifier, a log token or an abbreviation."""
    if span.recognizer not in NER_RECOGNIZERS or span.entity_type not in NAME_TYPES:
        return False
    value = _text(text, span).strip()
    letters = [c for c in value if c.isalpha()]
    if len(letters) < 2 or sum(c.isdigit() for c in value) > 0:
        return True
    if _CODE_LIKE.search(value) and not _brand_name(text, span, value):
        return True
    if span.entity_type != "PERSON" and value == value.lower():
        # "bariatric", "anesthesia": the small model's lower-case places and groups are words; in a chat a
        # lower-case town or country ("sale deed for a flat in pune") or a word no list knows ("ovhcloud") is not
        if care_note(text):
            return True
        if case_profile(text) != "lower":
            # in prose that uses case a lower-case "peru" is a word, whatever the gazetteer says; a town or
            # country that is no word at all ("campaigns for india and singapore", "a flat in pune") is a place
            return not (
                span.entity_type == "LOCATION"
                and lexicon().is_place(value)
                and not _any_word(value)
                and not _DETERMINER_BEFORE.search(text, max(0, span.start - 8), span.start)
            )  # "a peru wireless speaker": after an article it describes a thing
        return not (lexicon().is_place(value) or _unknown_words(value))
    words = value.split()
    if span.entity_type == "PERSON" and all(_TITLE_ONLY.fullmatch(w) for w in words[-1:]):
        return True  # "Mrs", "Little Mrs": a title with no name after it
    if len(words) == 1 and re.fullmatch(r"[A-Z0-9]{2,}s?", value) and not lexicon().name_first(value):
        # CV, O2, NEURO, COPD, NSAIDs: all-caps single words are abbreviations far more often than names;
        # a place in capitals ("HORTEN") or an employer ("work at IBM") still comes from the slot recognizers.
        if value in _FORM_ACRONYMS or care_note(text) or case_profile(text) != "mixed" or value[-1] == "s":
            return True  # "NSAIDs", "GPUs": a plural acronym is a kind of thing, never one organisation
        if _PUBLICATION_AFTER.match(text, span.end):
            return True  # "the KDIGO guidelines": a body's publication, no one's employer
        # in prose an acronym spaCy calls an organisation mostly is one ("CMU", "HSBC"); a lone place needs four letters
        return span.entity_type == "PERSON" or span.entity_type == "LOCATION" and len(letters) <= 3
    return False


# A brand written in InterCaps ("LinkedIn", "ExxonMobil", "McKesson Corporation", "OpenAI"): capitalised words,
# one of them with a single inner capital (or a short capital tail); code names have more ("CollectionContentPage")
_INTERCAPS = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+|[A-Z]{1,3})")
_CAPITALISED = re.compile(r"[A-Z][a-z]+|[A-Z]{2,5}")


def _brand_name(text: str, span: Span, value: str) -> bool:
    """An organisation in InterCaps in prose: no code around it (a class or package name is, in code)."""
    if span.entity_type == "NRP":
        return False
    words = value.split()
    if not 1 <= len(words) <= 3 or not any(_INTERCAPS.fullmatch(w) for w in words):
        return False
    if not all(_INTERCAPS.fullmatch(w) or _CAPITALISED.fullmatch(w) for w in words):
        return False
    return not _code_near(text, span)


def _code_near(text: str, span: Span) -> bool:
    """Code within 80 characters either side of the span (the span itself left out)."""
    return bool(_CODE_LIKE.search(text[max(0, span.start - 80) : span.start] + " " + text[span.end : span.end + 80]))


_DETERMINER_BEFORE = re.compile(r"\b(?:a|an|the|my|your|our|this|that)\s+\Z", re.I)


def _any_word(value: str) -> bool:
    return any(lexicon().is_word(w) for w in _NAME_TOKEN.findall(value))


_ACRONYM = re.compile(r"[A-Z]{2,6}")
_ORG_CUE = re.compile(r"\b(?:at|from|joined|join|joining|include|includes|including|on|for)[ \t]+(?:the[ \t]+)?$", re.I)
_LIST_ITEM = re.compile(r"(?:^|\n|[ \t(])(?:\d{1,2}[.)]|[-*•])[ \t]*$")


def lower_case_name(lex, word: str) -> bool:
    """In text without case: a listed name that is no common word ("emma"), or an unknown word of 4+ letters."""
    if lex.is_clinical(word) or word.lower() in FUNCTION_WORDS:
        return False
    return lex.is_name(word) and lex.zipf(word) < 4.5 or len(word) >= 4 and lex.unknown(word)


def _unknown_words(value: str) -> bool:
    """Every word of `value` is one no list knows (no ordinary word, name or clinical term) of 4+ letters."""
    words = _NAME_TOKEN.findall(value)
    return bool(words) and all(len(w) >= 4 and lexicon().unknown(w) for w in words)


_ORG_HEAD = re.compile(
    r"Agency|Corporation|Company|Group|Bank|Institute|Foundation|Association|Partners|Holdings|Industries|"
    r"Enterprises|Laboratories|Labs|Ventures|Technologies|Solutions|Systems|Hotel|Resort"
)
_HYPHENATED_TOKEN = re.compile(r"[^\W\d_][^\W\d_'’-]*+(?:-[^\W\d_][^\W\d_'’-]*+)*+")


def _unlisted_name(lex, text: str, span: Span, words: list[str], ordinary: list[str]) -> bool:
    """Two capitalised words, one a rare ordinary word, the other known to no list, in prose: a name from
    outside the name lists ("Kayo Chingonyi"), where "Jupyter Notebook" has a common word and code nearby."""
    others = [w for w in words if w not in ordinary]
    if len(words) != 2 or not others or any(lex.zipf(w) >= 4.0 for w in ordinary):
        return False
    if not all(len(w) >= 4 and lex.unknown(w) for w in others):
        return False
    return not _code_near(text, span)


_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(]\s*|\s[-*•]\s*)$")


def _mid_sentence(text: str, span: Span) -> bool:
    """The span does not open a sentence, a line or a quotation (where any word is capitalised)."""
    return not _SENTENCE_START.search(text, max(0, span.start - 4), span.start)


_NAME_TOKEN = re.compile(r"[^\W\d_][^\W\d_'’-]*")


def ner_name_without_evidence(text: str, span: Span) -> bool:
    """spaCy's name, place or organisation that no word of it supports.

    The small English model takes capitalised words for names ("Neuro", "Foley", "Jupyter",
    "Python") and, in text written all in capitals, nearly every word. A name needs a word the
    lexicon lists as mainly a name, or several capitalised words that are no ordinary words; a
    place or organisation needs a word that is no ordinary word, clinical term or short
    abbreviation. In text without case (all capitals, all lower case) only listed names count.
    """
    if span.recognizer not in NER_RECOGNIZERS or span.entity_type not in NAME_TYPES:
        return False
    lex, profile = lexicon(), case_profile(text)
    words = _NAME_TOKEN.findall(_text(text, span))
    if not words:
        return True
    if care_note(text):
        # a care note: only a listed name counts; its places and organisations come from cue recognizers
        return span.entity_type != "PERSON" or not any(lex.name_first(w) and len(w) > 2 for w in words)
    if span.entity_type == "PERSON":
        if any(lex.name_first(w) and (profile != "mixed" or w[0].isupper()) for w in words):
            return False
        if profile != "mixed":
            # a chat typed without capitals: a name of the lists that is no common word ("emma", "jake"), or a
            # word no list knows ("balaji"), spaCy's person all the same; never in a note
            return profile == "upper" or care_note(text) or not all(lower_case_name(lex, w) for w in words)
        if len(words) == 1:
            w = words[0]
            if w[0].isupper() and lex.is_name(w) and w[1:].islower() and _mid_sentence(text, span):
                return False  # "a client named Jeff", "take you and Mark out": a listed name inside a sentence
            if not w[0].isupper() or lex.is_word(w):
                return True
            # a capitalised word no list knows is a name in prose ("Gaetane"), a product in code ("Jupyter")
            near = text[max(0, span.start - 80) : span.end + 80]  # a long prompt may quote code far from the name
            return lex.unknown(w) and bool(_CODE_LIKE.search(near)) or lex.zipf(w) >= 5.0
        # "Kwon Jang-mi": the part after a hyphen is part of the word before it
        words = [w for w in _HYPHENATED_TOKEN.findall(_text(text, span)) if len(w) > 1 and not _TITLE_ONLY.fullmatch(w)]
        if len(words) == 1:
            return not (lex.is_name(words[0]) and words[0][0].isupper())
        if not words or not all(w[0].isupper() and not w.isupper() for w in words):
            return True
        # an ordinary word drops it ("Happy Birthday", "Jupyter Notebook") unless two other words carry it ("Kim
        # Young Hyun"), or it is a rare word beside a word no list knows ("Kayo Chingonyi", "Rujing Tang")
        ordinary = [w for w in words if lex.is_word(w) and not lex.is_name(w)]
        if ordinary and len(words) - len(ordinary) < 2:
            return not (_unlisted_name(lex, text, span, words, ordinary))
        return False
    if profile != "mixed":
        return not (any(lex.name_first(w) for w in words) or lex.is_place(" ".join(words)) and len(words[0]) > 3)
    if any(lex.is_clinical(w) for w in words):
        return True
    if (
        span.entity_type == "LOCATION"
        and lex.is_place(" ".join(words))
        and (_mid_sentence(text, span) or _LIST_ITEM.search(text, max(0, span.start - 8), span.start))
    ):
        return False  # "China", "Jordan", "Turkey": a country or town whose name is also a word
    if span.entity_type == "ORGANIZATION" and _ACRONYM.fullmatch(value := _text(text, span).strip()):
        # "BIDA from CMU", "want to study at USC": an acronym after a word that places someone in an organisation;
        # elsewhere acronyms are lab tests, scores and roles ("elevated CRP", "a BMI of 35", "with RN")
        known = value in _FORM_ACRONYMS or lex.is_word(value) or lex.is_clinical(value)
        return known or not _ORG_CUE.search(text, max(0, span.start - 16), span.start)
    ordinary = all(lex.is_word(w) for w in words)
    if ordinary and re.match(r"[ \t]*:", text[span.end : span.end + 3]):
        return True  # a field label: "Transaction Date:", "Account Holder:"
    if len(words) > 1 and all(w[0].isupper() and not w.isupper() for w in words):
        return False  # "United Kingdom", "Eastern Shore": a name made of ordinary words
    if span.entity_type == "ORGANIZATION" and len(words) > 2 and words[0] == "the" and _ORG_HEAD.fullmatch(words[-1]):
        # "the Federal Grid Agency", "the Delta Corporation": a company word ends it; "the Court of Appeal", "the
        # Republic of Turkey" and "the Code of Criminal Procedure" do not (TAB leaves most of them unmarked)
        if all(w[0].isupper() and not w.isupper() for w in words[1:]):
            return False
    return all(lex.is_word(w) or (w.isupper() and len(w) <= 4) or not w[0].isupper() for w in words)


_DATE_WORD = re.compile(rf"\b(?:{_MONTH}|(?:{_WEEKDAY})(?:day)?|christmas|easter|thanksgiving)\b", re.I)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|(?P<m>\d{1,2})/(?P<d>\d{1,2}))(?![\d/])"
)
_CLOCK_RANGE = re.compile(r"(?:[01]\d|2[0-3])[0-5]\d\s*-\s*(?:[01]\d|2[0-3])[0-5]\d")
_MEETING_TIME = re.compile(r"\b\d{1,2}(?::[0-5]\d)?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)", re.I)
_YEAR_ALONE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# What a model date must hold for `number_not_date` to keep it: a calendar word, a calendar date, a year or a time
# with am/pm (audit.scanner.ner_scope reads the NER only where one of them, or a name's evidence, occurs).
DATE_EVIDENCE = (_DATE_WORD, _NUMERIC_DATE, _YEAR_ALONE, _MEETING_TIME)


def number_not_date(text: str, span: Span) -> bool:
    """spaCy's DATE_TIME with no date in it: a clock time ("1800", "8am"), a reading ("80-90's", "99.4",
    "120/80") or an interval ("q2-3 hours").

    A time of day is no date element of Safe Harbor (45 CFR 164.514(b)(2)(i)(C)), and in care
    notes clock times and readings are the commonest numbers of all. A month or weekday word, a
    calendar date or a year that is not a clock time keeps the span; so does a time with am/pm in
    prose that is no note ("dinner at 7 PM": when someone will be where).
    """
    if span.entity_type != "DATE_TIME" or span.recognizer not in NER_RECOGNIZERS:
        return False
    value = _text(text, span)
    if _CLOCK_RANGE.fullmatch(value.strip()):
        return True
    if _MEETING_TIME.search(value) and case_profile(text) == "mixed" and not care_note(text):
        return False  # "dinner at 7 PM", "the meeting at 10:00 AM": when someone will be somewhere, outside a note
    if _DATE_WORD.search(value):
        # "May need", "MAY": a month that is also a word needs a number beside it
        return bool(re.fullmatch(r"\s*may\s*", value, re.I)) and not re.search(r"\d", text[span.end : span.end + 6])
    for m in _NUMERIC_DATE.finditer(value):
        if m.group("m") is None or (1 <= int(m.group("m")) <= 12 and 1 <= int(m.group("d")) <= 31):
            return False
    year = _YEAR_ALONE.search(value)
    if year and care_note(text):
        return True  # in a care note "1930" is a clock time; years in a history come from CareDateRecognizer
    if year and value.strip() == year.group(0):
        before = text[max(0, span.start - 8) : span.start]
        after = text[span.end : span.end + 4]
        return bool(
            re.search(r"(?:\bat|@|~|until|till|from|by|\bq|approx\.?)\s*$", before, re.I)
            or re.match(r"\s*-\s*\d|\s*[a-z]\b", after, re.I)
        )
    return not year


def medical_term(text: str, span: Span) -> bool:
    """A name that is part of a medical or research term: "Crohn disease", "Framingham Risk Score", "ALLHAT trial"."""
    if span.entity_type not in NAME_TYPES or span.recognizer.startswith("DenyList"):
        return False
    return bool(_EPONYM_NOUN.match(text, span.end) or _INSTRUMENT.search(_text(text, span)))


def nrp_not_about_a_person(text: str, span: Span) -> bool:
    """NRP naming a language to translate into, or describing a population ("African American patients")."""
    if span.entity_type != "NRP" or span.recognizer.startswith("DenyList"):
        return False
    before = text[max(0, span.start - 48) : span.start]
    return bool(_LANGUAGE_SLOT.search(before) or _POPULATION.match(text, span.end))


def publication_year(text: str, span: Span) -> bool:
    """A bare year that dates guidelines or a study ("the 2023 ADA guidelines"), not an event in someone's life."""
    if span.entity_type != "DATE_TIME" or not re.fullmatch(r"(?:19|20)\d{2}", _text(text, span).strip()):
        return False
    before = text[max(0, span.start - 40) : span.start]
    return bool(_PUBLICATION_AFTER.match(text, span.end) or _PUBLICATION_BEFORE.search(before))


def age_in_care_note(text: str, span: Span) -> bool:
    """An age under 90 in a care note: Safe Harbor lets ages up to 89 stay (45 CFR 164.514(b)(2)(i)(C)),
    and "67 yo M" opens nearly every note. AGE_OVER_89 and ages in other text are kept."""
    return span.entity_type == "AGE" and care_note(text)


def vague_date(text: str, span: Span) -> bool:
    """DATE_TIME that names no calendar date or time: durations ("3 days"), "next week", "this morning"."""
    if span.entity_type != "DATE_TIME":
        return False
    value = _text(text, span)
    if _DURATION.match(value.strip()):
        return True
    if re.fullmatch(r"\s*\d+\s*", value):
        if span.recognizer == "CareDateRecognizer":
            return False  # a year its cue vouches for: "CABG 81", "MI in '84"
        return not re.fullmatch(r"\s*(?:1[6-9]|20)\d{2}\s*|\s*\d{8}\s*", value)
    return not _DATE_ANCHOR.search(value)


_WEEKDAY_ALONE = re.compile(rf"(?:on\s+)?(?:{_WEEKDAY})(?:day)?\.?", re.I)  # "last Thursday" points at a date
_NUMERIC_VALUE = re.compile(r"[\d\s/.-]+")


def weekday_in_care_note(text: str, span: Span) -> bool:
    """A weekday alone in a care note ("trach on monday", "LBM on Sunday"): the plan of the week, no calendar
    date; Safe Harbor's date elements are day, month and year (45 CFR 164.514(b)(2)(i)(C))."""
    return (
        span.entity_type == "DATE_TIME"
        and bool(_WEEKDAY_ALONE.fullmatch(_text(text, span).strip()))
        and care_note(text)
    )


def setting_not_date(text: str, span: Span) -> bool:
    """Numbers written like a date that are a setting or part of a longer run: "PSV 20/5/40%", "24/06/12/18"."""
    if span.entity_type != "DATE_TIME" or not _NUMERIC_VALUE.fullmatch(_text(text, span)):
        return False
    after = text[span.end : span.end + 3]
    return bool(
        # a dash joins a range ("6/30-7/2"), so only a slash or dot continues the run
        re.match(r"[ \t]?%|[/.]\d", after) or re.search(r"\d[/.]\Z", text[max(0, span.start - 2) : span.start])
    )


def phone_in_digit_run(text: str, span: Span) -> bool:
    """A phone number that is part of a longer run of digits (an ID, a card, a timestamp)."""
    if span.entity_type != "PHONE_NUMBER":
        return False
    value = _text(text, span)
    groups = re.findall(r"\d+", value)
    if not value.startswith("+") and re.search(r"\d[-.]\d", value) and max(len(g) for g in groups[1:] or [""]) > 4:
        return True  # "555-123-456712": an ID with dashes, not a grouping any numbering plan uses
    before = text[max(0, span.start - 2) : span.start]
    after = text[span.end : span.end + 2]
    return bool(re.search(r"(?:\d[-.]?|\w)\Z", before) or re.match(r"[-.]?\d|[^\W\d_]", after))


def url_in_email(text: str, span: Span) -> bool:
    """A URL that is the domain part of an email address."""
    if span.entity_type != "URL":
        return False
    return text[max(0, span.start - 1) : span.start] == "@" or "@" in _text(text, span)


FILTERS: list[Filter] = [
    ner_name_not_a_name,
    ner_name_without_evidence,
    number_not_date,
    age_in_care_note,
    medical_term,
    nrp_not_about_a_person,
    vague_date,
    weekday_in_care_note,
    setting_not_date,
    publication_year,
    phone_in_digit_run,
    url_in_email,
]


def _allow_listed(settings: Settings) -> Filter:
    allowed = {v.casefold().strip() for v in settings.allow_list}

    def drop(text: str, span: Span) -> bool:
        value = _text(text, span).casefold().strip()
        return value in allowed or re.sub(r"(?:'s|’s)$|^\W+|\W+$", "", value) in allowed

    return drop


def _rank(span: Span) -> tuple:
    return (span.recognizer not in NER_RECOGNIZERS, span.score, span.end - span.start)


def merge_same_type(spans: list[Span]) -> list[Span]:
    """Overlapping spans of one type become one span covering both (the better one's score and recognizer)."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.entity_type, s.kind, s.start, s.end)):
        last = out[-1] if out else None
        if last and last.entity_type == s.entity_type and last.kind == s.kind and s.start < last.end:
            best = max(last, s, key=_rank)
            out[-1] = Span(last.start, max(last.end, s.end), s.entity_type, best.score, best.recognizer, s.kind)
        else:
            out.append(s)
    return out


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Non-overlapping identifiers (best first wins) plus every context span, in text order."""
    merged = merge_same_type(spans)
    kept: list[Span] = [s for s in merged if s.kind != "identifier"]
    chosen: list[Span] = []
    starts: list[int] = []  # of the chosen spans, which never overlap: sorted by start, their ends are too
    for s in sorted((s for s in merged if s.kind == "identifier"), key=_rank, reverse=True):
        i = bisect.bisect_left(starts, s.end)
        if i and chosen[i - 1].end > s.start:
            continue
        starts.insert(i, s.start)
        chosen.insert(i, s)
    return sorted(kept + chosen, key=lambda s: (s.start, s.end, s.entity_type))


def trim_at_line_break(text: str, span: Span) -> Span:
    """A name ends at a line break: "John Doe\nAccount" is "John Doe" (address blocks keep their lines)."""
    if span.entity_type not in NAME_TYPES or span.entity_type == "LOCATION" and span.recognizer not in NER_RECOGNIZERS:
        return span
    cut = text.find("\n", span.start, span.end)
    if cut < 0:
        return span
    end = cut
    while end > span.start and text[end - 1].isspace():
        end -= 1
    return Span(span.start, end, span.entity_type, span.score, span.recognizer, span.kind)


_KEEPS_ITS_DOT = re.compile(
    r"(?:\b[^\W\d_]|\b(?:Inc|Ltd|Co|Corp|Jr|Sr|St|Mt|Ft|Dr|Mr|Mrs|Ms|Bros|Plc|Esq|Av|Ave|Rd|Blvd|Ln|Ct|Pl|Sq|Hwy|Pkwy|Ste|Apt|No))\.\Z"
)


def trim_punctuation(text: str, span: Span) -> Span:
    """A name ends before the punctuation that follows it: "Izmir." is "Izmir" ("Acme Inc." and "J." keep their dot)."""
    if span.entity_type not in NAME_TYPES:
        return span
    end = span.end
    while end > span.start and text[end - 1] in ".,;:!?" and not _KEEPS_ITS_DOT.search(text, span.start, end):
        end -= 1
    return span if end == span.end else Span(span.start, end, span.entity_type, span.score, span.recognizer, span.kind)


def finalize(text: str, spans: list[Span], settings: Settings) -> tuple[Span, ...]:
    """Apply every filter, then keep the best span where identifiers of different types overlap."""
    active = [*FILTERS, _allow_listed(settings)] if settings.allow_list else FILTERS
    trimmed = (trim_punctuation(text, trim_at_line_break(text, s)) for s in spans)
    kept = [s for s in trimmed if s.end > s.start and not any(f(text, s) for f in active)]
    return tuple(resolve_overlaps(kept))
