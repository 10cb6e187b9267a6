"""A 1 MB ordinary prompt through the real CLI: scanned whole, in windows, with the default budget.

Its name and SSN come last, after a megabyte of nothing: one budget for the whole
message used to cut it off ("longer than the 10s time budget", exit 3) and lose them.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from tests.conftest import run_cli

SENTENCES = [
    "Please review the following section of our onboarding guide and suggest clearer wording.",
    "The build fails when the cache directory is missing, so we create it before the first run.",
    "Each request is retried three times with exponential backoff before we give up.",
    "Summarise the trade-offs between a queue and a scheduled batch job for this workload.",
    "The recipe calls for two cups of flour, a pinch of salt and some butter.",
    "We measured latency under load and the p99 stayed under two hundred milliseconds.",
    "def parse(line):\n    return [field.strip() for field in line.split(',')]\n",
    "Translate the error message into something a user can act on.",
]
TAIL = " My name is Mary Jones and my SSN is 123-45-6789."


def ordinary_prompt(size: int) -> str:
    """About `size` characters of ordinary prompt text, then a name and an SSN."""
    rng = random.Random(16)
    parts, n = [], 0
    while n < size:
        parts.append(rng.choice(SENTENCES))
        n += len(parts[-1]) + 1
    return " ".join(parts) + TAIL


@pytest.mark.parametrize("jobs", [["--jobs", "1"], []], ids=["jobs-1", "default-jobs"])
def test_a_megabyte_prompt_is_scanned_to_its_last_line(tmp_path, jobs):
    text = ordinary_prompt(1_000_000)
    log = tmp_path / "big.jsonl"
    log.write_text(json.dumps({"messages": [{"role": "user", "content": text}]}) + "\n")
    started = time.monotonic()
    proc = run_cli("scan", str(log), "-o", "jsonl", "--no-registry", "--fail-on", "never", *jobs, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "time budget" not in err and "not scanned" not in err
    (record,) = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    found = {(f["entity_type"], f["start"]) for f in record["findings"]}
    assert ("US_SSN", len(text) - 12) in found
    assert ("PERSON", text.index("Mary Jones")) in found
    print(f"1 MB prompt, jobs {jobs or 'default'}: {time.monotonic() - started:.1f}s")
