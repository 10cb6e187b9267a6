"""Connection limits for `audit serve`, below the ASGI app where slow clients do their harm.

uvicorn (h11) gives a connection no deadline until its first response: a client that opens a
socket and sends nothing, or sends its headers or body a byte at a time, holds it for ever. Here
each connection gets `read_timeout` seconds to deliver a whole request (headers and body), counted
from when it opens and again after each response; a client too slow is answered 408 and
disconnected. One address may hold at most `per_client` connections and the service at most
`max_connections`; a connection beyond either is closed as it opens, so half-open sockets from one
client cannot use up what the others need.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_PER_CLIENT = 32
DEFAULT_MAX_CONNECTIONS = 512


def _answer(status: str, error: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection, written straight to the socket."""
    body = b'{"error": "' + error.encode() + b'"}'
    head = f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\nconnection: close\r\nretry-after: 1\r\n"
    return head.encode() + b"content-length: %d\r\n\r\n" % len(body) + body


TIMED_OUT = _answer("408 Request Timeout", "the request was not received in time")
TOO_MANY = _answer("429 Too Many Requests", "too many connections from this address")


@dataclass(frozen=True)
class ConnectionLimits:
    """How long a client may take to send a request, and how many connections it may hold."""

    read_timeout: float = DEFAULT_READ_TIMEOUT
    per_client: int = DEFAULT_PER_CLIENT
    max_connections: int = DEFAULT_MAX_CONNECTIONS


def guarded_protocol(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """An HTTP protocol class for `uvicorn.run(http=...)` enforcing `limits`; its counts are its own."""
    open_by_client: Counter[str] = Counter()

    class GuardedH11(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _counted: str | None = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            address = self.client[0] if self.client else ""
            if open_by_client[address] >= limits.per_client or open_by_client.total() >= limits.max_connections:
                transport.write(TOO_MANY)
                transport.close()
                return
            open_by_client[address] += 1
            self._counted = address
            self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            if self._counted is not None:
                open_by_client[self._counted] -= 1
                if open_by_client[self._counted] <= 0:
                    del open_by_client[self._counted]
                self._counted = None
            super().connection_lost(exc)

        def handle_events(self) -> None:
            super().handle_events()
            cycle = self.cycle
            if cycle is not None and not cycle.more_body and not cycle.response_complete:
                self._disarm()  # the whole request is in: judging it is bounded by the time budget instead

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request on this keep-alive connection gets its own deadline

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(limits.read_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            if self.cycle is None or not self.cycle.response_started:
                self.transport.write(TIMED_OUT)
            self.transport.close()

    return GuardedH11
