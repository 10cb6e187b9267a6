"""Recognizers for German, French, Spanish, Italian, Dutch and Polish text; silent on every other text.

Each finds what the English recognizers miss in those languages and reports our own entity types,
so the policy packs need no change: DATE_OF_BIRTH after a birth cue, PHONE_NUMBER by the
language's national numbering plans, LOCATION for street addresses and postcode + town, health
vocabulary as MEDICAL_CONDITION / MEDICATION / HEALTH_CONTEXT, EU_CONTEXT, and the national IDs
people write with spaces or dots, validated by python-stdnum.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import phonenumbers

from audit.scanner.languages import cues, health
from audit.scanner.languages.base import Found, LanguageRecognizer, words_regex
from audit.scanner.languages.detect import STOP_WORDS
from audit.scanner.languages.ids import labelled_ids
from audit.scanner.languages.names import EuPersonNameRecognizer

# --- date of birth ---------------------------------------------------------
_NUMERIC_DATE = r"(?:[0-3]?\d[./-][01]?\d[./-](?:19|20)?\d{2}|(?:19|20)\d{2}-[01]\d-[0-3]\d)"


@cache
def _birth_date(lang: str) -> re.Pattern[str]:
    months = "|".join(sorted(map(re.escape, cues.MONTHS[lang]), key=len, reverse=True))
    spelled = rf"(?:[0-3]?\d(?:\.|er|º)?\s+(?:de\s+)?(?:{months})\.?(?:\s+(?:de\s+)?(?:19|20)\d{{2}})?)"
    cue = "|".join(sorted((re.escape(c) for c in cues.DOB_CUES[lang]), key=len, reverse=True))
    # The cue, then at most a few words without digits ("nato a Roma il"), then the date.
    return re.compile(
        rf"(?<![\w])(?:{cue})(?![\w])[^\d\n.;]{{0,30}}?(?P<value>{_NUMERIC_DATE}|{spelled})(?!\d)", re.IGNORECASE
    )


_BORN_AFTER = {"de": "geboren", "nl": "geboren", "pl": "urodził|urodziła|urodzony|urodzona"}


@cache
def _date_then_born(lang: str) -> re.Pattern[str] | None:
    if lang not in _BORN_AFTER:
        return None
    months = "|".join(sorted(map(re.escape, cues.MONTHS[lang]), key=len, reverse=True))
    spelled = rf"[0-3]?\d\.?\s+(?:{months})\s+(?:19|20)\d{{2}}"
    return re.compile(rf"(?<![\w.])(?P<value>{_NUMERIC_DATE}|{spelled})\s+(?:{_BORN_AFTER[lang]})(?![\w])", re.I)


class BirthDateRecognizer(LanguageRecognizer):
    """DATE_OF_BIRTH: a date after the language's birth cue ("geb. 03.04.1980", "née le 4 mai 1982")."""

    ENTITIES = ("DATE_OF_BIRTH",)

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """Each date written after a birth cue."""
        for m in _birth_date(lang).finditer(text):
            yield "DATE_OF_BIRTH", *m.span("value"), 0.85
        after = _date_then_born(lang)  # "ist am 2. Mai 1950 geboren"
        for m in after.finditer(text) if after else ():
            yield "DATE_OF_BIRTH", *m.span("value"), 0.85


# --- phone -----------------------------------------------------------------
_PHONE_NEAR = 30
_LEADS = re.compile(r"\+|00[1-9]")


class NationalPhoneRecognizer(LanguageRecognizer):
    """PHONE_NUMBER: numbers valid in the language's countries' numbering plans (libphonenumber).

    A number in international form (+49, 0049) or with a trunk 0 where the plan has one counts alone;
    a Spanish, Italian or Polish national number (no trunk prefix) needs a phone cue nearby.
    """

    ENTITIES = ("PHONE_NUMBER",)

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """Every valid number, once, scored higher with a phone cue nearby."""
        cue = _phone_cues(lang)
        seen: set[tuple[int, int]] = set()
        for region in cues.PHONE_REGIONS[lang]:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                span = (match.start, match.end)
                if span in seen:
                    continue
                seen.add(span)
                near = bool(cue.search(text, max(0, match.start - _PHONE_NEAR), match.start))
                if near or _standalone(match.raw_string, region):
                    yield "PHONE_NUMBER", *span, 0.85 if near else 0.7


def _standalone(raw: str, region: str) -> bool:
    if _LEADS.match(raw):
        return True
    return raw.startswith("0") and region not in ("IT", "ES", "PL") and len(re.sub(r"\D", "", raw)) >= 9


@cache
def _phone_cues(lang: str) -> re.Pattern[str]:
    extra = {
        "de": ("rückruf", "zurückrufen", "anrufen unter"),
        "fr": ("rappeler", "appelez", "contacter"),
        "es": ("llámame", "llame al", "llamar", "contactar"),
        "it": ("chiamami", "chiamare al", "richiamare", "contattare"),
        "nl": ("terugbellen", "bereikbaar op", "bel"),
        "pl": ("zadzwoń", "kontakt"),
    }
    return words_regex((*cues.PHONE_CUES[lang], *extra.get(lang, ()), "whatsapp", "sms"))


# --- addresses -------------------------------------------------------------
_NAME = r"(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ž'’-]*\.?|d[eiu]|de[lsl]|della|dei|la|le|les|du|des|van|der|den|het|'t|y|e|i)"
_HOUSE = r"\d{1,4}(?:\s?[a-zA-Z](?![\w]))?(?:\s?[/-]\s?\d{1,4}[a-zA-Z]?)?"
_PLACE_WORDS = (
    r"[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ž'’-]+(?:[ -](?:[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ž'’-]+|am|an|der|im|sur|sous|de|del|di|aan|den))*"
)
_ADDRESS_CUES = (
    "wohnhaft", "wohnt", "wohnt in", "adresse", "anschrift", "wohnort", "habite", "domicile", "domicilié",
    "domiciliée", "dirección", "domicilio", "vive en", "reside en", "indirizzo", "residente", "residenza", "abita",
    "adres", "woonadres", "woont", "mieszka", "zamieszkały", "zamieszkała", "zamieszkania", "adres zamieszkania",
)  # fmt: skip
_ADDRESS_CUE = words_regex(_ADDRESS_CUES)


@cache
def _street(lang: str) -> re.Pattern[str]:
    forms = []
    before = cues.STREET_BEFORE.get(lang, ())
    if before:
        kind = "|".join(sorted((re.escape(w) for w in before), key=len, reverse=True))
        # German street names open with a capital ("Am Rosenhang 4"); "am Freitag 12 Uhr" is a date.
        kind = kind if lang == "de" else f"(?i:{kind})"
        street = rf"(?:{kind})\s+{_NAME}(?:\s+{_NAME}){{0,4}}"
        forms.append(rf"{street},?\s+(?:n[º°o.]\s*)?{_HOUSE}")  # "calle Mayor 5", "via Roma, 12"
        forms.append(rf"{_HOUSE}(?:\s?(?:bis|ter))?,?\s+{street}")  # "12 rue des Lilas"
    suffix = cues.STREET_SUFFIX.get(lang, ())
    if suffix:
        ends = "|".join(sorted((re.escape(w) for w in suffix), key=len, reverse=True))
        # "Lindenstraße 14", "Hauptstr. 5a", "Dorpsstraat 12", "Kerkweg 3", "Berliner Straße 7"
        compound = rf"(?:[A-ZÄÖÜ][\wäöüß-]*(?:{ends})|(?:[A-ZÄÖÜ][\wäöüß-]*\s)?[A-ZÄÖÜ][a-zäöüß]*(?:{ends}))"
        forms.append(rf"{compound}\s+{_HOUSE}")
    return re.compile(r"(?<![\w])(?:" + "|".join(forms) + r")(?![\w])")


@cache
def _postcode_town(lang: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?P<code>{cues.POSTCODE[lang]})\s+(?P<town>{_PLACE_WORDS})")


class EuAddressRecognizer(LanguageRecognizer):
    """LOCATION: a street with its house number, and a postcode with its town (a known town, or after an address)."""

    ENTITIES = ("LOCATION",)

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """Streets, then postcode + town pairs the text makes plausible."""
        streets = [m.span() for m in _street(lang).finditer(text)]
        for start, end in streets:
            yield "LOCATION", start, end, 0.85
        towns = cues.eu_city_names()
        for m in _postcode_town(lang).finditer(text):
            after_street = any(0 <= m.start() - e <= 3 for _, e in streets)
            cued = _ADDRESS_CUE.search(text, max(0, m.start() - 60), m.start())
            town = m.group("town")
            known = town.lower() in towns or town.split()[0].lower() in towns
            if known or after_street or cued:
                yield "LOCATION", m.start(), m.end(), 0.85 if known or after_street else 0.6


# --- health ----------------------------------------------------------------
@cache
def _health(lang: str) -> tuple[tuple[str, re.Pattern[str], float], ...]:
    out = [
        ("MEDICAL_CONDITION", words_regex(health.CONDITIONS[lang]), 0.6),
        ("MEDICATION", words_regex(health.SHARED_MEDICATIONS), 0.6),
        ("HEALTH_CONTEXT", words_regex(health.PROCEDURES[lang]), 0.6),
        ("HEALTH_CONTEXT", words_regex(health.CARE_WORDS[lang]), 0.5),
    ]
    suffixes = health.CONDITION_SUFFIXES.get(lang)
    if suffixes:
        ends = "|".join(map(re.escape, suffixes))
        out.append(("MEDICAL_CONDITION", re.compile(rf"(?<![\w])[A-ZÄÖÜ][\wäöüß]{{2,}}(?:{ends})(?![\w])"), 0.6))
    return tuple(out)


class EuHealthTermRecognizer(LanguageRecognizer):
    """MEDICAL_CONDITION, MEDICATION and HEALTH_CONTEXT from the language's health vocabulary (`health`)."""

    ENTITIES = ("MEDICAL_CONDITION", "MEDICATION", "HEALTH_CONTEXT")

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """Every vocabulary hit; short all-letter abbreviations (HIV, COPD, MRT) count in capitals only."""
        for entity, rx, score in _health(lang):
            for m in rx.finditer(text):
                word = m.group()
                if len(word) <= 4 and word.isalpha() and not word.isupper() and word.lower() not in _SHORT_WORDS:
                    continue
                yield entity, *m.span(), score


_SHORT_WORDS = frozenset(
    {"rak", "guz", "lek", "leki", "asma", "asthma", "astma", "aids", "sida", "ictus", "avc", "sucht"}
)


# --- EU signal -------------------------------------------------------------
_CALLING = re.compile(
    r"(?<![\w+])(?:\+|00)(?:" + "|".join(sorted(cues.EU_CALLING_CODES, key=len, reverse=True)) + r")(?=[\s(/-]*\d)"
)
_COUNTRY = words_regex(cues.EU_COUNTRY_NAMES)
_CAPITALISED = re.compile(r"(?<![\w])[A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ž'’-]{3,}(?:[ -][A-ZÀ-ÖØ-ÞĀ-Ž][\wÀ-ž'’-]+){0,2}")


class EuLanguageSignalRecognizer(LanguageRecognizer):
    """EU_CONTEXT: an EU/EEA town or country, an EU calling code (+49, 0033), or failing those the text's
    own language: each of the six is an EU language, and GDPR still needs personal data beside it."""

    ENTITIES = ("EU_CONTEXT",)

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """Place and calling-code signals; one language signal (its first function word) when there is none."""
        found = [m.span() for m in _CALLING.finditer(text)] + [m.span() for m in _COUNTRY.finditer(text)]
        towns, stop = cues.eu_city_names(), STOP_WORDS[lang]
        for m in _CAPITALISED.finditer(text):
            words = m.group().split()
            for n in range(len(words), 0, -1):
                phrase = " ".join(words[:n])
                if phrase.lower() in towns and phrase.lower() not in stop:
                    found.append((m.start(), m.start() + len(phrase)))
                    break
        if not found:
            first = next((m for m in re.finditer(r"[^\W\d_]+", text) if m.group().lower() in stop), None)
            if first is not None:
                found.append(first.span())
        for start, end in found:
            yield "EU_CONTEXT", start, end, 0.5


class SpacedNationalIdRecognizer(LanguageRecognizer):
    """The EU national IDs, KVNR included, after their label, as people write them (spaces, dots, dashes)."""

    ENTITIES = (
        "DE_TAX_ID", "FR_NIR", "ES_NIF", "ES_NIE", "IT_FISCAL_CODE", "NL_BSN", "PL_PESEL", "PL_NIP", "HEALTH_PLAN_ID",
    )  # fmt: skip

    def find(self, text: str, lang: str) -> Iterator[Found]:
        """Validated IDs after their label."""
        for entity, start, end in labelled_ids(text, lang):
            yield entity, start, end, 0.9


RECOGNIZERS = [
    EuPersonNameRecognizer,
    BirthDateRecognizer,
    NationalPhoneRecognizer,
    EuAddressRecognizer,
    EuHealthTermRecognizer,
    EuLanguageSignalRecognizer,
    SpacedNationalIdRecognizer,
]
