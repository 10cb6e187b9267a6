"""`ahead`: the reading thread of a redaction with a worker pool hands over items in order, and its errors."""

from __future__ import annotations

import threading

import pytest

from audit.redact.run import ahead


def test_items_arrive_in_order_and_the_thread_ends():
    assert list(ahead(iter(range(50)), 3)) == list(range(50))
    assert not [t for t in threading.enumerate() if t.name == "redact-resolve"]


def test_an_error_in_the_source_is_raised_to_the_consumer():
    def source():
        yield 1
        raise OSError("disk gone")

    got = ahead(source(), 2)
    assert next(got) == 1
    with pytest.raises(OSError, match="disk gone"):
        next(got)


def test_a_consumer_that_stops_early_stops_and_closes_the_source():
    closed = []

    def source():
        try:
            yield from range(1000)
        finally:
            closed.append(True)

    got = ahead(source(), 2)
    assert next(got) == 0
    got.close()
    assert closed == [True] and not [t for t in threading.enumerate() if t.name == "redact-resolve"]
