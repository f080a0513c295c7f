"""The Dutch static site: stage every page as Markdown, render it with MkDocs, nothing more.

Two public stage functions, called by :mod:`kennisbank.build`:

* :func:`stage_site` writes ``<tmp>/docs``: one Markdown file per page (front matter + one block
  of clean HTML), pictures under ``docs/media/``, the stylesheet under ``docs/assets/``.
* :func:`render_site` renders ``<tmp>/docs`` into ``<tmp>/site`` with mkdocs-material
  (:mod:`.render`; the preview (:mod:`.preview`) and the two in-process plugins
  (:mod:`.passthrough`, :mod:`.navcache`) are the other modules that touch MkDocs).

For other stages
----------------
* Pages: a stage that adds pages writes Markdown files under ``<tmp>/docs/`` between
  ``stage_site`` and ``render_site`` (e.g. ``docs/volg-ons/index.md``, ``docs/nieuwsbrief/...``,
  ``docs/zoeken/index.md``). The nav picks up ``volg-ons``, ``nieuwsbrief`` and ``zoeken`` when
  they exist; ``volg-ons`` and ``nieuwsbrief`` get a short placeholder only when nobody wrote them.
  Static files (feed XML) written under ``<tmp>/docs/`` are copied as they are.
* Feed autodiscovery: every staged page has a :class:`~kennisbank.staging.PageContext`
  ``(kind, key)`` (kinds: :data:`~kennisbank.staging.PageKind`). :mod:`.feed_links` asks
  ``kennisbank.feeds.feeds_for_page(kind, key)`` for every page and renders each returned feed
  as ``<link rel="alternate" type=... title=... href=...>`` in the page's ``<head>``. Other
  stages' own pages may set ``feeds: [{title, href, type}]`` in their front matter.
* Safety: every body goes through :mod:`kennisbank.sanitize` (Markdown → HTML → nh3), every
  field through autoescaped templates, so no script or ``javascript:`` URL from content reaches a
  page even when ``check`` is bypassed.
"""

from kennisbank.site.render import render_site
from kennisbank.site.stage import stage_site

__all__ = ["render_site", "stage_site"]
