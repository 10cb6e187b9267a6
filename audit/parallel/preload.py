"""The analysis engine, built once in the forkserver, so that every worker forked from it starts ready.

Each worker used to build its own engine after it started (spaCy and Presidio, then the
vocabularies, numbering plans and language identifier that load on first use): about 2 CPU
seconds per worker, paid again by every restarted worker, and on a 2-core machine as much
as the whole analysis of a few thousand short prompts. The forkserver imports this module
(`set_forkserver_preload`) while the main process goes on reading; the pool passes it the
scan's settings in the environment of the server's start (`settings_for_server`). Workers
forked from it share the engine's pages copy-on-write.

A server started for other settings, or one whose engine failed to build, leaves
`engine_for` None: the worker then builds its own, as before, and a build error surfaces
there as it always did.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

SETTINGS_VARIABLE = "AUDIT_FORKSERVER_SETTINGS"
MAX_SETTINGS_CHARS = 64_000  # an environment string must stay well under the kernel's 128 KiB limit

_SETTINGS_JSON = os.environ.pop(SETTINGS_VARIABLE, None)  # not inherited by anything the workers start
ENGINE = None


def _build() -> None:
    global ENGINE
    from audit.scanner.analyze import analyze_texts
    from audit.scanner.engine import WARM_UP_ENGLISH, build_engine
    from audit.settings import Settings

    settings = Settings.model_validate_json(_SETTINGS_JSON)
    engine = build_engine(settings)
    # What loads on first use loads here, once: the English texts' vocabularies, numbering plans and code
    # tables. Not the other languages' (their identifier and lists, about 1 s): until the server is done no
    # worker can start, and a log in English never needs them; a worker that meets one loads them then.
    analyze_texts(engine, settings, WARM_UP_ENGLISH)
    ENGINE = engine


if _SETTINGS_JSON:
    try:
        _build()
    except Exception:  # noqa: BLE001 - the forkserver must live on; each worker then builds and reports
        ENGINE = None


def engine_for(settings_json: str):
    """The preloaded engine when it was built for exactly these settings, else None."""
    return ENGINE if ENGINE is not None and settings_json == _SETTINGS_JSON else None


@contextlib.contextmanager
def settings_for_server(settings_json: str | None) -> Iterator[None]:
    """Put `settings_json` in the environment while a forkserver may start, and take it out again."""
    if not settings_json or len(settings_json) > MAX_SETTINGS_CHARS:
        yield
        return
    previous = os.environ.get(SETTINGS_VARIABLE)
    os.environ[SETTINGS_VARIABLE] = settings_json
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(SETTINGS_VARIABLE, None)
        else:
            os.environ[SETTINGS_VARIABLE] = previous
