"""Quality of the built sample sites (the portal and every thematic site): valid HTML (Nu
validator), every internal link and anchor resolves, axe-core finds no accessibility violations
in headless Chromium, and pages load without failed requests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from site_helpers import built_sample, launch_chromium, page_file

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


SITES = sorted(p.stem for p in (ROOT / "sites").glob("*.yml"))


@pytest.fixture(scope="module")
def out(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root)


@pytest.fixture(scope="module", params=SITES)
def site(request, out) -> Path:
    return out / "sites" / request.param


def site_urls(site: Path, repo) -> list[str]:
    """The portal's sample pages; on a thematic site: home, its listing, a fiche, a theme, a city,
    the search and follow pages."""
    if site.name == "portaal":
        return sample_urls(repo)
    section = next(t.section for t in repo_types() if (site / t.section / "index.html").is_file())
    item = sorted(p.parent.name for p in (site / section).glob("*/index.html"))[0]
    theme = sorted(p.parent.name for p in (site / "themas").glob("*/index.html"))[0]
    city = sorted(p.parent.name for p in (site / "steden").glob("*/index.html"))[0]
    return ["/", f"/{section}/", f"/{section}/{item}/", f"/themas/{theme}/", f"/steden/{city}/", "/volg-ons/"]


def repo_types():
    from kennisbank.content.types import CONTENT_TYPES

    return [t for t in CONTENT_TYPES if t.is_case]


def sample_urls(repo) -> list[str]:
    """Home, a listing, a theme, a city, a news item, an event and a fiche of each collection."""
    theme = next(t for t in repo.themes.values() if any(t.slug in i.themes for i in repo.published if i is not t))
    city = next(c for c in ("gent", "antwerpen", "leuven") if any(c in i.cities for i in repo.published))
    urls = ["/", "/nieuws/", "/kerken/", theme.url, f"/steden/{city}/", "/nieuws/2020/", "/tags/",
            repo.of_type("news")[0].url, repo.of_type("event")[0].url, repo.of_type("study")[0].url]
    urls += [repo.of_type(name)[0].url for name in ("churches", "city-projects", "temporary-use", "housing-instruments")]
    urls += ["/kerken/kaart/", "/agenda/", "/agenda/archief/"]
    return urls


@pytest.mark.java
@pytest.mark.npm
def test_nu_validator_finds_no_errors_on_any_page(site):
    if not VNU.is_file() or shutil.which("java") is None:
        pytest.fail("vnu-jar or java missing: run scripts/install-test-deps.sh")
    pages = sorted(str(p) for p in site.rglob("*.html"))
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m.get('url', '').rsplit('/sites/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(errors[:30])


def test_every_internal_link_and_anchor_resolves(site):
    from kennisbank.site.linkcheck import broken_links

    pages, broken = broken_links(site)
    assert pages > (100 if site.name == "portaal" else 20)
    assert broken == [], "\n".join(broken[:40])


@pytest.mark.browser
@pytest.mark.npm
def test_axe_finds_no_violations(http_site, site, repo):
    from playwright.sync_api import sync_playwright

    if not AXE.is_file():
        pytest.fail("axe-core missing: run scripts/install-test-deps.sh")
    problems = {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            for url in site_urls(site, repo):
                page.goto(http_site + url)
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                found = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]
                if found:
                    problems[url] = found
        finally:
            browser.close()
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_sample_urls_exist(site, repo):
    assert all(page_file(site, url).is_file() for url in site_urls(site, repo))


@pytest.mark.browser
def test_pages_load_without_failed_requests_or_console_errors(http_site, site, repo):
    """Every request a page makes in the browser succeeds (Material's script, for one, fetches a
    sitemap beside each feed link) and nothing is logged as an error."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            # map tiles are the only requests outside the site; they are refused here (offline)
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(http_site) else r.abort())
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type == "error" and (m.location.get("url") or "").startswith(http_site)
                    and "ERR_FAILED" not in m.text else None)
            for url in site_urls(site, repo):
                page.goto(http_site + url, wait_until="networkidle")
        finally:
            browser.close()
    assert problems == []
