"""`kennisbank serve` stops promptly and cleanly on Ctrl+C (SIGINT) or SIGTERM, even while a
browser tab holds a live-reload poll open (the poll waits up to 25 s for a change): the poll is
answered, no traceback or error is logged, "stopped" is printed and the exit code is 0."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from site_helpers import copy_repository


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def root(tmp_path_factory, sample_root) -> Path:
    """One repository copy for the module: the first server builds it, the second reuses the build."""
    return copy_repository(sample_root, tmp_path_factory.mktemp("shutdown") / "repo")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_ends_serve_cleanly_and_promptly_with_a_live_reload_poll_open(root, tmp_path, stop):
    from kennisbank.http_limits import SHUTDOWN_SECONDS
    from kennisbank.serve import RELOAD_PATH

    assert SHUTDOWN_SECONDS < 2
    port = free_port()
    log = tmp_path / "stderr.txt"
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "kennisbank.cli", "--root", str(root), "serve",
                                    "--port", str(port)], stdout=subprocess.DEVNULL, stderr=stderr)
    answers: list[httpx.Response] = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        version = httpx.get(f"{base}{RELOAD_PATH}", timeout=5).json()["version"]
        poll = threading.Thread(target=lambda: answers.append(
            httpx.get(f"{base}{RELOAD_PATH}?since={version}", timeout=30)), daemon=True)
        poll.start()
        time.sleep(0.5)  # the poll is now waiting on the server
        process.send_signal(stop)
        stopped = time.monotonic()
        process.wait(timeout=10)
        took = time.monotonic() - stopped
        poll.join(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
    # 2 s on a quiet machine (measured ~1 s); the bound leaves slack for a loaded CI machine but
    # fails when a live-reload poll holds the shutdown (it would wait up to 25 s)
    assert took < 6, f"serve needed {took:.1f} s to stop"
    output = log.read_text(encoding="utf-8")
    assert process.returncode == 0, output
    assert output.rstrip().splitlines()[-1] == f"stopped ({stop.name})"
    for noise in ("Traceback", "CancelledError", "ERROR", "Aborted"):
        assert noise not in output, output
    # the waiting poll was answered (same version: nothing changed), not cut off
    assert [a.status_code for a in answers] == [200] and answers[0].json()["version"] == version
