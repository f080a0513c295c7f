"""Rules across files: unique ids, and references to themes, cities, vocabularies, items, images.

A model validates one file at a time; these rules need the whole repository, so they run once
every file has been read.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kennisbank.config import Settings
from kennisbank.content.fields import Ref
from kennisbank.content.images import image_problem
from kennisbank.content.items import Item
from kennisbank.content.models import Theme
from kennisbank.content.numbering import issue_file, sequence_errors
from kennisbank.content.reader import SourceFile, read_source
from kennisbank.content.registries import Registries
from kennisbank.content.types import ContentType
from kennisbank.errors import ContentError, format_loc


@cache
def reference_fields(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(field, registry) for every top-level field whose values are references."""
    found = []
    for name, info in model.model_fields.items():
        refs = [m for m in info.metadata if isinstance(m, Ref)] or list(_refs_in(info.annotation))
        if refs:
            found.append((name, refs[0].registry))
    return tuple(found)


def _refs_in(annotation: object) -> Iterator[Ref]:
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, Ref):
            yield meta
    for arg in typing.get_args(annotation):
        yield from _refs_in(arg)


def cross_file_errors(root: Path, items: list[Item], registries: Registries,
                      ids_on_disk: set[str] = frozenset(),  # type: ignore[assignment]
                      invalid: Iterable[tuple[str, ContentType, dict[str, Any]]] = (),
                      settings: Settings | None = None) -> list[ContentError]:
    """Errors between files; removes the items they concern from ``items`` (in place).

    ``ids_on_disk`` holds the ids of every content file, valid or not, so a reference to a file
    that merely has an error of its own is not also reported as unknown. ``invalid`` gives the
    raw front matter of files that failed validation: their references are checked too, so one
    run reports every error.
    """
    errors: list[ContentError] = []
    by_id: dict[str, Item] = {}
    for item in sorted(items, key=lambda i: i.path):
        first = by_id.get(item.id)
        if first is not None:
            errors.append(ContentError(item.path, 1, "file", f"duplicate id {item.id}: {first.path} has the same slug"))
        else:
            by_id[item.id] = item
    if len(by_id) != len(items):
        items[:] = [i for i in items if by_id.get(i.id) is i]
    themes = {i.slug for i in items if i.type.name == "theme"} | {i.split("/", 1)[1] for i in ids_on_disk if i.startswith("themas/")}
    checker = _ReferenceChecker(root, registries, by_id, themes, ids_on_disk, settings or Settings(root=root))
    for item in items:
        errors.extend(checker.errors(item.path, item.type, item.slug, _model_values(item.meta)))
    for path, ctype, data in invalid:
        slug = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        errors.extend(checker.errors(path, ctype, slug, _raw_values(data)))
    errors.extend(checker.theme_cycles([i for i in items if i.type.name == "theme"]))
    errors.extend(checker.issue_sequence([i for i in items if i.type.name == "newsletter"]))
    if errors:
        bad = {e.path for e in errors}
        items[:] = [i for i in items if i.path not in bad]
    return errors


def _model_values(meta: BaseModel) -> Callable[[str], object]:
    return lambda name: getattr(meta, name, None)


def _raw_values(data: dict[str, Any]) -> Callable[[str], object]:
    return lambda name: _as_model_value(data.get(name))


class _Src:
    """Just the ``src`` of a raw image entry, as the model would give it."""

    def __init__(self, src: str):
        self.src = src


def _as_model_value(value: object) -> object:
    """A raw front-matter value, reduced to the shapes the reference rules read; else None."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict) and isinstance(value.get("src"), str):
        return _Src(value["src"].strip())
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str)
                else _Src(v["src"].strip()) if isinstance(v, dict) and isinstance(v.get("src"), str) else None
                for v in value]
    return None


class _ReferenceChecker:
    """The reference rules for one file at a time, with what the whole repository knows."""

    def __init__(self, root: Path, registries: Registries, by_id: dict[str, Item], themes: set[str], ids_on_disk: set[str],
                 settings: Settings):
        self.root = root
        self.settings = settings
        self.registries = registries
        self.by_id = by_id
        self.known: dict[str, object] = {"city": registries.cities, "theme": themes, "item": by_id.keys() | ids_on_disk}
        self.lines: dict[str, SourceFile] = {}

    def errors(self, path: str, ctype: ContentType, slug: str, value_of: Callable[[str], object]) -> list[ContentError]:
        errors = []
        for field_name, registry in reference_fields(ctype.model):
            value = value_of(field_name)
            values = value if isinstance(value, list) else [value]
            allowed = self.known.get(registry, self.registries.vocabularies.get(registry))
            for index, entry in enumerate(values):
                sub = index if isinstance(value, list) else None
                if not isinstance(entry, str):
                    continue
                if allowed is None:
                    errors.append(self._error(path, (field_name,), f"vocabulary {registry!r} is missing from vocabularies.yml"))
                elif entry not in allowed:  # type: ignore[operator]
                    errors.append(self._error(path, _loc(field_name, sub), _unknown_value(registry, entry, allowed)))  # type: ignore[arg-type]
                elif registry == "item" and field_name == "items" and entry in self.by_id and self.by_id[entry].draft:
                    errors.append(self._error(path, _loc(field_name, sub), f"{entry} is a draft and cannot be sent"))
        if ctype.name == "theme" and value_of("parent") == slug:
            errors.append(self._error(path, ("parent",), "a theme cannot be its own parent"))
        photos = value_of("photos") if "photos" in ctype.model.model_fields else None
        for index, photo in enumerate(photos if isinstance(photos, list) else ()):
            if isinstance(getattr(photo, "src", None), str) and (problem := image_problem(self.root, path, photo.src)):
                errors.append(self._error(path, ("photos", index, "src"), problem))
        image = value_of("image") if "image" in ctype.model.model_fields else None
        src = getattr(image, "src", None)
        if isinstance(src, str) and (problem := image_problem(self.root, path, src)):
            errors.append(self._error(path, ("image", "src"), problem))
        return errors

    def issue_sequence(self, issues: list[Item]) -> list[ContentError]:
        """Issue numbers: unique, increasing with the month, no gap (:mod:`.numbering`)."""
        files = [issue_file(item) for item in issues]
        return [self._error(e.file.path, (e.field,), e.message) for e in sequence_errors(self.settings, files)]

    def theme_cycles(self, themes: list[Item]) -> list[ContentError]:
        """Themes whose parents lead back to themselves: every stage walking up would loop."""
        parent = {t.slug: p for t in themes if (p := t.meta_as(Theme).parent)}
        errors = []
        for theme in themes:
            seen, current = [theme.slug], parent.get(theme.slug)
            while current is not None and current not in seen:
                seen.append(current)
                current = parent.get(current)
            if current == theme.slug and len(seen) > 1:
                cycle = " → ".join([*seen, theme.slug])
                errors.append(self._error(theme.path, ("parent",), f"themes form a cycle: {cycle}"))
        return errors

    def _error(self, path: str, loc: tuple[Any, ...], message: str) -> ContentError:
        """Lines are re-read from the file: errors are rare, so lines are not kept per item."""
        source = self.lines.get(path)
        if source is None:
            try:
                source, _ = read_source(path, (self.root / path).read_bytes())
            except OSError:
                source = None
            source = self.lines[path] = source or SourceFile(path=path)
        return ContentError(path, source.line_of(loc), format_loc(loc), message)


def _loc(field_name: str, sub: int | None) -> tuple[Any, ...]:
    return (field_name,) if sub is None else (field_name, sub)


def _unknown_value(registry: str, value: str, allowed: Iterable[str]) -> str:
    allowed = sorted(allowed) if registry in ("item", "theme") else list(allowed)
    what = {"city": "city", "theme": "theme", "item": "item"}.get(registry, f"{registry} value")
    close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if not close and registry not in ("item", "city") and len(allowed) <= 20:
        hint = f"; allowed: {', '.join(allowed)}"
    where = {"city": " (add it to content/registries/cities.yml)", "theme": " (no such file in content/themas/)"}.get(registry, "")
    return f"unknown {what} {value!r}{hint}{where}"
