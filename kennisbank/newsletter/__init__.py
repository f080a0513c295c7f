"""The monthly newsletter: select items per issue, render e-mail and web versions, send.

Public surface for other stages: :func:`published_issues` (the feeds list issues) and
:func:`stage_newsletter` (called by ``kennisbank build``). Modules: :mod:`.numbering` (month ↔
issue number), :mod:`.select` (which items), :mod:`.present` (one view of an item for every
rendering), :mod:`.render` (e-mail HTML, text, .eml), :mod:`.web` (site pages), :mod:`.output`
(files), :mod:`.send` (SMTP with a resumable send log).
"""

from __future__ import annotations

from pathlib import Path

from kennisbank.config import Settings
from kennisbank.content import Repository
from kennisbank.newsletter.select import Issue, issue_for, published_issues

__all__ = ["Issue", "issue_for", "published_issues", "stage_newsletter"]


def stage_newsletter(repo: Repository, settings: Settings, tmp: Path) -> None:
    """Build stage: every issue's e-mail into ``<tmp>/newsletter/<NNN>/``, web versions and the
    archive into ``<tmp>/docs/nieuwsbrief/``."""
    from kennisbank.newsletter.output import write_issues
    from kennisbank.newsletter.web import web_pages, write_pages

    issues = published_issues(repo, settings)
    write_issues(repo, settings, issues, tmp / "newsletter")
    write_pages(web_pages(repo, settings, issues), tmp / "docs")
