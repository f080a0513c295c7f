"""`kennisbank build`: check, run every stage into a temporary folder, swap it in atomically.

The stages run in the order of :data:`STAGES` (``"module:function"``, each
``fn(repo, settings, tmp) -> None``); a stage that adds pages to the site runs before the render; one that
adds files beside the rendered pages runs after it.
Adding a stage is one line here. Output lands in a fresh folder of the output root and replaces
the live build in one atomic step only after every stage succeeded (:mod:`kennisbank.output`): a
failed, interrupted or concurrent build leaves the previous site untouched.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from pathlib import Path

from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.output import publish

STAGES: list[str] = [
    "kennisbank.site:stage_site",  # <tmp>/docs: every page as Markdown, pictures, stylesheet
    "kennisbank.feeds:stage_feeds",  # <tmp>/docs/feeds/*.xml + feeds.opml, <tmp>/docs/volg-ons/
    "kennisbank.newsletter:stage_newsletter",  # <tmp>/newsletter/<NNN>/, <tmp>/docs/nieuwsbrief/
    "kennisbank.search:stage_search_index",  # <tmp>/search: the embedded tantivy index
    "kennisbank.site:render_site",  # <tmp>/docs → <tmp>/site with mkdocs-material
    "kennisbank.cms:stage_admin",  # <tmp>/site/admin: the web editor (needs the rendered stylesheets)
]


def _stage(spec: str) -> Callable:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def build(root: Path, out: Path, report: Callable[[str], None] = lambda message: None, *,
          future: bool = False) -> Path:
    """Build the site of the repository at ``root`` into ``out``; return ``out / "site"``.

    Items dated after the build's today (:mod:`kennisbank.clock`) are left out unless ``future``
    (a preview that shows scheduled items, labelled "gepland").

    Raises :class:`~kennisbank.errors.ContentInvalid` (nothing touched) when `check` finds errors,
    :class:`~kennisbank.output.OutputBusy` when another build writes into ``out``, and
    :class:`~kennisbank.output.OutputUnwritable` when ``out`` is read-only or full.
    """
    settings = load_settings(root)
    started = time.monotonic()
    repo = load_repository(root, future=future)
    scheduled = f", {len(repo.scheduled)} scheduled" + (" (published: --future)" if future else "") \
        if repo.scheduled else ""
    report(f"checked {len(repo.items)} items{scheduled} ({time.monotonic() - started:.1f} s)")
    with publish(out) as tmp:
        for spec in STAGES:
            started = time.monotonic()
            _stage(spec)(repo, settings, tmp)
            report(f"{spec.partition(':')[2]} ({time.monotonic() - started:.1f} s)")
    return out / "site"
