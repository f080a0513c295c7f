"""The search page without a browser: its size budget, how it is staged, Material's search off."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from site_helpers import built_sample, page_file, parse

ASSETS = Path(__file__).resolve().parent.parent / "kennisbank" / "site" / "assets"
BUDGET = 30 * 1024  # the page's own JS and CSS, gzipped


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root) / "site"


def test_own_js_and_css_stay_within_30_kb_gzipped():
    sizes = {name: len(gzip.compress((ASSETS / name).read_bytes(), compresslevel=9)) for name in ("zoeken.js", "zoeken.css")}
    assert all(size > 500 for size in sizes.values()), sizes  # both files are really there
    assert sum(sizes.values()) <= BUDGET, sizes


def test_js_inserts_api_data_as_text_only():
    """No innerHTML/outerHTML/insertAdjacentHTML/document.write anywhere: API data only ever
    becomes text nodes (snippets: text nodes plus <mark> elements built with createElement)."""
    source = (ASSETS / "zoeken.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", code)
    assert "https://" not in code and "http://" not in code  # no CDN, no third party


def test_search_page_is_staged_with_the_configured_api_url(settings):
    from kennisbank.site.searchpage import search_page

    default = search_page(settings)
    assert default.url == "/zoeken/" and 'data-api="/api"' in default.html
    elsewhere = search_page(settings.model_copy(update={"search_api_url": "https://zoek.example.org/api/"}))
    assert 'data-api="https://zoek.example.org/api"' in elsewhere.html
    hostile = search_page(settings.model_copy(update={"search_api_url": '/api" onmouseover="alert(1)'}))
    assert 'onmouseover="' not in hostile.html  # the attribute is escaped


def test_built_page_loads_its_own_assets_and_has_labelled_controls(site):
    page = page_file(site, "/zoeken/")
    links = parse(page).links
    assert ("script", "/assets/zoeken.js") in links and ("link", "/assets/zoeken.css") in links
    assert (site / "assets" / "zoeken.js").is_file() and (site / "assets" / "zoeken.css").is_file()
    html = page.read_text(encoding="utf-8")
    assert '<label class="kb-zoeken__label" for="kb-q">' in html
    assert 'role="status" aria-live="polite"' in html
    assert "zoeken.js" not in page_file(site, "/").read_text(encoding="utf-8")  # only this page loads it


def test_material_search_is_off_and_every_page_has_the_header_search_form(site, sample_root):
    import yaml

    config = yaml.safe_load(re.sub(r"!!python/\S+", "", (sample_root / "mkdocs.yml").read_text(encoding="utf-8")))
    plugins = config.get("plugins") or []
    assert "search" not in [p if isinstance(p, str) else next(iter(p)) for p in plugins]
    assert not list(site.rglob("search_index.json"))
    pages = sorted(p for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("admin/"))
    assert len(pages) > 50  # the web editor's page (admin/) is not a site page
    missing = [str(p.relative_to(site)) for p in pages
               if '<form class="kb-search" action="/zoeken/" method="get" role="search">' not in p.read_text(encoding="utf-8")]
    assert missing == []
