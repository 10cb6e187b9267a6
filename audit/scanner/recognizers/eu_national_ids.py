"""EU/EEA national identification numbers, each validated by python-stdnum (check digits, embedded dates).

All-digit numbers (PESEL, NIP, REGON, Steuer-ID, NIR, BSN, personnummer, Belgian national
number, Austrian social-security number, Portuguese NIF) pass a checksum by chance one time
in ten or so, so they need their own label nearby; shapes with letters (Spanish DNI/NIE,
codice fiscale, Finnish henkilötunnus) are specific enough alone. Presidio's entity names
are kept where it has one (PL_PESEL, DE_TAX_ID, ES_NIF, ES_NIE, IT_FISCAL_CODE,
SE_PERSONNUMMER, FI_PERSONAL_IDENTITY_CODE); its recognizers for them load only for their
own languages, never beside these on English text.
"""

from __future__ import annotations

from types import ModuleType

from stdnum.at import vnr
from stdnum.be import nn
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import nip, pesel, regon
from stdnum.pt import nif
from stdnum.se import personnummer

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer

_B = r"(?<![\w.-])"  # no word, dot or dash before: not the tail of a longer number
_E = r"(?![\w]|[.-]\w)"  # nor after
_OMOCODE = "[0-9LMNPQRSTUV]"  # codice fiscale digits, which may be replaced by letters for homonyms


class NationalIdRecognizer(ValidatedRecognizer):
    """A pattern, a stdnum module's is_valid, and (for all-digit numbers) the number's own label nearby."""

    CHECK: ModuleType
    REQUIRE_CONTEXT = True
    WINDOW = (45, 15)

    def validate(self, value: str) -> bool:
        """stdnum's full check, and not one repeated digit."""
        digits = [c for c in value if c.isdigit()]
        return len(set(digits)) > 1 and self.CHECK.is_valid(value)


def _digits(name: str, regex: str) -> tuple[Rule, ...]:
    return (Rule(name, f"{_B}{regex}{_E}", 0.0, 0.85),)


class PeselRecognizer(NationalIdRecognizer):
    """PL_PESEL: 11 digits with an embedded birth date and check digit."""

    ENTITY, CHECK = "PL_PESEL", pesel
    RULES = _digits("pesel", r"\d{11}")
    CONTEXT = ("pesel", "numer pesel", "polish national id", "polish id")


class PolishNipRecognizer(NationalIdRecognizer):
    """PL_NIP: the Polish tax number, 10 digits (often 3-3-2-2 or 3-2-2-3), weighted mod 11."""

    ENTITY, CHECK = "PL_NIP", nip
    RULES = _digits("nip", r"(?:PL[ ]?)?(?:\d{10}|\d{3}-\d{3}-\d{2}-\d{2}|\d{3}-\d{2}-\d{2}-\d{3})")
    CONTEXT = ("nip", "numer nip", "numer identyfikacji podatkowej", "polish tax id", "polish tax number")

    def validate(self, value: str) -> bool:
        """stdnum's check without the optional PL prefix."""
        return super().validate(value.removeprefix("PL").strip())


class RegonRecognizer(NationalIdRecognizer):
    """PL_REGON: the Polish business-register number, 9 or 14 digits with check digits."""

    ENTITY, CHECK = "PL_REGON", regon
    RULES = _digits("regon", r"(?:\d{9}|\d{14})")
    CONTEXT = ("regon", "numer regon")


class SteuerIdRecognizer(NationalIdRecognizer):
    """DE_TAX_ID: the German Steuer-ID (IdNr), 11 digits, often grouped 2-3-3-3."""

    ENTITY, CHECK = "DE_TAX_ID", idnr
    RULES = _digits("idnr", r"\d{2}(?P<sep>[ ]?)\d{3}(?P=sep)\d{3}(?P=sep)\d{3}")
    CONTEXT = (
        "steuer-id", "steuer id", "steuerid", "steuer-idnr", "idnr", "identifikationsnummer",
        "steueridentifikationsnummer", "steuerliche identifikationsnummer", "german tax id", "tax id",
    )  # fmt: skip


class FrenchNirRecognizer(NationalIdRecognizer):
    """FR_NIR: the French social-security number (numéro de sécurité sociale), 15 characters with key."""

    ENTITY, CHECK = "FR_NIR", nir
    RULES = _digits(
        "nir", r"[1-478](?P<sep>[ ]?)\d{2}(?P=sep)\d{2}(?P=sep)(?:\d{2}|2[AB])(?P=sep)\d{3}(?P=sep)\d{3}(?P=sep)\d{2}"
    )
    CONTEXT = (
        "nir", "insee", "sécurité sociale", "securite sociale", "numéro de sécu", "carte vitale",
        "french social security", "social security number", "numéro de sécurité sociale",
    )  # fmt: skip


class SpanishDniRecognizer(NationalIdRecognizer):
    """ES_NIF: a Spanish DNI (8 digits and a check letter), the NIF of Spanish nationals."""

    ENTITY, CHECK = "ES_NIF", dni
    RULES = (Rule("dni", rf"{_B}\d{{8}}-?[A-Z]{_E}", 0.6, 0.9),)
    CONTEXT = ("dni", "nif", "documento nacional", "spanish id", "spanish national id")
    REQUIRE_CONTEXT = False


class SpanishNieRecognizer(NationalIdRecognizer):
    """ES_NIE: a Spanish foreigner's number, X/Y/Z, 7 digits and a check letter."""

    ENTITY, CHECK = "ES_NIE", nie
    RULES = (Rule("nie", rf"{_B}[XYZ]-?\d{{7}}-?[A-Z]{_E}", 0.6, 0.9),)
    CONTEXT = ("nie", "número de identidad de extranjero", "foreigner identity number", "spanish residence")
    REQUIRE_CONTEXT = False


class CodiceFiscaleRecognizer(NationalIdRecognizer):
    """IT_FISCAL_CODE: the 16-character codice fiscale (name letters, birth date and place, check letter)."""

    ENTITY, CHECK = "IT_FISCAL_CODE", codicefiscale
    RULES = (
        Rule(
            "cf",
            rf"{_B}[A-Z]{{6}}{_OMOCODE}{{2}}[ABCDEHLMPRST]{_OMOCODE}{{2}}[A-Z]{_OMOCODE}{{3}}[A-Z]{_E}",
            0.75,
            0.95,
        ),
    )
    CONTEXT = ("codice fiscale", "cf", "fiscal code", "tax code", "italian tax")
    REQUIRE_CONTEXT = False

    def validate(self, value: str) -> bool:
        """stdnum's check (check letter, date and place shape); the code holds no repeated-digit test."""
        return codicefiscale.is_valid(value)


class BsnRecognizer(NationalIdRecognizer):
    """NL_BSN: the Dutch citizen service number, 9 digits (or 1234.56.789) passing the 11-test."""

    ENTITY, CHECK = "NL_BSN", bsn
    RULES = _digits("bsn", r"(?:\d{9}|\d{4}\.\d{2}\.\d{3})")
    CONTEXT = ("bsn", "burgerservicenummer", "sofinummer", "sofi-nummer", "citizen service number")


class PersonnummerRecognizer(NationalIdRecognizer):
    """SE_PERSONNUMMER: a Swedish personal identity number, (YY)YYMMDD-NNNN with Luhn check."""

    ENTITY, CHECK = "SE_PERSONNUMMER", personnummer
    RULES = _digits("pnr", r"(?:\d{2})?\d{6}[-+]?\d{4}")
    CONTEXT = ("personnummer", "personal identity number", "swedish id", "samordningsnummer", "swedish personal number")


class BelgianNationalNumberRecognizer(NationalIdRecognizer):
    """BE_NATIONAL_NUMBER: the Belgian Rijksregisternummer / numéro national, YY.MM.DD-NNN.CC."""

    ENTITY, CHECK = "BE_NATIONAL_NUMBER", nn
    RULES = _digits("nn", r"(?:\d{11}|\d{2}\.\d{2}\.\d{2}[- ]\d{3}[. ]\d{2}|\d{2} \d{2} \d{2} \d{3} \d{2})")
    CONTEXT = (
        "rijksregisternummer", "rijksregister", "numéro national", "numéro de registre national", "registre national",
        "national register number", "national number", "insz", "niss", "belgian id",
    )  # fmt: skip


class AustrianSocialSecurityRecognizer(NationalIdRecognizer):
    """AT_SOCIAL_SECURITY: the Austrian Sozialversicherungsnummer, 4 digits (3 + check) and a DDMMYY birth date."""

    ENTITY, CHECK = "AT_SOCIAL_SECURITY", vnr
    RULES = _digits("vnr", r"\d{4}[ ]?\d{6}")
    CONTEXT = (
        "sozialversicherungsnummer", "versicherungsnummer", "svnr", "sv-nummer", "sv nummer", "e-card",
        "austrian social security",
    )  # fmt: skip


class PortugueseNifRecognizer(NationalIdRecognizer):
    """PT_NIF: the Portuguese tax number (número de identificação fiscal / contribuinte), 9 digits, mod 11."""

    ENTITY, CHECK = "PT_NIF", nif
    RULES = _digits("nif", r"(?:PT[ ]?)?(?:\d{9}|\d{3} \d{3} \d{3})")
    CONTEXT = ("nif", "contribuinte", "número de contribuinte", "identificação fiscal", "portuguese tax")

    def validate(self, value: str) -> bool:
        """stdnum's check without the optional PT prefix."""
        return super().validate(value.removeprefix("PT").strip())


class HenkilotunnusRecognizer(NationalIdRecognizer):
    """FI_PERSONAL_IDENTITY_CODE: the Finnish henkilötunnus, DDMMYY, century sign, 3 digits and a check character."""

    ENTITY, CHECK = "FI_PERSONAL_IDENTITY_CODE", hetu
    RULES = (Rule("hetu", rf"{_B}\d{{6}}[-+A-FU-Y]\d{{3}}[0-9A-Y]{_E}", 0.6, 0.9),)
    CONTEXT = ("henkilötunnus", "hetu", "personal identity code", "finnish id")
    REQUIRE_CONTEXT = False


RECOGNIZERS = [
    PeselRecognizer,
    PolishNipRecognizer,
    RegonRecognizer,
    SteuerIdRecognizer,
    FrenchNirRecognizer,
    SpanishDniRecognizer,
    SpanishNieRecognizer,
    CodiceFiscaleRecognizer,
    BsnRecognizer,
    PersonnummerRecognizer,
    BelgianNationalNumberRecognizer,
    AustrianSocialSecurityRecognizer,
    PortugueseNifRecognizer,
    HenkilotunnusRecognizer,
]
