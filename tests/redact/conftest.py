"""Shared by the redaction tests: a scan context on the session engine, in this process, and planted values."""

from __future__ import annotations

import pytest

# Values planted in the fixtures: none may appear in any output, log, registry or temporary file.
PLANTED = (
    "Maria Delgado-Reyes",
    "Delgado",
    "00482913",
    "XKM884512377",
    "201-4477",
    "maria.delgado@example.com",
    "4111-1111-1111-1111",
    "4111111111111111",
    "Jonathan Pike",
    "sk-proj-4f9Qx2LmZ8vT1nR7bK3wY6pJ0hD5sA9cE2uG8iO",
)
CHAT_TURN = (
    "Hi, I'm Maria Delgado-Reyes, DOB 03/12/1984. My MRN is 00482913 and my member ID is XKM884512377. "
    "Call me back at (555) 201-4477 or maria.delgado@example.com."
)
CARD_TURN = "Customer paid with card 4111-1111-1111-1111, CVV 737, expiring soon."
KEY_TURN = 'Why 401? api_key = "sk-proj-4f9Qx2LmZ8vT1nR7bK3wY6pJ0hD5sA9cE2uG8iO" in config'
OTHER_PERSON = "Card holder: Jonathan Pike, MRN 00733104, called about a refill."


@pytest.fixture
def redact_context(engine, settings, tmp_path):
    """A ScanContext on the session engine, one job (no worker pool), no persistent cache."""
    from audit import policy
    from audit.fingerprint import load_secret
    from audit.pipeline import ScanContext

    one_job = settings.model_copy(update={"jobs": 1, "cache": False})
    return ScanContext(
        settings=one_job, engine=engine, policy_set=policy.load_policy_set(one_job), secret=load_secret(tmp_path)
    )


@pytest.fixture
def redact(redact_context, tmp_path):
    """redact(paths, **options) -> (report, out_dir), in this process."""
    from audit.redact import RedactOptions, redact_paths

    def run(paths, errors=None, **options):
        out = options.pop("out_dir", tmp_path / "out")
        opts = RedactOptions(out_dir=out, registry=False, **options)
        report = redact_paths([str(p) for p in paths], opts, redact_context.settings, errors, redact_context)
        return report, out

    return run
