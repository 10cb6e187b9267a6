"""`audit eval`: scan labelled gold texts and print detection quality; exit 1 below a threshold."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from audit import api, evaluation
from audit.cli.common import progress_for
from audit.cli.options import JsonOpt, resolve_format
from audit.errors import EXIT_FINDINGS, EXIT_OK


def eval_command(
    gold: Annotated[list[str], typer.Argument(help="Gold JSONL files, one record a line (format below).")],
    min_f2: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Exit 1 when overall span F2 is below this (0-1).")
    ] = None,
    min_recall: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Exit 1 when overall span recall or value recall is below this (0-1)."),
    ] = None,
    min_hipaa_recall: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Exit 1 when record-level HIPAA recall is below this (0-1).")
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Output format: table or json (one object, every number; default: table)."),
    ] = None,
    as_json: JsonOpt = False,
    spacy_model: Annotated[str | None, typer.Option(help="spaCy pipeline to use.")] = None,
    config: Annotated[str | None, typer.Option(help="Config file (default: ./audit.toml).")] = None,
) -> int:
    """Score detection on labelled gold texts (span P/R/F2, value recall, HIPAA record P/R/FPR).

    Each line of a gold file is one JSON object: "id" and "source" (strings), "text" (the message),
    exactly one of "spans" ([{"start", "end", "label"}], end-exclusive character offsets into text) or
    "values" ([{"value", "label"}], found anywhere in text), and "phi" (true, false or null: whether
    the record is PHI, for the HIPAA record-level figures). A label is a coarse label (PERSON,
    LOCATION, DATE, AGE, PHONE, EMAIL, URL_IP, ID, FINANCIAL, ORG, OTHER) or one of the entity types
    in the README ("US_SSN", "MEDICAL_RECORD_NUMBER"), which counts as its coarse label. Every figure,
    printed or taken as a threshold, is a fraction from 0 to 1.
    """
    as_json = resolve_format(output_format, as_json, ("table", "json"), "table") == "json"
    settings = api.settings_from(config, spacy_model=spacy_model, cache=False)
    with progress_for(as_json) as progress:
        result = evaluation.evaluate(gold, settings, progress=progress)
    failures = evaluation.threshold_failures(result, evaluation.Thresholds(min_f2, min_recall, min_hipaa_recall))
    if as_json:
        typer.echo(json.dumps({**result, "threshold_failures": failures}, indent=1))
    else:
        typer.echo(render(result))
        for line in failures:
            typer.echo(f"FAIL: {line}", err=True)
    return EXIT_FINDINGS if failures else EXIT_OK


def register(app) -> None:
    """Add `audit eval` to the root app."""
    app.command("eval")(eval_command)


def _num(x: float | None, digits: int = 3) -> str:
    """A figure as printed: fractions in the unit thresholds take (0-1), three decimals."""
    if x is None:
        return "-"
    return f"{x:.{digits}f}"


def _table(headers: list[str], rows: list[list]) -> str:
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]

    def line(cells) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows), ""])


def render(res: dict) -> str:
    """The metrics as the shared scorer prints them: span, typed span, value, record, coverage tables."""
    out = [f"Gold: {res['inputs']['gold_records']} records", ""]
    if res["span"]:
        out.append("== Span level, type-agnostic (a finding overlapping a gold span by >=1 char) ==")
        rows = [
            [k, v["records"], v["gold_spans"], v["caught"], v["findings"], v["false_positives"]]
            + [_num(v[m]) for m in ("precision", "recall", "f2")]
            for k, v in res["span"].items()
        ]
        out.append(_table(["source", "records", "gold", "caught", "findings", "FP", "P", "R", "F2"], rows))
        out.append("== Span level, typed (overlap and same coarse label) ==")
        rows = [
            [f"{k} / {lab}", m["support"], _num(m["recall_any_type"]), _num(m["recall"]), m["predicted"]]
            + [_num(m["precision"]), _num(m["f2"])]
            for k, v in res["span"].items()
            for lab, m in v["by_label"].items()
        ]
        out.append(_table(["source / label", "support", "R any", "R typed", "predicted", "P typed", "F2 typed"], rows))
    if res["value"]:
        out.append("== Value level (a finding overlapping a case-insensitive occurrence of the value) ==")
        rows = []
        for k, v in res["value"].items():
            for name, m in [(f"{k} (all)", v), *((f"  {k} / {lab}", m) for lab, m in v["by_label"].items())]:
                rows.append([name, m["values"], m["unfindable"], m["findable"], m["caught"]])
                rows[-1] += [_num(m["recall"]), _num(m["typed_recall"])]
        out.append(_table(["source / label", "values", "unfindable", "findable", "caught", "R", "R typed"], rows))
    if res["record"]:
        out.append('== Record level ("HIPAA" in regulations vs gold phi) ==')
        keys = ("records", "positives", "negatives", "tp", "fp", "fn", "tn")
        rows = [
            [k, *(v[c] for c in keys), *(_num(v[m]) for m in ("precision", "recall", "f1", "false_positive_rate"))]
            for k, v in res["record"].items()
        ]
        out.append(_table(["source", "records", "pos", "neg", "TP", "FP", "FN", "TN", "P", "R", "F1", "FPR"], rows))
    out.append("== Coverage ==")
    rows = [
        [k, v["records"], v["with_finding"], _num(v["share_with_finding"]), _num(v["findings_per_record"], 2)]
        + [", ".join(f"{d} {n}" for d, n in v["decisions"].items())]
        for k, v in res["coverage"].items()
    ]
    out.append(_table(["source", "records", "with finding", "share", "findings/record", "decisions"], rows))
    return "\n".join(out)
