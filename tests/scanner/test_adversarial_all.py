"""Every registered recognizer, Presidio's built-ins included, stays linear on adversarial input.

The per-module tests in tests/scanner/recognizers/ cover the regulated families
one by one; this runs the whole analyzer, so a general recognizer or a filter
with catastrophic backtracking cannot slip in. Catastrophic patterns take
minutes or hours on these inputs, so a CPU-time bound far above the normal
cost still catches them without failing on a busy machine.
"""

from __future__ import annotations

import time

import pytest

ADVERSARIAL = {
    "letters": "a" * 20_000,
    "digits": "1" * 20_000,
    "dashes": "-" * 20_000,
    "digit-dash": "12-" * 7_000,
    "id-like": "A1-" * 7_000,
    "dots-and-at": "a." * 5_000 + "@" + "b." * 5_000,  # Presidio's own URL and email patterns: 24 s and 11 s
    "spaces-then-word": " " * 20_000 + "x",
    "key-prefix": "sk-" + "A" * 20_000,
    "label-runs": "MRN " * 5_000,
    "track-like": "%B" + "4" * 10_000 + "^" * 5_000,
    "title-words": "Dr. Smith " * 2_000,
    # text in capitals is a main case now (care notes): cues and names repeated without end
    "upper-run": "A" * 40_000,
    "upper-words": "NEURO ALERT " * 3_000,
    "upper-titles": "DR SMITH AND " * 2_000,
    "upper-relatives": "SON " * 5_000,
    "upper-moves": "TRANSFERRED TO " * 2_000,
    "credentials": "SMITH, RN " * 2_000,
    "short-dates": "8/25 " * 4_000,
    "given-names": "Mary J. " * 3_000,
}
CPU_SECONDS = 30.0


@pytest.mark.parametrize("text", list(ADVERSARIAL.values()), ids=list(ADVERSARIAL))
def test_analyzer_is_bounded_on_adversarial_text(engine, settings, text):
    from audit.scanner.analyze import analyze_texts

    started = time.process_time()
    analyze_texts(engine, settings, [text])
    assert time.process_time() - started < CPU_SECONDS
