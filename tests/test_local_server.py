"""scripts/local_server.py, the one way the scripts wait for a server they started: it answers
True once the server says 200, and False, without waiting out its time, when the process ended."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from local_server import KeepAliveClient, free_port, wait_until_answering


class _Late(http.server.BaseHTTPRequestHandler):
    """503 for the first two requests (a server still starting), then 200."""

    seen = 0

    def do_GET(self) -> None:
        type(self).seen += 1
        self.send_response(200 if self.seen > 2 else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_waits_until_the_server_answers_200():
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Late)
    threading.Timer(0.3, server.serve_forever).start()  # not listening yet at first: refused
    try:
        assert wait_until_answering(f"http://127.0.0.1:{port}/health", 10)
        assert _Late.seen == 3
    finally:
        server.shutdown()
        server.server_close()


def test_gives_up_when_the_server_process_ends_or_time_runs_out():
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    started = time.monotonic()
    assert not wait_until_answering(f"http://127.0.0.1:{free_port()}/", 60, process=process)
    assert time.monotonic() - started < 5
    assert not wait_until_answering(f"http://127.0.0.1:{free_port()}/", 0.3)


class _KeepAlive(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive: the path back as the body (/big: 200 KB), framed by
    Content-Length, except /chunked (no Content-Length); counts the connections it was asked on."""

    protocol_version = "HTTP/1.1"
    connections: set[int] = set()

    def do_GET(self) -> None:
        type(self).connections.add(id(self.connection))
        body = b"x" * 200_000 if self.path == "/big" else self.path.encode()
        self.send_response(404 if self.path == "/missing" else 200)
        if self.path == "/chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_the_keep_alive_client_reads_answers_one_after_another_on_one_connection():
    import pytest

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _KeepAlive)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with KeepAliveClient(f"http://127.0.0.1:{port}") as client:
            assert client.get("/search?q=kerk") == (200, b"/search?q=kerk")
            assert client.get("/missing") == (404, b"/missing")
            assert client.get("/big") == (200, b"x" * 200_000)  # more than one read
            assert client.get("/after") == (200, b"/after")
            assert len(_KeepAlive.connections) == 1
            with pytest.raises(RuntimeError, match="without Content-Length"):
                client.get("/chunked")
    finally:
        server.shutdown()
