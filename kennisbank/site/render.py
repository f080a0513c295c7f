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
from kennisbank.staging import DOCS, MARKER_KEY, PageContext, StagedFiles, StagedPage

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from kennisbank.context import BuildContext

OVERRIDES = Path(__file__).parent / "overrides"  # Material overrides: skip link, search box, feed links
STYLESHEET = "assets/kennisbank.css"  # staged from kennisbank/site/assets/

# Pages other stages own; when a stage is absent the site still links to a short placeholder.
PLACEHOLDERS = {
    "volg-ons": ("Volg ons", "De feeds van het Kenniscentrum verschijnen hier zodra ze gepubliceerd zijn."),
    "nieuwsbrief": ("Nieuwsbrief", "Het archief van de nieuwsbrief verschijnt hier zodra er een nummer verschenen is."),
}


def add_placeholders(files: StagedFiles) -> None:
    """Write the pages the home page links to when the stage that owns them wrote nothing."""
    for section, (title, text) in PLACEHOLDERS.items():
        if not (files.written(f"{DOCS}/{section}/index.md") or files.written(f"{DOCS}/{section}.md")):
            crumbs = [HOME, {"title": title, "url": f"/{section}/"}]
            html = render("listing.html", title=title, crumbs=crumbs, intro=text, items=[], pager=None, total=0,
                          show_type=False, years=[])
            files.page(StagedPage(f"{section}/index.md", title, html, PageContext("placeholder", section)))


def navigation(repo: Repository, docs: Path, nav_pages: int = 8) -> list[object]:
    """Sections and listings only, in the order visitors expect; optional pages when staged; then
    at most ``nav_pages`` pages (``extra.kennisbank.nav_pages``), by their ``order``.

    Material repeats the nav on every page, so it must not grow with the content: with every page
    in it, a 10,000-item corpus carried 51 links (14 KB) on each of its 14,000 pages."""
    def entry(title: str, section: str) -> list[dict[str, str]]:
        if (docs / section / "index.md").is_file():
            return [{title: f"{section}/index.md"}]
        if (docs / f"{section}.md").is_file():
            return [{title: f"{section}.md"}]
        return []

    cases = [{"Overzicht": "cases/index.md"}] + [
        {t.label_plural: f"{t.section}/index.md"} for t in CONTENT_TYPES if t.is_case]
    nav: list[object] = [{"Home": "index.md"}]
    nav += entry("Nieuws", "nieuws") + entry("Studies", "studies") + entry("Agenda", "agenda")
    nav += [*entry("Thema's", "themas"), {"Cases": cases}, *entry("Steden", "steden"), *entry("Tags", "tags")]
    nav += entry("Nieuwsbrief", "nieuwsbrief") + entry("Volg ons", "volg-ons") + entry("Zoeken", "zoeken")
    pages = sorted(repo.of_type("page"), key=lambda p: (p.meta_as(Page).order, p.title, p.slug))
    nav += [{p.title: f"paginas/{p.slug}.md"} for p in pages[:nav_pages]]
    return nav


def _rendering_keys(repo: Repository, settings: Settings, docs: Path, site: Path) -> dict[str, Any]:
    """What the render sets on top of mkdocs.yml: the staged tree, the output folder, the nav, and
    the package's theme overrides and stylesheet (added here, so any repository copy works)."""
    given_theme = settings.raw.get("theme")
    theme = dict(given_theme) if isinstance(given_theme, dict) else {"name": "material"}
    theme["custom_dir"] = str(OVERRIDES)
    given_css = settings.raw.get("extra_css")
    extra_css = [c for c in given_css if c != STYLESHEET] if isinstance(given_css, list) else []
    return {"docs_dir": str(docs), "site_dir": str(site), "nav": navigation(repo, docs, settings.nav_pages), "theme": theme,
            "extra_css": [*extra_css, STYLESHEET]}


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

    add_placeholders(context.files)
    docs, site = context.tmp / DOCS, context.files.claim("site")
    config = mkdocs_config(context.repo, context.settings, docs, site)
    with reproducible(context.repo), quiet_mkdocs():
        try:
            build(config)
        except MkDocsException as exc:
            raise KennisbankError(f"rendering failed: {exc}") from None


def write_config_file(repo: Repository, settings: Settings, docs: Path, site: Path, target: Path) -> Path:
    """The exact configuration :func:`render_site` uses, as a file: ``mkdocs build -f target``
    renders the staged tree the same way (benchmarks compare against it; handy for debugging)."""
    import yaml

    data = {**settings.raw, **_rendering_keys(repo, settings, docs, site)}
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target
