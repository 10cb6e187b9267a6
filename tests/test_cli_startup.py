"""Registry, policy and report commands start without loading spaCy or Presidio (about 1.5 s of every start)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

PROBE = (
    "import sys, audit, audit.cli; "
    "print(sorted(m for m in ('spacy', 'presidio_analyzer', 'audit.pipeline') if m in sys.modules))"
)


def test_importing_the_cli_loads_no_nlp():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_library_api_still_loads_on_first_use():
    probe = "import audit; print(callable(audit.scan_texts), callable(audit.route), audit.Tier.STRIP.value)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "True", "strip"], done.stderr


CACHED_PROBE = """
import atexit, sys
atexit.register(lambda: print(sorted(m for m in ('spacy', 'presidio_analyzer', 'sqlalchemy', 'alembic')
                                    if m in sys.modules), file=sys.stderr))
from audit.cli import main
main(sys.argv[1:])
"""


def test_a_cached_scan_loads_no_nlp_and_no_database_layer(tmp_path):
    """A pre-commit scan whose texts are all in the span cache never loads spaCy, Presidio or SQLAlchemy."""
    log = tmp_path / "chat.jsonl"
    log.write_text(
        '{"messages": [{"role": "user", "content": "Mail jane.doe@example.com my card 4111 1111 1111 1111"}]}\n'
    )
    env = {**os.environ, "AUDIT_HOME": str(tmp_path / "home")}
    args = [sys.executable, "-c", CACHED_PROBE, "scan", str(log), "--no-registry", "-o", "jsonl", "-q"]
    cold = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    warm = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert (cold.returncode, warm.returncode) == (1, 1), cold.stderr + warm.stderr
    assert "spacy" in cold.stderr.splitlines()[-1]  # the probe can see a load
    assert warm.stderr.splitlines()[-1] == "[]"
    assert warm.stdout == cold.stdout and "**** **** **** 1111" in warm.stdout


def test_a_small_scan_starts_no_worker_process(tmp_path, monkeypatch):
    """Ten short texts are analysed and assembled in this process, whatever --jobs says."""
    import multiprocessing

    from audit.parallel import pool
    from tests.conftest import invoke

    def refuse(*_args, **_kwargs):
        raise AssertionError("a worker process was started for a small input")

    monkeypatch.setattr(pool.WorkerPool, "__init__", refuse)
    monkeypatch.setattr(multiprocessing.context.BaseContext, "Pool", refuse)
    log = tmp_path / "chat.jsonl"
    log.write_text(
        "".join(
            f'{{"messages": [{{"role": "user", "content": "ticket {i} from bob{i}@example.com"}}]}}\n'
            for i in range(10)
        )
    )
    monkeypatch.setenv("AUDIT_HOME", str(tmp_path / "home"))
    code, out, err = invoke("scan", str(log), "--no-registry", "--jobs", "2", "-o", "jsonl", "--fail-on", "never")
    assert code == 0, err
    assert len(out.splitlines()) == 10
