"""Five websites from one repository: site files, the build of every site, canonical URLs, links
between the sites, and search scoped to a site (API and both engines' filter payloads)."""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from search_helpers import live_server
from site_helpers import built_sample, copy_repository, page_file

from kennisbank.errors import ContentInvalid
from kennisbank.sites import load_sites

URL = "https://kennisbank.example.org/"
THEMATIC = ("kerken", "stadsprojecten", "tijdelijk-gebruik", "woonbeleid")


@pytest.fixture(scope="module")
def out(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root)


def with_sites(sample_root: Path, target: Path) -> Path:
    root = copy_repository(sample_root, target)
    shutil.copytree(sample_root / "sites", root / "sites")
    return root


def write_site(root: Path, name: str, text: str) -> None:
    (root / "sites").mkdir(exist_ok=True)
    (root / "sites" / f"{name}.yml").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- site files

def test_the_sample_declares_the_portal_first_and_four_thematic_sites(sample_root):
    sites = load_sites(sample_root, "Kenniscentrum", URL)
    assert sites.portal.name == "portaal" and sites.portal.default and sites.portal.types is None
    assert sites.portal.url == URL  # inherited from mkdocs.yml
    assert sorted(sites.names[1:]) == sorted(THEMATIC)
    assert sites.get("kerken").types == frozenset({"churches"})


def test_without_site_files_the_portal_alone_is_built(tmp_path):
    sites = load_sites(tmp_path, "Kenniscentrum", URL)
    assert sites.names == ("portaal",) and sites.portal.title == "Kenniscentrum"


def test_site_file_errors_name_file_line_and_field(tmp_path):
    write_site(tmp_path, "portaal", "default: true\n")
    write_site(tmp_path, "kerken", "title: Kerken\nurl: https://kerken.example.org/\n"
                                   "types: [churches, kapellen]\ncolours:\n  brand: '#ffff00'\n  accent: '#5b2a6e'\n"
                                   "  tint: '#333333'\n")
    write_site(tmp_path, "Fout Naam", "title: x\n")
    with pytest.raises(ContentInvalid) as caught:
        load_sites(tmp_path, "K", URL)
    found = sorted(str(e) for e in caught.value.errors)
    assert any(e.startswith("sites/kerken.yml:3: types: unknown type 'kapellen'") for e in found), found
    assert any(e.startswith("sites/kerken.yml:5: colours.brand: #ffff00 is too light") for e in found), found
    assert any(e.startswith("sites/kerken.yml:7: colours.tint: #333333 is too dark") for e in found), found
    assert any(e.startswith("sites/Fout Naam.yml:1: file:") for e in found), found


def test_a_thematic_site_needs_url_and_types_and_one_portal_is_required(tmp_path):
    write_site(tmp_path, "kerken", "title: Kerken\nurl: https://kerken.example.org/\ntypes: [churches]\n")
    with pytest.raises(ContentInvalid) as caught:
        load_sites(tmp_path, "K", URL)
    assert [str(e) for e in caught.value.errors] == [
        "sites:1: default: exactly one site must have default: true (the portal), found 0"]
    write_site(tmp_path, "portaal", "default: true\n")
    write_site(tmp_path, "kerken", "title: Kerken\nurl: https://kerken.example.org/\ntypes: [churches]\nnav: [nieuws]\n")
    with pytest.raises(ContentInvalid) as caught:
        load_sites(tmp_path, "K", URL)
    assert [str(e) for e in caught.value.errors] == [
        "sites/kerken.yml:4: nav: unknown navigation entry 'nieuws'; use themas, cases, steden, tags, nieuwsbrief, "
        "volg-ons, zoeken, paginas, portaal, websites or a section of a type this site shows (kerken)"]
    write_site(tmp_path, "kerken", "title: Kerken\ntypes: [churches]\n")
    with pytest.raises(ContentInvalid) as caught:
        load_sites(tmp_path, "K", URL)
    assert [str(e) for e in caught.value.errors] == [
        "sites/kerken.yml:1: url: a thematic site needs a title, a url and the types it shows"]


def test_check_reports_site_file_errors(tmp_path, sample_root):
    from kennisbank.cli import cli

    root = with_sites(sample_root, tmp_path / "repo")
    write_site(root, "kerken", "title: Kerken\nurl: kerken.example.org\ntypes: [churches]\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    assert "sites/kerken.yml:2: url: 'kerken.example.org' is not an absolute http(s) URL" in result.output


# ---------------------------------------------------------------- the build

def test_every_site_is_built_with_its_own_home_feeds_sitemap_404_and_search_page(out):
    assert sorted(p.name for p in (out / "sites").iterdir()) == sorted(("portaal", *THEMATIC))
    assert (out / "site").resolve() == (out / "sites" / "portaal").resolve()
    for name in ("portaal", *THEMATIC):
        site = out / "sites" / name
        for path in ("index.html", "404.html", "sitemap.xml", "feeds/feeds.opml", "feeds/alles.xml",
                     "zoeken/index.html", "volg-ons/index.html"):
            assert (site / path).is_file(), f"{name}: {path}"


def test_a_thematic_site_shows_only_its_collection(out, repo):
    kerken = out / "sites" / "kerken"
    fiches = {p.parent.name for p in (kerken / "kerken").glob("*/index.html")} - {"kaart"}
    assert fiches == {i.slug for i in repo.of_type("churches")}
    assert (kerken / "kerken" / "kaart" / "index.html").is_file()  # the shared map page, for its own fiches
    for section in ("nieuws", "studies", "agenda", "stadsprojecten", "nieuwsbrief"):
        assert not (kerken / section).exists(), section
    assert (kerken / "feeds" / "kerken.xml").is_file() and not (kerken / "feeds" / "nieuws.xml").exists()
    html = page_file(kerken, "/").read_text(encoding="utf-8")
    assert "<title>Herbestemming kerken" in html
    assert "Parochiekerken krijgen een nieuwe bestemming" in html
    assert "--kb-brand:#5b2a6e;" in html and "--kb-accent:#8a2b0f;" in html and 'src="assets/logo.svg"' in html
    portal = page_file(out / "sites" / "portaal", "/").read_text(encoding="utf-8")
    assert "--kb-brand:#12466b;" in portal  # the portal keeps mkdocs.yml's identity


def test_each_sites_feeds_have_their_own_ids_and_links_on_its_own_host(out):
    import feedparser

    seen: dict[str, str] = {}
    for name in ("portaal", *THEMATIC):
        feed = feedparser.parse((out / "sites" / name / "feeds" / "alles.atom.xml").read_bytes())
        assert feed.bozo == 0 and feed.feed.get("language", "nl") == "nl", name
        host = re.match(r"https://([^/]+)/", feed.feed.link).group(1)
        assert feed.feed.id.startswith(f"tag:{host},") and feed.feed.id not in seen, (name, feed.feed.id, seen)
        seen[feed.feed.id] = name
        assert feed.entries and all(e.link.startswith(f"https://{host}/") for e in feed.entries), name
    kerken = (out / "sites" / "kerken" / "feeds" / "feeds.opml").read_text(encoding="utf-8")
    assert "https://kerken.kennisbank.example.org/feeds/kerken.xml" in kerken and "nieuws.xml" not in kerken


@pytest.mark.parametrize("kind", ["alles.atom.xml", "alles.xml"])
def test_an_item_keeps_one_entry_id_on_every_sites_feed(out, kind):
    """Atom ids and RSS guids are the portal's on every site, so readers and aggregators that
    follow the portal and a thematic site see an item once; each link stays on its own host."""
    import feedparser

    def entries(site: str) -> dict[str, str]:
        feed = feedparser.parse((out / "sites" / site / "feeds" / kind).read_bytes())
        assert feed.bozo == 0 and feed.version in ("atom10", "rss20") and feed.entries, site
        return {entry.id: entry.link for entry in feed.entries}

    portal, kerken = entries("portaal"), entries("kerken")
    assert all(entry_id.startswith("tag:kennisbank.example.org,2020:") for entry_id in [*portal, *kerken])
    shared = portal.keys() & kerken.keys()
    assert shared, "the sample's newest items include a church on both sites"
    for entry_id in shared:
        assert portal[entry_id].startswith("https://kennisbank.example.org/"), portal[entry_id]
        assert kerken[entry_id].startswith("https://kerken.kennisbank.example.org/"), kerken[entry_id]


def test_agenda_and_web_editor_are_the_portals_and_maps_every_sites(out):
    portal, kerken = out / "sites" / "portaal", out / "sites" / "kerken"
    assert (portal / "agenda" / "komende-activiteiten.ics").is_file()
    assert not list(kerken.rglob("*.ics"))
    assert (portal / "admin" / "config.yml").is_file() and not (kerken / "admin").exists()
    for site in (portal, kerken):
        assert (site / "kerken" / "kaart" / "index.html").is_file()
    home = page_file(kerken, "/").read_text(encoding="utf-8")
    assert 'href="/kerken/kaart/"' in home  # the collection tile links its map, as on the portal
    assert 'action="/api/subscriptions"' in home  # the footer's sign-up form: the one API


def test_serve_refuses_the_web_editor_on_a_thematic_site(sample_root):
    from kennisbank.cli import cli

    result = CliRunner().invoke(cli, ["--root", str(sample_root), "serve", "--cms", "--site", "kerken", "--port", "0"])
    assert result.exit_code == 2 and "the web editor is on the portal only" in result.output


def test_each_page_has_one_canonical_url_on_the_site_it_belongs_to(out, repo):
    fiche = repo.of_type("churches")[0]
    canonical = f'<link rel="canonical" href="https://kerken.kennisbank.example.org{fiche.url}">'
    portal_copy = page_file(out / "sites" / "portaal", fiche.url).read_text(encoding="utf-8")
    own = page_file(out / "sites" / "kerken", fiche.url).read_text(encoding="utf-8")
    assert portal_copy.count('rel="canonical"') == 1 and canonical in portal_copy
    assert own.count('rel="canonical"') == 1 and canonical in own
    news = repo.of_type("news")[0]
    html = page_file(out / "sites" / "portaal", news.url).read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{URL.rstrip("/")}{news.url}">' in html
    assert 'href="https://kerken.kennisbank.example.org/kerken/' in portal_copy  # "hoort thuis op"
    portal_map = (out / "sites" / "portaal" / "sitemap.xml").read_text(encoding="utf-8")
    kerken_map = (out / "sites" / "kerken" / "sitemap.xml").read_text(encoding="utf-8")
    assert fiche.url not in portal_map and f"<loc>{URL.rstrip('/')}{news.url}</loc>" in portal_map
    assert f"<loc>https://kerken.kennisbank.example.org{fiche.url}</loc>" in kerken_map


def test_thematic_sites_link_back_to_the_portal_and_to_the_other_sites(out):
    for name in THEMATIC:
        html = page_file(out / "sites" / name, "/").read_text(encoding="utf-8")
        assert f'href="{URL}"' in html, name
        others = [n for n in THEMATIC if n != name]
        assert all(re.search(rf'href="https://{n.replace("-", "")}\.kennisbank\.example\.org/"', html)
                   for n in others), name
    portal = page_file(out / "sites" / "portaal", "/").read_text(encoding="utf-8")
    assert 'href="https://kerken.kennisbank.example.org/"' in portal  # the portal's nav lists the sites


def test_item_pages_link_related_content_on_the_other_sites(out):
    pages = (out / "sites" / "kerken" / "kerken").glob("*/index.html")
    elsewhere = [p for p in pages if "Verwant op onze andere websites" in p.read_text(encoding="utf-8")]
    assert elsewhere
    html = elsewhere[0].read_text(encoding="utf-8")
    section = html[html.index('id="kb-elders"'):]
    links = re.findall(r'href="([^"]+)"', section[:section.index("</aside>")])
    assert links and all(link.startswith("https://") and "kerken.kennisbank" not in link for link in links)


def test_build_one_site_replaces_only_that_site(tmp_path, sample_root):
    from kennisbank.cli import cli

    root = with_sites(sample_root, tmp_path / "repo")
    runner = CliRunner()
    assert runner.invoke(cli, ["--root", str(root), "build"]).exit_code == 0
    portal_index = root / "build" / "sites" / "portaal" / "index.html"
    before = portal_index.stat().st_ino
    kerken_before = (root / "build" / "sites" / "kerken" / "index.html").stat().st_ino
    result = runner.invoke(cli, ["--root", str(root), "build", "--site", "kerken"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("build/sites/kerken")
    assert portal_index.stat().st_ino == before
    assert (root / "build" / "sites" / "kerken" / "index.html").stat().st_ino != kerken_before
    result = runner.invoke(cli, ["--root", str(root), "build", "--site", "kapellen"])
    assert result.exit_code == 2 and "unknown site 'kapellen'; sites: portaal, kerken" in result.output


def test_all_sites_swap_together_or_none_does_and_builds_are_reproducible(tmp_path, sample_root, monkeypatch):
    from kennisbank import build as build_module
    from kennisbank.errors import KennisbankError

    root = with_sites(sample_root, tmp_path / "repo")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")  # the build moment (calendar stamps) is fixed
    build_module.build(root, tmp_path / "one")
    build_module.build(root, root / "build")
    left, right = tmp_path / "one" / "sites", root / "build" / "sites"
    names = sorted(p.relative_to(left).as_posix() for p in left.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(right).as_posix() for p in right.rglob("*") if p.is_file())
    assert [n for n in names if not filecmp.cmp(left / n, right / n, shallow=False)] == []

    real = build_module.RENDER

    def broken(context):
        if context.settings.site.name == "woonbeleid":
            raise KennisbankError("renderer exploded")
        real(context)

    inodes = {p: p.stat().st_ino for p in right.glob("*/index.html")}
    monkeypatch.setattr(build_module, "RENDER", broken)
    with pytest.raises(KennisbankError, match="Lokale woonbeleidsinstrumenten: renderer exploded"):
        build_module.build(root, root / "build")
    assert {p: p.stat().st_ino for p in right.glob("*/index.html")} == inodes
    assert not list((root / "build").glob(".tmp-*"))


# ---------------------------------------------------------------- search scoped to a site

@pytest.fixture(scope="module")
def api(repo, sample_root, tmp_path_factory):
    from kennisbank.config import load_settings
    from kennisbank.search import build_search_index
    from kennisbank.search.api import create_api

    build = tmp_path_factory.mktemp("site-search")
    build_search_index(repo, build)
    with live_server(create_api(build, load_settings(sample_root))) as url, \
            httpx.Client(base_url=url, timeout=10) as client:
        yield client


def test_the_site_parameter_scopes_search_to_what_the_site_shows(api, repo):
    everything = api.get("/search", params={"per_page": 50}).json()["total"]
    assert api.get("/search", params={"per_page": 50, "site": "portaal"}).json()["total"] == everything
    body = api.get("/search", params={"per_page": 50, "site": "kerken"}).json()
    assert body["total"] == len(repo.of_type("churches")) and body["total"] < everything
    assert all(hit["url"].startswith("/kerken/") for hit in body["hits"])
    facets = {f["field"]: f for f in body["facets"]}
    assert {v["value"] for v in facets["collection"]["values"]} == {"kerken"}
    # the expanded query (typo corrections, completions, compounds) stays inside the scope
    anywhere = api.get("/search", params={"q": "leegstnd", "per_page": 50}).json()
    scoped = api.get("/search", params={"q": "leegstnd", "per_page": 50, "site": "stadsprojecten"}).json()
    assert anywhere["total"] > scoped["total"] > 0
    assert all(hit["url"].startswith("/stadsprojecten/") for hit in scoped["hits"])


def test_an_unknown_site_is_a_422_naming_the_parameter(api):
    response = api.get("/search", params={"site": "kapellen"})
    assert response.status_code == 422
    assert response.json()["parameter"] == "site" and "portaal" in response.json()["message"]
    spec = api.get("/openapi.json").json()
    site = next(p for p in spec["paths"]["/search"]["get"]["parameters"] if p["name"] == "site")
    assert sorted(site["schema"]["enum"]) == sorted(("portaal", *THEMATIC))


def test_facet_values_are_counted_within_the_site(api, repo):
    assert len(api.get("/facets/collection").json()["values"]) > 1
    kerken = api.get("/facets/collection", params={"site": "kerken"}).json()["values"]
    assert [(v["value"], v["count"]) for v in kerken] == [("kerken", len(repo.of_type("churches")))]
    assert api.get("/facets/city", params={"site": "portaal", "limit": 100}).json() == \
        api.get("/facets/city", params={"limit": 100}).json()
    response = api.get("/facets/city", params={"site": "kapellen", "prefix": "ge"})
    assert response.status_code == 422
    assert response.json()["parameter"] == "site" and "portaal" in response.json()["message"]
    spec = api.get("/openapi.json").json()
    site = next(p for p in spec["paths"]["/facets/{field}"]["get"]["parameters"] if p["name"] == "site")
    assert sorted(site["schema"]["enum"]) == sorted(("portaal", *THEMATIC))


def test_meilisearch_filters_on_the_site_field(sample_root):
    from kennisbank.search import meili
    from kennisbank.search.settings import load_search_settings

    assert "site" in meili.settings_payload(load_search_settings(sample_root))["filterableAttributes"]
    assert meili.filter_expression({"site": ("kerken",), "city": ("gent",)}) == '(city = "gent") AND (site = "kerken")'


def test_each_sites_search_page_asks_for_its_own_scope_and_facets(out):
    page = page_file(out / "sites" / "kerken", "/zoeken/").read_text(encoding="utf-8")
    assert 'data-site="kerken"' in page and 'data-facets="city,current_functions,status,country,province"' in page
    portal = page_file(out / "sites" / "portaal", "/zoeken/").read_text(encoding="utf-8")
    assert "data-site" not in portal


# ---------------------------------------------------------------- serve

def _serve(sample_root: Path, out: Path, **options):
    from kennisbank.serve import LiveSite, create_app

    live = LiveSite(sample_root, out, report=lambda message: None)
    live._preview = object()  # already built: skip preparing the incremental preview
    return live_server(create_app(sample_root, out, watch=False, live=live, **options))


def test_serve_shows_every_site_under_its_name_with_links_that_stay_inside_it(sample_root, out, repo):
    fiche = repo.of_type("churches")[0]
    with _serve(sample_root, out, sites=["portaal", *THEMATIC]) as url, \
            httpx.Client(base_url=url, timeout=20) as client:
        assert client.get("/").headers["location"] == "/portaal/"
        home = client.get("/kerken/")
        assert home.status_code == 200 and "Herbestemming kerken" in home.text
        assert f'href="/kerken{fiche.url}"' in home.text and 'href="/volg-ons/"' not in home.text
        assert client.get(f"/kerken{fiche.url}").status_code == 200
        assert client.get(f"/portaal{fiche.url}").status_code == 200
        assert client.get("/woonbeleid/zoeken").headers["location"] == "/woonbeleid/zoeken/"
        assert client.get("/kerken/nieuws/").status_code == 404  # the churches site has no news
        assert client.get("/api/search", params={"site": "kerken"}).json()["total"] == len(repo.of_type("churches"))


def test_serve_one_site_at_the_root(sample_root, out, repo):
    fiche = repo.of_type("churches")[0]
    with _serve(sample_root, out, site="kerken") as url, httpx.Client(base_url=url, timeout=20) as client:
        home = client.get("/")
        assert home.status_code == 200 and "Herbestemming kerken" in home.text
        assert f'href="{fiche.url}"' in home.text
        assert client.get("/nieuws/").status_code == 404


# ---------------------------------------------------------------- moving house

def test_every_sample_redirect_leads_to_a_page(sample_root, out):
    from kennisbank.content import load_repository
    from kennisbank.redirects import load_redirects
    from kennisbank.sites import load_all_sites

    sites = load_all_sites(sample_root)
    redirects = load_redirects(sample_root, sites, load_repository(sample_root))
    assert any(r.old.endswith(".aspx") and "/Nieuwsbrief/" in r.old for r in redirects)
    by_host = {site.url: site.name for site in sites.all}
    followed = 0
    with _serve(sample_root, out, sites=list(sites.names)) as url, httpx.Client(base_url=url, timeout=20) as client:
        for redirect in redirects:
            page = client.get(f"/{redirect.site}{redirect.old}")
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), redirect
            refresh = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page.text).group(1)
            canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page.text).group(1)
            assert f'<a href="{refresh}">' in page.text
            site_name, path = redirect.site, refresh.removeprefix(f"/{redirect.site}")  # serve's prefix
            if refresh.startswith("https://"):
                base = next(u for u in by_host if refresh.startswith(u))
                site_name, path = by_host[base], "/" + refresh[len(base):]
            assert canonical == sites.get(site_name).absolute(path)
            assert client.get(f"/{site_name}{path}").status_code == 200, redirect
            followed += 1
        assert followed == len(redirects) >= 10
    lines = (out / "sites" / "kerken" / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/fiches/Paginas/Sint-Annakerk-Aalst.aspx /kerken/sint-annakerk-aalst/ 301" in lines
    nginx = (out / "redirects" / "portaal.nginx").read_text(encoding="utf-8")
    assert 'map $uri $kennisbank_portaal_redirect {' in nginx
    assert '"/Nieuwsbrief/2020/Pages/NB126.aspx" "/nieuwsbrief/126/";' in nginx


def test_check_refuses_missing_targets_chains_loops_and_unknown_sites(tmp_path, sample_root):
    from kennisbank.cli import cli

    root = with_sites(sample_root, tmp_path / "repo")
    (root / "redirects.yml").write_text(
        "portaal:\n"
        "  - {from: /Paginas/a.aspx, to: /Paginas/b.aspx}\n"
        "  - {from: /Paginas/b.aspx, to: /Paginas/a.aspx}\n"
        "  - {from: /Paginas/c.aspx, to: /Paginas/d.aspx}\n"
        "  - {from: /Paginas/d.aspx, to: /studies/}\n"
        "  - {from: /Paginas/e.aspx, to: studies/bestaat-niet}\n"
        "  - {from: /paginas/D.aspx, to: /nieuws/}\n"
        "kapellen:\n"
        "  - {from: /x.aspx, to: /}\n"
        "kerken:\n"
        "  - {from: /y.aspx, to: /nieuws/}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(root), "check", "--format", "text"])
    assert result.exit_code == 1
    out = result.output
    assert "redirects.yml:2: portaal[0].to: redirect loop: /Paginas/a.aspx → /Paginas/b.aspx → /Paginas/a.aspx" in out
    assert "redirects.yml:4: portaal[2].to: /Paginas/d.aspx is itself redirected (line 5)" in out
    assert "redirects.yml:6: portaal[4].to: no published item 'studies/bestaat-niet'" in out
    assert "redirects.yml:7: portaal[5].from: /paginas/D.aspx is already redirected on line 5" in out
    assert "redirects.yml:8: kapellen: no site 'kapellen'" in out
    assert "redirects.yml:11: kerken[0].to: no page /nieuws/ on the site kerken" in out


def test_chains_and_loops_between_redirects_are_reported(sample_root, repo):
    from kennisbank.redirects import Redirect, _duplicates_chains_and_loops

    loop = [Redirect("portaal", "/a.aspx", "/b.aspx", 1, "portaal[0]", path="/b.aspx", known=False),
            Redirect("portaal", "/b.aspx", "/a.aspx", 2, "portaal[1]", path="/a.aspx", known=False)]
    assert [str(e) for e in _duplicates_chains_and_loops(loop)] == [
        "redirects.yml:1: portaal[0].to: redirect loop: /a.aspx → /b.aspx → /a.aspx",
        "redirects.yml:2: portaal[1].to: redirect loop: /b.aspx → /a.aspx → /b.aspx"]
    chain = [Redirect("portaal", "/a.aspx", "/b.aspx", 1, "portaal[0]", path="/b.aspx", known=False),
             Redirect("portaal", "/b.aspx", "/studies/", 2, "portaal[1]", path="/studies/")]
    assert [str(e) for e in _duplicates_chains_and_loops(chain)] == [
        "redirects.yml:1: portaal[0].to: /b.aspx is itself redirected (line 2): point at the final page, /b.aspx → ..."]


# ---------------------------------------------------------------- statistics from access logs

HUMAN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
BOTS = ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "curl/8.5.0",
        "python-requests/2.31.0")


def _line(vhost: str, ip: str, when: str, path: str, agent: str, status: int = 200) -> str:
    return (f'{vhost}:443 {ip} - - [{when} +0100] "GET {path} HTTP/1.1" {status} 5120 '
            f'"https://www.google.be/" "{agent}"')


def generated_log(path: Path) -> dict[tuple[str, str], tuple[int, int, int]]:
    """A log with known answers: (site, month) → (visits, unique visitors, page views)."""
    import random

    rng = random.Random(7)
    lines = []
    portal, kerken = "kennisbank.example.org", "kerken.kennisbank.example.org"
    # portal, January: visitor A reads 3 pages, returns after 45 minutes for 2 more (2 visits);
    # visitor B (same address, other browser) reads 1 page; assets, 404s and a POST do not count
    lines += [_line(portal, "10.0.0.1", f"14/Jan/2021:10:0{n}:00", p, HUMAN)
              for n, p in enumerate(["/", "/nieuws/", "/studies/x/"])]
    lines += [_line(portal, "10.0.0.1", "14/Jan/2021:10:47:00", "/agenda/", HUMAN),
              _line(portal, "10.0.0.1", "14/Jan/2021:10:50:00", "/themas/", HUMAN),
              _line(portal, "10.0.0.1", "14/Jan/2021:10:02:01", "/assets/kennisbank.css", HUMAN),
              _line(portal, "10.0.0.1", "14/Jan/2021:10:02:02", "/feeds/alles.xml", HUMAN),
              _line(portal, "10.0.0.1", "14/Jan/2021:10:02:03", "/bestaat-niet/", HUMAN, 404),
              _line(portal, "10.0.0.1", "14/Jan/2021:11:20:00", "/nieuws/?pagina=2", PHONE)]
    lines.append('kennisbank.example.org:443 10.0.0.9 - - [14/Jan/2021:10:00:00 +0100] "POST /api/x HTTP/1.1" 200 1 "-" "x"')
    # kerken, February: 3 visitors with one page each, and bots everywhere
    lines += [_line(kerken, f"10.0.1.{n}", f"0{n + 1}/Feb/2021:09:00:00", "/kerken/sint-annakerk-aalst/", HUMAN)
              for n in range(3)]
    lines += [_line(rng.choice((portal, kerken)), f"66.249.{n}.1", "03/Feb/2021:04:00:00", "/", rng.choice(BOTS))
              for n in range(40)]
    lines += ["dit is geen logregel", ""]
    rng.shuffle(lines[-44:-2])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {("kerken", "2021-02"): (3, 3, 3), ("portaal", "2021-01"): (3, 2, 6)}


def test_stats_counts_visits_visitors_and_page_views_per_site_and_month_without_bots(tmp_path, sample_root):
    from kennisbank.cli import cli

    expected = generated_log(tmp_path / "access.log")
    result = CliRunner().invoke(cli, ["--root", str(sample_root), "stats", str(tmp_path / "access.log"),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    rows = json.loads(result.stdout)
    assert {(r["site"], r["month"]): (r["visits"], r["unique_visitors"], r["page_views"]) for r in rows} == expected
    assert "40 bot page requests left out, 1 unreadable lines skipped" in result.stderr
    text = CliRunner().invoke(cli, ["--root", str(sample_root), "stats", str(tmp_path / "access.log")])
    assert text.stdout.splitlines()[0].split() == ["Website", "Maand", "Bezoeken", "Unieke", "bezoekers",
                                                   "Paginaweergaven"]
    assert text.stdout.splitlines()[2].split() == ["kerken", "2021-02", "3", "3", "3"]


def test_stats_takes_the_site_from_the_file_name_without_virtual_hosts(tmp_path, sample_root):
    import gzip

    from kennisbank.cli import cli

    line = f'10.0.0.1 - - [14/Mar/2021:10:00:00 +0100] "GET / HTTP/1.1" 200 5 "-" "{HUMAN}"\n'
    with gzip.open(tmp_path / "woonbeleid.access.log.gz", "wt", encoding="utf-8") as log:
        log.write(line)
    (tmp_path / "other.log").write_text(line, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--root", str(sample_root), "stats", "--format", "csv", "--site", "kerken",
                                      str(tmp_path / "woonbeleid.access.log.gz"), str(tmp_path / "other.log")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["site,month,visits,unique_visitors,page_views",
                                          "kerken,2021-03,1,1,1", "woonbeleid,2021-03,1,1,1"]
    bad = CliRunner().invoke(cli, ["--root", str(sample_root), "stats", "--site", "kapellen", str(tmp_path / "other.log")])
    assert bad.exit_code == 2 and "unknown site 'kapellen'" in bad.output
