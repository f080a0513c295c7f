"""Material's navigation sidebar, rendered once per distinct outcome instead of on every page.

Material renders the whole nav (sections, listings, collections: ~20 links) into every page: 40 %
of the render time at 2,000 items. Item, year and subject pages are not in the nav (see
:mod:`kennisbank.site.render`), so on all of them the sidebar differs only in its relative links
(``../../nieuws/`` from ``/kerken/x/``, ``../`` from ``/nieuws/x/``). This plugin gives the theme a
``kb_nav()`` function (``overrides/base.html`` calls it where Material includes
``partials/nav.html``) that renders the partial as Material would and keeps the result keyed by
every link it can contain; a page that is in the nav (so something in it is marked active) is
always rendered afresh. The full-site comparison in the tests checks the bytes stay the same.
"""

from __future__ import annotations

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.utils import normalize_url

PARTIAL = "partials/nav.html"


def _targets(nav: Navigation) -> list[str]:
    """Every URL the nav links to (pages, sections' index pages, links, the home page)."""
    found: list[str] = []
    stack: list[object] = list(nav.items)
    while stack:
        item = stack.pop()
        url = getattr(item, "url", None)
        if url is not None:
            found.append(url)
        stack.extend(getattr(item, "children", None) or ())
    if nav.homepage is not None:
        found.append(nav.homepage.url)
    return found


class _NavCache(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def __init__(self) -> None:
        super().__init__()
        self._html: dict[tuple[object, ...], str] = {}
        self._targets: tuple[object, list[str]] | None = None

    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        self._html.clear()
        env.globals["kb_nav"] = self.nav_html
        return env

    @jinja2.pass_context
    def nav_html(self, context: jinja2.runtime.Context) -> str:
        page, nav = context.get("page"), context.get("nav")
        render = context.environment.get_template(PARTIAL).render
        if page is None or nav is None or page in nav.pages:
            return str(render(context.get_all()))
        if self._targets is None or self._targets[0] is not nav:
            self._targets = (nav, _targets(nav))
        key = (id(nav), context.get("base_url"),
               tuple(normalize_url(url, page=page, base=context.get("base_url")) for url in self._targets[1]))
        html = self._html.get(key)
        if html is None:
            html = self._html[key] = str(render(context.get_all()))
        return html


def nav_cache_plugin() -> BasePlugin:  # type: ignore[type-arg]
    """The plugin :func:`kennisbank.site.render.mkdocs_config` adds to every render."""
    return _NavCache()
