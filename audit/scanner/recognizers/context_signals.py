"""Cross-cutting context signals: the data subject is in the EU/EEA; biometric identifiers are involved."""

from __future__ import annotations

from audit.scanner.recognizers.base import TermRecognizer

EU_TERMS = (
    "gdpr", "general data protection regulation", "data subject", "data subjects", "eu resident", "eu citizen",
    "european union", "eea", "european economic area", "dpa", "data protection authority", "schrems",
    "standard contractual clauses", "right to erasure", "right to be forgotten", "codice fiscale", "steuer-id",
    "steueridentifikationsnummer", "personalausweis", "numéro de sécurité sociale", "nir", "dni", "nie", "bsn",
    "burgerservicenummer", "pesel", "personnummer", "henkilötunnus", "cpr-nummer", "vat number", "ust-idnr",
    "austria", "belgium", "bulgaria", "croatia", "cyprus", "czechia", "czech republic", "denmark", "estonia",
    "finland", "france", "germany", "greece", "hungary", "ireland", "italy", "latvia", "lithuania", "luxembourg",
    "malta", "netherlands", "poland", "portugal", "romania", "slovakia", "slovenia", "spain", "sweden", "iceland",
    "liechtenstein", "norway",
)  # fmt: skip

BIOMETRIC_TERMS = (
    "biometric", "biometrics", "biometric data", "biometric identifier", "biometric identifiers", "biometric template",
    "biometric information", "fingerprints", "fingerprint scan", "fingerprint template", "fingerprint data",
    "fingerprint reader", "thumbprint", "voiceprint", "voice print", "voiceprints", "retina scan", "retinal scan",
    "iris scan", "iris template", "face geometry", "facial geometry", "faceprint", "face print", "facial recognition",
    "face recognition", "facial template", "hand geometry", "palm print", "palm vein", "gait recognition", "bipa",
)  # fmt: skip


class EuContextRecognizer(TermRecognizer):
    """EU_CONTEXT: GDPR language, EU/EEA national ID names and EU/EEA country names."""

    ENTITY = "EU_CONTEXT"
    SCORE = 0.5

    def __init__(self) -> None:
        super().__init__(EU_TERMS)

    def accept(self, text: str, start: int, end: int) -> bool:
        """Acronyms (EEA, DPA, DNI, NIE, BSN, NIR) only in capitals."""
        word = text[start:end]
        return len(word) > 4 or word.isupper() or word[:1].isupper() and len(word) > 3


class BiometricContextRecognizer(TermRecognizer):
    """BIOMETRIC_CONTEXT: biometric template or identifier language (not key 'fingerprints' of hashes)."""

    ENTITY = "BIOMETRIC_CONTEXT"
    SCORE = 0.6

    def __init__(self) -> None:
        super().__init__(BIOMETRIC_TERMS)

    def accept(self, text: str, start: int, end: int) -> bool:
        """'fingerprints' next to key, certificate, browser or hash words is not biometric."""
        if "finger" not in text[start:end].lower():
            return True
        near = text[max(0, start - 30) : end + 30].lower()
        return not any(
            w in near for w in ("ssh", "key", "certificate", "browser", "hash", "gpg", "pgp", "tls", "device")
        )


RECOGNIZERS = [EuContextRecognizer, BiometricContextRecognizer]
