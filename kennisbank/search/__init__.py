"""Search: documents from the model, one engine contract, the embedded tantivy engine,
Meilisearch, and the ASGI search API.

Public entry points: :func:`stage_search_index` (the build stage), :func:`open_engine`, and
``kennisbank.search.api.create_api``.
"""

from kennisbank.search.stage import build_search_index, open_engine, stage_search_index, uses_meilisearch

__all__ = ["build_search_index", "open_engine", "stage_search_index", "uses_meilisearch"]
