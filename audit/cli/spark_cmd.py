"""`audit spark scan`: the same scan, run on Apache Spark (needs the `spark` extra).

Only the analysis runs on the cluster: the registry (workload profiles, the
recorded scan, violations), outputs and gate are `audit scan`'s, on the driver.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit.cli.options import JsonOpt, OutputFileOpt, alias, deprecated_option, resolve_format, scan_formats
from audit.errors import ConfigError
from audit.readers import FORMAT_CHOICES
from audit.report.formats import FORMATS

spark_app = typer.Typer(help="Run scans on Apache Spark (pip install 'llm-audit\\[spark]').", no_args_is_help=True)


@spark_app.command("scan")
def spark_scan(
    paths: Annotated[list[str], typer.Argument(help="Files or directories: local paths, s3a://, abfss://, gs://...")],
    master: Annotated[
        str | None, typer.Option(help="Spark master, e.g. local[2]; default: the active session or spark-submit's.")
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Output format of the driver's stream: as `audit scan` (default: jsonl)."),
    ] = None,
    as_json: JsonOpt = False,
    output: OutputFileOpt = None,
    deprecated_out: Annotated[str | None, deprecated_option("spark scan", "--out")] = None,
    parquet: Annotated[
        str | None,
        typer.Option(help="Also write the result rows as a Parquet table at this path (from the executors)."),
    ] = None,
    workload: Annotated[str | None, typer.Option(help="Attribute every record to this workload.")] = None,
    glob: Annotated[
        str | None, typer.Option(help="Only files whose name matches this glob (Spark pathGlobFilter).")
    ] = None,
    input_format: Annotated[
        str | None, typer.Option("--input-format", help="Force the input format (default: auto), as `audit scan`.")
    ] = None,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a decision is at least this strict.")
    ] = "redact_then_closed",
    config: Annotated[str | None, typer.Option(help="Config file.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Registry database: a file or SQLAlchemy URL.")] = None,
    registry: Annotated[
        bool | None,
        typer.Option(
            "--registry/--no-registry",
            help="Record the scan in the registry (on the driver), as `audit scan` does. "
            "Default: when --db/AUDIT_DB is set or ./llm-audit.db exists.",
        ),
    ] = None,
    manifest: Annotated[
        str | None, typer.Option("--manifest", help="Workload manifest to take workload profiles from.")
    ] = None,
) -> None:
    """Scan logs on Spark; decisions, outputs, the registry record and exit code are the same as `audit scan`."""
    try:
        from audit.distributed.runner import SparkExecutor
    except ImportError as exc:  # pyspark missing
        raise ConfigError(f"Spark support needs the spark extra: pip install 'llm-audit[spark]' ({exc.name})") from None
    from audit.api import settings_from
    from audit.cli.common import error_writer
    from audit.cli.scan import _notice_writer, _print_summary
    from audit.readers import ReadOptions
    from audit.scan_request import Output, ScanEvents, ScanRequest, run_scan

    fmt, input_format, path = scan_formats(output_format, input_format, output, FORMATS, FORMAT_CHOICES)
    path = alias(path, deprecated_out and Path(deprecated_out), "--out", "--output")
    out = Output(resolve_format(fmt, as_json, FORMATS, "jsonl"), path, "--output")
    request = ScanRequest(
        paths, [out], ReadOptions(format=input_format or "auto"), workload, fail_on,
        registry=registry, manifest=manifest,
    )  # fmt: skip
    settings = settings_from(config, db=db)
    events = ScanEvents(_notice_writer(False), error_writer(False))
    result = run_scan(request, settings, events, executor=SparkExecutor(master=master, glob=glob, parquet=parquet))
    _print_summary(result, out)
    raise typer.Exit(result.exit_code)


def register(app) -> None:
    """Add `audit spark ...`."""
    app.add_typer(spark_app, name="spark")
