"""The monthly newsletter: select items per issue, render e-mail and web versions, send.

Public surface: :func:`stage_newsletter` (called by ``kennisbank build``). Which items go into
which issue, and issue numbering, are content rules and live in the model
(:mod:`kennisbank.content.issues`, :mod:`kennisbank.content.numbering`), so the feeds read issues
without importing this stage. Modules: :mod:`.present` (one view of an item for every
rendering), :mod:`.render` (e-mail HTML, text, .eml), :mod:`.web` (site pages), :mod:`.output`
(files), :mod:`.send` (SMTP with a resumable send log).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kennisbank.content.issues import Issue, issue_for, published_issues  # re-exported for callers

if TYPE_CHECKING:
    from kennisbank.context import BuildContext

__all__ = ["Issue", "issue_for", "published_issues", "stage_newsletter"]


def stage_newsletter(context: BuildContext) -> None:
    """Build stage: every issue's e-mail into ``<tmp>/newsletter/<NNN>/``, web versions and the
    archive into ``<tmp>/docs/nieuwsbrief/``."""
    from kennisbank.newsletter.output import write_issues
    from kennisbank.newsletter.web import web_pages

    repo, settings = context.repo, context.settings
    issues = published_issues(repo, settings)
    write_issues(repo, settings, issues, context.files, "newsletter")
    for page in web_pages(repo, settings, issues, context.feeds):
        context.files.page(page)
