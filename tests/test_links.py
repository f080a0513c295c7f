"""`kennisbank links` against a real HTTP server on loopback: 200, 301, 404, 500, slow, no answer."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from kennisbank.links import Options, check_links, find_links

NOW = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
FAST = Options(timeout=0.5, retries=2, backoff=0.01, per_host=2)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counts: Counter[str] = Counter()
    active = 0
    most_active = 0
    lock = threading.Lock()

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, location: str | None = None) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(b"ok")

    def _route(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.counts[f"{self.command} {self.path}"] += 1
            cls.active += 1
            cls.most_active = max(cls.most_active, cls.active)
        try:
            path = self.path
            if path.startswith("/ok") or path == "/final":
                self._answer(200)
            elif path == "/moved":
                self._answer(301, "/final")
            elif path == "/missing":
                self._answer(404)
            elif path == "/broken":
                self._answer(500)
            elif path == "/flaky":
                tries = cls.counts["HEAD /flaky"] + cls.counts["GET /flaky"]
                self._answer(503 if tries <= 2 else 200)  # the first attempt (HEAD, then GET) fails
            elif path == "/nohead":
                self._answer(405 if self.command == "HEAD" else 200)
            elif path == "/slow":
                time.sleep(2)
                self._answer(200)
            elif path.startswith("/busy"):
                time.sleep(0.1)
                self._answer(200)
        finally:
            with cls.lock:
                cls.active -= 1

    do_HEAD = do_GET = _route


@pytest.fixture()
def server():
    handler = type("Handler", (_Handler,), {"counts": Counter(), "active": 0, "most_active": 0,
                                             "lock": threading.Lock()})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    silent = socket.socket()  # accepts connections (backlog) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused_port = closed.getsockname()[1]
    closed.close()  # nothing listens here: the connection is refused
    yield f"http://127.0.0.1:{httpd.server_address[1]}", f"http://127.0.0.1:{silent.getsockname()[1]}", \
        f"http://127.0.0.1:{refused_port}", handler
    silent.close()
    httpd.shutdown()
    httpd.server_close()


def _repo(tmp_path: Path, base: str, silent: str, refused: str) -> Path:
    root = tmp_path / "repo"
    folder = root / "content" / "nieuws" / "2020"
    folder.mkdir(parents=True)
    (folder / "links.md").write_text(
        f"---\ntitle: Links\nlinks:\n- title: Goed\n  url: {base}/ok\n- title: Verhuisd\n  url: {base}/moved\n---\n\n"
        f"Zie [weg]({base}/missing) en <{base}/broken>.\n"
        f"Traag: {base}/slow, stil: {silent}/x.\n"
        f"Geweigerd: {refused}/y; geen HEAD: {base}/nohead; wisselend: {base}/flaky.\n",
        encoding="utf-8")
    (folder / "ook.md").write_text(f"---\ntitle: Ook\n---\n\nNog eens [goed]({base}/ok).\n", encoding="utf-8")
    return root


def test_links_are_found_with_their_lines(tmp_path, server):
    base, silent, refused, _ = server
    places = find_links(_repo(tmp_path, base, silent, refused))
    assert [(p.path, p.line) for p in places[f"{base}/ok"]] == [
        ("content/nieuws/2020/links.md", 5), ("content/nieuws/2020/ook.md", 5)]
    assert f"{base}/slow" in places and f"{refused}/y" in places  # trailing punctuation dropped
    assert f"{base}/missing" in places and f"{base}/broken" in places  # Markdown link and autolink


def test_every_kind_of_answer_is_reported(tmp_path, server):
    base, silent, refused, handler = server
    report = check_links(_repo(tmp_path, base, silent, refused), FAST, None, NOW)
    broken = report.lines("broken")
    where = "content/nieuws/2020/links.md"
    assert f"{where}:10: {base}/missing: 404" in broken
    assert f"{where}:10: {base}/broken: 500" in broken
    assert f"{where}:11: {base}/slow: timeout" in broken
    assert f"{where}:11: {silent}/x: timeout" in broken
    assert f"{where}:12: {refused}/y: connection failed: ConnectError" in broken
    assert len(broken) == 5  # ok, moved, nohead and flaky are not broken
    assert report.lines("redirected") == [f"{where}:7: {base}/moved: 301 -> {base}/final (200)"]
    assert handler.counts["GET /nohead"] == 1 and report.results[f"{base}/nohead"].status == 200
    assert handler.counts["HEAD /broken"] == 3  # two retries after the first 500
    assert handler.counts["HEAD /missing"] == 1  # a 404 is not retried
    assert report.results[f"{base}/flaky"].status == 200
    assert (handler.counts["HEAD /flaky"], handler.counts["GET /flaky"]) == (2, 1)  # retried once
    assert handler.counts["HEAD /ok"] == 1  # asked once, though used twice


def test_requests_to_one_host_are_bounded(tmp_path, server):
    base, _, _, handler = server
    root = tmp_path / "repo"
    (root / "content" / "paginas").mkdir(parents=True)
    (root / "content" / "paginas" / "veel.md").write_text(
        "---\ntitle: Veel\n---\n\n" + "\n".join(f"{base}/busy{n}" for n in range(12)) + "\n", encoding="utf-8")
    report = check_links(root, Options(timeout=5, per_host=2), None, NOW)
    assert report.lines("broken") == [] and len(report.results) == 12
    assert 1 <= handler.most_active <= 2


def test_good_results_are_cached_with_their_age_and_broken_ones_checked_again(tmp_path, server):
    base, silent, refused, handler = server
    root = _repo(tmp_path, base, silent, refused)
    cache = tmp_path / "cache" / "links.json"
    check_links(root, FAST, cache, NOW)
    asked = dict(handler.counts)
    later = check_links(root, FAST, cache, NOW + dt.timedelta(days=3))
    assert handler.counts["HEAD /ok"] == asked["HEAD /ok"]  # fresh in the cache: not asked again
    assert handler.counts["HEAD /missing"] == asked["HEAD /missing"] + 1  # broken: asked again
    assert later.lines("redirected") == [
        f"content/nieuws/2020/links.md:7: {base}/moved: 301 -> {base}/final (200) (cached, 3 d old)"]
    stale = check_links(root, FAST, cache, NOW + dt.timedelta(days=8))  # older than max_age (7 days)
    assert handler.counts["HEAD /ok"] == asked["HEAD /ok"] + 1 and not stale.lines("redirected")[0].endswith("old)")
    cache.write_text("{not json", encoding="utf-8")  # a damaged cache only costs a full check
    assert len(check_links(root, FAST, cache, NOW).lines("broken")) == 5
    assert json.loads(cache.read_text(encoding="utf-8"))[f"{base}/ok"]["status"] == 200


def test_cli_prints_path_line_url_status_and_exits_1_on_broken_links(tmp_path, server):
    from kennisbank.cli import cli

    base, silent, refused, _ = server
    root = _repo(tmp_path, base, silent, refused)
    result = CliRunner().invoke(cli, ["--root", str(root), "links", "--timeout", "0.5", "--retries", "0"])
    assert result.exit_code == 1
    assert f"content/nieuws/2020/links.md:10: {base}/missing: 404\n" in result.stdout
    assert f"content/nieuws/2020/links.md:7: {base}/moved: 301 -> {base}/final (200)\n" in result.stdout
    assert "9 links: 6 broken place(s), 1 redirected, 0 from the cache" in result.stderr  # flaky: no retries
    assert "checking links: 9/9" in result.stderr  # plain progress lines, not a bar, outside a terminal
    assert (root / ".cache" / "kennisbank" / "links.json").is_file()
    clean = tmp_path / "clean"
    (clean / "content" / "paginas").mkdir(parents=True)
    (clean / "content" / "paginas" / "a.md").write_text(f"---\ntitle: A\n---\n\n{base}/ok\n", encoding="utf-8")
    good = CliRunner().invoke(cli, ["--root", str(clean), "links", "--no-cache"])
    assert good.exit_code == 0 and good.stdout == "" and not (clean / ".cache").exists()
