"""A server a script starts on loopback: a free port to put it on, waiting until it answers, and
a lean client for timing it.

One way for every script that starts one (audit.py, bench_subscribers.py, screenshots.py, ...):
run as ``python scripts/<name>.py``, Python puts scripts/ first on the path, so they import it as
``from local_server import free_port, wait_until_answering``.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from typing import Any
from urllib.parse import urlsplit

import httpx


def free_port() -> int:
    """A loopback port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(url: str, seconds: float, *, process: subprocess.Popen[Any] | None = None,
                         interval: float = 0.05, request_timeout: float = 1.0) -> bool:
    """True as soon as ``GET url`` answers 200 (redirects followed); False when ``seconds`` have
    passed or the server's ``process`` has ended first (what then happens is the caller's choice)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        try:
            if httpx.get(url, timeout=request_timeout, follow_redirects=True).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    return False


class KeepAliveClient:
    """GET over one HTTP/1.1 connection, reading answers framed by Content-Length (what the API
    sends); anything else is an error, so a change of framing cannot go unnoticed."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host = parts.netloc
        self._socket = socket.create_connection((parts.hostname, parts.port or 80), timeout=10)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def __enter__(self) -> KeepAliveClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._socket.close()

    def get(self, path: str) -> tuple[int, bytes]:
        self._socket.sendall(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        while b"\r\n\r\n" not in self._buffer:
            self._read()
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = re.search(rb"\r\ncontent-length: *(\d+)", head, re.IGNORECASE)
        if length is None:
            raise RuntimeError(f"answer without Content-Length: {head[:300]!r}")
        size = int(length.group(1))
        while len(self._buffer) < size:
            self._read()
        body, self._buffer = self._buffer[:size], self._buffer[size:]
        return status, body

    def _read(self) -> None:
        chunk = self._socket.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk
