"""The rendered HTML a staging run may reuse: owned by whoever stages more than once, bounded.

A build stages the site once and needs no memory between runs; the preview (``kennisbank
serve``) re-stages after every save and reuses the cards, item pages, listings, page texts and
event calendars whose inputs did not change. That memory lives in one :class:`RenderCache` object the preview owns
and hands to :func:`kennisbank.site.stage.site_pages`; every part is a least-recently-used map with
a size limit set from the number of items at the start of each run, so a long ``serve`` session
holds at most a few entries per item however many edits it sees.

The view functions reach the run's cache through :func:`active` (a context variable that
:func:`using` sets for the duration of one staging run) instead of through module-level dicts.
"""

from __future__ import annotations

import contextvars
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from markupsafe import Markup

if TYPE_CHECKING:
    from kennisbank.content import Item

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

SLACK = 1000  # entries kept beyond the per-item allowance: listings, theme and city pages, pagers


class LRU(Generic[K, V]):
    """A mapping that keeps at most ``limit`` entries, dropping the least recently used."""

    def __init__(self, limit: int = SLACK):
        self.limit = limit
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.limit:
            self._data.popitem(last=False)
        return value

    def keep_only(self, keys: set[K]) -> None:
        for stale in [k for k in self._data if k not in keys]:
            del self._data[stale]

    def __len__(self) -> int:
        return len(self._data)


def made_from(cache: LRU[K, tuple[tuple[object, ...], V]], key: K, inputs: tuple[object, ...],
              make: Callable[[], V]) -> V:
    """The value ``cache`` keeps for ``key`` when it was made from the same ``inputs``; else
    ``make()``, kept with them. The parts that hold one rendering per item or page use this."""
    known = cache.get(key)
    if known is None or known[0] != inputs:
        known = cache.put(key, (inputs, make()))
    return known[1]


@dataclass
class RenderCache:
    """What one staging run may take from the previous ones (see the module docstring)."""

    cards: LRU[tuple[object, ...], Markup] = field(default_factory=LRU)  # (what a card shows, show_type) → HTML
    item_pages: LRU[str, tuple[tuple[object, ...], str]] = field(default_factory=LRU)  # item id → (inputs, HTML)
    listings: LRU[tuple[object, ...], str] = field(default_factory=LRU)  # (template, frozen values) → HTML
    texts: LRU[str, tuple[tuple[object, ...], str]] = field(default_factory=LRU)  # docs path → (inputs, Markdown)
    calendars: LRU[str, tuple[tuple[object, ...], bytes]] = field(default_factory=LRU)  # event id → (inputs, .ics)
    # id(item) → (the item, what its card shows): valid for one run only (ids are reused afterwards)
    card_keys: dict[int, tuple[Item, tuple[object, ...]]] = field(default_factory=dict)

    def start_run(self, item_ids: set[str]) -> None:
        """Size the maps for this many items and forget the pages of items that are gone."""
        self.card_keys.clear()
        items = len(item_ids)
        self.cards.limit = 4 * items + SLACK  # an item's card with and without its type label, old and new
        self.listings.limit = items + SLACK
        self.item_pages.limit = items + SLACK
        self.texts.limit = 2 * items + SLACK  # every page of the site: items, listings, pagers
        self.calendars.limit = items + SLACK
        self.item_pages.keep_only(item_ids)
        self.calendars.keep_only(item_ids)


_active: contextvars.ContextVar[RenderCache | None] = contextvars.ContextVar("render_cache", default=None)


def active() -> RenderCache:
    """The cache of the staging run in progress (a throwaway one outside any run)."""
    cache = _active.get()
    return cache if cache is not None else RenderCache()


@contextmanager
def using(cache: RenderCache) -> Iterator[RenderCache]:
    """Make ``cache`` the one the view functions use until the block ends."""
    token = _active.set(cache)
    try:
        yield cache
    finally:
        _active.reset(token)
