"""The navigation Material repeats on every page stays bounded: sections, listings and at most
``nav_pages`` pages, whatever the size of the content."""

from __future__ import annotations

from kennisbank.site.render import navigation


def _page_links(nav: list[object]) -> list[str]:
    return [path for entry in nav if isinstance(entry, dict) for path in entry.values()
            if isinstance(path, str) and path.startswith("paginas/")]


def test_pages_in_the_nav_are_capped_lowest_order_first(repo, tmp_path):
    pages = sorted(repo.of_type("page"), key=lambda p: (p.meta.order, p.title, p.slug))
    assert len(pages) >= 2
    assert _page_links(navigation(repo, tmp_path)) == [f"paginas/{p.slug}.md" for p in pages]
    assert _page_links(navigation(repo, tmp_path, nav_pages=1)) == [f"paginas/{pages[0].slug}.md"]
    assert _page_links(navigation(repo, tmp_path, nav_pages=0)) == []


def test_the_nav_does_not_grow_with_items(repo, tmp_path):
    """Item pages never enter the nav: its size depends on sections, not on the number of items."""
    nav = navigation(repo, tmp_path)
    flat = str(nav)
    assert not any(item.url.strip("/") + ".md" in flat for item in repo.published if item.type.name != "page")
