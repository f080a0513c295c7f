"""A throw-away copy of a repository with the web editor running on it.

decap-server in git mode switches branches and runs ``git add .`` in the working tree it is
given, so the browser tests and ``scripts/editor_screenshots.py`` never point it at a real
checkout: they copy the content into a fresh git repository on branch ``main`` first.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COPIED = ("content", "cases", "search", "mkdocs.yml", ".gitignore")
_IDENTITY = {"GIT_AUTHOR_NAME": "kennisbank", "GIT_AUTHOR_EMAIL": "editor@example.org",
             "GIT_COMMITTER_NAME": "kennisbank", "GIT_COMMITTER_EMAIL": "editor@example.org"}


def git(repository: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repository), *args], check=True, capture_output=True, text=True,
                          env={**os.environ, **_IDENTITY}).stdout


def git_copy(source: Path, target: Path) -> Path:
    """``target``: the content of ``source`` as a new git repository on ``main`` with one commit."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        elif (source / name).is_file():
            shutil.copy2(source / name, target / name)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", ".")
    git(target, "commit", "-q", "-m", "content")
    return target


@dataclass
class Editor:
    repository: Path
    url: str  # base URL of the site; the editor is at url + "/admin/"


@contextlib.contextmanager
def running_editor(tool_root: Path, repository: Path, out: Path) -> Iterator[Editor]:
    """Build ``repository``'s site (with /admin/, Decap from ``tool_root``'s node_modules) into
    ``out``, start decap-server on it and serve the site on a free loopback port."""
    import uvicorn

    from kennisbank.build import build
    from kennisbank.cms.admin import DIST_ENV, decap_dist
    from kennisbank.cms.proxy import DecapServer
    from kennisbank.serve import create_app

    previous = os.environ.get(DIST_ENV)
    os.environ[DIST_ENV] = str(decap_dist(tool_root))
    try:
        build(repository, out)
    finally:
        if previous is None:
            os.environ.pop(DIST_ENV, None)
        else:
            os.environ[DIST_ENV] = previous
    with DecapServer(tool_root, repository) as proxy, socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        app = create_app(repository, out, watch=False, report=lambda message: None, cms_api=proxy.api_url)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        try:
            yield Editor(repository, f"http://127.0.0.1:{sock.getsockname()[1]}")
        finally:
            server.should_exit = True
            thread.join(timeout=10)


# ---------------------------------------------------------------- driving the editor (Playwright)

def choose(page: Any, label: str, *options: str) -> None:
    """Pick options in a (multi-)select; optional fields' labels end in "(optioneel)"."""
    for option in options:
        page.get_by_label(re.compile("^" + re.escape(label) + r"( \(optioneel\))?$")).click()
        page.get_by_role("option", name=option, exact=True).click()


def fill_church_fiche(page: Any, title: str, photo: Path | str, alt: str, date: str = "2026-11-02") -> None:
    """A complete church fiche with one photo, typed into the open "new" form. ``photo`` is a file
    to upload, or the name of a picture already in the collection's ``fotos/`` to pick in the
    picture library."""
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Datum").fill(date)
    page.get_by_label("Samenvatting").fill("Een parochiekerk die een bibliotheek en ontmoetingsruimte werd.")
    page.get_by_role("button", name="Voeg foto's toe").click()
    page.get_by_role("button", name="Kies een afbeelding").click()
    if isinstance(photo, Path):
        page.locator("input[type=file]").set_input_files(str(photo))
    else:
        page.get_by_text(photo, exact=True).click()
    page.get_by_role("button", name="Gebruik selectie").click()
    page.get_by_label("Wat toont de afbeelding? (alternatieve tekst)").fill(alt)
    choose(page, "Gemeente", "Gent")
    choose(page, "Land", "België")
    choose(page, "Huidige functies", "Bibliotheek", "Ontmoetingsruimte")
    choose(page, "Status", "Gerealiseerd")


def publish_now(page: Any) -> None:
    """The reviewer's steps for a saved entry (labels of Decap's ``nl`` locale): status "Klaar",
    then "Publiceer" → "Publiceer nu" (and accept the confirm dialog, see ``page.on("dialog")``).
    Returns once the editor says "Item gepubliceerd": decap-server merged the entry's branch. (The
    toolbar's "Gepubliceerd" button shows up before the merge is done.)"""
    page.get_by_role("button", name="Status: Concept").click()
    page.get_by_role("menuitem", name="Klaar").click()
    page.get_by_role("button", name="Status: Klaar").wait_for()
    page.get_by_role("button", name="Publiceer", exact=True).click()
    page.get_by_role("menuitem", name="Publiceer nu").click()
    page.get_by_text("Item gepubliceerd").wait_for()
