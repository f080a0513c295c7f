"""A small LRU cache for search results, valid for one index version.

Search traffic is Zipf-shaped: a few queries (and the facet counts of a query while a visitor
toggles filters, sorts or pages) come back again and again, and an answer only changes when the
index does. The engine keeps one cache per opened index and drops it when the index is swapped,
so a cached answer is never stale. ``hits`` and ``misses`` are counted for the benchmark.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

CACHE_ENV = "KENNISBANK_SEARCH_CACHE"
DEFAULT_ENTRIES = 4096

V = TypeVar("V")


def cache_entries() -> int:
    """Entries per cache: ``KENNISBANK_SEARCH_CACHE`` (0 switches caching off, e.g. to measure
    uncached speed), else :data:`DEFAULT_ENTRIES`."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_ENTRIES


class LruCache(Generic[V]):
    """Least-recently-used mapping of at most ``size`` entries; ``size`` 0 caches nothing."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        try:
            value = self._data[key]
        except KeyError:
            self.misses += 1
            return None
        self.hits += 1
        self._data.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        if self.size:
            self._data[key] = value
            if len(self._data) > self.size:
                self._data.popitem(last=False)

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        value = self.get(key)
        if value is None:
            value = compute()
            self.put(key, value)
        return value

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
