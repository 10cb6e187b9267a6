"""The scan assembly through the library: a ScanRequest in, a ScanResult (exit code included) out.

A stub executor stands in for the analysis, so these tests load no model: the
assembly (outputs, gate, notices) is the same whichever executor produced the results.
"""

from __future__ import annotations

import ast
import json
from contextlib import contextmanager
from pathlib import Path

import pytest

import audit
from audit.errors import ConfigError
from audit.executor import Execution
from audit.model import Evaluation, ReadError, RecordResult, RuleHit, Tier
from audit.readers import ReadOptions
from audit.scan_request import Output, ScanEvents, ScanRequest, run_scan
from audit.settings import Settings
from audit.summary import readable


class StubExecutor:
    """Yields the given items (results and unreadable records) as an executor would."""

    def __init__(self, items) -> None:
        self.items = items
        self.jobs = []

    @contextmanager
    def run(self, job, summary):
        self.jobs.append(job)

        def counted():
            for result in readable(self.items, summary, job.on_error):
                summary.add(result)
                yield result

        yield Execution(None, counted())


def _result(record_id: str, tier: Tier, workload: str | None = None) -> RecordResult:
    rules = () if tier is Tier.UNRESTRICTED else (RuleHit("test", "rule", "GDPR", "art. 9", tier),)
    return RecordResult("chat.jsonl", record_id, int(record_id), workload, (), Evaluation(tier, ("GDPR",), rules))


def _scan(tmp_path, items, **request) -> tuple:
    out = tmp_path / "out.jsonl"
    req = ScanRequest(["chat.jsonl"], [Output("jsonl", out)], registry=False, **request)
    executor = StubExecutor(items)
    return run_scan(req, Settings(), executor=executor), out, executor


@pytest.mark.parametrize(
    ("tier", "fail_on", "code"),
    [
        (Tier.SELF_HOSTED, "redact_then_closed", 1),
        (Tier.REDACT_THEN_CLOSED, "redact_then_closed", 1),
        (Tier.REDACT_THEN_CLOSED, "self_hosted", 0),
        (Tier.STRIP, "never", 0),
        (Tier.UNRESTRICTED, "strip", 0),
    ],
)
def test_the_library_decides_the_exit_code(tmp_path, tier, fail_on, code):
    result, _, _ = _scan(tmp_path, [_result("1", Tier.UNRESTRICTED), _result("2", tier)], fail_on=fail_on)
    assert result.exit_code == code
    assert result.outcome.strictest == tier
    assert result.summary.records_read == 2


def test_an_unreadable_record_is_exit_3_whatever_the_gate(tmp_path):
    seen = []
    items = [_result("1", Tier.UNRESTRICTED), ReadError("chat.jsonl", 2, "invalid JSON")]
    req = ScanRequest(["chat.jsonl"], [Output("jsonl", tmp_path / "o.jsonl")], fail_on="never", registry=False)
    result = run_scan(req, Settings(), ScanEvents(on_error=seen.append), executor=StubExecutor(items))
    assert result.exit_code == 3
    assert [e.line for e in seen] == [2] and result.summary.records_skipped == 1


def test_every_output_gets_the_results_and_files_are_written_whole(tmp_path):
    sarif = tmp_path / "out.sarif"
    req = ScanRequest(
        ["chat.jsonl"],
        [Output("jsonl", tmp_path / "out.jsonl"), Output("sarif", sarif, "--sarif")],
        registry=False,
        workload="billing",
    )
    executor = StubExecutor([_result("1", Tier.SELF_HOSTED)])
    run_scan(req, Settings(), executor=executor)
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["record"] for row in rows] == ["1"]
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert executor.jobs[0].workload == "billing" and executor.jobs[0].paths == ["chat.jsonl"]


def test_an_output_that_is_an_input_is_refused_before_scanning(tmp_path):
    log = tmp_path / "chat.jsonl"
    log.write_text("{}\n")
    executor = StubExecutor([])
    req = ScanRequest([str(log)], [Output("jsonl", log)], registry=False)
    with pytest.raises(ConfigError, match="--out .* is also an input"):
        run_scan(req, Settings(), executor=executor)
    assert executor.jobs == []


@pytest.mark.parametrize(
    ("request_args", "message"),
    [
        ({"outputs": [Output("yaml")]}, "unknown output format 'yaml'; choose from table, jsonl"),
        ({"fail_on": "unrestricted"}, "--fail-on must be one of strip, self_hosted"),
    ],
)
def test_a_bad_request_is_a_config_error(request_args, message):
    with pytest.raises(ConfigError, match=message):
        ScanRequest(["x"], options=ReadOptions(), **request_args)


def test_library_modules_never_import_the_cli():
    """Not even inside a function: the CLI is a shell over the library, never the other way round."""
    root = Path(audit.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "cli" in path.relative_to(root).parts[:1] or path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n == "audit.cli" or n.startswith("audit.cli.") for n in names):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
