"""Policy evaluation on one message with tens of thousands of findings: linear-ish, same answers."""

from __future__ import annotations

import random

from audit.model import Finding
from audit.policy.engine import covered, inside_any

TYPES = ("PERSON", "MEDICAL_CONDITION", "MEDICATION", "US_SSN")


def _findings(seed: int, n: int) -> tuple[Finding, ...]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        start = rng.randrange(0, 200)
        end = start + rng.randrange(0, 30)
        out.append(Finding(rng.randrange(2), "user", start, end, rng.choice(TYPES), 0.9, "r", "x", "fp"))
    return tuple(out)


def test_covered_is_inside_any_for_every_finding():
    for seed in range(40):
        findings = _findings(seed, random.Random(seed).randrange(1, 60))
        for types in (("MEDICAL_CONDITION",), ("MEDICAL_CONDITION", "MEDICATION"), ("PERSON",), ("NONE",)):
            expected = {i for i, f in enumerate(findings) if inside_any(f, findings, types)}
            assert covered(findings, types) == expected


def test_a_finding_never_covers_itself_but_its_twin_does():
    a = Finding(0, "user", 5, 9, "MEDICAL_CONDITION", 0.9, "r", "x", "fp")
    twin = Finding(0, "user", 5, 9, "MEDICAL_CONDITION", 0.9, "r", "x", "fp")
    assert covered((a,), ("MEDICAL_CONDITION",)) == set()
    assert covered((a, twin), ("MEDICAL_CONDITION",)) == {0, 1}
