"""Registry, policy and report commands start without loading spaCy or Presidio (about 1.5 s of every start)."""

from __future__ import annotations

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
