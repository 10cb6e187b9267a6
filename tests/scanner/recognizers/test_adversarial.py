"""Every regulated recognizer module stays linear on adversarial input (no catastrophic backtracking)."""

from __future__ import annotations

import importlib
import time

import pytest

from audit.scanner import recognizers as registry
from audit.scanner.entities import BY_NAME

MODULES = [
    "labelled_ids", "healthcare_ids", "dates", "health_terms", "care_context", "cards", "banking", "securities",
    "credentials", "legal", "vehicles_devices", "geo", "context_signals", "photos", "business_ids", "eu_national_ids",
]  # fmt: skip

BRIEF = ["a" * 50_000, "1" * 50_000, "-" * 50_000, "sk-" + "A" * 50_000]
SHAPED = [  # near-misses of the recognizers' own shapes, where backtracking would show first
    "MRN " + "1-" * 25_000,
    "password: " + "x" * 50_000,
    "%B" + "4" * 50_000 + "^",
    "-----BEGIN RSA PRIVATE KEY-----" + "A" * 50_000,
    "1." + "1" * 25_000 + ", " + "1." + "1" * 25_000,
    "postgres://" + "a:" * 25_000,
    "eyJ" + "a." * 25_000,
    "**** " * 10_000,
    "ABC" + "0" * 50_000,
    "DE89 " + "1234 " * 10_000,  # IBAN groups, and every shorter group boundary retried
    "DE89-" + "A1B2-" * 10_000,
    "Order # " * 6_000 + "A",
    "username: " + "a." * 25_000,
    "@" + "a_" * 25_000,
    "@a" * 25_000,
    "12 " * 16_000,
    "RSSMRA" * 8_000,
]


def _run(recognizers, text: str) -> float:
    """CPU seconds (not wall clock: a busy CI machine must not fail a linear regex)."""
    started = time.process_time()
    for r in recognizers:
        r.analyze(text, r.supported_entities)
    return time.process_time() - started


def _recognizers(module: str):
    built = [factory() for factory in importlib.import_module(f"audit.scanner.recognizers.{module}").RECOGNIZERS]
    _run(built, "warm-up: MRN 12345, E11.9, card 4111111111111111")  # lazy vocabularies and code sets load here
    return built


@pytest.mark.parametrize("module", MODULES)
def test_module_is_linear_on_adversarial_input(module):
    recognizers = _recognizers(module)
    assert sum(_run(recognizers, text) for text in BRIEF) < 2.0


@pytest.mark.parametrize("module", MODULES)
def test_module_is_linear_on_near_miss_shapes(module):
    recognizers = _recognizers(module)
    slowest = max(_run(recognizers, text) for text in SHAPED)
    assert slowest < 1.0  # 50k chars: quadratic backtracking would take minutes, linear takes milliseconds


def test_every_regulated_recognizer_is_registered_and_uses_canonical_names():
    registered = {f.__name__ if isinstance(f, type) else f for f in registry.REGULATED}
    for module in MODULES:
        for factory in importlib.import_module(f"audit.scanner.recognizers.{module}").RECOGNIZERS:
            assert factory.__name__ in registered
            for entity in factory().supported_entities:
                assert entity in BY_NAME, entity


def test_replaced_builtins_are_gone(engine):
    names = set(engine.recognizer_names)
    assert not names & {"MedicalLicenseRecognizer", "UsBankRecognizer", "IbanRecognizer", "CreditCardRecognizer"}
    assert {"DeaNumberRecognizer", "UsBankNumberRecognizer", "IbanCodeRecognizer", "PaymentCardRecognizer"} <= names
