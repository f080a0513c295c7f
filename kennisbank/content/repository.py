"""The loaded repository: valid items plus registries, the single input of every output stage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kennisbank.content.check import check_repository
from kennisbank.content.items import Item
from kennisbank.content.registries import City, Registries
from kennisbank.errors import ContentInvalid


@dataclass
class Repository:
    """All valid items, newest first, and the registries that give their labels."""

    root: Path
    registries: Registries
    items: list[Item] = field(default_factory=list)

    @cached_property
    def by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def published(self) -> list[Item]:
        """Everything a visitor may see: drafts are never published."""
        return [item for item in self.items if not item.draft]

    def of_type(self, name: str, *, include_drafts: bool = False) -> list[Item]:
        """Items of one type (``news``) or section (``nieuws``), newest first."""
        pool = self.items if include_drafts else self.published
        return [item for item in pool if name in (item.type.name, item.type.section)]

    @cached_property
    def themes(self) -> dict[str, Item]:
        """Published themes by slug, in their editorial order."""
        themes = sorted(self.of_type("theme"), key=lambda t: (t.meta.order, t.title, t.slug))
        return {theme.slug: theme for theme in themes}

    def city(self, slug: str) -> City:
        return self.registries.cities[slug]

    def label(self, vocabulary: str, key: str) -> str:
        return self.registries.label(vocabulary, key)


def load_repository(root: Path, only: Iterable[Path] | None = None) -> Repository:
    """Load and validate; raise :class:`ContentInvalid` with every error when anything is wrong."""
    result = check_repository(root, only)
    if result.errors:
        raise ContentInvalid(result.errors)
    return Repository(root=result.root, registries=result.registries, items=result.items)
