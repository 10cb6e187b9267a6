"""People's names from their slot: after a title ("Dr. Patel", "Mr. James T."), after "patient",
"named", "my name is", "Name:", and spaCy entities of other types that sit in such a slot.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from audit.scanner.lexicon import FUNCTION_WORDS, lexicon
from audit.scanner.recognizers.base import RegexRecognizer, Rule
from audit.scanner.recognizers.patterns import UP, word

_NAME_WORD = rf"{UP}[^\W\d_]*(?:['’-]{UP}?[^\W\d_]+)*"
_INITIAL = rf"{UP}\."
# Tried at every word ("Tortorella et al."): bounded and possessive, never the nested _NAME_WORD, which backtracks
# exponentially on "Ab-Ab-Ab-..." (tests/scanner/test_linear.py).
_NAME_PART = word(UP, r"[^\W\d_'’-]")
_BOUNDED_NAME_WORD = rf"{_NAME_PART}(?:[-'’]{_NAME_PART}){{0,2}}"
_NOT_NAME_WORD = r"(?!(?:Apt|Apartment|Suite|Ste|Unit|Room|Floor|Box)\b)"
# "Hi Salar/ Waqas": names a greeting lists with a slash
_NAME = rf"(?P<v>{_NAME_WORD}(?:(?:[ ]+|/[ ]?){_NOT_NAME_WORD}(?:{_INITIAL}|{UP}\b|{_NAME_WORD})){{0,3}})"
_TITLE_WORD = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Rev|Sgt|Capt|Judge)\.?"
_TITLE = rf"\b{_TITLE_WORD}[ ]+"
_SLOT = (
    r"\b(?:patient|pt\.?|named|my[ ]name[ ]is|name[ ]is|name[ ]?:|surname[ ]?:?|last[ ]name[ ]?\??:?|"
    r"first[ ]name[ ]?\??:?|maiden[ ]name[ ]is|called|call[ ]me|i'm|i[ ]am|this[ ]is|directed[ ]by:?|"
    r"written[ ]by|attn:?|dear|hi|hello|regards,|sincerely,|thanks,|cc:?|signed|son|daughter|wife|husband|"
    r"mother|father|brother|sister)[ \t]+['\"‘“]?"
)
_NOT_NAMES = frozenset(
    "The A An This That These Those It He She They We You I My Your Our His Her Their Patient Doctor Nurse "
    "Please Thanks Thank Hello Hi Dear Yes No Not Just Also Here There Now Today Tomorrow Yesterday".split()
)


_CHARTED_VERB = re.compile(r"[^\W\d_]+['’]d|[^\W\d_]-[a-z]+")
_CITATION = re.compile(r"[ ]+et[ ]+al\b|,[ ]+(?:19|20)\d{2}[a-z]?[);]")
_PATIENT_SLOT = re.compile(r"\b(?:patient|pt\.?)[ \t]+['\"‘“]?\Z", re.I)


class TitledNameRecognizer(RegexRecognizer):
    """A name after a title or in a name slot; the slot decides, the words only need to look like a name."""

    ENTITY = "PERSON"
    RULES = (
        # the title is part of the mention: "Dr. Kyle Kuefer" is reported whole
        Rule("titled", rf"{_TITLE}{_NAME}", 0.9),
        # above spaCy's 0.85: Presidio drops a name inside a longer spaCy span it scores higher ("Hi Salar/ Waqas")
        Rule("slot", rf"(?i:{_SLOT}){_NAME}", 0.86, group="v"),
        # a chat typed without capitals: "my name is sulaiman", "a friend named waqas", "hi i am belal, a gp"; after
        # "i am" only where the sentence goes on as an introduction does ("i am tired", "i am intrested in" do not)
        Rule(
            "slot-lower",
            r"\b(?i:my[ ]name[ ]is|named|call[ ]me)[ \t]+(?P<v>[a-z][a-z]{2,30})(?![\w'’-])",
            0.86,
            group="v",
        ),
        Rule(
            "i-am-lower",
            r"\b(?i:i[ ]am|i'm|i’m)[ \t]+(?P<v>[a-z][a-z]{2,30})(?=[ \t]*(?:[,.]|$)|[ \t]+(?:a|an|from|and)\b)",
            0.86,
            flags=re.M,
            group="v",
        ),
        # a cited author: "(Tortorella et al., 2020)", "consistent with Gaber et al. [10]", "(Preko and Boateng, 2020)"
        Rule("cited", rf"\b(?P<v>{_BOUNDED_NAME_WORD})(?=[ ]+et[ ]+al\b)", 0.86, group="v"),
        Rule(
            "cited-year",
            rf"\((?P<v>{_BOUNDED_NAME_WORD}(?:[ ]+(?:and|&)[ ]+{_BOUNDED_NAME_WORD})?),[ ]+(?:19|20)\d{{2}}[a-z]?[);]",
            0.86,
            group="v",
        ),
        # a name field of pasted JSON or a form: "first_name": "Jhn", "middle_name":"Moe"
        Rule(
            "name-field",
            r"(?<![A-Za-z_])(?i:(?:first|last|middle|full|given|family|sur)[ _]?name)[\"”']?[ ]{0,2}[:=][ ]{0,2}[\"“']"
            rf"(?P<v>{_BOUNDED_NAME_WORD}(?:[ ]+{_BOUNDED_NAME_WORD}){{0,2}})(?=[\"”'])",
            0.86,
            group="v",
        ),
    )

    def validate(self, value: str) -> bool:
        """Not a pronoun, a greeting or a sentence-like phrase."""
        words = value.split()
        if re.fullmatch(_TITLE_WORD, words[0]):
            words = words[1:]
            if len(words) > 1 and re.fullmatch(r"[A-Z]\.?", words[0]) and words[1][1:].islower():
                return True  # "Dr B Muse", "Dr. J. Price": a title, an initial and a word are a name
        if not words or words[0] in _NOT_NAMES or any(w.isupper() and len(w) > 1 for w in words[:1]):
            return False
        first = re.sub(r"[^\w'’-]", "", words[0])
        if _CHARTED_VERB.fullmatch(first):
            return False  # "Pt NTS'd", "Pt Rx'd", "Pt A-paced": what was done to the patient, not a name
        lex = lexicon()
        if first.islower():  # no capital to go by: a listed given name that is no common word, or no word at all
            return first not in FUNCTION_WORDS and (
                lex.unknown(first) or lex.is_given_name(first) and lex.zipf(first) < 4.0
            )
        # "pt. Had improved", "PT S/P", "Pt. Rx": a slot followed by an ordinary word or a letter is no name
        return len(first) > 1 and not lex.is_clinical(first) and (lex.is_name(first) or lex.zipf(first) < 3.0)

    def passes(self, text: str, start: int, end: int) -> bool:
        """A citation vouches for any capitalised surname, common word or not ("Song et al.", "(Long, 2019)")."""
        if _CITATION.match(text, end) and text[start].isupper() and text[start:end] not in _NOT_NAMES:
            return self.accept(text, start, end)
        return super().passes(text, start, end)

    def accept(self, text: str, start: int, end: int) -> bool:
        """After "pt" an ordinary word that is no name is what the patient did ("Pt Teary eyed", "PT. Bil hands")."""
        if not _PATIENT_SLOT.search(text, max(0, start - 12), start):
            return True
        first = re.sub(r"[^\w'’-]", "", text[start:end].split()[0])
        lex = lexicon()
        return lex.is_name(first) or not (lex.is_word(first) or len(first) <= 3)


_PERSON_SLOT = re.compile(
    r"\b(?:with|by|to|contact|ask|tell|told|call|called|met|meet|email|thank|thanks|dear|hi|hello|cc|"
    r"follow[ ]up[ ]with|spoke[ ]to|talked[ ]to|it[ ]to|signed[ ]by|founders?:?|name[ ]in[ ]the[ ]account)[ \t]+$",
    re.I,
)
_ORG_WORDS = re.compile(
    r"\b(?:Inc|LLC|Ltd|Corp|Corporation|Company|Co|Group|Bank|University|College|Institute|School|Hospital|"
    r"Clinic|Center|Centre|Agency|Partners|Associates|Foundation|Society|Association|Department|Office|"
    r"Weekly|Daily|News|Times|Magazine|Records|Orchestra|Band|Club|Church|Council|Committee|Services)\b"
)


class NameSlotRecognizer(EntityRecognizer):
    """spaCy ORG/GPE/LOC entities of two or three capitalised words in a person slot ("follow up with X Y")."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="NameSlotRecognizer", supported_language="en")

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """PERSON for name-shaped entities spaCy typed otherwise, when the words before them expect a person."""
        if "PERSON" not in entities:
            return []
        out = []
        for ent in getattr(nlp_artifacts, "entities", None) or []:
            if ent.label_ not in {"ORGANIZATION", "LOCATION"}:
                continue
            value = ent.text
            words = value.split()
            if (
                not 1 <= len(words) <= 3
                or _ORG_WORDS.search(value)
                or not all(w[:1].isupper() and not w.isupper() for w in words)
            ):
                continue
            if not any(lexicon().is_name(w) for w in words):
                continue  # "changed to Cipro", "covered with Duoderm": a slot is not enough without a name
            if _PERSON_SLOT.search(text[max(0, ent.start_char - 40) : ent.start_char]):
                meta = {
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                }
                out.append(RecognizerResult("PERSON", ent.start_char, ent.end_char, 0.86, recognition_metadata=meta))
        return out
