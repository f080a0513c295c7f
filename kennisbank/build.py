"""`kennisbank build`: check, run every stage into a temporary folder, swap it in atomically.

The stages run in the order of :data:`STAGES`: callables that take the one
:class:`~kennisbank.context.BuildContext` (settings, repository and feed catalog, each built once,
and the writer every staged file goes through); a stage that adds pages runs before the render;
one that adds files beside the rendered pages runs after it.
Adding a stage is one line here. Output lands in a fresh folder of the output root and replaces
the live build in one atomic step only after every stage succeeded (:mod:`kennisbank.output`): a
failed, interrupted or concurrent build leaves the previous site untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from kennisbank.cms import stage_admin
from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.context import BuildContext
from kennisbank.feeds import stage_feeds
from kennisbank.newsletter import stage_newsletter
from kennisbank.output import publish
from kennisbank.search import stage_search_index
from kennisbank.site import render_site, stage_site

Stage = Callable[[BuildContext], object]

STAGES: list[Stage] = [
    stage_site,  # <tmp>/docs: every page as Markdown, pictures, stylesheet
    stage_feeds,  # <tmp>/docs/feeds/*.xml + feeds.opml, <tmp>/docs/volg-ons/
    stage_newsletter,  # <tmp>/newsletter/<NNN>/, <tmp>/docs/nieuwsbrief/
    stage_search_index,  # <tmp>/search: the embedded tantivy index
    render_site,  # <tmp>/docs → <tmp>/site with mkdocs-material
    stage_admin,  # <tmp>/site/admin: the web editor (needs the rendered stylesheets)
]


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
        context = BuildContext(repo, settings, tmp)
        for stage in STAGES:
            started = time.monotonic()
            context.files.stage = stage.__name__
            stage(context)
            report(f"{stage.__name__} ({time.monotonic() - started:.1f} s)")
    return out / "site"
