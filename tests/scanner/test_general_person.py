"""PERSON from its slot: titles, "patient", "named", "my name is", and not pronouns or greetings."""

from __future__ import annotations

import pytest

from audit.scanner.analyze import analyze_texts
from audit.settings import Settings


def people(engine, text: str) -> list[str]:
    spans = analyze_texts(engine, Settings(), [text])[0]
    return [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("referencing Mr. James T., operated at St. Vincent's", "James T."),
        ("seen by Dr. Okonkwo at Westside Clinic", "Okonkwo"),
        ("My name is Antti Poutiainen but everyone calls me Antti", "Antti Poutiainen"),
        ("What's your last name? Boyle", "Boyle"),
        ("Her maiden name is Møller", "Møller"),
        ("Directed By:    Sari J. Paavolainen", "Sari J. Paavolainen"),
        ("The nurse noted the patient prefers to be called 'Sunny' during visits.", "Sunny"),
        ("Follow up with Sigrid Nyström in a couple of months.", "Sigrid Nyström"),
        # real prompts: greetings and signatures, non-Western names, chat typed without capitals
        ("Hi Salar/ Waqas, Well noted. We will arrange the visit.", "Salar"),
        ("Hi Priya, can you send the deck?", "Priya"),
        ("Hi, this is your TA Kim Young Hyun and Hwang Guen Min. PA1 has been uploaded.", "Hwang Guen Min"),
        ("Write an email to a client named Jeff, who never showed up for our meeting.", "Jeff"),
        ("implementation of these technologies (Tortorella et al., 2020a). However", "Tortorella"),
        ('"name": {"first_name": "Jhn", "middle_name": "Moe", "last_name": "Togo"}', "Jhn"),
    ],
)
def test_names_are_found(engine, text, name):
    assert any(name in found for found in people(engine, text)), people(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "Hi there, my name is not important.",
        "The patient was admitted for observation.",
        "Dear team, thanks for the update.",
        "result = getUserName(session_id)",
        "CV: RRR. NEURO: intact. GI: soft.",
        "Is there a link between Crohn disease and Graves' disease?",
    ],
)
def test_not_names(engine, text):
    assert people(engine, text) == []
