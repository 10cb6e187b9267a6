"""Legal markers and identifiers: privilege and protective-order banners, case, Bates and client-matter numbers."""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import Rule, TermRecognizer, ValidatedRecognizer

_AND = r"\s{0,3}(?:&|and|\+|/)\s{0,3}"
_SP = r"[\s_\-–—]{1,3}"
_I = re.IGNORECASE


class PrivilegeMarkerRecognizer(ValidatedRecognizer):
    """LEGAL_PRIVILEGE_MARKER: "Privileged & Confidential", "Attorney-Client Privileged", "Attorney Work Product"."""

    ENTITY = "LEGAL_PRIVILEGE_MARKER"
    RULES = (
        Rule("priv-conf", rf"\bprivileged{_AND}confidential\b", 0.9, 0.9, _I),
        Rule("conf-priv", rf"\bconfidential{_AND}privileged\b", 0.9, 0.9, _I),
        Rule("acp", rf"\battorney[s'’]{{0,2}}{_SP}client{_SP}(?:privileged?|communication)\b", 0.9, 0.9, _I),
        Rule("awp", rf"\b(?:attorney|lawyer)[s'’]{{0,2}}{_SP}work{_SP}product\b", 0.9, 0.9, _I),
        Rule(
            "prepared",
            rf"\bprepared{_SP}(?:at{_SP}the{_SP}(?:request|direction){_SP}of|in{_SP}anticipation{_SP}of){_SP}(?:counsel|litigation)\b",
            0.85,
            0.85,
            _I,
        ),
        Rule(
            "privileged-comm",
            rf"\bprivileged{_SP}(?:legal{_SP}advice|communication|and{_SP}confidential{_SP}communication)\b",
            0.85,
            0.85,
            _I,
        ),
    )


class ProtectiveOrderMarkerRecognizer(ValidatedRecognizer):
    """PROTECTIVE_ORDER_MARKER: protective-order, attorneys'-eyes-only, under-seal and outside-counsel-only banners."""

    ENTITY = "PROTECTIVE_ORDER_MARKER"
    RULES = (
        Rule(
            "po", rf"\bsubject{_SP}to{_SP}(?:a{_SP}|the{_SP})?(?:stipulated{_SP})?protective{_SP}order\b", 0.9, 0.9, _I
        ),
        Rule("aeo", rf"\battorneys?[’']?{_SP}eyes{_SP}only\b", 0.9, 0.9, _I),
        Rule("aeo-abbr", r"(?<![A-Za-z])AEO(?![A-Za-z])", 0.6, 0.9),
        Rule(
            "seal",
            rf"\b(?:filed|lodged|submitted|maintained|kept){_SP}under{_SP}seal\b|\bsealed{_SP}(?:filing|document|record)s?\b",
            0.9,
            0.9,
            _I,
        ),
        Rule(
            "oco",
            rf"\bhighly{_SP}confidential{_SP}?[-–—:]?{_SP}?(?:outside{_SP}(?:counsel|attorneys?)[’']?(?:{_SP}eyes)?{_SP}only|attorneys?[’']?{_SP}eyes{_SP}only)",
            0.9,
            0.9,
            _I,
        ),
        Rule("oco-banner", r"(?<![A-Za-z])HIGHLY CONFIDENTIAL(?![A-Za-z])", 0.8, 0.9),
        Rule("conf-po", rf"\bconfidential{_SP}[-–—:]?{_SP}?subject{_SP}to{_SP}protective{_SP}order\b", 0.9, 0.9, _I),
    )


# After "no.": an ECHR application number ("36110/97"), a pre-1998 Court case number ("31/1993/426/505"), a
# plot ("288/3"); in a list after "nos.", any number.
_APPLICATION = r"\d{1,6}(?:/\d{1,4}){1,3}(?![\d/])"
_NUMBERED = r"\d{1,6}(?:/\d{1,4}){0,3}(?![\d/])"
_LIST_SEP = r"(?:\s{0,3},\s{0,3}(?:and\s{1,3})?|\s{1,3}and\s{1,3}|\s{1,3})"
_NUMBERS = re.compile(_NUMBERED)
_UK_COURT = (
    r"UKSC|UKHL|UKPC|EWCA\s(?:Civ|Crim)|EWHC|EWFC|EWCOP|UKUT|UKFTT|UKEAT|UKIPTrib|CSIH|CSOH|HCJAC|NICA|NIQB|"
    r"NICh|NIFam|IESC|IECA|IEHC|UKAIT|UKSIAC"
)


class CaseNumberRecognizer(ValidatedRecognizer):
    """CASE_NUMBER: federal dockets "1:23-cv-04567(-ABC)", state dockets after case, docket, index or cause
    numbers, ECHR application numbers after "no."/"nos." (each number of a list "nos. 60525/00, 60933/00 and
    60934/00"), and UK neutral citations "[2019] EWCA Civ 1234"."""

    ENTITY = "CASE_NUMBER"
    RULES = (
        Rule(
            "federal",
            r"(?<![\w:])\d{1,2}:\d{2}-(?:cv|cr|mj|mc|bk|ap|md|po|sw|gj|misc)-\d{3,6}(?:-[A-Z]{2,4}(?:-[A-Z]{2,4})?)?(?![\w-])",
            0.85,
            0.9,
            _I,
        ),
        Rule("federal-short", r"(?<![\w:-])\d{2}-(?:cv|cr)-\d{3,6}(?:-[A-Z]{2,4})?(?![\w-])", 0.6, 0.9, _I),
        Rule(
            "labelled",
            r"(?i:\b(?:case|docket|index|cause|civil\s{1,3}action|file|matter|appeal)\s{0,3}(?:no\.?|number|#|nos\.?)\s{0,3}:?\s{0,3})"
            r"(?P<value>[A-Z0-9]{1,10}(?:[-:/.][A-Z0-9]{1,10}){1,5})(?![\w-])",
            0.85,
            0.9,
        ),
        # "application no. 36110/97", "(nos. 43185/98 and 43186/98)", "App. No. 34127/03": a list is split below
        Rule(
            "applications",
            rf"(?i:\b(?:nos?|numbers?)\.?\s{{0,3}}|\bapplications?\s{{1,3}}(?=\d{{1,6}}/\d\d\b))"
            rf"(?P<value>{_APPLICATION}(?:{_LIST_SEP}{_APPLICATION}){{0,400}})",
            0.85,
            0.9,
        ),
        # "plots nos. 19, 20, 28 and 29": a plural label before a list numbers several things, each one an identifier
        Rule(
            "numbered-list",
            rf"(?i:\bnos\.?\s{{0,3}}|\bnumbers\s{{1,3}})(?P<value>{_NUMBERED}(?:{_LIST_SEP}{_NUMBERED}){{1,400}})",
            0.85,
            0.9,
        ),
        Rule(
            "uk-neutral", rf"\[(?:19|20)\d{{2}}\]\s(?:{_UK_COURT})\s\d{{1,5}}(?:\s\([A-Z][A-Za-z]{{1,6}}\))?", 0.9, 0.9
        ),
    )
    CONTEXT = ("case", "docket", "court", "v.", "vs.", "plaintiff", "defendant", "filed", "application", "applicant")

    def candidates(self, text: str):
        """Every rule's matches, with each number of an application list as a candidate of its own."""
        for rule, start, end in super().candidates(text):
            if rule.name not in ("applications", "numbered-list"):
                yield rule, start, end
                continue
            for m in _NUMBERS.finditer(text, start, end):
                yield rule, m.start(), m.end()

    def validate(self, value: str) -> bool:
        """At least three digits (so "No. A-B" or a bare year is not a docket), or one number of a list."""
        return sum(c.isdigit() for c in value) >= 3 or value.isdigit()


class BatesNumberRecognizer(ValidatedRecognizer):
    """BATES_NUMBER: a 2-8 letter production prefix plus 6-8 digits, alone or as a range (ABC000123 - ABC000456)."""

    ENTITY = "BATES_NUMBER"
    _ONE = r"[A-Z]{2,8}[_ -]?\d{6,8}"
    RULES = (
        Rule("bates", rf"(?<![\w-]){_ONE}(?![\w-])", 0.35, 0.9),
        Rule(
            "bates-range",
            rf"(?<![\w-]){_ONE}\s{{0,2}}(?:-|–|—|through|thru|to)\s{{0,2}}(?:{_ONE}|\d{{6,8}})(?![\w-])",
            0.7,
            0.9,
        ),
    )
    CONTEXT = ("bates", "production", "produced", "prod", "exhibit", "documents", "doc", "bates-stamped", "bates range")

    def validate(self, value: str) -> bool:
        """Not a US_MBI- or DEA-shaped token (those start with a digit or carry 7 digits after 2 letters)."""
        return not re.fullmatch(r"[A-Z]{2}\d{7}", value)


class ClientMatterNumberRecognizer(ValidatedRecognizer):
    """CLIENT_MATTER_NUMBER: client-matter numbers like 12345-0001 or 12345.001 next to client/matter words."""

    ENTITY = "CLIENT_MATTER_NUMBER"
    RULES = (Rule("cm", r"(?<![\w.-])(?:[A-Z]{0,4}\d{3,7})[-./](?:\d{3,5})(?![\w-]|\.\d)", 0.0, 0.85),)
    CONTEXT = (
        "client matter",
        "client-matter",
        "matter",
        "matter no",
        "matter number",
        "client no",
        "client number",
        "c/m",
        "billing matter",
    )
    REQUIRE_CONTEXT = True

    def validate(self, value: str) -> bool:
        """Not shaped like a date."""
        return not re.fullmatch(r"\d{1,4}[-/.]\d{1,2}|\d{4}[-/.]\d{4}", value)


LEGAL_TERMS = (
    "litigation", "lawsuit", "deposition", "interrogatories", "requests for production", "discovery requests",
    "opposing counsel", "outside counsel", "in-house counsel", "settlement negotiations", "settlement offer",
    "motion to dismiss", "summary judgment", "motion to compel", "complaint filed", "plaintiff", "plaintiffs",
    "defendant", "defendants", "our client", "the client's", "engagement letter", "legal hold", "litigation hold",
    "subpoena", "cease and desist", "statute of limitations", "retainer agreement", "privilege log", "case strategy",
    "trial strategy", "legal advice", "legal opinion", "arbitration", "mediation", "counterclaim", "indictment",
    "plea agreement", "class action", "client matter", "client-matter", "matter number",
)  # fmt: skip


class LegalMatterContextRecognizer(TermRecognizer):
    """LEGAL_MATTER_CONTEXT: litigation, client and counsel language."""

    ENTITY = "LEGAL_MATTER_CONTEXT"
    SCORE = 0.5

    def __init__(self) -> None:
        super().__init__(LEGAL_TERMS)


RECOGNIZERS = [
    PrivilegeMarkerRecognizer,
    ProtectiveOrderMarkerRecognizer,
    CaseNumberRecognizer,
    BatesNumberRecognizer,
    ClientMatterNumberRecognizer,
    LegalMatterContextRecognizer,
]
