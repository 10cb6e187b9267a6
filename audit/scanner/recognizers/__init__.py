"""The one place recognizers are registered.

RECOGNIZERS lists factories, each returning a Presidio EntityRecognizer.
REPLACED_PREDEFINED names Presidio built-ins we remove because a recognizer
here does the same job better (or offline). CONTEXT_ENTITIES are entity types
that signal a regulated context (a diagnosis, a privilege banner) rather than
identify someone: they feed the policy engine but are not reported as PII.
"""

from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer, PatternRecognizer

from audit.scanner.entities import CONTEXT_TYPES
from audit.scanner.languages import recognizers as eu_languages  # issue 27: silent on English text
from audit.scanner.recognizers import (
    banking,
    business_ids,
    cards,
    care_context,
    context_signals,
    credentials,
    dates,
    eu_national_ids,
    geo,
    health_terms,
    healthcare_ids,
    labelled_ids,
    legal,
    photos,
    securities,
    vehicles_devices,
)
from audit.scanner.recognizers.general_age import AgeRecognizer
from audit.scanner.recognizers.general_driver_license import DriverLicenseRecognizer
from audit.scanner.recognizers.general_email import EmailAddressRecognizer
from audit.scanner.recognizers.general_location import (
    FacilityRecognizer,
    StreetAddressRecognizer,
    ZipCodeRecognizer,
)
from audit.scanner.recognizers.general_org import InstitutionRecognizer, OrganizationRecognizer
from audit.scanner.recognizers.general_person import NameSlotRecognizer, TitledNameRecognizer
from audit.scanner.recognizers.general_phone import PhoneNumberRecognizer
from audit.scanner.recognizers.general_place_slots import ContextualPlaceRecognizer
from audit.scanner.recognizers.general_url import WebUrlRecognizer
from audit.scanner.recognizers.names_from_lexicon import LexiconNameRecognizer
from audit.scanner.recognizers.names_in_context import NameInContextRecognizer
from audit.scanner.recognizers.places_in_context import (
    CareFacilityRecognizer,
    KnownPlaceRecognizer,
    PlaceInContextRecognizer,
)
from audit.settings import Settings

# --- general PII quality (names, places, ages, phones, dates) -------------
GENERAL: list[Callable[[], EntityRecognizer]] = [
    EmailAddressRecognizer,
    WebUrlRecognizer,
    AgeRecognizer,
    StreetAddressRecognizer,
    ZipCodeRecognizer,
    FacilityRecognizer,
    ContextualPlaceRecognizer,
    TitledNameRecognizer,
    NameSlotRecognizer,
    NameInContextRecognizer,
    LexiconNameRecognizer,
    PlaceInContextRecognizer,
    CareFacilityRecognizer,
    KnownPlaceRecognizer,
    OrganizationRecognizer,
    InstitutionRecognizer,
    PhoneNumberRecognizer,
    DriverLicenseRecognizer,
]

# --- regulated identifiers and context (healthcare, finance, legal, credentials, quasi-ids)
REGULATED: list[Callable[[], EntityRecognizer]] = [
    *labelled_ids.RECOGNIZERS,
    *healthcare_ids.RECOGNIZERS,
    *dates.RECOGNIZERS,
    *health_terms.RECOGNIZERS,
    *care_context.RECOGNIZERS,
    *cards.RECOGNIZERS,
    *banking.RECOGNIZERS,
    *securities.RECOGNIZERS,
    *credentials.RECOGNIZERS,
    *legal.RECOGNIZERS,
    *vehicles_devices.RECOGNIZERS,
    *photos.RECOGNIZERS,
    *geo.RECOGNIZERS,
    *context_signals.RECOGNIZERS,
    *business_ids.RECOGNIZERS,
    *eu_national_ids.RECOGNIZERS,
]

RECOGNIZERS: list[Callable[[], EntityRecognizer]] = [*GENERAL, *REGULATED, *eu_languages.RECOGNIZERS]

REPLACED_PREDEFINED: frozenset[str] = frozenset(
    {"EmailRecognizer", "UrlRecognizer", *healthcare_ids.REPLACES, *banking.REPLACES, *cards.REPLACES}
)

CONTEXT_ENTITIES: frozenset[str] = CONTEXT_TYPES


def build_recognizers(settings: Settings) -> list[EntityRecognizer]:
    """Instantiate every registered recognizer, plus one deny-list recognizer per configured entity."""
    built = [factory() for factory in RECOGNIZERS]
    for entity, values in settings.deny_list.items():
        built.append(PatternRecognizer(supported_entity=entity, deny_list=values, name=f"DenyList_{entity}"))
    return built
