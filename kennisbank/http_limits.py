"""Limits for the preview server's HTTP layer (uvicorn), so slow or many clients cannot pin it.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) and refuses work above
``limit_concurrency`` with 503, but it has no timeout for a request whose headers never finish:
300 clients sending one header byte a minute would hold 300 connections forever. The protocol
below closes a connection whose request line and headers are not complete within
:data:`HEADER_TIMEOUT_SECONDS` of the connection opening (or of the request's first byte).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import FrameType
from typing import Any, cast

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT_SECONDS = 10.0  # request line + headers must arrive within this
KEEP_ALIVE_SECONDS = 5  # idle keep-alive connections are closed after this
MAX_CONCURRENCY = 100  # connections + tasks at once; above it uvicorn answers 503
MAX_HEADER_BYTES = 64 * 1024  # httptools refuses larger request heads (431/400)
SHUTDOWN_SECONDS = 0.5  # Ctrl+C: open requests (a live-reload poll waits 25 s) are cut after this: serve stops within 2 s
# uvicorn annotates the grace period as int, but waits for it with asyncio, which takes a float
SHUTDOWN_WAIT = cast(int, SHUTDOWN_SECONDS)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """httptools protocol that drops connections whose request head is too slow to arrive."""

    header_timeout: float = HEADER_TIMEOUT_SECONDS

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer: asyncio.TimerHandle | None = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm_header_timer(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def with_header_timeout(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class with another header timeout (tests use a short one)."""
    return type("HeaderTimeoutProtocol", (HeaderTimeoutProtocol,), {"header_timeout": seconds})


def server_config(app: Any, host: str, port: int, header_timeout: float = HEADER_TIMEOUT_SECONDS) -> Any:
    """The uvicorn configuration `kennisbank serve` runs with: every limit above applied."""
    return uvicorn.Config(app, host=host, port=port, log_level="warning", http=with_header_timeout(header_timeout),
                          timeout_keep_alive=KEEP_ALIVE_SECONDS, limit_concurrency=MAX_CONCURRENCY,
                          h11_max_incomplete_event_size=MAX_HEADER_BYTES, timeout_graceful_shutdown=SHUTDOWN_WAIT)


class PreviewServer(uvicorn.Server):
    """uvicorn's server that also tells the app when SIGINT or SIGTERM arrives (``on_stop``), so
    it can answer its long-polling requests at once: a request still open after
    :data:`SHUTDOWN_SECONDS` is cancelled, which uvicorn logs as an error with a traceback."""

    def __init__(self, config: uvicorn.Config, on_stop: Callable[[], None]):
        super().__init__(config)
        self.on_stop = on_stop

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self.on_stop()
