"""`kennisbank build`: check, run every stage into a temporary folder, swap it in atomically.

The stages run in the order of :data:`STAGES` (``"module:function"``, each
``fn(repo, settings, tmp) -> None``); a stage that adds pages to the site runs before the render.
Adding a stage is one line here. Output lands in ``<out>/.tmp-<random>/`` beside the output and
replaces ``<out>/site`` (and the other stage folders) only after every stage succeeded: a failed
or interrupted build leaves the previous site untouched.
"""

from __future__ import annotations

import importlib
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from kennisbank.config import load_settings
from kennisbank.content import load_repository

STAGES: list[str] = [
    "kennisbank.site:stage_site",  # <tmp>/docs: every page as Markdown, pictures, stylesheet
    "kennisbank.feeds:stage_feeds",  # <tmp>/docs/feeds/*.xml + feeds.opml, <tmp>/docs/volg-ons/
    "kennisbank.newsletter:stage_newsletter",  # <tmp>/newsletter/<NNN>/, <tmp>/docs/nieuwsbrief/
    "kennisbank.search:stage_search_index",  # <tmp>/search: the embedded tantivy index
    "kennisbank.site:render_site",  # <tmp>/docs → <tmp>/site with mkdocs-material (always last)
]

OUTPUTS = ("site", "docs", "newsletter", "search")  # folders swapped into <out> when present


def _stage(spec: str) -> Callable:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def build(root: Path, out: Path, report: Callable[[str], None] = lambda message: None, *,
          future: bool = False) -> Path:
    """Build the site of the repository at ``root`` into ``out``; return ``out / "site"``.

    Items dated after the build's today (:mod:`kennisbank.clock`) are left out unless ``future``
    (a preview that shows scheduled items, labelled "gepland").

    Raises :class:`~kennisbank.errors.ContentInvalid` (nothing touched) when `check` finds errors.
    """
    settings = load_settings(root)
    started = time.monotonic()
    repo = load_repository(root, future=future)
    scheduled = f", {len(repo.scheduled)} scheduled" + (" (published: --future)" if future else "") \
        if repo.scheduled else ""
    report(f"checked {len(repo.items)} items{scheduled} ({time.monotonic() - started:.1f} s)")
    out.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    tmp = out / f".tmp-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        for spec in STAGES:
            started = time.monotonic()
            _stage(spec)(repo, settings, tmp)
            report(f"{spec.partition(':')[2]} ({time.monotonic() - started:.1f} s)")
        swap(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / "site"


def swap(tmp: Path, out: Path) -> None:
    """Move the new outputs in with renames (the old ones aside first), then delete the old."""
    old = out / f".old-{secrets.token_hex(4)}"
    old.mkdir()
    try:
        for name in OUTPUTS:
            if (tmp / name).exists():
                if (out / name).exists():
                    (out / name).rename(old / name)
                (tmp / name).rename(out / name)
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(out: Path) -> None:
    """Temporary folders of builds that were killed before they could clean up."""
    for leftover in out.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.glob(".old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
