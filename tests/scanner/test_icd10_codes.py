"""The packaged ICD-10-CM code set is exactly what simple-icd-10-cm holds (regenerate with the script if not)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from audit.scanner.recognizers.health_terms import _icd10_codes, icd10_valid

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_icd10_codes.py"


def _script():
    spec = importlib.util.spec_from_file_location("build_icd10_codes", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_packaged_code_set_matches_the_package():
    assert _icd10_codes() == frozenset(_script().codes_from_package()), "run scripts/build_icd10_codes.py"


def test_the_file_is_reproducible():
    script = _script()
    assert script.encode(script.codes_from_package()) == script.OUT.read_bytes()


def test_validity_of_known_codes():
    assert icd10_valid("E11.9") and icd10_valid("I10") and icd10_valid("F10.20")
    assert not icd10_valid("E11.99999") and not icd10_valid("U99.9") and not icd10_valid("A00-B99")
