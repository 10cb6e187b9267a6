"""Care notes as nurses write them (all capitals, all lower case, shorthand): must / must-not tables.

Every text here is written for this test; none comes from an evaluation corpus.
"""

from __future__ import annotations

import pytest

from tests.scanner.recognizers.conftest import span_of

MUST = [
    # names announced by a title, in any case and punctuation
    ("PT HYPOTENSIVE. DR HALVORSEN AWARE AND AT BEDSIDE.", "PERSON", "HALVORSEN"),
    ("per dr.mcandrew, hold lasix tonight", "PERSON", "mcandrew"),
    ("Seen by Dr. okonkwo this am.", "PERSON", "okonkwo"),
    ("DR'S PETRAKIS AND WOJCIK AT BEDSIDE", "PERSON", "PETRAKIS"),
    ("DR'S PETRAKIS AND WOJCIK AT BEDSIDE", "PERSON", "WOJCIK"),
    # relatives and roles
    ("SOCIAL: PT'S SON DMITRI IN TO VISIT.", "PERSON", "DMITRI"),
    ("social: son bill called twice for update.", "PERSON", "bill"),
    ("wife, Rosalind, left her number with the unit clerk", "PERSON", "Rosalind"),
    ("daughters sarah and margie in to visit", "PERSON", "margie"),
    ("NP Gretchen made aware of the rhythm change", "PERSON", "Gretchen"),
    # a credential after the name
    ("SX FOR THICK SPUTUM.   TOBIAS W. HALLORAN, RRT", "PERSON", "HALLORAN"),
    ("Arthur Pennington,MD spoke with the family", "PERSON", "Pennington"),
    # names the lexicon knows, without a cue
    ("CONTACT IS DOROTHY HALVORSEN (HOME PHONE ON FILE).", "PERSON", "DOROTHY HALVORSEN"),
    ("a 58yo F, Mary J., post cholecystectomy", "PERSON", "Mary J."),
    # places after a cue of movement or residence
    ("PT TRANSFERRED TO BMC FOR EMERGENT CATH.", "LOCATION", "BMC"),
    ("PT WAS ADMITTED TO OKAFOR MEMORIAL FOR VFIB ARREST", "LOCATION", "OKAFOR MEMORIAL"),
    ("son lives in dundalk and visits daily", "LOCATION", "dundalk"),
    ("will transfer to Osler 5 in am", "LOCATION", "Osler 5"),
    ("KEEP THE HALVORSEN FAMILY AWARE OF PLAN OF CARE.", "PERSON", "HALVORSEN"),
    # towns, facilities and units
    ("Disp: pt is DNR, wishes to return to St Mary's after weaning", "LOCATION", "St Mary's"),
    ("plan to get oob. transfer to kellerman3.", "LOCATION", "kellerman3"),
    ("Nephew visited from Catonsville today, updated re plan.", "LOCATION", "Catonsville"),
    ("77 YO FEMALE FOUND UNRESPONSIVE IN ST MARY HOSPITAL. TRANSFERRED", "LOCATION", "ST MARY HOSPITAL"),
    ("70 y/o female transferred from sacred heart hosp this afternoon", "LOCATION", "sacred heart hosp"),
    ("PT ADMITTED FROM UNIVERSITY OF MARYLAND MEDICAL CENTER", "LOCATION", "UNIVERSITY OF MARYLAND MEDICAL CENTER"),
    # phone numbers after their label
    ("SPOKESPERSON--CELLULAR-410 202-6694 & HOME-410 671-9309", "PHONE_NUMBER", "410 202-6694"),
    ("chaplain will remain involved as needed. Pager 83554.", "PHONE_NUMBER", "83554"),
    ("they can be reached at 202 2671093 after six", "PHONE_NUMBER", "202 2671093"),
    # dates as notes write them
    ("ADMITTED TO CCU 8/25 @2330.", "DATE_TIME", "8/25"),
    ("blood cultures from 9/13 are negative", "DATE_TIME", "9/13"),
    ("PMH: CAD, AVR 8/88, HTN", "DATE_TIME", "8/88"),
    ("PMH: CABG, MI 1992, HTN", "DATE_TIME", "1992"),
    ("PMH: CABG 81, REDO CABG 84, HTN", "DATE_TIME", "84"),
    ("6-17-21 B: NEURO ALERT AND ORIENTED", "DATE_TIME", "6-17-21"),
    ("I/O: UO-9/10 LASIX GIVEN", "DATE_TIME", "9/10"),
]

MUST_NOT = [
    # charting shorthand, devices and drugs are not people or places
    ("NEURO: A&O X3. CV: SR 80S. GU: FOLEY DRAINING AMBER URINE.", "PERSON", None),
    ("Neuro: alert. Foley patent. Abd soft. Ativan 1mg given.", "PERSON", None),
    ("son in to visit. wife called. DR AWARE.", "PERSON", None),
    ("MS: SEDATED ON PROPOFOL, SPOKE TO FAMILY", "PERSON", None),
    ("New PA line inserted in L s/c. NP suctioning done.", "PERSON", None),
    ("RUSTY COLORED SPUTUM, TAN SECRETIONS", "PERSON", None),
    ("PT TRANSFERRED TO CCU FROM THE FLOOR. SENT TO OR AT 1400.", "LOCATION", None),
    ("HCT REMAINS 26. NEXT PTT 1000.", "LOCATION", None),
    ("LEFT ART LINE. LEFT NECK SITE CLEAN.", "ORGANIZATION", None),
    # settings, scores, doses and clock times are written like dates
    ("ON CPAP 5/5, PS 10/5, PAIN 5/10, 1/2 NS AT 75CC", "DATE_TIME", None),
    ("MICU NPN 0700-1930: NEO ADDED AT 1800, SBP 90-110'S", "DATE_TIME", None),
    ("no stool.tube feeds held; tolerated.no distress", "URL", None),
    ("PT HAS NOT HEARD FROM FAMILY. THRASHES AROUND ALOT. GU: CONDOM CATH", "LOCATION", None),
    ("plan cardiac rehab once stable; pt to the floor tomorrow", "LOCATION", None),
    ("PSV increased to 10/5 overnight. c/o chest pain 6/10, relieved by ntg", "DATE_TIME", None),
    ("had mi 10 years ago with stenting", "DATE_TIME", None),
    ("CONTINUES ON A/C 600X12 5PEEP 50%. ETT AT 23 LIP.", "ACCOUNT_NUMBER", None),
    ("NEURO: 67 YO M, A&O X3. CV: SR 80S, NO ECTOPY. GU: FOLEY DRAINING. RESP: LS CLEAR, SATS 97%.", "AGE", None),
    ("very supportive family at bedside, extended family called", "PERSON", None),
    ("You are the intake assistant for Riverbend Family Clinic.", "PERSON", None),  # a practice, not a family
    # field labels of business documents
    ("Transaction Date: 2024-03-02\nAmount: 120.00 EUR", "ORGANIZATION", None),
    # ordinary prompts
    ("Why does asyncio.run(main()) raise RuntimeError inside Jupyter?", "PERSON", None),
    ("What's the difference between functools.lru_cache and functools.cache in Python 3.9+?", "LOCATION", None),
    ("git bisect says 4b825dc introduced the bug; how do I read the diff?", "PERSON", None),
]


@pytest.mark.parametrize(("text", "entity", "value"), MUST)
def test_found(identifiers, text, entity, value):
    start, end = span_of(text, value)
    found = identifiers(text)
    assert any(e == entity and s <= start and end <= t for e, s, t in found), found


@pytest.mark.parametrize(("text", "entity", "_"), MUST_NOT)
def test_not_found(identifiers, text, entity, _):
    assert [f for f in identifiers(text) if f[0] == entity] == []


def test_spans_do_not_cross_line_breaks(identifiers):
    text = "Patient John Doe\nAccount closed last week"
    for _entity, start, end in identifiers(text):
        assert "\n" not in text[start:end]


def test_an_age_outside_a_note_is_still_reported(identifiers):
    text = "My neighbour is 67 years old and asks about a loan."
    assert ("AGE", *span_of(text, "67")) in identifiers(text)


@pytest.mark.parametrize(
    "note",
    [
        "CARDIAC- CK DRAWN AT 1515 373. DR HALVORSEN AWARE.",
        "Neuro: alert, MAE. GU: foley to BSD. Social: son Dmitri called for update, aware of plan.",
        "resp: LS coarse, sxn'd for thick tan. GI: abd soft, +BS. transferred from sacred heart hosp this afternoon.",
    ],
)
def test_a_care_note_with_an_identifier_is_phi(context, note):
    from audit.api import scan_texts

    (result,) = scan_texts([note], context=context)
    assert "HIPAA" in result.evaluation.regulations


def test_a_care_note_without_identifiers_is_not_phi(context):
    from audit.api import scan_texts

    note = "NEURO: A&O X3, MAE. CV: SR 80S, BP 110/60. RESP: LS CLEAR, SATS 97% 2L NC. GU: FOLEY DRAINING AMBER URINE."
    (result,) = scan_texts([note], context=context)
    assert "HIPAA" not in result.evaluation.regulations
