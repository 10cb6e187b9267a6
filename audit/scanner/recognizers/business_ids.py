"""Business-document identifiers after their labels: transaction, order, ticket, invoice, claim and
policy numbers ("Order #A1234567", "Claim #CLM778812"), usernames and social handles.

Like the clinical labels in labelled_ids, these have no public format: the label makes
them identifiers. A bare label ("Ticket 48213") is weaker than a marked one ("Ticket #",
"Order ID:"), so it needs five digits or letters and digits mixed, and no quantity word
after it ("order 50000 units").
"""

from __future__ import annotations

import re

from audit.scanner.recognizers.base import Rule, ValidatedRecognizer, compile_words
from audit.scanner.recognizers.labelled_ids import id_shaped, labelled

# Marked filler: "Order #", "Transaction ID:", "ticket number is". Unlike the clinical filler,
# "of" and "the" are not here: "order of 50000 units" is a quantity, not an order number.
_MARK = r"(?:numbers?|nos?\.?|num|nbr|ids?|ref(?:erence)?|code|is|[:#=(])"
_MARKED_GAP = rf"[^\S\n]{{0,3}}{_MARK}(?:[^\S\n]{{0,3}}{_MARK}){{0,3}}[^\S\n]{{0,3}}"
_BARE_GAP = r"[^\S\n]{1,3}"
_QUANTITY_AFTER = re.compile(
    r"[^\S\n]{0,2}(?:units?|items?|pieces?|pcs|people|persons|users|customers|times|dollars|euros|usd|eur|gbp|"
    r"%|percent|kg|lbs?|km|miles|days|hours|minutes)(?![A-Za-z])",
    re.IGNORECASE,
)
_NOT_AN_ID = re.compile(r"(?:19|20)\d{2}|\d+(?:\.\d+)+")  # a year; an amount, version or dotted number


def business_id_shaped(value: str) -> bool:
    """An ID-shaped value (labelled_ids.id_shaped) that is not a year, an amount or a version."""
    return id_shaped(value) and not _NOT_AN_ID.fullmatch(value)


class BusinessIdRecognizer(ValidatedRecognizer):
    """An ID-shaped token after one of LABELS, marked ("Order #", "ID:") or bare ("Ticket 48213")."""

    LABELS: tuple[str, ...] = ()
    SCORE = 0.85

    def __init__(self) -> None:
        self.RULES = (
            Rule("marked", labelled(self.LABELS, _MARKED_GAP), self.SCORE, self.SCORE, re.IGNORECASE),
            Rule("bare", labelled(self.LABELS, _BARE_GAP), self.SCORE, self.SCORE, re.IGNORECASE),
        )
        super().__init__()

    def candidates(self, text):
        """Values without a leading '#'; bare-label values only when strongly ID-shaped."""
        for rule, start, end in super().candidates(text):
            start += text[start] == "#"
            if rule.name == "bare" and not _strong_bare(text, start, end):
                continue
            yield rule, start, end

    def validate(self, value: str) -> bool:
        """See `business_id_shaped`."""
        return business_id_shaped(value)


def _strong_bare(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    digits = sum(c.isdigit() for c in value)
    mixed = digits and any(c.isalpha() for c in value)
    return (digits >= 5 or bool(mixed)) and not _QUANTITY_AFTER.match(text, end)


class TransactionReferenceRecognizer(BusinessIdRecognizer):
    """UNIQUE_IDENTIFIER: a transaction, order, ticket, invoice, receipt, booking or tracking number."""

    ENTITY = "UNIQUE_IDENTIFIER"
    LABELS = (
        r"transaction|txn",
        r"(?<!court )(?<!protective )(?<!executive )(?<!restraining )(?:purchase\s{1,3}|sales\s{1,3})?order",
        r"(?:support\s{1,3}|service\s{1,3})?ticket",
        r"invoice|inv\.?(?=\s{0,2}[:#])",
        r"receipt|confirmation|booking|reservation|tracking|shipment",
        r"payment\s{1,3}(?:ref(?:erence)?|id)",
        # a support conversation's own number: "Your case ID is #54321", "reference number is REF654321"
        r"(?:case|subscription|customer)(?=\s{1,3}(?:ids?|ref(?:erence)?|numbers?|no\.?|#)(?![A-Za-z]))",
        r"ref(?:erence)?(?=[^\S\n]{0,3}(?:numbers?|no\.?|num|ids?|code|[:#]))",
    )


class ClaimNumberRecognizer(BusinessIdRecognizer):
    """CLAIM_NUMBER: an insurance or benefits claim number after its label."""

    ENTITY = "CLAIM_NUMBER"
    LABELS = (r"claim",)


_CARE = compile_words(
    (
        "patient", "pt", "hospital", "clinic", "medical", "health", "healthcare", "diagnosed", "diagnosis", "admitted",
        "discharged", "treated", "treatment", "surgery", "prescription", "dr", "physician", "medicaid", "medicare",
        "hmo", "ppo", "copay", "deductible", "dental", "therapy",
    )
)  # fmt: skip


def _care_near(text: str, start: int, end: int) -> bool:
    return bool(_CARE.search(text[max(0, start - 160) : start]) or _CARE.search(text[end : end + 60]))


class PolicyNumberRecognizer(BusinessIdRecognizer):
    """POLICY_NUMBER: a policy number after "policy", away from care language (there it is a HEALTH_PLAN_ID).

    "health/insurance policy" labels belong to labelled_ids.HealthPlanIdRecognizer.
    """

    ENTITY = "POLICY_NUMBER"
    LABELS = (
        r"(?<!health )(?<!medical )(?<!dental )(?<!vision )(?<!insurance )(?<!privacy )(?<!retention )polic(?:y|ies)",
    )

    def analyze(self, text, entities, nlp_artifacts=None):
        """Policy numbers with no care words around them."""
        return [r for r in super().analyze(text, entities, nlp_artifacts) if not _care_near(text, r.start, r.end)]


class HealthPolicyNumberRecognizer(PolicyNumberRecognizer):
    """HEALTH_PLAN_ID: a bare "policy #" number among care words ("seen at Mercy Clinic (policy number: HP-987654)")."""

    ENTITY = "HEALTH_PLAN_ID"

    def analyze(self, text, entities, nlp_artifacts=None):
        """Policy numbers with care words around them."""
        found = BusinessIdRecognizer.analyze(self, text, entities, nlp_artifacts)
        return [r for r in found if _care_near(text, r.start, r.end)]


_NOT_A_USERNAME = frozenset(
    {
        "the", "a", "an", "and", "or", "not", "none", "null", "nil", "required", "optional", "empty", "unknown",
        "blank", "same", "your", "my", "his", "her", "their", "our", "missing", "invalid", "correct", "wrong",
        "here", "channel", "everyone", "all", "param", "return", "returns", "throws", "see", "since", "author",
    }
)  # fmt: skip


_SHARED_PROFILES = frozenset({"public", "default", "all users", "default user", "administrator", "user", "username"})


class UsernameRecognizer(ValidatedRecognizer):
    """USERNAME after "username:", "login:", "user ID:", "handle is" and the like."""

    ENTITY = "USERNAME"
    RULES = (
        Rule(
            "labelled",
            r"(?<![A-Za-z0-9])(?:user[ _-]?name|user[ _-]?id|login(?:[ _-]?(?:name|id))?|screen[ _]name|handle)"
            r"[^\S\n]{0,3}(?:[:=]|is(?![A-Za-z]))[^\S\n]{0,3}[\"'“‘]?"  # a quoted value: uhaul_username = "kj046613"
            r"(?P<value>@?[A-Za-z0-9](?:[A-Za-z0-9_]|[.-](?=[A-Za-z0-9_])){1,38})"
            r"(?![A-Za-z0-9_@]|[.-][A-Za-z0-9_@])",
            0.85,
            0.85,
            re.IGNORECASE,
        ),
        # the account a home folder is named after: "C:\\Users\\Abu Bakr Siddique\\Desktop", "/home/fxu80pep/public_html"
        Rule(
            "home-folder",
            r"(?:\b[A-Za-z]:\\{1,2}(?:Users|Documents and Settings)\\{1,2}|(?<![\w.~])/(?:home|Users)/)"
            r"(?P<value>[^\\/:*?\"'<>|\r\n\t]{1,40}?)(?=\\|/)",
            0.85,
            0.85,
        ),
    )

    def validate(self, value: str) -> bool:
        """Not a filler word ("username: required"), a placeholder or a shared profile ("Public", "Default")."""
        low = value.lstrip("@").lower()
        return low not in _NOT_A_USERNAME and low not in _SHARED_PROFILES and not re.search(r"[<>{}$%]", value)


class SocialHandleRecognizer(ValidatedRecognizer):
    """USERNAME: an @handle, never an email address or a code decorator ("@app.route", "@pytest.fixture").

    Handles near social-media words score 0.85. Elsewhere only handles with a digit or an
    underscore count ("@jane_doe", not "@property"), and not one alone on its line (a
    decorator). One assigned to ("@count = 0") is an instance variable, never a handle.
    """

    ENTITY = "USERNAME"
    RULES = (
        Rule(
            "handle",
            r"(?<![A-Za-z0-9._%+\-/@`])@[A-Za-z][A-Za-z0-9_]{1,29}(?![A-Za-z0-9_@]|[.\-/(:][A-Za-z0-9_])",
            0.6,
            0.85,
        ),
    )
    CONTEXT = (
        "twitter", "tweet", "tweeted", "retweet", "instagram", "ig", "tiktok", "telegram", "github", "reddit",
        "mastodon", "threads", "snapchat", "discord", "linkedin", "youtube", "twitch", "handle", "follow",
        "followed", "dm", "dms", "mention", "mentioned", "tagged", "tag", "profile", "username", "social media",
    )  # fmt: skip
    WINDOW = (60, 40)
    _ASSIGNED = re.compile(r"[^\S\n]{0,2}(?:[-+*/|&]?=(?!=)|\[)")

    def analyze(self, text, entities, nlp_artifacts=None):
        """Handles, scored by context; code-shaped ones dropped."""
        out = []
        for r in super().analyze(text, entities, nlp_artifacts):
            value = text[r.start + 1 : r.end]
            if value.lower() in _NOT_A_USERNAME or self._ASSIGNED.match(text, r.end):
                continue
            if r.score < 0.85 and (_alone_on_line(text, r) or not any(c.isdigit() or c == "_" for c in value)):
                continue
            out.append(r)
        return out


def _alone_on_line(text: str, r) -> bool:
    line_start = text.rfind("\n", 0, r.start) + 1
    line_end = text.find("\n", r.end)
    before = text[line_start : r.start]
    after = text[r.end : len(text) if line_end < 0 else line_end]
    return not before.strip(" \t*/#") and not after.strip()


class LabelledNationalNumberRecognizer(BusinessIdRecognizer):
    """UNIQUE_IDENTIFIER: a number its label calls a national or tax number ("NIP: 123-456-78-90") whose check
    digit fails (eu_national_ids reports the valid ones, typed and scored higher): mistyped or made up, it is
    still given as someone's number."""

    ENTITY = "UNIQUE_IDENTIFIER"
    SCORE = 0.7  # above a phone number's guess (0.6), below the validated national numbers
    LABELS = (r"NIP|PESEL|REGON|national\s{1,3}id(?:entity)?|tax\s{1,3}(?:id|number)",)


# A support agent asks for a number and the customer answers on the next line: "Can you provide your order
# number?\n[10:02 AM] Customer: Yes, it's ORD987654."
_ASKED = (
    r"(?i:\b(?:order|subscription|transaction|reference|tracking|policy|claim|booking|confirmation|account|"
    r"member(?:ship)?|ticket|case|customer|invoice)[ ](?:numbers?|ids?|codes?|no\.?)\b[^?\n]{0,60}\?[ \t]*\n"
    r"[^\n]{0,60}?\b(?:it['’]s|it[ ]is|that['’]s|here[ ]it[ ]is:?)[ ]+#?)"
)


class AnsweredIdRecognizer(ValidatedRecognizer):
    """UNIQUE_IDENTIFIER: the number a conversation asks for, in the answer on the next line."""

    ENTITY = "UNIQUE_IDENTIFIER"
    RULES = (
        Rule("answered", rf"{_ASKED}(?P<value>[A-Z0-9]{{1,20}}(?:-[A-Z0-9]{{1,12}}){{0,3}})(?![A-Za-z0-9])", 0.85),
    )

    def validate(self, value: str) -> bool:
        """See `business_id_shaped`."""
        return business_id_shaped(value)


RECOGNIZERS = [
    LabelledNationalNumberRecognizer,
    AnsweredIdRecognizer,
    TransactionReferenceRecognizer,
    ClaimNumberRecognizer,
    PolicyNumberRecognizer,
    HealthPolicyNumberRecognizer,
    UsernameRecognizer,
    SocialHandleRecognizer,
]
