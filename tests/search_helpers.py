"""Helpers for the search tests: build an engine of either kind from search documents."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from kennisbank.search.documents import FacetCatalog
from kennisbank.search.query import words
from kennisbank.search.settings import SearchSettings
from kennisbank.search.tantivy_engine import TantivyEngine, write_index

ENGINES = ("embedded", "meilisearch")
NO_MEILI = ("MEILI_URL is not set: the Meilisearch contract run needs a running server "
            "(MEILI_URL, MEILI_MASTER_KEY); none can be installed on this machine")


@contextmanager
def engine_of(kind: str, documents: list[dict], catalog: FacetCatalog, settings: SearchSettings, folder: Path):
    """An engine holding ``documents``; Meilisearch indexes get a unique name and are removed."""
    if kind == "embedded":
        write_index(documents, catalog, settings, folder)
        yield TantivyEngine(folder, settings)
        return
    import pytest

    if not os.environ.get("MEILI_URL"):
        pytest.skip(NO_MEILI)
    from kennisbank.search import meili

    write_index(documents, catalog, settings, folder)  # the API reads the catalog from here
    uid = f"kennisbank_test_{uuid.uuid4().hex[:10]}"
    connection = meili.Connection.from_environment()
    meili.push(connection, documents, settings, uid)
    try:
        yield meili.MeiliEngine(connection, settings, uid, folder)
    finally:
        meili.delete_index(connection, uid)


def text_words(doc: dict) -> list[str]:
    return words(" ".join([doc["title"], doc["summary"], doc["body"], " ".join(doc["tags"])]))


def ids_with_word(documents: list[dict], word: str) -> set[str]:
    return {d["id"] for d in documents if word in text_words(d)}


def ids_with_phrase(documents: list[dict], phrase: str) -> set[str]:
    wanted = " " + " ".join(words(phrase)) + " "
    return {d["id"] for d in documents if wanted in " " + " ".join(text_words(d)) + " "}


def ids_with_prefix(documents: list[dict], prefix: str) -> set[str]:
    return {d["id"] for d in documents if any(w.startswith(prefix) for w in text_words(d))}


@contextmanager
def live_server(app):
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yield its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
