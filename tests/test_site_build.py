"""`kennisbank build`: the pages exist, read Dutch, stay out of the nav, build atomically and
reproducibly, and refuse to build on content errors."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from site_helpers import built_sample, copy_repository, page_file, parse


@pytest.fixture(scope="module")
def out(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root)


@pytest.fixture(scope="module")
def site(out) -> Path:
    return out / "site"


def first(repo, type_name):
    return repo.of_type(type_name)[0]


def test_every_kind_of_page_is_built(site, repo):
    urls = ["/", "/nieuws/", "/studies/", "/agenda/", "/kerken/", "/stadsprojecten/", "/tijdelijk-gebruik/",
            "/woonbeleid/", "/themas/", "/steden/", "/steden/gent/", "/tags/", "/cases/", "/nieuws/2020/"]
    urls += [item.url for item in repo.published if item.type.name not in ("newsletter",)]
    missing = [url for url in urls if not page_file(site, url).is_file()]
    assert missing == []


def test_listings_are_paginated_newest_first(site, repo):
    news = repo.of_type("news")
    size = 20
    assert len(news) > size, "the sample has enough news for two pages"
    page1 = page_file(site, "/nieuws/").read_text(encoding="utf-8")
    page2 = page_file(site, "/nieuws/pagina/2/").read_text(encoding="utf-8")
    ordered = sorted(news, key=lambda i: i.sort_key)
    assert f'href="{ordered[0].url}"' in page1 and f'href="{ordered[size].url}"' in page2
    assert f'href="{ordered[size].url}"' not in page1
    assert page1.index(ordered[0].url) < page1.index(ordered[1].url)


def test_pages_are_dutch_with_dutch_dates(site, repo):
    event = first(repo, "event")
    html = page_file(site, event.url).read_text(encoding="utf-8")
    assert '<html lang="nl"' in html
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    assert re.search(rf"\d{{1,2}}(–\d{{1,2}})? ({months}) 20\d\d", html)
    assert event.meta.location in html


def test_item_pages_stay_out_of_the_nav(site, repo):
    html = page_file(site, "/").read_text(encoding="utf-8")
    nav = html[html.index('<nav class="md-nav md-nav--primary"'):]
    nav = nav[: nav.index("</nav>", nav.index('class="md-nav__list"'))]
    for item in repo.published[:50]:
        if item.type.name in ("page",):
            continue
        assert item.url.strip("/") + "/" not in nav, item.url


def test_fiche_has_its_collection_facts_gallery_and_related_items(site, repo):
    church = next(c for c in repo.of_type("churches") if c.meta.photos)
    html = page_file(site, church.url).read_text(encoding="utf-8")
    for label in ("Ligging", "Huidige functies", "Status"):
        assert f"<dt>{label}</dt>" in html
    photo = church.meta.photos[0]
    img = re.search(r'<img src="(/media/[^"]+)" alt="([^"]*)"', html)
    assert img and (site / img.group(1).lstrip("/")).is_file()
    assert "Verwant" in html and "Kruimelpad" in html
    assert f'href="/steden/{church.meta.municipality}/"' in html
    housing = first(repo, "housing-instruments")
    html = page_file(site, housing.url).read_text(encoding="utf-8")
    assert "<dt>Doelgroepen</dt>" in html and "<dt>Laatst herzien</dt>" in html
    assert photo.alt.split()[0] in page_file(site, church.url).read_text(encoding="utf-8")


def test_theme_city_and_tag_pages_group_items_by_type(site, repo):
    theme = next(t for t in repo.themes.values() if any(t.slug in i.themes for i in repo.of_type("news")))
    html = page_file(site, theme.url).read_text(encoding="utf-8")
    tagged = [i for i in repo.published if theme.slug in i.themes and i.type.name != "newsletter"]
    assert all(f'href="{i.url}"' in html for i in tagged)
    assert 'id="kb-nieuws"' in html
    city = page_file(site, "/steden/gent/").read_text(encoding="utf-8")
    assert all(f'href="{i.url}"' in city for i in repo.published if "gent" in i.cities and i.type.name != "newsletter")


def test_home_shows_latest_news_study_events_fiches_and_follow_links(site, repo):
    html = page_file(site, "/").read_text(encoding="utf-8")
    assert f'href="{repo.of_type("news")[0].url}"' in html
    assert f'href="{repo.of_type("study")[0].url}"' in html
    assert "Studie van de week" in html and "activiteiten" in html
    for collection in ("/kerken/", "/stadsprojecten/", "/tijdelijk-gebruik/", "/woonbeleid/"):
        assert f'href="{collection}"' in html  # the case collections as entry points
    assert 'href="/volg-ons/"' in html and 'href="/nieuwsbrief/"' in html


def test_header_has_a_search_form_and_no_search_plugin(site):
    html = page_file(site, "/").read_text(encoding="utf-8")
    assert re.search(r'<form class="kb-search" action="/zoeken/" method="get"', html)
    assert 'name="q"' in html
    assert not (site / "search" / "search_index.json").exists()


def test_no_external_fonts_scripts_or_styles(site):
    offenders = []
    for path in site.rglob("*.html"):
        for tag, url in parse(path).links:
            if tag in ("script", "link", "img", "iframe", "source") and re.match(r"^(https?:)?//", url):
                if tag == "link" and 'rel="canonical"' in url:
                    continue
                offenders.append((path.relative_to(site).as_posix(), tag, url))
    external_links = [o for o in offenders if o[1] != "link"]
    assert external_links == []
    html = page_file(site, "/").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_build_is_reproducible(tmp_path, sample_root, monkeypatch):
    from kennisbank.build import build

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")  # 13 September 2020: some items are scheduled
    root = copy_repository(sample_root, tmp_path / "repo")
    build(root, tmp_path / "one")
    build(root, tmp_path / "two")
    left, right = tmp_path / "one" / "site", tmp_path / "two" / "site"
    names = sorted(p.relative_to(left).as_posix() for p in left.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(right).as_posix() for p in right.rglob("*") if p.is_file())
    different = [n for n in names if not filecmp.cmp(left / n, right / n, shallow=False)]
    assert different == []


def test_build_refuses_on_check_errors_and_keeps_the_previous_site(tmp_path, sample_root):
    from kennisbank.cli import cli

    root = copy_repository(sample_root, tmp_path / "repo")
    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    index = root / "build" / "site" / "index.html"
    before = index.read_bytes(), index.stat().st_mtime_ns
    bad = root / "content" / "nieuws" / "2020" / "kapot-bericht.md"
    bad.write_text("---\ntitle: Kapot\nsummary: x\ndate: 2020-13-45\ncategory: beleid\n---\n\nTekst.\n", encoding="utf-8")
    result = runner.invoke(cli, ["--root", str(root), "build"])
    assert result.exit_code == 1
    assert "kapot-bericht.md" in result.output and "date" in result.output
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before
    assert not list((root / "build").glob(".tmp-*"))


def test_a_failing_stage_leaves_the_previous_site_and_no_temporary_folder(tmp_path, sample_root, monkeypatch):
    from kennisbank import build as build_module
    from kennisbank.errors import KennisbankError

    root = copy_repository(sample_root, tmp_path / "repo")
    build_module.build(root, root / "build")
    index = root / "build" / "site" / "index.html"
    before = index.read_bytes()

    def broken(context):
        context.files.write_text("site/index.html", "half a site")
        raise KennisbankError("renderer exploded")

    monkeypatch.setattr(build_module, "RENDER", broken)
    with pytest.raises(KennisbankError):
        build_module.build(root, root / "build")
    assert index.read_bytes() == before
    assert not list((root / "build").glob(".tmp-*"))


@pytest.mark.parametrize(("number", "count", "shown"), [
    (1, 5, [1, 2, 3, 4, 5]),
    (15, 30, [1, None, 13, 14, 15, 16, 17, None, 30]),
    (1, 30, [1, 2, 3, None, 30]),
    (4, 30, [1, 2, 3, 4, 5, 6, None, 30]),  # a gap of one page shows that page instead of "…"
    (30, 30, [1, None, 28, 29, 30]),
])
def test_pager_links_a_window_around_the_current_page(number, count, shown):
    from kennisbank.site.views import Pager

    pages = [(n, f"/nieuws/pagina/{n}/") for n in range(1, count + 1)]
    links = Pager(number, count, pages).links
    assert [link if link is None else link[0] for link in links] == shown
    assert all(link is None or link == pages[link[0] - 1] for link in links)
