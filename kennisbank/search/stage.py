"""Where the search stage meets the build: write the embedded index, or open the live engine."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kennisbank.content import Repository
from kennisbank.search.documents import build_documents
from kennisbank.search.engine import SearchEngine
from kennisbank.search.index_files import IndexMeta, swap_in
from kennisbank.search.settings import SearchSettings, load_search_settings
from kennisbank.search.tantivy_engine import TantivyEngine, new_index_folder, write_index
from kennisbank.sites import load_all_sites

if TYPE_CHECKING:
    from kennisbank.context import BuildContext
    from kennisbank.search.meili import PushReport

INDEX_FOLDER = "search"


def stage_search_index(context: BuildContext) -> None:
    """Build stage: write the embedded index of every published item into ``<tmp>/search/``."""
    context.files.claim(INDEX_FOLDER)
    build_search_index(context.repo, context.tmp)


def build_search_index(repo: Repository, out: Path, progress: Callable[[int], object] | None = None) -> IndexMeta:
    """Write the index into a fresh folder beside ``<out>/search`` and swap it in, so a running
    server never sees a half-written index and a failed build leaves the old one in place."""
    search_settings = load_search_settings(repo.root)
    documents, catalog = build_documents(repo, load_all_sites(repo.root))
    folder = new_index_folder(out)
    try:
        meta = write_index(documents, catalog, search_settings, folder, progress)
        swap_in(folder, out / INDEX_FOLDER)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return meta


def uses_meilisearch() -> bool:
    """Meilisearch is the live engine when ``MEILI_URL`` is set; otherwise the embedded index is."""
    return bool(os.environ.get("MEILI_URL"))


def open_engine(build_dir: Path, search_settings: SearchSettings) -> SearchEngine:
    """The engine the API uses: Meilisearch when ``MEILI_URL`` is set, else the embedded index
    under ``<build_dir>/search``; ``search_settings`` as the API read them (``search/*.yml``)."""
    if uses_meilisearch():
        from kennisbank.search.meili import MeiliEngine

        return MeiliEngine.from_environment(search_settings, build_dir / INDEX_FOLDER)
    return TantivyEngine(build_dir / INDEX_FOLDER, search_settings)


def push_search_index(repo: Repository, progress: Callable[[int], object] | None = None) -> tuple[PushReport, str | None, int]:
    """`kennisbank index push`: the repository's documents into Meilisearch (``MEILI_URL``,
    ``MEILI_MASTER_KEY``), zero downtime; returns (report, search-only key, count). The key is
    ``None`` when the server has no master key (then every route is open)."""
    from kennisbank.search import meili

    search_settings = load_search_settings(repo.root)
    documents, _ = build_documents(repo, load_all_sites(repo.root))
    connection = meili.Connection.from_environment(master=True)
    report = meili.push(connection, documents, search_settings, progress=progress)
    return report, meili.search_key(connection), len(documents)
