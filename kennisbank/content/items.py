"""An :class:`Item`: one valid content file, as every output stage sees it."""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from kennisbank.content.models import Common, Dated, ItemMeta, Newsletter
from kennisbank.content.types import ContentType

M = TypeVar("M", bound=ItemMeta)


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
    """A validated content file. ``meta`` is the type's front-matter model instance: narrow it with
    :meth:`meta_as` (or ``isinstance``) to read a type's own fields."""

    type: ContentType
    slug: str
    path: str  # relative to the repository root, with '/'
    meta: ItemMeta
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

    def meta_as(self, model: builtins.type[M]) -> M:
        """``meta`` as the model the caller expects (``item.meta_as(Church).status``); a
        :class:`TypeError` when the item is of another type (a programming error)."""
        if not isinstance(self.meta, model):
            raise TypeError(f"{self.id} is a {type(self.meta).__name__}, not a {model.__name__}")
        return self.meta

    @property
    def title(self) -> str:
        if self.meta.title:
            return self.meta.title
        return f"Nieuwsbrief {self.meta.number}" if isinstance(self.meta, Newsletter) else self.slug

    @property
    def summary(self) -> str:
        return self.meta.summary or ""

    @property
    def draft(self) -> bool:
        return self.meta.draft

    @_cached
    def date(self) -> dt.date | None:
        """Publication date; for newsletter issues the first day of their month."""
        if isinstance(self.meta, Dated):
            return self.meta.date
        if isinstance(self.meta, Newsletter):
            year, month = self.meta.month.split("-")
            return dt.date(int(year), int(month), 1)
        return None

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(self.meta.themes) if isinstance(self.meta, Common) else ()

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.meta.tags) if isinstance(self.meta, Common) else ()

    @_cached
    def cities(self) -> tuple[str, ...]:
        """The ``cities`` field plus a fiche's own ``city`` or ``municipality``, without repeats."""
        own = getattr(self.meta, "city", None) or getattr(self.meta, "municipality", None)
        listed = list(self.meta.cities) if isinstance(self.meta, Common) else []
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
