"""The preview server against a hostile visitor or network: bounded inputs, no path probing,
no DNS rebinding, no connections held open by slow headers. Real uvicorn on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from site_helpers import built_sample


@contextmanager
def running(config: uvicorn.Config) -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def out(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root)


def app_for(out: Path, sample_root: Path, **options):
    from kennisbank.serve import create_app

    return create_app(sample_root, out, watch=False, report=lambda message: None, **options)


@pytest.fixture(scope="module")
def base(out, sample_root) -> Iterator[str]:
    config = uvicorn.Config(app_for(out, sample_root), log_level="warning", lifespan="off")
    with running(config) as port:
        yield f"http://127.0.0.1:{port}"


def raw_get(base: str, target: str, host: str = "127.0.0.1") -> bytes:
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    return reply.split(b"\r\n", 1)[0]


def test_a_huge_since_is_a_400_not_a_500(base):
    reply = httpx.get(base + "/__livereload", params={"since": "9" * 5000})
    assert reply.status_code == 400 and "since" in reply.json()["error"]
    assert httpx.get(base + "/__livereload", params={"since": "-1x"}).status_code == 400


@pytest.mark.parametrize("target", ["/../../../../root", "/../../../../etc", "/../../../../geen-map-hier",
                                    "/%2e%2e/%2e%2e/%2e%2e/root", "/nieuws/../../../../root"])
def test_paths_outside_the_site_all_answer_404_whether_or_not_they_exist(base, target):
    assert raw_get(base, target).split(b" ")[1] == b"404"


def test_a_directory_inside_the_site_still_redirects(base):
    assert raw_get(base, "/nieuws").split(b" ")[1] == b"301"


def test_foreign_host_headers_are_refused_against_dns_rebinding(base, out, sample_root):
    assert raw_get(base, "/", host="aanvaller.example").split(b" ")[1] == b"400"
    assert raw_get(base, "/api/health", host="aanvaller.example").split(b" ")[1] == b"400"
    assert raw_get(base, "/", host="localhost:8000").split(b" ")[1] == b"200"
    config = uvicorn.Config(app_for(out, sample_root, allowed_hosts=["kennisbank.test"]), log_level="warning",
                            lifespan="off")
    with running(config) as port:
        assert raw_get(f"http://x:{port}", "/", host="kennisbank.test").split(b" ")[1] == b"200"


def test_the_cli_allows_the_listening_address_and_configured_hosts():
    from kennisbank.serve import served_hosts

    assert "aanvaller.example" not in served_hosts("127.0.0.1")
    assert "10.0.0.5" in served_hosts("10.0.0.5") and "kb.intern" in served_hosts("0.0.0.0", ["kb.intern"])


def test_a_connection_whose_headers_never_finish_is_closed(out, sample_root):
    from kennisbank.http_limits import MAX_CONCURRENCY, server_config

    config = server_config(app_for(out, sample_root), "127.0.0.1", 0, header_timeout=0.5)
    config.lifespan = "off"
    assert config.limit_concurrency == MAX_CONCURRENCY and config.timeout_keep_alive > 0
    with running(config) as port:
        slow = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(5)]
        for conn in slow:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Langzaam: ")  # never finished
        for conn in slow:
            assert conn.recv(1024) == b""  # closed by the server, not left open until our timeout
            conn.close()
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
