"""The entity types the scanner reports: the shared vocabulary of recognizers and policy packs.

Presidio's names are kept where Presidio has one. `kind` is "identifier" for
values that identify a person, account or secret, and "context" for signals
that make identifiers regulated (a diagnosis, a privilege banner) but identify
no one; context types appear under `context` in the output, not `findings`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntityType:
    """One reportable type."""

    name: str
    kind: str  # "identifier" | "context"
    description: str


def _ids(*rows: tuple[str, str]) -> list[EntityType]:
    return [EntityType(n, "identifier", d) for n, d in rows]


def _ctx(*rows: tuple[str, str]) -> list[EntityType]:
    return [EntityType(n, "context", d) for n, d in rows]


ENTITY_TYPES: list[EntityType] = [
    # General PII (mostly Presidio built-ins and spaCy NER)
    *_ids(
        ("PERSON", "a person's name"),
        ("LOCATION", "a place smaller than a state: street address, city, facility, hospital"),
        ("ORGANIZATION", "an organisation's name (employer, clinic, bank)"),
        ("DATE_TIME", "a date or time"),
        ("DATE_OF_BIRTH", "a date in birth context (DOB, born on)"),
        ("DATE_OF_SERVICE", "a date in admission, discharge, visit or death context"),
        ("AGE", "an age"),
        ("AGE_OVER_89", "an age of 90 or more (Safe Harbor C)"),
        ("PHONE_NUMBER", "a telephone or fax number"),
        ("EMAIL_ADDRESS", "an email address"),
        ("URL", "a web address"),
        ("IP_ADDRESS", "an IPv4 or IPv6 address"),
        ("US_ZIP_CODE", "a US ZIP code in address context"),
        ("US_SSN", "a US Social Security number"),
        ("US_ITIN", "a US individual taxpayer identification number"),
        ("US_DRIVER_LICENSE", "a US driver's licence number"),
        ("US_PASSPORT", "a US passport number"),
        ("NRP", "nationality, religious or political group"),
        ("CRYPTO", "a cryptocurrency wallet address"),
        ("ACCOUNT_NUMBER", "a patient, billing or customer account number (Safe Harbor J)"),
        ("DEVICE_ID", "a device identifier or serial number after its label (Safe Harbor M)"),
        (
            "UNIQUE_IDENTIFIER",
            "a study, participant, biometric-template, transaction, order, ticket or invoice code after its label"
            " (Safe Harbor R)",
        ),
        ("USERNAME", "a username or login after its label, or a social-media @handle"),
        ("PHOTO_REFERENCE", "the file name of a photograph in photo context (Safe Harbor Q)"),
    ),
    # Healthcare identifiers
    *_ids(
        ("MEDICAL_RECORD_NUMBER", "a medical record number (MRN)"),
        ("HEALTH_PLAN_ID", "a health-plan member or beneficiary ID"),
        ("US_MBI", "a Medicare beneficiary identifier"),
        ("US_NPI", "a provider's National Provider Identifier"),
        ("DEA_NUMBER", "a prescriber's DEA registration number"),
        ("MEDICAL_LICENSE", "a medical licence number (Presidio's DEA-format recognizer)"),
        ("UK_NHS", "a UK NHS number (mod-11 check) after NHS words"),
        ("CLAIM_NUMBER", "an insurance or benefits claim number after its label"),
        ("POLICY_NUMBER", "an insurance policy number after its label (health plans are HEALTH_PLAN_ID)"),
    ),
    # Finance
    *_ids(
        ("CREDIT_CARD", "a full payment card number (PAN), Luhn-valid"),
        ("CREDIT_CARD_TRUNCATED", "a card number already truncated to at most BIN + last four"),
        ("CARD_SECURITY_CODE", "a card verification code (CVV2/CVC2/CID) near a card"),
        ("CARD_EXPIRY", "a card expiry date near a card"),
        ("CARD_TRACK_DATA", "magnetic-stripe track 1 or 2 data"),
        ("CARD_PIN", "a card PIN or PIN block"),
        ("ABA_ROUTING_NUMBER", "a US bank routing number (checksum-valid)"),
        ("US_BANK_NUMBER", "a US bank account number in account context"),
        ("IBAN_CODE", "an international bank account number (validated)"),
        ("SWIFT_CODE", "a SWIFT/BIC code (validated)"),
        ("US_EIN", "a US employer identification number"),
        ("CUSIP", "a CUSIP security identifier (check digit)"),
        ("ISIN", "an ISIN security identifier (check digit)"),
    ),
    # EU/EEA national identification numbers (python-stdnum checks); each is also an EU signal for GDPR
    *_ids(
        ("PL_PESEL", "a Polish PESEL number"),
        ("PL_NIP", "a Polish tax number (NIP) after its label"),
        ("PL_REGON", "a Polish business-register number (REGON) after its label"),
        ("DE_TAX_ID", "a German tax ID (Steuer-ID, IdNr) after its label"),
        ("FR_NIR", "a French social-security number (NIR) after its label"),
        ("ES_NIF", "a Spanish DNI/NIF"),
        ("ES_NIE", "a Spanish foreigner identity number (NIE)"),
        ("IT_FISCAL_CODE", "an Italian codice fiscale"),
        ("NL_BSN", "a Dutch citizen service number (BSN) after its label"),
        ("SE_PERSONNUMMER", "a Swedish personal identity number after its label"),
        ("BE_NATIONAL_NUMBER", "a Belgian national register number after its label"),
        ("AT_SOCIAL_SECURITY", "an Austrian social-security number (SVNR) after its label"),
        ("PT_NIF", "a Portuguese tax number (NIF) after its label"),
        ("FI_PERSONAL_IDENTITY_CODE", "a Finnish personal identity code (henkilötunnus)"),
    ),
    # Legal identifiers
    *_ids(
        ("CASE_NUMBER", "a federal or state case or docket number"),
        ("BATES_NUMBER", "a Bates number or range"),
        ("CLIENT_MATTER_NUMBER", "a law firm's client-matter number"),
    ),
    # Credentials (all STRIP material)
    *_ids(
        ("API_KEY", "an API key or access token"),
        ("PRIVATE_KEY", "a private key block"),
        ("PASSWORD", "a password or passphrase"),
        ("CONNECTION_STRING", "a database or service connection string with credentials"),
    ),
    # Quasi-identifiers
    *_ids(
        ("VIN", "a vehicle identification number (check digit)"),
        ("LICENSE_PLATE", "a vehicle licence plate in plate context"),
        ("MAC_ADDRESS", "a network interface MAC address"),
        ("IMEI", "a mobile device IMEI (Luhn)"),
        ("GEO_COORDINATES", "precise latitude/longitude"),
    ),
    # Context signals
    *_ctx(
        ("MEDICAL_CONDITION", "a diagnosis, condition or symptom term"),
        ("MEDICATION", "a medication name"),
        ("ICD10_CODE", "an ICD-10-CM code that exists in the code set"),
        ("SUBSTANCE_USE_DISORDER", "a substance-use-disorder diagnosis or treatment signal (42 CFR Part 2)"),
        ("PSYCHOTHERAPY_NOTE", "psychotherapy notes"),
        ("HEALTH_CONTEXT", "care, encounter or payment-for-care language"),
        ("FINANCIAL_CONTEXT", "a customer or financial-relationship signal (balance, loan, account holder)"),
        ("LEGAL_PRIVILEGE_MARKER", "attorney-client privilege or work-product banner"),
        ("PROTECTIVE_ORDER_MARKER", "protective order, attorneys'-eyes-only or under-seal marker"),
        ("LEGAL_MATTER_CONTEXT", "client-matter or litigation language"),
        ("EU_CONTEXT", "a sign the data subject is in the EU/EEA (address, national ID, GDPR mention)"),
        ("BIOMETRIC_CONTEXT", "biometric template or identifier language"),
    ),
]

EU_NATIONAL_IDS: frozenset[str] = frozenset(
    {"PL_PESEL", "PL_NIP", "PL_REGON", "DE_TAX_ID", "FR_NIR", "ES_NIF", "ES_NIE", "IT_FISCAL_CODE", "NL_BSN",
     "SE_PERSONNUMMER", "BE_NATIONAL_NUMBER", "AT_SOCIAL_SECURITY", "PT_NIF", "FI_PERSONAL_IDENTITY_CODE"}
)  # fmt: skip
BY_NAME: dict[str, EntityType] = {e.name: e for e in ENTITY_TYPES}
CONTEXT_TYPES: frozenset[str] = frozenset(e.name for e in ENTITY_TYPES if e.kind == "context")
