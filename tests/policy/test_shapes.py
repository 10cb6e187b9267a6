"""Value shapes from raw values: a table of values that must and must not have each shape."""

from __future__ import annotations

import pytest

from audit.policy.shapes import SHAPES, shapes_of

CASES = [
    ("2021", "year_only"),
    ("the 1990s", "year_only"),
    ("2019-2021", "year_only"),
    ("January 2023", "month_year"),
    ("03/2021", "month_year"),
    ("last year", "relative"),
    ("five years ago", "relative"),
    ("55-year-old", "age_or_duration"),
    ("6 months", "age_or_duration"),
    ("age 60", "age_or_duration"),
    ("35", "bare_number"),
    ("9.1", "bare_number"),
    ("10:30 am", "time_of_day"),
    ("Chaddock", "single_word"),
]
FULL_DATES = ["May 30th, 2022", "05/30/2022", "December 1st, 2023", "August 19, 2023", "30th of May"]


@pytest.mark.parametrize(("value", "shape"), CASES)
def test_value_has_shape(value, shape):
    assert shape in shapes_of(value)


@pytest.mark.parametrize("value", FULL_DATES)
def test_full_dates_have_no_excluding_shape(value):
    excluded = ["year_only", "month_year", "relative", "age_or_duration", "bare_number", "time_of_day"]
    assert not [s for s in excluded if s in shapes_of(value)]


def test_two_word_names_are_not_single_word():
    assert "single_word" not in shapes_of("Sarah L.")


def test_every_shape_is_documented_and_exercised():
    assert set(SHAPES) == {s for _, s in CASES}
    assert all(SHAPES.values())
