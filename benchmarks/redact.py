"""Redaction quality on real clinical notes: residual PHI, utility, and the scanner's recall beside them.

    .venv/bin/python benchmarks/redact.py [--gold ../shared/eval/dev/physionet-deid.jsonl] [--limit N]
                                          [--mode surrogate|mask] [--jobs 1] [--json]

Each gold note becomes one chat record (as `to_chat.py` writes it); `audit.redact.redact_paths` writes its
redacted copy, as `audit redact` does; the copy is aligned with the note (difflib), and:

- **residual rate**: gold PHI spans whose text is still in the output note verbatim (anywhere in it),
  and the stricter-to-pass "unchanged in place" (every character of the span survives where it was);
- **utility**: the share of non-PHI characters (outside every gold span) left unchanged (target >= 95%);
- **scanner recall**: gold spans overlapped by an identifier the scanner reports (type-agnostic, as score.py).

A gold value short enough to occur by chance elsewhere in the note (a "7/22" twice) counts as residual when
any copy of it survives: the residual rate is an upper bound.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO.parent / "shared" / "eval" / "dev" / "physionet-deid.jsonl"


def main(argv: list[str] | None = None) -> int:
    """Print the residual rate, the utility and the scanner's recall; exit 0."""
    args = _parser().parse_args(argv)
    sys.path.insert(0, str(REPO))
    notes = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    notes = notes[: args.limit] if args.limit else notes
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        redacted, recall = _run(notes, Path(tmp), args)
        seconds = time.monotonic() - started
    figures = {
        "notes": len(notes),
        "mode": args.mode,
        "seconds": round(seconds, 1),
        **_score(notes, redacted),
        **recall,
    }
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for key, value in figures.items():
            print(f"{key:28} {value}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--limit", type=int, default=0, help="only the first N notes (0: all)")
    parser.add_argument("--mode", default="surrogate", choices=("surrogate", "mask"))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    return parser


def _run(notes: list[dict], tmp: Path, args) -> tuple[dict[str, str], dict]:
    from audit import api
    from audit.batch import analyze_unique
    from audit.pipeline import build_context
    from audit.redact import RedactOptions, redact_paths

    src = tmp / "notes.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for n in notes:
            fh.write(json.dumps({"id": n["id"], "messages": [{"role": "user", "content": n["text"]}]}) + "\n")
    settings = api.settings_from(None, jobs=args.jobs, cache=False)
    ctx = build_context(settings)
    spans = analyze_unique(ctx, [n["text"] for n in notes])  # the redaction below reuses them (the run's memo)
    options = RedactOptions(out_dir=tmp / "out", mode=args.mode, registry=False)
    report = redact_paths([str(src)], options, settings, context=ctx)
    out = [json.loads(line) for line in (tmp / "out" / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    redacted = {r["id"]: r["messages"][0]["content"] for r in out}
    caught = total = 0
    for n in notes:
        found = [s for s in spans[ctx.key(n["text"])] if s.kind == "identifier"]
        for g in n["spans"] or []:
            total += 1
            caught += any(s.start < g["end"] and g["start"] < s.end for s in found)
    recall = {"scanner recall": round(caught / total, 4) if total else None, "replacements": report.replacements}
    return redacted, recall


def _score(notes: list[dict], redacted: dict[str, str]) -> dict:
    spans = anywhere = in_place = 0
    other = kept = 0
    for n in notes:
        text, new = n["text"], redacted[n["id"]]
        unchanged = _unchanged(text, new)
        phi = [False] * len(text)
        for g in n["spans"] or []:
            spans += 1
            anywhere += text[g["start"] : g["end"]] in new
            in_place += all(unchanged[g["start"] : g["end"]])
            phi[g["start"] : g["end"]] = [True] * (g["end"] - g["start"])
        for i, is_phi in enumerate(phi):
            if not is_phi and not text[i].isspace():
                other += 1
                kept += unchanged[i]
    return {
        "gold PHI spans": spans,
        "residual (verbatim anywhere)": round(anywhere / spans, 4) if spans else None,
        "residual (unchanged in place)": round(in_place / spans, 4) if spans else None,
        "utility (non-PHI unchanged)": round(kept / other, 4) if other else None,
    }


def _unchanged(old: str, new: str) -> list[bool]:
    """For each character of `old`, whether it survives unchanged in `new` (difflib's matching blocks)."""
    keep = [False] * len(old)
    for block in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        keep[block.a : block.a + block.size] = [True] * block.size
    return keep


if __name__ == "__main__":
    sys.exit(main())
