"""A server a script starts on loopback: a free port to put it on, and waiting until it answers.

One way for every script that starts one (audit.py, bench_subscribers.py, screenshots.py, ...):
run as ``python scripts/<name>.py``, Python puts scripts/ first on the path, so they import it as
``from local_server import free_port, wait_until_answering``.
"""

from __future__ import annotations

import socket
import subprocess
import time
from typing import Any

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
