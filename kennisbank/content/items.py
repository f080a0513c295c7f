"""An :class:`Item`: one valid content file, as every output stage sees it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel

from kennisbank.content.types import ContentType


class _cached:
    """``functools.cached_property`` without its per-access lock (Python 3.11): a fifth of a
    second over 20,000 items in `check` alone."""

    def __init__(self, func):  # type: ignore[no-untyped-def]
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None):  # type: ignore[no-untyped-def]
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(eq=False)
class Item:
    """A validated content file. ``meta`` is the type's front-matter model instance."""

    type: ContentType
    slug: str
    path: str  # relative to the repository root, with '/'
    meta: BaseModel
    body: str
    body_line: int
    scheduled: bool = False  # dated after the build's today; set by the Repository that holds it

    @property
    def id(self) -> str:
        """``<section>/<slug>``: stable across edits of title or date (feeds use it as their id)."""
        return f"{self.type.section}/{self.slug}"

    @property
    def url(self) -> str:
        """Site-relative URL of the item's page; the one routing rule all outputs share."""
        return f"/{self.type.section}/{self.slug}/"

    @property
    def title(self) -> str:
        title = getattr(self.meta, "title", None)
        if title:
            return title
        return f"Nieuwsbrief {getattr(self.meta, 'number', self.slug)}"

    @property
    def summary(self) -> str:
        return getattr(self.meta, "summary", None) or ""

    @property
    def draft(self) -> bool:
        return bool(getattr(self.meta, "draft", False))

    @_cached
    def date(self) -> dt.date | None:
        """Publication date; for newsletter issues the first day of their month."""
        date = getattr(self.meta, "date", None)
        if date is None and self.type.name == "newsletter":
            year, month = self.meta.month.split("-")  # type: ignore[attr-defined]
            return dt.date(int(year), int(month), 1)
        return date

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(getattr(self.meta, "themes", ()))

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(getattr(self.meta, "tags", ()))

    @_cached
    def cities(self) -> tuple[str, ...]:
        """The ``cities`` field plus a fiche's own ``city`` or ``municipality``, without repeats."""
        own = getattr(self.meta, "city", None) or getattr(self.meta, "municipality", None)
        listed = list(getattr(self.meta, "cities", ()))
        if own:
            listed.insert(0, own)
        return tuple(dict.fromkeys(listed))

    @property
    def sort_key(self) -> tuple[int, str]:
        """Newest first, then by id: a total order, so every listing is reproducible."""
        ordinal = self.date.toordinal() if self.date else 0
        return (-ordinal, self.id)

    def __repr__(self) -> str:
        return f"<Item {self.id}>"
