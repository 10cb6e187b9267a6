"""Detection-quality evaluation: scan labelled gold texts in-process and score the findings.

The metrics are those of the project's shared scorer (shared/eval/score.py), so
`audit eval` and `score.py` print the same numbers for the same findings:

- span level (gold records with `spans`): type-agnostic P/R/F2 where a gold span
  is caught by any finding overlapping it by one character, and per coarse label;
- value level (records with `values`): recall of the values, a value being caught
  when a finding overlaps any case-insensitive occurrence of it;
- record level (records with `phi`): "HIPAA" in the record's regulations vs the label.

Nothing here reads shared/: the package must evaluate on its own.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from audit.errors import ConfigError, InputError
from audit.scanner.entities import BY_NAME

COARSE_LABELS = ("PERSON", "LOCATION", "DATE", "AGE", "PHONE", "EMAIL", "URL_IP", "ID", "FINANCIAL", "ORG", "OTHER")

# Our entity types (and the Presidio built-ins the engine can emit) -> the shared scorer's coarse labels.
# Types absent here count as OTHER, exactly as in the shared scorer.
_GROUPS: dict[str, tuple[str, ...]] = {
    "PERSON": ("PERSON",),
    "LOCATION": ("LOCATION", "US_ZIP_CODE", "ZIP_CODE", "ADDRESS", "STREET_ADDRESS", "HOSPITAL", "FACILITY"),
    "DATE": ("DATE_TIME", "DATE", "DATE_OF_BIRTH", "ADMISSION_DATE", "DISCHARGE_DATE", "DATE_OF_DEATH"),
    "AGE": ("AGE", "AGE_OVER_89"),
    "PHONE": ("PHONE_NUMBER", "FAX_NUMBER"),
    "EMAIL": ("EMAIL_ADDRESS",),
    "URL_IP": ("URL", "IP_ADDRESS", "DOMAIN_NAME"),
    "ID": (
        "US_SSN",
        "US_ITIN",
        "US_PASSPORT",
        "US_DRIVER_LICENSE",
        "US_MBI",
        "US_NPI",
        "MEDICAL_LICENSE",
        "UUID",
        "MAC_ADDRESS",
        "UK_NHS",
        "UK_NINO",
        "MEDICAL_RECORD_NUMBER",
        "DEA_NUMBER",
        "HEALTH_PLAN_ID",
        "ACCOUNT_NUMBER",
        "IMEI",
        "VIN",
        "LICENSE_PLATE",
        "CASE_NUMBER",
        "US_EIN",
        "CERTIFICATE_LICENSE_NUMBER",
        "DEVICE_ID",
        "SERIAL_NUMBER",
        "UNIQUE_IDENTIFIER",
        "CLAIM_NUMBER",
        "POLICY_NUMBER",
        "PL_PESEL",
        "DE_TAX_ID",
        "ES_NIF",
        "ES_NIE",
        "IT_FISCAL_CODE",
        "SE_PERSONNUMMER",
        "FI_PERSONAL_IDENTITY_CODE",
    ),  # fmt: skip
    "FINANCIAL": (
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_BANK_NUMBER",
        "ABA_ROUTING_NUMBER",
        "SWIFT_CODE",
        "CRYPTO",
    ),  # fmt: skip
    "ORG": ("ORGANIZATION",),
    "OTHER": ("NRP",),
}
ENTITY_TO_COARSE: dict[str, str] = {name: label for label, names in _GROUPS.items() for name in names}


def coarse_of(entity_type: str) -> str:
    """The coarse label the shared scorer gives an entity type (OTHER when it has none)."""
    return ENTITY_TO_COARSE.get(entity_type.strip().upper(), "OTHER")


@dataclass(frozen=True)
class Predicted:
    """What the scanner concluded about one gold record: message-0 findings and regulations."""

    findings: tuple[tuple[int, int, str], ...] = ()  # (start, end, entity_type), deduplicated
    regulations: frozenset[str] = frozenset()
    decision: str | None = None


# ------------------------------------------------------------------ gold


class GoldError(ConfigError):
    """A gold file that breaks the gold format: a usage error (exit 2) naming file and line."""


def load_gold(paths: list[str]) -> list[dict]:
    """Gold records from JSONL files; InputError when a file cannot be read, GoldError (a usage error, exit 2)
    naming file and line when a record is malformed."""
    records: list[dict] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as exc:
            raise InputError(f"{path}: cannot open ({exc.strerror})") from None
        for n, line in enumerate(lines, 1):
            if line.strip():
                records.append(_gold_record(path, n, line, seen))
    return records


def _gold_record(path: str, n: int, line: str, seen: dict[str, str]) -> dict:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise GoldError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
    if not isinstance(rec, dict) or not all(isinstance(rec.get(k), str) for k in ("id", "text", "source")):
        raise GoldError(f"{path}:{n}: gold record needs string 'id', 'text' and 'source'")
    if rec["id"] in seen:
        raise GoldError(f"{path}:{n}: duplicate gold id {rec['id']!r} (first in {seen[rec['id']]})")
    seen[rec["id"]] = f"{path}:{n}"
    if rec.get("spans") is not None and rec.get("values") is not None:
        raise GoldError(f"{path}:{n}: give 'spans' or 'values', not both (set the other to null or leave it out)")
    if rec.get("phi") not in (True, False, None):
        raise GoldError(f"{path}:{n}: 'phi' must be true, false or null")
    for key in ("spans", "values"):
        items = rec.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise GoldError(f"{path}:{n}: '{key}' must be a list of objects or null")
        rec[key] = [{**i, "label": _gold_label(path, n, i.get("label"))} for i in items]
    for i, span in enumerate(rec.get("spans") or []):
        start, end = span.get("start"), span.get("end")
        ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end))
        if not ints or not 0 <= start < end <= len(rec["text"]):
            raise GoldError(
                f"{path}:{n}: span {i} must have integer 0 <= start < end <= {len(rec['text'])} (the text's length)"
            )
    for i, value in enumerate(rec.get("values") or []):
        if not isinstance(value.get("value"), str) or not value["value"].strip():
            raise GoldError(f"{path}:{n}: value {i} needs a non-empty string 'value'")
    return rec


def _gold_label(path: str, n: int, label) -> str:
    """A gold label as a coarse label: coarse labels pass, our entity names ("US_SSN") map to theirs."""
    if not isinstance(label, str) or not label.strip():
        raise GoldError(f"{path}:{n}: every span and value needs a string 'label'")
    name = label.strip().upper()
    if name in COARSE_LABELS:
        return name
    if name in ENTITY_TO_COARSE or name in BY_NAME:
        return coarse_of(name)
    raise GoldError(
        f"{path}:{n}: unknown label {label!r}: use a coarse label ({', '.join(COARSE_LABELS)}) or an entity type"
    )


# ------------------------------------------------------------------ matching


def _overlaps(a: int, b: int, c: int, d: int) -> bool:
    return a < d and c < b


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    """Every case-insensitive occurrence of `value` in `text`, overlapping ones included."""
    if not value:
        return []
    return [(m.start(1), m.end(1)) for m in re.finditer("(?=(" + re.escape(value) + "))", text, re.I)]


@dataclass
class _Span:
    gold: Counter = field(default_factory=Counter)
    caught: Counter = field(default_factory=Counter)
    typed: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    found_tp: Counter = field(default_factory=Counter)
    found_typed: Counter = field(default_factory=Counter)
    records: int = 0

    def add(self, spans: list[dict], findings) -> None:
        self.records += 1
        for g in spans:
            hit = [coarse_of(t) for s, e, t in findings if _overlaps(s, e, g["start"], g["end"])]
            self.gold[g["label"]] += 1
            self.caught[g["label"]] += bool(hit)
            self.typed[g["label"]] += g["label"] in hit
        for s, e, t in findings:
            hit = [g["label"] for g in spans if _overlaps(s, e, g["start"], g["end"])]
            self.found[coarse_of(t)] += 1
            self.found_tp[coarse_of(t)] += bool(hit)
            self.found_typed[coarse_of(t)] += coarse_of(t) in hit

    def result(self) -> dict:
        found, tp, gold, caught = (sum(c.values()) for c in (self.found, self.found_tp, self.gold, self.caught))
        p, r = ratio(tp, found), ratio(caught, gold)
        labels = {}
        for lab in sorted(set(self.gold) | set(self.found), key=_label_order):
            lp, lr = ratio(self.found_typed[lab], self.found[lab]), ratio(self.typed[lab], self.gold[lab])
            labels[lab] = {
                "support": self.gold[lab],
                "recall_any_type": ratio(self.caught[lab], self.gold[lab]),
                "recall": lr,
                "predicted": self.found[lab],
                "precision": lp,
                "f2": fbeta(lp, lr, 2),
            }
        return {
            "records": self.records,
            "gold_spans": gold,
            "caught": caught,
            "findings": found,
            "false_positives": found - tp,
            "precision": p,
            "recall": r,
            "f2": fbeta(p, r, 2),
            "by_label": labels,
        }


@dataclass
class _Value:
    total: Counter = field(default_factory=Counter)
    unfindable: Counter = field(default_factory=Counter)
    caught: Counter = field(default_factory=Counter)
    typed: Counter = field(default_factory=Counter)
    records: int = 0

    def add(self, text: str, values: list[dict], findings) -> None:
        self.records += 1
        for v in values:
            lab, occ = v["label"], occurrences(text, v["value"])
            self.total[lab] += 1
            if not occ:
                self.unfindable[lab] += 1
                continue
            hit = [coarse_of(t) for s, e, t in findings for a, b in occ if _overlaps(s, e, a, b)]
            self.caught[lab] += bool(hit)
            self.typed[lab] += lab in hit

    @staticmethod
    def _row(total: int, unfindable: int, caught: int, typed: int) -> dict:
        findable = total - unfindable
        return {
            "values": total,
            "unfindable": unfindable,
            "findable": findable,
            "caught": caught,
            "recall": ratio(caught, findable),
            "typed_caught": typed,
            "typed_recall": ratio(typed, findable),
        }

    def result(self) -> dict:
        out = self._row(*(sum(c.values()) for c in (self.total, self.unfindable, self.caught, self.typed)))
        out["records"] = self.records
        out["by_label"] = {
            lab: self._row(self.total[lab], self.unfindable[lab], self.caught[lab], self.typed[lab])
            for lab in sorted(self.total, key=_label_order)
        }
        return out


@dataclass
class _Records:
    cells: Counter = field(default_factory=Counter)

    def add(self, gold: bool, pred: bool) -> None:
        self.cells[
            {(True, True): "tp", (True, False): "fn", (False, True): "fp", (False, False): "tn"}[gold, pred]
        ] += 1

    def result(self) -> dict:
        tp, fp, fn, tn = (self.cells[k] for k in ("tp", "fp", "fn", "tn"))
        p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
        return {
            "records": tp + fp + fn + tn,
            "positives": tp + fn,
            "negatives": fp + tn,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": tn,
            "precision": p,
            "recall": r,
            "f1": fbeta(p, r, 1),
            "false_positive_rate": ratio(fp, fp + tn),
        }


@dataclass
class _Coverage:
    records: int = 0
    with_finding: int = 0
    findings: int = 0
    decisions: Counter = field(default_factory=Counter)

    def add(self, predicted: Predicted | None) -> None:
        n = len(predicted.findings) if predicted else 0
        self.records += 1
        self.findings += n
        self.with_finding += n > 0
        self.decisions[predicted.decision if predicted and predicted.decision else "(no line)"] += 1

    def result(self) -> dict:
        return {
            "records": self.records,
            "with_finding": self.with_finding,
            "share_with_finding": ratio(self.with_finding, self.records),
            "findings_per_record": ratio(self.findings, self.records),
            "decisions": dict(self.decisions.most_common()),
        }


def ratio(num: int, den: int) -> float | None:
    """num/den, or None when there is nothing to divide by."""
    return num / den if den else None


def fbeta(p: float | None, r: float | None, beta: float) -> float | None:
    """The F-beta score of a precision and a recall (None when either is undefined)."""
    if p is None or r is None:
        return None
    if p == 0 and r == 0:
        return 0.0
    return (1 + beta * beta) * p * r / (beta * beta * p + r)


def _label_order(label: str) -> tuple:
    return (COARSE_LABELS.index(label) if label in COARSE_LABELS else len(COARSE_LABELS), label)


def score(gold: list[dict], predicted: dict[str, Predicted]) -> dict:
    """Span, value, record and coverage metrics per gold source and overall ("ALL")."""
    span, value, rec, cov = defaultdict(_Span), defaultdict(_Value), defaultdict(_Records), defaultdict(_Coverage)
    types: Counter = Counter()
    for r in gold:
        p = predicted.get(r["id"])
        findings = p.findings if p else ()
        types.update(t for _, _, t in findings)
        for key in (r["source"], "ALL"):
            cov[key].add(p)
            if r.get("spans") is not None:
                span[key].add(r["spans"], findings)
            if r.get("values") is not None:
                value[key].add(r["text"], r["values"], findings)
            if r.get("phi") is not None:
                rec[key].add(bool(r["phi"]), "HIPAA" in (p.regulations if p else ()))

    def ordered(d: dict) -> dict:
        return {k: d[k].result() for k in sorted(d, key=lambda k: (k == "ALL", list(d).index(k)))}

    return {
        "inputs": {
            "gold_records": len(gold),
            "gold_sources": dict(Counter(r["source"] for r in gold)),
            "entity_types": dict(types.most_common()),
            "entity_types_unmapped_to_OTHER": {t: n for t, n in types.items() if t.upper() not in ENTITY_TO_COARSE},
        },
        "span": ordered(span),
        "value": ordered(value),
        "record": ordered(rec),
        "coverage": ordered(cov),
    }


# ------------------------------------------------------------------ running


def scan_gold(gold: list[dict], settings, context=None, progress=None) -> dict[str, Predicted]:
    """Scan each gold text as a one-message record through the real pipeline, in-process.

    `context` is a ready ScanContext (tests share one); by default one is built from `settings`.
    `progress(done, rate)` is called as records finish.
    """
    from audit.model import Message, Record
    from audit.pipeline import build_context, scan_records
    from audit.summary import ScanSummary

    ctx = context or build_context(settings)
    records = [Record("<gold>", r["id"], n, (Message(0, "user", r["text"]),)) for n, r in enumerate(gold, 1)]
    out: dict[str, Predicted] = {}
    started = time.monotonic()
    for result in scan_records(ctx, records, ScanSummary()):
        if progress is not None:
            progress(len(out) + 1, (len(out) + 1) / max(time.monotonic() - started, 1e-6))
        found = {(f.start, f.end, f.entity_type) for f in result.identifiers if f.message == 0 and f.end > f.start}
        out[result.record_id] = Predicted(
            findings=tuple(sorted(found)),
            regulations=frozenset(r.upper() for r in result.evaluation.regulations),
            decision=result.decision.value if result.has_output else None,
        )
    return out


def evaluate(paths: list[str], settings, context=None, progress=None) -> dict:
    """Load gold files, scan their texts with `settings` (or a ready `context`), and score the findings."""
    gold = load_gold(paths)
    return score(gold, scan_gold(gold, settings, context, progress))


@dataclass(frozen=True)
class Thresholds:
    """Minimums a run must meet; None skips a check."""

    min_f2: float | None = None  # overall span F2 (type-agnostic)
    min_recall: float | None = None  # overall span recall and overall value recall
    min_hipaa_recall: float | None = None  # overall record-level HIPAA recall


def threshold_failures(result: dict, limits: Thresholds) -> list[str]:
    """One line per missed threshold, and per threshold asked for that the gold cannot measure (no spans, no
    values, no PHI records): a gate that cannot be computed fails rather than passes."""
    checks = [
        ("span F2", limits.min_f2, result["span"].get("ALL", {}).get("f2")),
        ("span recall", limits.min_recall, result["span"].get("ALL", {}).get("recall")),
        ("value recall", limits.min_recall, result["value"].get("ALL", {}).get("recall")),
        ("HIPAA record recall", limits.min_hipaa_recall, result["record"].get("ALL", {}).get("recall")),
    ]
    failures = [
        f"{name} {actual:.3f} is below {minimum:.3f}"
        for name, minimum, actual in checks
        if minimum is not None and actual is not None and actual < minimum
    ]
    if limits.min_recall is not None and checks[1][2] is None and checks[2][2] is None:
        failures.append("span and value recall cannot be computed: the gold has no spans or values")
    failures += [
        f"{name} cannot be computed: {why}"
        for (name, minimum, actual), why in zip(
            (checks[0], checks[3]), ("the gold has no spans", "the gold has no records with phi true"), strict=True
        )
        if minimum is not None and actual is None
    ]
    return failures
