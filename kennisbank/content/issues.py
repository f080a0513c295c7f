"""Which items go into which monthly issue: a fair default mix, and the editor's override.

Default: the published items of the month (and of skipped months just before it), grouped the
way readers know the newsletter (city practices, announcements and events, studies, new case
fiches, the centre's own news, policy news), taken round-robin over those groups so that no single busy group fills the issue. An editor's
``content/nieuwsbrief/NNN.md`` can set the intro, title and summary, exclude items (the slot is
refilled from the mix), or list the items explicitly — then the issue holds exactly those, in
that order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from babel.dates import format_date

from kennisbank.config import KennisbankSettings
from kennisbank.content.items import Item
from kennisbank.content.models import Newsletter
from kennisbank.content.numbering import IssueSequence, issue_file, next_month
from kennisbank.content.repository import Repository

# Group key → the news categories it takes (other types are placed by `mix_group`).
MIX_GROUPS: tuple[str, ...] = ("stadspraktijk", "aankondiging", "studies", "fiches", "kenniscentrum", "beleid")


def mix_group(item: Item) -> str | None:
    """The newsletter group of ``item``; ``None`` for items a newsletter never carries."""
    if item.type.name == "news":
        category = getattr(item.meta, "category", None)
        return category if category in MIX_GROUPS else "kenniscentrum"
    if item.type.name == "event":
        return "aankondiging"
    if item.type.name == "study":
        return "studies"
    if item.type.is_case:
        return "fiches"
    return None


def round_robin(items: Iterable[Item], limit: int) -> list[Item]:
    """Up to ``limit`` items, one per group in turn (groups in :data:`MIX_GROUPS` order).

    Within a group the newest item comes first; the result is fully determined by the input.
    """
    groups: dict[str, list[Item]] = {key: [] for key in MIX_GROUPS}
    for item in sorted(items, key=lambda i: i.sort_key):
        key = mix_group(item)
        if key is not None:
            groups[key].append(item)
    picked: list[Item] = []
    depth = 0
    while len(picked) < limit and any(len(group) > depth for group in groups.values()):
        for group in groups.values():
            if len(group) > depth and len(picked) < limit:
                picked.append(group[depth])
        depth += 1
    return picked


@dataclass(frozen=True)
class Issue:
    """One numbered monthly issue: what the e-mail, the web version and the feed show."""

    number: int
    month: dt.date  # first day of the month the issue covers
    items: tuple[Item, ...]
    override: Item | None = None

    @property
    def id(self) -> str:
        """Stable key (like an item id): the feed id and the Message-ID derive from it."""
        return f"nieuwsbrief/{self.number}"

    @property
    def url(self) -> str:
        """Site-relative URL of the web version."""
        return f"/nieuwsbrief/{self.number}/"

    @property
    def date(self) -> dt.date:
        """The send date: the first day after the month it covers (reproducible, never 'now')."""
        return next_month(self.month)

    @property
    def month_label(self) -> str:
        return format_date(self.month, "MMMM y", locale="nl")

    @property
    def title(self) -> str:
        given = self.override.meta.title if self.override else None
        return given or f"Nieuwsbrief {self.number} – {self.month_label}"

    @cached_property
    def summary(self) -> str:
        """The editor's summary, or the first item titles (also the e-mail's preheader)."""
        given = self.override.meta.summary if self.override else None
        if given:
            return given
        titles = [item.title for item in self.items[:3]]
        if not titles:
            return f"De nieuwsbrief van {self.month_label}."
        listed = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " en " + titles[-1]
        more = f" (en nog {len(self.items) - 3} andere)" if len(self.items) > 3 else ""
        return f"In {self.month_label}: {listed}{more}."

    @property
    def intro(self) -> str:
        """The editor's intro (Markdown); empty when there is no override."""
        return self.override.body.strip() if self.override else ""


def issue_sequence(repo: Repository, settings: KennisbankSettings) -> IssueSequence:
    """The issue files of ``repo`` (drafts too: a draft still holds its number) as a sequence."""
    return IssueSequence(settings, (issue_file(item) for item in repo.of_type("newsletter", include_drafts=True)))


def _overrides(repo: Repository) -> dict[int, Item]:
    """Issue files by number (``check`` has made sure the numbers form a sequence)."""
    return {issue_file(item).number: item for item in repo.of_type("newsletter", include_drafts=True)}


def _by_month(repo: Repository) -> dict[dt.date, list[Item]]:
    """Published items a newsletter may carry, bucketed by the month of their date."""
    months: dict[dt.date, list[Item]] = {}
    for item in repo.published:
        if item.date is not None and mix_group(item) is not None:
            months.setdefault(item.date.replace(day=1), []).append(item)
    return months


def issue_for(repo: Repository, settings: KennisbankSettings, month: dt.date) -> Issue | None:
    """The issue of ``month``; ``None`` when it has nothing to send or its file is a draft.

    :class:`~kennisbank.errors.UsageError` when the month has no issue number (a skipped month,
    or one whose number the next issue file already took).
    """
    sequence = issue_sequence(repo, settings)
    number = sequence.number_for(month)
    return _make_issue(repo, settings, number, month, _pool(sequence, _by_month(repo), month),
                       _overrides(repo).get(number))


def _pool(sequence: IssueSequence, by_month: dict[dt.date, list[Item]], month: dt.date) -> list[Item]:
    return [item for covered in sequence.covered_months(month) for item in by_month.get(covered, [])]


def _make_issue(repo: Repository, settings: KennisbankSettings, number: int, month: dt.date, pool: list[Item],
                override: Item | None) -> Issue | None:
    if override is not None and not repo.is_published(override):  # a draft, or scheduled for later
        return None
    meta = override.meta if override is not None else None
    assert meta is None or isinstance(meta, Newsletter)
    excluded = set(meta.exclude) if meta is not None else set()
    explicit = list(meta.items) if meta is not None else []
    if explicit:
        items = [repo.by_id[key] for key in explicit if key not in excluded and repo.is_published(repo.by_id[key])]
    else:
        items = round_robin([item for item in pool if item.id not in excluded], settings.newsletter_items)
    if not items and override is None:
        return None
    return Issue(number=number, month=month, items=tuple(items), override=override)


def published_issues(repo: Repository, settings: KennisbankSettings) -> list[Issue]:
    """Every issue from the first one up to the newest content, newest first.

    A month without items and without an issue file has no issue (its number stays unused).
    """
    sequence = issue_sequence(repo, settings)
    pools = _by_month(repo)
    months = list(pools) + [file.month for file in sequence.files]
    if not months:
        return []
    issues: list[Issue] = []
    for month, number in sequence.issue_months(max(months)):
        issue = _make_issue(repo, settings, number, month, _pool(sequence, pools, month), _overrides(repo).get(number))
        if issue is not None:
            issues.append(issue)
    return sorted(issues, key=lambda issue: -issue.number)
