"""The site's side of the newsletter: a web version of every issue and the archive page.

Pages are handed over as the site's :class:`~kennisbank.staging.StagedPage` (front matter +
one HTML block from an autoescaped template), so they render inside the normal layout and carry
the newsletter feed in their ``<head>``.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from kennisbank import dutch
from kennisbank.config import Settings
from kennisbank.content import Repository
from kennisbank.content.issues import Issue
from kennisbank.feeds import NEWSLETTER_FEED, FeedCatalog, atom_href, feeds_for_page, rss_href
from kennisbank.newsletter.present import item_view
from kennisbank.newsletter.render import TEMPLATES, intro_html
from kennisbank.staging import PageContext, StagedPage
from kennisbank.subscribers.form import subscribe_form

ARCHIVE_PATH = "nieuwsbrief/index.md"

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _feeds(catalog: FeedCatalog, key: str) -> list[dict[str, str]]:
    return [vars(link) for link in feeds_for_page("newsletter", key, catalog)]


def issue_page(repo: Repository, settings: Settings, issue: Issue, newer: Issue | None, older: Issue | None,
               catalog: FeedCatalog) -> StagedPage:
    html = _env.get_template("web.html").render(
        issue=issue, sent_on=dutch.long_date(issue.date), newer=newer, older=older,
        intro_html=Markup(intro_html(issue, settings, absolute=False)),
        items=[item_view(repo, settings, item, absolute=False) for item in issue.items])
    return StagedPage(path=f"nieuwsbrief/{issue.number}/index.md", title=issue.title, html=html,
                      context=PageContext("newsletter", str(issue.number)), description=issue.summary,
                      feeds=_feeds(catalog, str(issue.number)))


def archive_page(settings: Settings, issues: list[Issue], catalog: FeedCatalog) -> StagedPage:
    rows = [{"url": i.url, "title": i.title, "number": i.number, "date": i.date, "sent_on": dutch.long_date(i.date),
             "count": len(i.items), "summary": i.summary} for i in issues]
    html = _env.get_template("archive.html").render(site_name=settings.site_name, issues=rows,
                                                        rss=rss_href(NEWSLETTER_FEED), atom=atom_href(NEWSLETTER_FEED),
                                                        subscribe_form=subscribe_form(settings, "nieuwsbrief"))
    return StagedPage(path=ARCHIVE_PATH, title="Nieuwsbrief", html=html, context=PageContext("newsletter", ""),
                      description="Alle nummers van de maandelijkse nieuwsbrief van het Kenniscentrum.",
                      feeds=_feeds(catalog, ""))


def web_pages(repo: Repository, settings: Settings, issues: list[Issue], catalog: FeedCatalog) -> list[StagedPage]:
    """The archive and one page per issue; ``issues`` newest first (as :func:`published_issues`)."""
    pages = [archive_page(settings, issues, catalog)]
    for index, issue in enumerate(issues):
        newer = issues[index - 1] if index > 0 else None
        older = issues[index + 1] if index + 1 < len(issues) else None
        pages.append(issue_page(repo, settings, issue, newer, older, catalog))
    return pages
