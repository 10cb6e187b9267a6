"""The time budget per window, in this process: a SIGALRM timer re-armed before each slice of analysis.

Worker processes do not need it: the pool kills a worker whose slice runs
late. In this process (`--jobs 1`, the default on one CPU) nothing can be
killed, so the timer raises `OverBudget` between two Python steps instead. It
cannot stop a C loop (a regex, spaCy's tokenizer); what bounds those is that
every pattern is linear and a window is short.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class OverBudget(Exception):  # noqa: N818 - named for what happened, like TimeoutError
    """A slice of analysis ran past the time budget."""


def over_budget_reason(budget: float) -> str:
    """How an over-budget message is reported (in this process and by the worker pool alike)."""
    return f"it took longer than the {budget:g}s time budget"


@contextmanager
def time_budget(seconds: float) -> Iterator[Callable[[], None]]:
    """Yield `restart`: each call gives the code that follows `seconds` more before OverBudget is raised.

    Outside the main thread, where no signal can be delivered, or with `seconds` <= 0, there is no limit.
    """
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return

    def expire(_signum, _frame):
        raise OverBudget(over_budget_reason(seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        yield lambda: signal.setitimer(signal.ITIMER_REAL, seconds)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
