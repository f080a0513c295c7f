"""Render the staged Markdown tree with MkDocs + Material (with :mod:`~kennisbank.site.passthrough`
and the preview, the only code that knows MkDocs).

The top-level ``mkdocs.yml`` is the base configuration; here it gets the staged ``docs_dir``,
the output ``site_dir`` and a generated ``nav`` (sections and listings only: an item in the nav
would repeat on every page and make the site quadratic in size). Swapping the renderer later
means replacing this module; the staged tree stays the same.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kennisbank.config import CONFIG_FILE, Settings
from kennisbank.content import CONTENT_TYPES, Repository
from kennisbank.content.models import Page
from kennisbank.errors import KennisbankError
from kennisbank.site.navcache import nav_cache_plugin
from kennisbank.site.passthrough import passthrough_plugin
from kennisbank.site.views import HOME, render
from kennisbank.sites import DEFAULT_PORTAL_NAV, all_sites, current_site
from kennisbank.staging import DOCS, MARKER_KEY, PageContext, StagedFiles, StagedPage

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from kennisbank.context import BuildContext

OVERRIDES = Path(__file__).parent / "overrides"  # Material overrides: skip link, search box, feed links
STYLESHEET = "assets/kennisbank.css"  # staged from kennisbank/site/assets/
NOT_CANONICAL = "not-canonical.txt"  # <tmp>/: URLs of pages whose canonical copy is on another site
NAV_PAGES = 8  # the nav_pages setting's default, for a navigation built without settings
LOGO = "assets/logo"  # + the logo's suffix, staged by kennisbank.site.stage

# Pages other stages own; when a stage is absent the site still links to a short placeholder.
PLACEHOLDERS = {
    "volg-ons": ("Volg ons", "De feeds van het Kenniscentrum verschijnen hier zodra ze gepubliceerd zijn."),
    "nieuwsbrief": ("Nieuwsbrief", "Het archief van de nieuwsbrief verschijnt hier zodra er een nummer verschenen is."),
}


def add_placeholders(files: StagedFiles, settings: Settings | None = None) -> None:
    """Write the pages the home page links to when the stage that owns them wrote nothing (only
    those in the site's navigation)."""
    wanted = current_site(settings).nav if settings is not None else DEFAULT_PORTAL_NAV
    for section, (title, text) in PLACEHOLDERS.items():
        if section in wanted and not (files.written(f"{DOCS}/{section}/index.md") or files.written(f"{DOCS}/{section}.md")):
            crumbs = [HOME, {"title": title, "url": f"/{section}/"}]
            html = render("listing.html", title=title, crumbs=crumbs, intro=text, items=[], pager=None, total=0,
                          show_type=False, years=[], filters=None)
            files.page(StagedPage(f"{section}/index.md", title, html, PageContext("placeholder", section)))


def navigation(repo: Repository, docs: Path, settings: Settings | None = None,
               nav_pages: int | None = None) -> list[object]:
    """The site's navigation (``nav`` in its ``sites/<name>.yml``): sections and listings only,
    optional sections when staged, at most ``nav_pages`` pages (``extra.kennisbank.nav_pages``, by
    their ``order``), links to the portal and the other sites.

    Material repeats the nav on every page, so it must not grow with the content: with every page
    in it, a 10,000-item corpus carried 51 links (14 KB) on each of its 14,000 pages."""
    order = current_site(settings).nav if settings is not None else DEFAULT_PORTAL_NAV
    limit = nav_pages if nav_pages is not None else settings.nav_pages if settings is not None else NAV_PAGES
    nav: list[object] = [{"Home": "index.md"}]
    for key in order:
        nav += _nav_entry(key, repo, docs, settings, limit)
    return nav


_NAV_TITLES = {"nieuws": "Nieuws", "studies": "Studies", "agenda": "Agenda", "themas": "Thema's", "steden": "Steden",
               "tags": "Tags", "nieuwsbrief": "Nieuwsbrief", "volg-ons": "Volg ons", "zoeken": "Zoeken"}


def _nav_entry(key: str, repo: Repository, docs: Path, settings: Settings | None, nav_pages: int) -> list[object]:
    sites = all_sites(settings) if settings is not None else None
    site = current_site(settings) if settings is not None else None
    if key == "cases":
        shown = [t for t in CONTENT_TYPES if t.is_case and (site is None or site.shows_type(t.name))]
        return [{"Cases": [{"Overzicht": "cases/index.md"}, *({t.label_plural: f"{t.section}/index.md"} for t in shown)]}]
    if key == "paginas":
        pages = sorted(repo.of_type("page"), key=lambda p: (p.meta_as(Page).order, p.title, p.slug))
        return [{p.title: f"paginas/{p.slug}.md"} for p in pages[:nav_pages]]
    if key == "portaal":
        return [] if sites is None or site is None or site.default else [{"Naar het portaal": sites.portal.url}]
    if key == "websites":
        others = [s for s in sites.all if s is not site] if sites is not None else []
        return [{"Onze websites": [{s.title: s.url} for s in others]}] if others else []
    ctype = next((t for t in CONTENT_TYPES if t.section == key), None)
    title = ctype.label_plural if ctype is not None else _NAV_TITLES.get(key, key)
    if (docs / key / "index.md").is_file():
        return [{title: f"{key}/index.md"}]
    if (docs / f"{key}.md").is_file():
        return [{title: f"{key}.md"}]
    return []


def _rendering_keys(repo: Repository, settings: Settings, docs: Path, site: Path) -> dict[str, Any]:
    """What the render sets on top of mkdocs.yml: the staged tree, the output folder, the nav, the
    site's name, URL, logo and colours, and the package's theme overrides and stylesheet (added
    here, so any repository copy works)."""
    chosen = current_site(settings)
    given_theme = settings.raw.get("theme")
    theme = dict(given_theme) if isinstance(given_theme, dict) else {"name": "material"}
    theme["custom_dir"] = str(OVERRIDES)
    if chosen.logo is not None:
        theme["logo"] = theme["favicon"] = LOGO + chosen.logo.suffix
    given_css = settings.raw.get("extra_css")
    extra_css = [c for c in given_css if c != STYLESHEET] if isinstance(given_css, list) else []
    given_extra = settings.raw.get("extra")
    extra = dict(given_extra) if isinstance(given_extra, dict) else {}
    given_kb = extra.get("kennisbank")
    # base.html sets the --kb-* colours from these: the site's own over the portal's (kennisbank.sites)
    extra["kennisbank"] = {**(given_kb if isinstance(given_kb, dict) else {}), "colours": dict(settings.colours)}
    # the footer and the 404 page link the portal's own pages (newsletter, agenda, about): on a
    # thematic site through the portal's address
    portal = all_sites(settings).portal
    extra["kb_portal"] = {"url": "" if chosen.default else portal.url.rstrip("/"), "name": portal.title}
    return {"docs_dir": str(docs), "site_dir": str(site), "nav": navigation(repo, docs, settings), "theme": theme,
            "extra_css": [*extra_css, STYLESHEET], "extra": extra, "site_name": settings.site_name,
            "site_url": settings.site_url}


def mkdocs_config(repo: Repository, settings: Settings, docs: Path, site: Path) -> MkDocsConfig:
    """The base ``mkdocs.yml`` with :func:`_rendering_keys` and the two in-process plugins."""
    from mkdocs.config import load_config

    try:
        config = load_config(config_file=str(settings.root / CONFIG_FILE), **_rendering_keys(repo, settings, docs, site))
    except Exception as exc:  # mkdocs raises its own Abort/ConfigurationError types
        raise KennisbankError(f"{CONFIG_FILE}: {exc}") from None
    config.plugins["kennisbank-passthrough"] = passthrough_plugin(MARKER_KEY)
    config.plugins["kennisbank-nav-cache"] = nav_cache_plugin()
    return config


@contextlib.contextmanager
def reproducible(repo: Repository) -> Iterator[None]:
    """MkDocs stamps sitemaps with its own "today"; give it the build's (the repository's, from
    :mod:`kennisbank.clock`), so the whole build agrees on one date even across midnight."""
    today = repo.today
    epoch = int(dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC).timestamp())
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


@contextlib.contextmanager
def quiet_mkdocs() -> Iterator[None]:
    """MkDocs logs every step at INFO; keep warnings and errors only."""
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def render_site(context: BuildContext) -> None:
    """Render ``<tmp>/docs`` into ``<tmp>/site`` with MkDocs (the build's render stage)."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    add_placeholders(context.files, context.settings)
    docs, site = context.tmp / DOCS, context.files.claim("site")
    config = mkdocs_config(context.repo, context.settings, docs, site)
    with reproducible(context.repo), quiet_mkdocs():
        try:
            build(config)
        except MkDocsException as exc:
            raise KennisbankError(f"rendering failed: {exc}") from None
    if context.files.written(NOT_CANONICAL):
        urls = (context.tmp / NOT_CANONICAL).read_text(encoding="utf-8").split()
        drop_from_sitemap(site, context.settings, urls)


def drop_from_sitemap(site: Path, settings: Settings, urls: list[str]) -> None:
    """Leave the pages whose canonical copy is on another site out of ``sitemap.xml`` (and its
    ``.gz``): a sitemap lists canonical URLs only."""
    import gzip
    import re

    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return
    locs = {f"<loc>{settings.absolute(url)}</loc>" for url in urls}
    text = re.sub(r"\s*<url>\s*(<loc>[^<]*</loc>).*?</url>", lambda m: "" if m.group(1) in locs else m.group(0),
                  sitemap.read_text(encoding="utf-8"), flags=re.S)
    sitemap.write_text(text, encoding="utf-8")
    with open(site / "sitemap.xml.gz", "wb") as raw, gzip.GzipFile("sitemap.xml", "wb", fileobj=raw, mtime=0) as packed:
        packed.write(text.encode("utf-8"))


def write_config_file(repo: Repository, settings: Settings, docs: Path, site: Path, target: Path) -> Path:
    """The exact configuration :func:`render_site` uses, as a file: ``mkdocs build -f target``
    renders the staged tree the same way (benchmarks compare against it; handy for debugging)."""
    import yaml

    data = {**settings.raw, **_rendering_keys(repo, settings, docs, site)}
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target
