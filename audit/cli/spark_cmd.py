"""`audit spark scan`: the same scan, run on Apache Spark (needs the `spark` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit.errors import ConfigError

spark_app = typer.Typer(help="Run scans on Apache Spark (pip install 'llm-audit\\[spark]').", no_args_is_help=True)


@spark_app.command("scan")
def spark_scan(
    paths: Annotated[list[str], typer.Argument(help="Files or directories: local paths, s3a://, abfss://, gs://...")],
    master: Annotated[
        str | None, typer.Option(help="Spark master, e.g. local[2]; default: the active session or spark-submit's.")
    ] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Output format for the driver's stream.")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", help="Write the output here instead of standard output.")] = None,
    parquet: Annotated[
        str | None,
        typer.Option(help="Also write the result rows as a Parquet table at this path (from the executors)."),
    ] = None,
    workload: Annotated[str | None, typer.Option(help="Attribute every record to this workload.")] = None,
    glob: Annotated[
        str | None, typer.Option(help="Only files whose name matches this glob (Spark pathGlobFilter).")
    ] = None,
    input_format: Annotated[str, typer.Option("--format", help="Force the input format.")] = "auto",
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a decision is at least this strict.")
    ] = "redact_then_closed",
    config: Annotated[str | None, typer.Option(help="Config file.")] = None,
) -> None:
    """Scan logs on Spark; decisions, outputs and exit code are the same as `audit scan`."""
    try:
        from audit.distributed.runner import SparkExecutor
    except ImportError as exc:  # pyspark missing
        raise ConfigError(f"Spark support needs the spark extra: pip install 'llm-audit[spark]' ({exc.name})") from None
    from audit.readers import ReadOptions
    from audit.scan_request import Output, ScanRequest, run_scan
    from audit.settings import load_settings

    # not recorded in the registry: this command has no --db or --registry (yet)
    request = ScanRequest(
        paths, [Output(output, out)], ReadOptions(format=input_format), workload, fail_on, registry=False
    )
    settings = load_settings(config)
    result = run_scan(request, settings, executor=SparkExecutor(master=master, glob=glob, parquet=parquet))
    raise typer.Exit(result.exit_code)


def register(app) -> None:
    """Add `audit spark ...`."""
    app.add_typer(spark_app, name="spark")
