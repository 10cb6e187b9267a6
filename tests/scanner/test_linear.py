"""Analysis time grows linearly with the text: four times the text, at most about four times the time.

A ratio, not a wall-clock bound, so a busy machine cannot fail it: quadratic code
shows as 16x, linear as 4x. Each shape in tests/hostile/corpus.py once took
seconds to minutes (40,000 capitals: 8.3 s in the facility pattern; 20,000
quotes: 27 s in spaCy's tokenizer).
"""

from __future__ import annotations

import time

import pytest

from audit.scanner.analyze import analyze_texts
from audit.scanner.recognizers.general_location import FacilityRecognizer
from audit.scanner.recognizers.general_org import OrganizationRecognizer
from tests.hostile.corpus import SLOW_SHAPES

N = 4_000
MAX_RATIO = 8.0


def _cpu(run, text: str) -> float:
    """The fastest of two runs, in CPU seconds, never below a millisecond (timer noise)."""
    best = float("inf")
    for _ in range(2):
        started = time.process_time()
        run(text)
        best = min(best, time.process_time() - started)
    return max(best, 1e-3)


def _ratio(run, make) -> float:
    return _cpu(run, make(4 * N)) / _cpu(run, make(N))


@pytest.mark.parametrize("shape", list(SLOW_SHAPES))
def test_the_whole_analysis_is_linear(engine, settings, shape):
    ratio = _ratio(lambda text: analyze_texts(engine, settings, [text]), SLOW_SHAPES[shape])
    assert ratio < MAX_RATIO, f"{shape}: 4n took {ratio:.1f}x the time of n"


@pytest.mark.parametrize("recognizer", [FacilityRecognizer, OrganizationRecognizer])
@pytest.mark.parametrize("shape", ["upper-run", "Ab-", "A.", "U.S."])
def test_capitalised_word_patterns_are_linear(recognizer, shape):
    r = recognizer()
    ratio = _ratio(lambda text: r.analyze(text, r.supported_entities), lambda n: SLOW_SHAPES[shape](4 * n))
    assert ratio < MAX_RATIO, f"{recognizer.__name__} on {shape}: {ratio:.1f}x"
