"""The shipped lexicon: reproducible from its pinned packages, and what it says of words."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from audit.scanner.lexicon import case_profile, lexicon

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_lexicon.py"


def _script():
    spec = importlib.util.spec_from_file_location("build_lexicon", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_files_are_what_the_pinned_packages_give():
    for path, blob in _script().build().items():
        assert blob == path.read_bytes(), f"{path.name}: run scripts/build_lexicon.py"


@pytest.mark.parametrize(
    ("word", "mainly_a_name"),
    [
        ("David", True),
        ("OKAFOR", True),
        ("nguyen", True),
        ("Will", False),  # a word first
        ("grace", False),
        ("Foley", False),  # a catheter in a note
        ("Neuro", False),
        ("Python", False),
        ("Jupyter", False),  # no list knows it
    ],
)
def test_name_first(word, mainly_a_name):
    assert lexicon().name_first(word) is mainly_a_name


@pytest.mark.parametrize(
    ("word", "ordinary"),
    [("secretions", True), ("python", True), ("aware", True), ("Estonia", False), ("Nguyen", False), ("abd", True)],
)
def test_is_word(word, ordinary):
    assert lexicon().is_word(word) is ordinary


def test_unknown_is_neither_name_nor_word():
    lex = lexicon()
    assert lex.unknown("Zorbelt") and lex.unknown("Qzxwvy")
    assert not lex.unknown("Nguyen") and not lex.unknown("today") and not lex.unknown("Estonia")


@pytest.mark.parametrize(
    ("text", "profile"),
    [
        ("PT REMAINS ON HEPARIN GTT. DR OKAFOR AWARE.", "upper"),
        ("pt stable through day. son bill called.", "lower"),
        ("Patient Maria Lopez was admitted for sepsis.", "mixed"),
        ("1234 5678", "mixed"),
    ],
)
def test_case_profile(text, profile):
    assert case_profile(text) == profile


def test_care_note_register():
    from audit.scanner.lexicon import care_note

    note = "NEURO: A&O X3, MAE. CV: SR 80S, BP 110/60. RESP: LS CLEAR, SATS 97% 2L NC. GU: FOLEY DRAINING."
    code = (
        'File "/srv/app/billing/cache.py", line 12, in build_cache_key\n    return f"{tenant_slug}:{invoice_id.hex}"\n'
        "invoice_id is 3f2b8c1e-9a4d-4e7b-b6f1-2c8d9e0a1b3c and the commit is 9fceb02d0ae598e95dc970b74767f19372d61af8"
    )
    assert care_note(note)
    assert not care_note(code)  # "invoice_id", "...95dc970b..." hold no shorthand word
    assert not care_note("How do I keep the column order when I convert a list of dicts to a DataFrame?")
