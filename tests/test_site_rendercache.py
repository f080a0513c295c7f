"""The preview's render cache: bounded, owned by the preview, reused between staging runs."""

from __future__ import annotations

from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.site.rendercache import LRU, RenderCache, active, using
from kennisbank.site.stage import page_texts, site_pages


def test_lru_drops_the_least_recently_used_entry_beyond_its_limit():
    lru: LRU[str, int] = LRU(limit=2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recent
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)
    assert len(lru) == 2


def test_a_run_sizes_the_cache_from_the_items_and_forgets_removed_items():
    cache = RenderCache()
    cache.item_pages.put("news/old", ((), "<p>old</p>"))
    cache.item_pages.put("news/kept", ((), "<p>kept</p>"))
    cache.start_run({"news/kept"})
    assert cache.item_pages.get("news/old") is None
    assert cache.item_pages.get("news/kept") == ((), "<p>kept</p>")
    assert cache.cards.limit == 4 + 1000 and cache.texts.limit == 2 + 1000


def test_the_active_cache_is_the_one_in_use_and_none_outside_a_run():
    cache = RenderCache()
    with using(cache):
        assert active() is cache
    assert active() is not cache  # outside a run: a throwaway cache, nothing is kept


def test_the_preview_cache_reuses_item_pages_and_a_build_keeps_nothing_between_runs(sample_root):
    repo, settings = load_repository(sample_root), load_settings(sample_root)
    cache = RenderCache()
    first = site_pages(repo, settings, cache=cache)
    second = site_pages(repo, settings, cache=cache)
    path = next(p for p, page in first.pages.items() if page.context.kind == "item")
    assert second.pages[path].html is first.pages[path].html  # reused, not rendered again
    assert page_texts(second, cache) == page_texts(first, cache)
    assert 0 < len(cache.item_pages) <= cache.item_pages.limit

    alone = site_pages(repo, settings)  # a build: its own throwaway cache
    assert alone.pages[path].html == first.pages[path].html
    assert alone.pages[path].html is not first.pages[path].html
