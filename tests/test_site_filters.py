"""A case collection's listing page filters the whole collection (not only its page), keeps the
selection in the URL, and hands the same selection to the map page."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from site_helpers import built_sample, page_file

from kennisbank.site.collection_filters import FILTERS


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root) / "site"


def test_every_collection_with_filters_has_an_index_of_all_its_fiches(site, repo):
    for type_name, filters in FILTERS.items():
        section = next(i for i in repo.of_type(type_name)).type.section
        rows = json.loads((site / section / "fiches.json").read_text(encoding="utf-8"))
        assert [r["url"] for r in rows] == [i.url for i in repo.of_type(type_name)]
        assert all(set(r["values"]) == {f.name for f in filters} for r in rows)


def test_a_fiches_filter_values_are_computed_once_per_site_build(repo, sample_root, monkeypatch):
    """The listing's filter form, fiches.json and the map page share one computation."""
    from kennisbank.site import collection_filters
    from kennisbank.site.stage import site_pages
    from kennisbank.sites import portal_settings

    computed: Counter[str] = Counter()
    compute = collection_filters.filter_values

    def counted(item, repo, filters):
        computed[item.id] += 1
        return compute(item, repo, filters)

    monkeypatch.setattr(collection_filters, "filter_values", counted)
    pages = site_pages(repo, portal_settings(sample_root))
    assert "kerken/kaart.md" in pages.pages and "kerken/fiches.json" in pages.blobs
    assert computed == Counter(item.id for type_name in FILTERS for item in repo.of_type(type_name))
    assert set(computed.values()) == {1}


def test_the_listing_offers_the_filters_with_counts_over_the_whole_collection(site, repo):
    html = page_file(site, "/kerken/").read_text(encoding="utf-8")
    assert 'id="kb-lijstfilter" data-index="/kerken/fiches.json" data-map="/kerken/kaart/"' in html
    assert "hidden" in html.split('id="kb-lijstfilter"', 1)[1].split(">", 1)[0]  # shown by the script only
    statuses = Counter(i.meta.status for i in repo.of_type("churches"))
    for key, count in statuses.items():
        label = repo.label("church_status", key)
        assert f'<option value="{key}">{label} ({count})</option>' in html
    assert '<script src="/assets/filters.js" defer></script>' in html
    assert "kb-lijstfilter" not in page_file(site, "/nieuws/").read_text(encoding="utf-8")


@pytest.mark.browser
def test_filtering_lists_the_matches_keeps_the_url_and_links_the_map(browser, http_site, repo):
    churches = repo.of_type("churches")
    status, expected = Counter(i.meta.status for i in churches).most_common(1)[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(http_site + "/kerken/")
    page.get_by_label("Status").select_option(status)
    page.locator("#kb-lijstfilter-results").wait_for()
    titles = page.locator("#kb-lijstfilter-results .kb-card__title").all_inner_texts()
    assert sorted(titles) == sorted(i.title for i in churches if i.meta.status == status) and len(titles) == expected
    assert page.locator("#kb-listing-pages").is_hidden()
    assert parse_qs(urlsplit(page.url).query) == {"status": [status]}
    assert f"{expected} fiches van de {len(churches)}" in page.locator("#kb-lijstfilter-status").inner_text()
    map_link = page.get_by_role("link", name="Bekijk deze selectie op de kaart").get_attribute("href")
    assert map_link == f"/kerken/kaart/?status={status}"

    page.goto(http_site + f"/kerken/?status={status}")  # a shared link opens the same selection
    page.locator("#kb-lijstfilter-results").wait_for()
    assert page.locator("#kb-lijstfilter-results .kb-card").count() == expected
    page.get_by_role("button", name="Wis filters").click()
    page.locator("#kb-listing-pages").wait_for()
    assert page.locator("#kb-lijstfilter-results").is_hidden() and urlsplit(page.url).query == ""
    page.close()
    assert errors == []


@pytest.mark.browser
@pytest.mark.npm  # axe-core
def test_a_filtered_listing_has_no_axe_violations(browser, http_site, repo):
    from test_site_quality import AXE

    status = repo.of_type("churches")[0].meta.status
    page = browser.new_page()
    page.goto(http_site + f"/kerken/?status={status}")
    page.locator("#kb-lijstfilter-results").wait_for()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("axe.run(document).then(r => r.violations.map(v => v.id))")
    page.close()
    assert violations == []
