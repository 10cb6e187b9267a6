"""Legal text as courts write it: case numbers, courts, dates beside courts, names without their full stop."""

from __future__ import annotations

import pytest

from tests.scanner.recognizers.conftest import span_of

CASE_NUMBERS = [
    ("The case originated in an application (no. 36110/97) against the Republic.", ["36110/97"]),
    (
        "The Court joined the applications (nos. 60525/00, 60933/00 and 60934/00).",
        ["60525/00", "60933/00", "60934/00"],
    ),
    ("domestic remedies (App. No. 34127/03). The applicants", ["34127/03"]),
    ("Doe v. Roe, No. 1:21-cv-01234, was stayed.", ["1:21-cv-01234"]),
    ("Brown v Green [2019] EWCA Civ 1234 was followed in [2008] EWHC 860 (QB).", ["[2019] EWCA Civ 1234"]),
    ("Campbell v. the United Kingdom (no. 31/1993/426/505) should be", ["31/1993/426/505"]),
    ("the land registry lists plots nos. 19, 20, 28 and 29 in the village", ["19", "20", "28", "29"]),
]

NOT_CASE_NUMBERS = [
    "She has had no. 2 pencils since 2019.",
    "BP 120/80, HR 72, seen on 12/05.",
    "The applications 3 and 4 of the form are due.",
]


@pytest.mark.parametrize(("text", "numbers"), CASE_NUMBERS)
def test_case_numbers_in_the_forms_courts_write_them(found, text, numbers):
    assert set(numbers) <= set(found(text, "CASE_NUMBER"))


@pytest.mark.parametrize("text", NOT_CASE_NUMBERS)
def test_no_case_number_without_a_legal_label(found, text):
    assert found(text, "CASE_NUMBER") == []


def test_a_date_is_never_swallowed_by_an_address(identifiers):
    text = "On 13 September 1988 the Erzincan Martial Law Court sentenced the applicant."
    found = identifiers(text)
    assert ("DATE_TIME", *span_of(text, "13 September 1988")) in found
    assert not [f for f in found if f[0] == "LOCATION" and f[1] <= text.index("1988") < f[2]]


def test_courts_prisons_and_prosecutors_are_organisations(identifiers):
    text = "He was held in Dovergate Prison until the Kastoria Public Prosecutor's Office released him."
    found = {(e, text[s:t]) for e, s, t in identifiers(text)}
    assert ("ORGANIZATION", "Dovergate Prison") in found
    assert any(e == "ORGANIZATION" and "Prosecutor's Office" in v for e, v in found)


@pytest.mark.parametrize("text", ["The Court of Appeal dismissed the appeal.", "He lives at 4 Rosewood Court, Leeds."])
def test_a_court_with_no_name_of_its_own_is_no_institution(text):
    from audit.scanner.recognizers.general_org import InstitutionRecognizer

    assert InstitutionRecognizer().analyze(text, ["ORGANIZATION", "LOCATION"]) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The applicant was born in 1950 and lives in Nicosia.", "Nicosia"),
        ("He moved to the office of Acme Widgets Inc. last year.", "Acme Widgets Inc."),
    ],
)
def test_spans_never_end_in_punctuation(identifiers, text, value):
    ends = {text[s:t] for _, s, t in identifiers(text)}
    assert value in ends
