"""Real chatbot prompts and nursing notes (issue 26): the filters and recognizers that tell a name, brand or place
in a prompt from a setting, a weekday or shorthand in a note. Predicate and recognizer level, no spaCy."""

from __future__ import annotations

import pytest

from audit.model import Span
from audit.scanner import filters
from audit.scanner.recognizers.banking import SwiftCodeRecognizer
from audit.scanner.recognizers.business_ids import UsernameRecognizer
from audit.scanner.recognizers.general_location import StreetAddressRecognizer
from audit.scanner.recognizers.general_org import OrganizationRecognizer
from audit.scanner.recognizers.general_person import TitledNameRecognizer
from audit.scanner.recognizers.labelled_ids import AccountNumberRecognizer
from audit.scanner.recognizers.names_from_lexicon import LexiconNameRecognizer
from audit.scanner.recognizers.vehicles_devices import LicensePlateRecognizer

# A care note: charting shorthand is a good share of its words (lexicon.care_note).
NOTE = (
    "Neuro: pt sedated, PERRLA. Resp: on vent, abg pnd, sxn for thick sputum. GI: NPO, ngt to lcws. plan for trach {}"
)


def spacy(text: str, value: str, entity: str) -> Span:
    start = text.index(value)
    return Span(start, start + len(value), entity, 0.85, "SpacyRecognizer")


def dropped(text: str, span: Span) -> bool:
    return any(f(text, span) for f in filters.FILTERS)


def found(recognizer, text: str, entity: str) -> list[str]:
    return [text[r.start : r.end] for r in recognizer.analyze(text, [entity])]


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("I will share more tips like this directly on LinkedIn, so stay tuned", "LinkedIn", "ORGANIZATION"),
        ("including cooperation with BridgeStone and Symantec Europe", "BridgeStone", "ORGANIZATION"),
        ("Data scientist at ExxonMobil in Nagpur", "ExxonMobil", "ORGANIZATION"),
        ("For six years NewVantage Partners has run a survey", "NewVantage Partners", "ORGANIZATION"),
        ("I launched campaigns for american, india and singapore people.", "india", "LOCATION"),
        ("Make a story about Paige, also known as Kwon Jang-mi in Korean.", "Kwon Jang-mi", "PERSON"),
        ("Names Given, A Blood Condition, Kayo Chingonyi (Chatto); Bloom", "Kayo Chingonyi", "PERSON"),
        (
            "According to the head of the Federal Grid Agency, consumption fell.",
            "the Federal Grid Agency",
            "ORGANIZATION",
        ),
    ],
)
def test_names_brands_and_places_of_a_prompt_are_kept(text, value, entity):
    assert not dropped(text, spacy(text, value, entity))


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        (
            "var passportWindow = new PassportWindow(); passportWindow.Closed += Window_Closed;",
            "PassportWindow",
            "PERSON",
        ),
        ("CollectionContentPage page = new CollectionContentPage();", "CollectionContentPage", "ORGANIZATION"),
        ("Give me a roast turkey recipe for Sunday.", "turkey", "LOCATION"),  # a place that is also a word
        ("Happy Birthday to you, my friend!", "Happy Birthday", "PERSON"),
        ("Open the Jupyter Notebook and run cell_1() again", "Jupyter Notebook", "PERSON"),
        ("The applicant appealed to the Court of Appeal.", "the Court of Appeal", "ORGANIZATION"),
        ("Give me three taglines for a peru wireless speaker.", "peru", "LOCATION"),
    ],
)
def test_code_words_and_ordinary_phrases_stay_dropped(text, value, entity):
    assert dropped(text, spacy(text, value, entity))


@pytest.mark.parametrize("day", ["monday", "Friday", "on Tuesday"])
def test_a_weekday_alone_in_a_care_note_is_no_date(day):
    text = NOTE.format(day) + "."
    assert filters.weekday_in_care_note(text, spacy(text, day, "DATE_TIME"))


def test_last_weekday_in_a_note_is_kept():
    text = NOTE.format("") + " pt w/ hx of RA, seen at General Hosp. last Thursday."
    assert not filters.weekday_in_care_note(text, spacy(text, "last Thursday", "DATE_TIME"))


def test_a_weekday_outside_a_note_is_kept():
    text = "Can we move my dentist appointment to Friday?"
    assert not filters.weekday_in_care_note(text, spacy(text, "Friday", "DATE_TIME"))


@pytest.mark.parametrize(
    ("text", "value", "is_setting"),
    [
        ("Able to wean PSV to 10/5/40% today", "10/5/40", True),
        ("insulin per protocol on 24/06/12/18 schedule", "24/06/12", True),
        ("also intubated 6/30-7/2 for CHF", "6/30", False),
        ("seen on 12/05/2021 in clinic", "12/05/2021", False),
    ],
)
def test_numbers_that_continue_a_setting_are_no_date(text, value, is_setting):
    assert filters.setting_not_date(text, spacy(text, value, "DATE_TIME")) is is_setting


def test_via_in_a_note_is_no_street():
    assert found(StreetAddressRecognizer(), "bp 110-130/60 via nbp.\nresp: a/c 700x12", "LOCATION") == []
    assert found(StreetAddressRecognizer(), "She lives at 12 Via Roma, Milano", "LOCATION") != []


@pytest.mark.parametrize(
    "text", ["Settings: A/C 450cc/10br/40%/ 5cm peep.", "on support with A/C 500x14/fio2.4/+5 peep"]
)
def test_assist_control_settings_are_no_account(text):
    assert found(AccountNumberRecognizer(), text, "ACCOUNT_NUMBER") == []


def test_an_account_after_a_c_is_still_found():
    assert found(AccountNumberRecognizer(), "Please credit a/c 004512398 today", "ACCOUNT_NUMBER") == ["004512398"]


def test_plate_inside_a_word_is_no_plate_cue():
    assert found(LicensePlateRecognizer(), "LATEST PLATELETS 58,000. REGLAN 10 MG IV", "LICENSE_PLATE") == []
    assert found(LicensePlateRecognizer(), "license plate 7ABC 123 on the car", "LICENSE_PLATE") == ["7ABC 123"]


def test_an_english_word_is_no_swift_code():
    assert found(SwiftCodeRecognizer(), "BANK WIRE BACK TO PREVIOUS DOSE", "SWIFT_CODE") == []
    assert found(SwiftCodeRecognizer(), "wire to the bank, SWIFT DEUTDEFF", "SWIFT_CODE") == ["DEUTDEFF"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("hi i am belal a gp doctor", ["belal"]),
        ("write an essay about my best friend named sulaiman for class", ["sulaiman"]),
        ("i am tired of this", []),
        ("i am intrested in jobs", []),
        ("reported by Song et al. [80] the results", ["Song"]),
        ("have not lived up to it (Preko and Boateng, 2020). In this", ["Preko and Boateng"]),
        ("The (New 2020) model", []),
        ("Sp02 97-100%. Pt NTS'd for moderate secretions", []),
        ("ambulated with PT. Bil hands with edema", []),
        ("Cardiac: Pt A-paced at a rate of 70", []),
        ("Patient Maria Lopez was seen", ["Maria Lopez"]),
        ("Hi Salar/ Waqas, Well noted.", ["Salar/ Waqas"]),
    ],
)
def test_names_in_their_slot(text, names):
    assert found(TitledNameRecognizer(), text, "PERSON") == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Chapter 1: Introduce Mishaali Kapoor (Hyderabad) as a rival.", ["Mishaali Kapoor"]),
        ("anyone who likes JJ Martinez with the page", ["JJ Martinez"]),
        ("INSERT INTO employees VALUES (6, 'Emily', 'Jones', '2021-06-01')", ["Emily"]),
        ("Mr O'Brien met them.", []),
        ("Install Jupyter Lee today.", []),
        ("“Yeah!” he nodded. Jake joined in, a grin on his face.", ["Jake"]),
        ("Rusty colored sputum this am", []),
        ("Will asked me to call", []),
    ],
)
def test_names_the_lexicon_vouches_for(text, names):
    assert [text[s:e] for s, e, _ in LexiconNameRecognizer().spans(text)] == names


def test_a_quoted_username_and_a_copyright_holder():
    assert found(UsernameRecognizer(), 'uhaul_username = "kj046613"', "USERNAME") == ["kj046613"]
    assert found(OrganizationRecognizer(), "// © TZack88 //@version=5", "ORGANIZATION") == ["TZack88"]
    assert "Metadee Concept Hotel" in found(
        OrganizationRecognizer(), 'Include "Metadee Concept Hotel" as one.', "ORGANIZATION"
    )


def test_names_a_note_announces_twice():
    from audit.scanner.recognizers.names_in_context import NameInContextRecognizer

    def names(text):
        return [text[s:e] for s, e, _ in NameInContextRecognizer().spans(text)]

    assert names("pt in afib this morning. NP grace made aware, eps consulted.") == ["grace"]
    assert names("ONly able to reach Rob.. when family returns call") == ["Rob"]
    assert names("called Will to check") == []
    assert names("NP line flushed and aware") == []
    assert found(TitledNameRecognizer(), "lytes checked Dr B Muse in to see pt", "PERSON") == ["Dr B Muse"]


def test_a_capital_in_a_note_typed_without_them_marks_a_town():
    from audit.scanner.recognizers.places_in_context import KnownPlaceRecognizer

    text = "r: stable, no seizure activity noted, BAltimore reconsult for possible transfer. heard alot"
    assert [text[s:e] for s, e, _ in KnownPlaceRecognizer().spans(text)] == ["BAltimore"]


def test_a_name_before_what_they_did_and_an_age_that_opens_a_history():
    from audit.scanner.recognizers.general_age import AgeRecognizer
    from audit.scanner.recognizers.names_in_context import NameInContextRecognizer

    text = "her primary psych doctor Sullivan phoned and explained"
    assert [text[s:e] for s, e, _ in NameInContextRecognizer().spans(text)][-1:] == ["Sullivan"]
    assert NameInContextRecognizer().spans("Pharmacy called back re: dose") == []
    note = "CCU NPN: please see flowsheet\n\n98 s/p left hip fx comp with CHF"
    assert [(note[r.start : r.end], r.entity_type) for r in AgeRecognizer().analyze(note, ["AGE_OVER_89"])] == [
        ("98", "AGE_OVER_89")
    ]
    assert AgeRecognizer().analyze("BP 98 s/p bolus", ["AGE", "AGE_OVER_89"]) == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Write sale deed agreement for apartment in pune", ["pune"]),
        ("I moved to mumbai, then Delhi.", ["mumbai", "Delhi"]),
        ("Write it in erlang please", []),
        ("He came from china.", []),  # also a word
    ],
)
def test_a_town_typed_without_its_capital(text, places):
    from audit.scanner.recognizers.places_in_context import KnownPlaceRecognizer

    assert [text[s:e] for s, e, _ in KnownPlaceRecognizer().spans(text)] == places
