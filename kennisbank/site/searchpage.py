"""The search page, ``/zoeken/``: a static shell the browser fills from the search API.

Material's own search plugin is off (``plugins: []`` in ``mkdocs.yml``): its index is loaded
whole by every visitor (~6 MB at 2,000 pages) and has no facets. This page instead calls
``GET <search_api_url>/search`` (same origin by default; ``extra.kennisbank.search_api_url``
in ``mkdocs.yml`` points it elsewhere) from ``assets/zoeken.js``; its look is ``assets/zoeken.css``.
Both are staged with the other assets and loaded by this page only.
"""

from __future__ import annotations

from kennisbank.config import Settings
from kennisbank.site.views import HOME, render
from kennisbank.sites import current_site
from kennisbank.staging import PageContext, StagedPage

PATH = "zoeken/index.md"
TITLE = "Zoeken"
BASE_FACETS = ("type", "collection", "theme", "city", "year")
"""Facets the page always shows; once one collection is chosen it also shows that collection's
own facets (every other facet the API returns with values)."""
PER_PAGE = 10


def search_page(settings: Settings) -> StagedPage:
    """The staged ``/zoeken/`` page; the API base URL travels in a ``data-api`` attribute, a
    thematic site's name in ``data-site`` (the page then searches only what that site shows)."""
    site = current_site(settings)
    html = render("zoeken.html", crumbs=[HOME, {"title": TITLE, "url": "/zoeken/"}],
                  api_url=settings.search_api_url.rstrip("/") or "/api", facets=site.facets or BASE_FACETS,
                  per_page=PER_PAGE, site="" if site.default else site.name)
    return StagedPage(PATH, TITLE, html, PageContext("search"),
                      description="Doorzoek alle nieuwsberichten, studies, activiteiten, thema's en cases, "
                                  "met filters per soort, collectie, thema, stad en jaar.",
                      hide=("toc",))  # no headings to list: the results get the width
