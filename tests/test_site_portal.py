"""The visitor's portal: home, titles, footer, 404, fiches, the tags index, the maps of the cases
(markers checked against the content, popups, tiles blocked, filters in the URL, axe), and the
page weights the issue sets (home ≤ 150 KB transferred, the map's script and style ≤ 60 KB gzipped)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from site_helpers import built_sample, page_file, parse
from test_site_quality import AXE

SITE_NAME = "Kenniscentrum Vlaamse Steden"


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root) / "site"


def html_of(site: Path, url: str) -> str:
    return page_file(site, url).read_text(encoding="utf-8")


def title_of(html: str) -> str:
    return re.search(r"<title>([^<]*)</title>", html).group(1)


def located(repo, type_name: str):
    return [i for i in repo.of_type(type_name) if getattr(i.meta, "coordinates", None)]


# ---------------------------------------------------------------- home, titles, footer, 404

def test_home_is_a_portal_without_a_duplicated_site_name(site, repo, settings):
    html = html_of(site, "/")
    assert title_of(html) == SITE_NAME
    main = html.split('<main', 1)[1].split("</main>", 1)[0]
    h1 = re.findall(r"<h1[^>]*>(.*?)</h1>", main, re.S)
    assert len(h1) == 1 and SITE_NAME not in h1[0]
    assert 'action="/zoeken/"' in main.split('id="kb-programmas"')[0]  # the search box is up front
    for heading in ("Programma's en thema's", "Cases uit de steden", "Laatste nieuws", "Komende activiteiten",
                    "Studie van de week", "Blijf op de hoogte"):
        assert f">{heading}</h2>" in main, heading
    for ctype in ("churches", "city-projects", "temporary-use", "housing-instruments"):
        fiches = repo.of_type(ctype)
        assert f"{len(fiches)} fiches" in main
    assert 'href="/kerken/kaart/"' in main and "/media/cases/kerken/fotos/" in main


def test_pages_are_titled_page_dash_site(site, repo):
    news = repo.of_type("news")[0]
    assert title_of(html_of(site, news.url)) == f"{news.title} – {SITE_NAME}"
    assert title_of(html_of(site, "/agenda/")) == f"Agenda – {SITE_NAME}"


def test_footer_has_address_contact_feeds_newsletter_accessibility_and_colophon(site):
    footer = html_of(site, "/nieuws/").split('<footer class="md-footer kb-footer">', 1)[1].split("</footer>", 1)[0]
    for expected in ("Voorbeeldstraat 1", 'href="mailto:info@example.org"', 'href="/nieuwsbrief/"', 'href="/volg-ons/"',
                     'href="/paginas/toegankelijkheid/"', 'href="/paginas/colofon/"', 'href="/paginas/contact/"'):
        assert expected in footer, expected
    for page in ("toegankelijkheid", "colofon"):
        assert page_file(site, f"/paginas/{page}/").is_file()


def test_not_found_page_is_dutch(site):
    html = (site / "404.html").read_text(encoding="utf-8")
    assert "Not found" not in html and "Deze pagina bestaat niet" in html
    assert title_of(html) == f"Pagina niet gevonden – {SITE_NAME}"


def test_item_pages_name_their_section_for_the_navigation(site, repo):
    church = repo.of_type("churches")[0]
    assert 'data-kb-section="kerken"' in html_of(site, church.url)


# ---------------------------------------------------------------- fiches and lists

def test_no_dangling_separators_or_doubled_parentheses(site):
    bad = []
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"·\s*</span>", text) or "))" in re.sub(r"<script.*?</script>|<style.*?</style>", "", text, flags=re.S):
            bad.append(str(path.relative_to(site)))
    assert bad == []


def test_church_fiche_shows_dutch_coordinates_and_a_small_map(site, repo):
    church = located(repo, "churches")[0]
    html = html_of(site, church.url)
    lat = f"{abs(church.meta.coordinates.lat):.5f}".replace(".", ",")
    assert f"Ligging: {lat}° N" in html
    assert 'class="kb-minimap"' in html and 'href="/kerken/kaart/"' in html


def test_news_meta_line_carries_the_category_and_no_fact_box(site, repo):
    news = repo.of_type("news")[0]
    html = html_of(site, news.url)
    assert 'id="kb-feiten"' not in html
    assert repo.label("news_categories", news.meta.category) in html.split('class="kb-meta"', 1)[1].split("</p>", 1)[0]


def test_housing_contact_is_shown_once(site, repo):
    item = next(i for i in repo.of_type("housing-instruments") if i.meta.contact)
    html = html_of(site, item.url)
    assert html.count(item.meta.contact.name) == 1


def test_tags_index_is_alphabetical_and_grouped_by_letter(site):
    html = html_of(site, "/tags/")
    letters = re.findall(r'<h2 id="kb-letter-([a-z])">', html)
    assert letters == sorted(letters) and len(letters) > 5
    assert 'class="kb-index"' in html


# ---------------------------------------------------------------- maps

def test_every_collection_with_coordinates_has_a_map_page_listing_them(site, repo):
    from kennisbank.site.maps import MAPPED_TYPES

    for name in MAPPED_TYPES:
        fiches = located(repo, name)
        section = repo.of_type(name)[0].type.section
        path = page_file(site, f"/{section}/kaart/")
        assert path.is_file() == bool(fiches), name
        if fiches:
            html = path.read_text(encoding="utf-8")
            rows = re.findall(r'<li data-lat="([^"]+)" data-lon="([^"]+)"[^>]*><a href="([^"]+)">', html)
            assert sorted(rows) == sorted((repr(i.meta.coordinates.lat), repr(i.meta.coordinates.lon), i.url)
                                          for i in fiches)


def test_leaflet_is_served_from_the_site_and_matches_npm():
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, str(root / "scripts" / "vendor_leaflet.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_tile_server_is_configurable(tmp_path, sample_root, repo):
    from kennisbank.config import load_settings
    from kennisbank.site.collection_filters import collection_values
    from kennisbank.site.maps import map_pages

    settings = load_settings(sample_root)
    custom = settings.model_copy(update={"map_tiles": "https://tiles.example.org/{z}/{x}/{y}.png",
                                         "map_attribution": "Kaart: voorbeeld"})
    values = collection_values(repo)
    page = map_pages(repo, custom, values)[0]
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page.html
    assert 'data-attribution="Kaart: voorbeeld"' in page.html
    default = map_pages(repo, settings, values)[0].html
    assert "tile.openstreetmap.org" in default  # the default, with its attribution
    assert "OpenStreetMap</a>-bijdragers" in default.replace("&lt;", "<").replace("&gt;", ">")


# ---------------------------------------------------------------- weights

def gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


def test_map_page_script_and_style_weigh_at_most_60_kb_gzipped(site):
    page = parse(page_file(site, "/kerken/kaart/"))
    own = [url for tag, url in page.links if tag in ("script", "link") and url.startswith("/assets/")
           and url.endswith((".js", ".css")) and ("leaflet" in url or "kaart" in url)]
    assert any("leaflet.js" in u for u in own) and any("markercluster" in u for u in own)
    total = sum(gz((site / u.lstrip("/")).read_bytes()) for u in own)
    assert total <= 60 * 1024, total


# ---------------------------------------------------------------- in the browser

def blocked_page(browser, base: str, outside: list[str]):
    """A page whose requests outside the site (map tiles) are refused and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    return page


MARKERS_JS = """() => {
  const clusters = [...document.querySelectorAll('.marker-cluster')].map(c => parseInt(c.textContent, 10));
  const single = document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length;
  return clusters.reduce((a, b) => a + b, 0) + single;
}"""


def settled_markers(page) -> int:
    """The marker count once markercluster's zoom animation is over: mid-animation a cluster and
    the markers it is splitting into are both in the page, so one read can count them twice."""
    page.wait_for_function("() => !document.querySelector('.leaflet-cluster-anim')")
    counts = [page.evaluate(MARKERS_JS)]
    for _ in range(50):  # until two reads 200 ms apart agree (at most 10 s)
        page.wait_for_timeout(200)
        counts.append(page.evaluate(MARKERS_JS))
        if counts[-1] == counts[-2]:
            break
    return counts[-1]


@pytest.mark.browser
def test_map_shows_every_fiche_with_coordinates_with_tiles_blocked(browser, http_site, repo):
    outside: list[str] = []
    page = blocked_page(browser, http_site, outside)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(http_site + "/kerken/kaart/", wait_until="load")
    page.wait_for_selector(".leaflet-marker-icon")
    assert settled_markers(page) == len(located(repo, "churches"))
    assert outside and all(urlsplit(u).hostname == "tile.openstreetmap.org" for u in outside)  # only tiles
    assert errors == []
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
    page.close()


@pytest.mark.browser
def test_a_marker_popup_links_to_its_fiche(browser, http_site, repo):
    page = blocked_page(browser, http_site, [])
    by_title = {c.title: c for c in located(repo, "churches")}
    page.goto(http_site + "/kerken/kaart/", wait_until="load")
    page.wait_for_selector(".leaflet-marker-icon")
    marker = page.locator(".leaflet-marker-icon:not(.marker-cluster)").first  # one on its own (Aken, Arnhem, ...)
    church = by_title[marker.get_attribute("title")]
    marker.click()
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() == church.title and link.get_attribute("href") == church.url
    page.close()


@pytest.mark.browser
def test_filters_live_in_the_url_and_narrow_map_and_list(browser, http_site, repo):
    page = blocked_page(browser, http_site, [])
    dutch = [c for c in located(repo, "churches") if c.meta.country == "NL"]
    page.goto(http_site + "/kerken/kaart/?land=NL", wait_until="load")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator("#kb-plaatsen li:visible").count() == len(dutch) > 0
    assert settled_markers(page) == len(dutch)
    assert page.locator('select[name="land"]').input_value() == "NL"
    page.select_option('select[name="land"]', "")
    page.select_option('select[name="status"]', index=1)
    assert "status=" in page.url and "land=" not in page.url
    page.close()


@pytest.mark.browser
@pytest.mark.npm  # axe-core
def test_maps_agenda_and_home_have_no_axe_violations(browser, http_site, repo):
    church = located(repo, "churches")[0]
    problems = {}
    for url in ("/", "/kerken/kaart/", church.url, "/agenda/", "/tags/"):
        page = blocked_page(browser, http_site, [])
        page.goto(http_site + url, wait_until="load")
        page.wait_for_timeout(300)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found = [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]
        if found:
            problems[url] = found
        page.close()
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


@pytest.mark.browser
@pytest.mark.parametrize("url", ["/", "/kerken/kaart/"])
def test_home_and_map_page_transfer_at_most_150_kb(browser, http_site, site, url):
    """Everything the browser fetches for the page, at its gzipped size (what a server with
    compression sends; pictures as they are), without map tiles. The map page's own 60 KB budget
    (Leaflet included) is above; this one also counts Material's bundle every page shares."""
    fetched: set[str] = set()
    page = blocked_page(browser, http_site, [])
    page.on("requestfinished", lambda r: fetched.add(urlsplit(r.url).path))
    page.goto(http_site + url, wait_until="networkidle")
    page.close()
    total = 0
    for path in fetched:
        file = page_file(site, path) if path.endswith("/") else site / path.lstrip("/")
        data = file.read_bytes()
        total += len(data) if file.suffix in (".png", ".jpg", ".webp") else gz(data)
    assert any(p.endswith(".css") for p in fetched) and any(p.endswith(".js") for p in fetched)
    assert total <= 150 * 1024, total


def test_tags_of_an_alias_share_one_page(site):
    assert page_file(site, "/tags/kerk/").is_file() and not page_file(site, "/tags/kerken/").exists()


def test_city_projects_and_temporary_use_take_optional_coordinates(repo):
    from kennisbank.content.models import CityProject, TemporaryUse

    assert "coordinates" in CityProject.model_fields and not CityProject.model_fields["coordinates"].is_required()
    assert "coordinates" in TemporaryUse.model_fields and not TemporaryUse.model_fields["coordinates"].is_required()
    assert located(repo, "city-projects") and located(repo, "temporary-use")


def test_follow_page_has_a_breadcrumb_and_lists_no_empty_theme_feed(site, repo, settings):
    from kennisbank.feeds import FeedCatalog

    html = html_of(site, "/volg-ons/")
    assert 'class="kb-breadcrumbs"' in html
    catalog = FeedCatalog(repo, settings)
    empty = [f for f in catalog.feeds.values() if not f.entries and f.group in ("Thema's", "Steden")]
    assert empty, "the sample has empty theme or city feeds"
    for feed in empty:
        assert f'href="{feed.rss_url}"' not in html
        assert (site / feed.rss_url.lstrip("/")).is_file()  # still written: its URL keeps working


def test_opml_and_ics_are_served_with_their_media_types(site):
    from kennisbank.serve import SiteFiles

    files = SiteFiles(site)
    assert files.response("/feeds/feeds.opml").media_type == "text/x-opml"
    assert files.response("/agenda/komende-activiteiten.ics").media_type == "text/calendar"
