"""`kennisbank serve`: the built site over real loopback HTTP, live reload after an edit."""

from __future__ import annotations

import re
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from site_helpers import copy_repository


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path, sample_root):
    from kennisbank.build import build
    from kennisbank.serve import create_app

    root = copy_repository(sample_root, tmp_path / "repo")
    build(root, root / "build")
    messages: list[str] = []
    app = create_app(root, root / "build", report=messages.append)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield root, base, messages
    srv.should_exit = True
    thread.join(10)


def wait_for(check, timeout=60.0):  # generous: 8 test runs may share 2 cores
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_serves_pages_assets_redirects_and_404(server):
    _root, base, _ = server
    home = httpx.get(base + "/")
    assert home.status_code == 200 and '<html lang="nl"' in home.text
    assert "/__livereload" in home.text  # the reload script is injected
    assert httpx.get(base + "/assets/kennisbank.css").headers["content-type"].startswith("text/css")
    moved = httpx.get(base + "/nieuws", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/nieuws/"
    assert httpx.get(base + "/bestaat-niet/").status_code == 404
    assert httpx.get(base + "/../../etc/passwd").status_code == 404


def test_edit_refreshes_the_item_page_and_the_listings_that_show_it(server):
    root, base, messages = server
    version = httpx.get(base + "/__livereload").json()["version"]
    source = sorted((root / "content" / "nieuws").rglob("*.md"))[0]
    slug = source.stem
    text = source.read_text(encoding="utf-8")
    new = re.sub(r"^title: .*$", "title: Vers bewerkte titel", text, count=1, flags=re.M)
    source.write_text(new, encoding="utf-8")
    assert wait_for(lambda: "Vers bewerkte titel" in httpx.get(f"{base}/nieuws/{slug}/").text), messages
    listings = [httpx.get(base + url).text for url in ("/nieuws/", "/nieuws/pagina/2/", "/nieuws/2020/", "/nieuws/2020/pagina/2/")]
    assert any("Vers bewerkte titel" in page for page in listings)
    changed = httpx.get(base + "/__livereload", params={"since": version}, timeout=30).json()
    assert changed["version"] != version and changed["errors"] == []
    for url in ("/volg-ons/", "/nieuwsbrief/", "/zoeken/"):  # other stages' pages survive the refresh
        assert httpx.get(base + url).status_code == 200, url
    assert 'href="../../nieuwsbrief/"' in httpx.get(f"{base}/nieuws/{slug}/").text  # and stay in the nav


def test_preview_shows_a_scheduled_item_labelled_gepland(server):
    root, base, messages = server
    folder = root / "content" / "nieuws" / "2099"
    folder.mkdir()
    (folder / "toekomstig-bericht.md").write_text(
        "---\ntitle: Toekomstig bericht\nsummary: Pas later zichtbaar.\ndate: 2099-01-05\ncategory: beleid\n---\n\nTekst.\n",
        encoding="utf-8")
    assert wait_for(lambda: httpx.get(f"{base}/nieuws/toekomstig-bericht/").status_code == 200), messages
    page = httpx.get(f"{base}/nieuws/toekomstig-bericht/").text
    assert 'class="kb-scheduled"' in page and "verschijnt op" in page and "5 januari 2099" in page
    listing = httpx.get(f"{base}/nieuws/").text
    assert re.search(r'href="/nieuws/toekomstig-bericht/">Toekomstig bericht</a>\s*'
                     r'<span class="kb-card__meta"><strong class="kb-scheduled">Gepland', listing)


def test_content_error_is_reported_and_the_site_stays_up(server):
    root, base, _messages = server
    version = httpx.get(base + "/__livereload").json()["version"]
    bad = root / "content" / "nieuws" / "2020" / "fout.md"
    bad.write_text("---\ntitle: Fout\n---\n", encoding="utf-8")
    state = {}
    assert wait_for(lambda: state.update(httpx.get(base + "/__livereload", params={"since": version}, timeout=30).json())
                    or state.get("errors"))
    assert any("fout.md" in e for e in state["errors"])
    assert httpx.get(base + "/").status_code == 200


def test_search_in_the_preview_finds_an_edit(server):
    root, base, messages = server
    assert httpx.get(base + "/api/search", params={"q": "Zeldzaamwoordtest"}).json()["total"] == 0
    source = sorted((root / "content" / "nieuws").rglob("*.md"))[0]
    text = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"^title: .*$", "title: Zeldzaamwoordtest in de titel", text, count=1, flags=re.M),
                      encoding="utf-8")

    def found() -> bool:
        hits = httpx.get(base + "/api/search", params={"q": "Zeldzaamwoordtest"}).json()["hits"]
        return [hit["id"] for hit in hits] == [f"nieuws/{source.stem}"]

    assert wait_for(found, timeout=30), messages
