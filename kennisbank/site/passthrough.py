"""Staged pages skip MkDocs' Markdown step: their body is already one block of clean HTML.

Every page the site stage writes is front matter plus a single HTML block (see
:meth:`~kennisbank.staging.StagedPage.markdown`). Python-Markdown passes such a block through
unchanged, but only after parsing it twice with :mod:`html.parser` (once to find anchors, once to
stash the block): half of a full build's render time at 2,000 items. For those pages this plugin
puts the block in directly, with the one change Python-Markdown makes to raw HTML (its whitespace
normalisation: tabs to spaces, blank-looking lines emptied). Anything else (a hand-written page,
a page without the marker) goes through MkDocs as before. ``tests/test_site_render_shortcuts.py``
checks on every page of the sample site that the result is byte for byte what Python-Markdown
produces, and that the whole site equals a plain ``mkdocs build`` of the same tree.
"""

from __future__ import annotations

import functools
import html
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

_BLANK_LOOKING = re.compile(r"(?<=\n) +\n")
_ANCHOR = re.compile(r"<[a-zA-Z][^>]*?\sid=\"([^\"]*)\"")


def normalised_html(body: str, tab_length: int = 4) -> str:
    """What Python-Markdown outputs for a body that is one raw HTML block."""
    text = body.replace("\x02", "").replace("\x03", "").replace("\r\n", "\n").replace("\r", "\n")
    return _BLANK_LOOKING.sub("\n", text.expandtabs(tab_length) + "\n\n").strip()


def is_passthrough(page: Page, marker: str) -> bool:
    """A page the site stage wrote (its marker key in the front matter), holding one HTML block."""
    return marker in (page.meta or {}) and bool(page.markdown) and (page.markdown or "").lstrip().startswith("<")


def _render(page: Page, config: MkDocsConfig, files: Files, *, marker: str) -> None:
    if not is_passthrough(page, marker):
        Page.render(page, config, files)
        return
    page.content = normalised_html(page.markdown or "")
    page.toc = get_toc([])  # headings inside raw HTML never reach the toc extension
    page._title_from_render = None
    page.present_anchor_ids = {html.unescape(anchor) for anchor in _ANCHOR.findall(page.content)}
    page.links_to_anchors = {}  # raw HTML links are not checked by MkDocs either


class _Passthrough(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def __init__(self, marker: str):
        super().__init__()
        self.marker = marker

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        page.render = functools.partial(_render, page, marker=self.marker)  # type: ignore[method-assign]
        return page


def passthrough_plugin(marker: str) -> BasePlugin:  # type: ignore[type-arg]
    """The plugin :func:`kennisbank.site.render.mkdocs_config` adds to every render."""
    return _Passthrough(marker)
