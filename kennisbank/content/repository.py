"""The loaded repository: valid items plus registries, the single input of every output stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kennisbank.clock import build_today
from kennisbank.content.check import FileChecks, check_repository
from kennisbank.content.items import Item
from kennisbank.content.models import Theme
from kennisbank.content.parallel import Progress
from kennisbank.content.registries import City, Registries
from kennisbank.content.tags import ALIASES, canonical, canonical_tags
from kennisbank.errors import ContentInvalid


@dataclass
class Repository:
    """All valid items, newest first, and the registries that give their labels.

    ``today`` is the build's date (:func:`kennisbank.clock.build_today`): an item dated after it
    is *scheduled* and stays unpublished until a build on or after its date, unless ``future``
    (previews: ``build --future``, ``serve``) publishes it anyway.
    """

    root: Path
    registries: Registries
    items: list[Item] = field(default_factory=list)
    today: dt.date = field(default_factory=build_today)
    future: bool = False

    def __post_init__(self) -> None:
        mark_scheduled(self.items, self.today)

    @cached_property
    def by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def published(self) -> list[Item]:
        """Everything a visitor may see: drafts never, scheduled items only with ``future``."""
        return [item for item in self.items if self.is_published(item)]

    def is_published(self, item: Item) -> bool:
        return not item.draft and (self.future or not item.scheduled)

    @cached_property
    def scheduled(self) -> list[Item]:
        """Items that are not drafts but dated after ``today``, soonest first."""
        return scheduled_items(self.items)

    def of_type(self, name: str, *, include_drafts: bool = False) -> list[Item]:
        """Items of one type (``news``) or section (``nieuws``), newest first."""
        pool = self.items if include_drafts else self.published
        return [item for item in pool if name in (item.type.name, item.type.section)]

    @cached_property
    def themes(self) -> dict[str, Item]:
        """Published themes by slug, in their editorial order."""
        themes = sorted(self.of_type("theme"), key=lambda t: (t.meta_as(Theme).order, t.title, t.slug))
        return {theme.slug: theme for theme in themes}

    def city(self, slug: str) -> City:
        return self.registries.cities[slug]

    def label(self, vocabulary: str, key: str) -> str:
        return self.registries.label(vocabulary, key)


def mark_scheduled(items: Iterable[Item], today: dt.date) -> None:
    """Set each item's ``scheduled`` flag: dated after ``today``."""
    for item in items:
        item.scheduled = item.date is not None and item.date > today


def scheduled_items(items: Iterable[Item]) -> list[Item]:
    """The marked items that are not drafts, soonest first."""
    return sorted((i for i in items if i.scheduled and not i.draft), key=lambda i: (i.date, i.id))


def normalise_tags(items: Iterable[Item], aliases: dict[str, str]) -> None:
    """Replace tag variants by the tag the aliases name, so every output sees one tag."""
    if not aliases:
        return
    for item in items:
        tags = getattr(item.meta, "tags", None)
        if tags and any(canonical(t, aliases) != t for t in tags):
            item.meta = item.meta.model_copy(update={"tags": list(canonical_tags(tags, aliases))})


def load_repository(root: Path, only: Iterable[Path] | None = None, *, today: dt.date | None = None,
                    future: bool = False, progress: Progress | None = None,
                    reuse: FileChecks | None = None) -> Repository:
    """Load and validate; raise :class:`ContentInvalid` with every error when anything is wrong.

    ``today`` defaults to the build's date (``SOURCE_DATE_EPOCH`` or the clock); ``reuse`` keeps
    the per-file checks of unchanged files between loads (the live preview's)."""
    result = check_repository(root, only, progress=progress, reuse=reuse)
    if result.errors:
        raise ContentInvalid(result.errors)
    normalise_tags(result.items, result.registries.vocabularies.get(ALIASES, {}))
    return Repository(root=result.root, registries=result.registries, items=result.items,
                      today=today or build_today(), future=future)
