"""Rules across files: unique ids, and references to themes, cities, vocabularies, items, images.

A model validates one file at a time; these rules need the whole repository, so they run once
every file has been read.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from kennisbank.content.fields import Ref
from kennisbank.content.images import image_problem
from kennisbank.content.items import Item
from kennisbank.content.reader import SourceFile, format_loc, read_source
from kennisbank.content.registries import Registries
from kennisbank.errors import ContentError


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
                      ids_on_disk: set[str] = frozenset()) -> list[ContentError]:  # type: ignore[assignment]
    """Errors between files; removes the items they concern from ``items`` (in place).

    ``ids_on_disk`` holds the ids of every content file, valid or not, so a reference to a file
    that merely has an error of its own is not also reported as unknown.
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
    known: dict[str, object] = {"city": registries.cities, "theme": themes, "item": by_id.keys() | ids_on_disk}
    lines: dict[str, SourceFile] = {}
    for item in items:
        for field_name, registry in reference_fields(type(item.meta)):
            value = getattr(item.meta, field_name)
            values = value if isinstance(value, list) else [value]
            allowed = known.get(registry, registries.vocabularies.get(registry))
            for index, entry in enumerate(values):
                sub = index if isinstance(value, list) else None
                if entry is None:
                    continue
                if allowed is None:
                    errors.append(_error(root, item, (field_name,), f"vocabulary {registry!r} is missing from vocabularies.yml", lines))
                elif entry not in allowed:  # type: ignore[operator]
                    errors.append(_error(root, item, _loc(field_name, sub), _unknown_value(registry, entry, allowed), lines))  # type: ignore[arg-type]
                elif registry == "item" and field_name == "items" and entry in by_id and by_id[entry].draft:
                    errors.append(_error(root, item, _loc(field_name, sub), f"{entry} is a draft and cannot be sent", lines))
        if item.type.name == "theme" and getattr(item.meta, "parent", None) == item.slug:
            errors.append(_error(root, item, ("parent",), "a theme cannot be its own parent", lines))
        for index, photo in enumerate(getattr(item.meta, "photos", ()) or ()):
            if problem := image_problem(root, item.path, photo.src):
                errors.append(_error(root, item, ("photos", index, "src"), problem, lines))
        image = getattr(item.meta, "image", None)
        if image is not None and (problem := image_problem(root, item.path, image.src)):
            errors.append(_error(root, item, ("image", "src"), problem, lines))
    if errors:
        bad = {e.path for e in errors}
        items[:] = [i for i in items if i.path not in bad]
    return errors


def _loc(field_name: str, sub: int | None) -> tuple:
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


def _error(root: Path, item: Item, loc: tuple, message: str, cache_: dict[str, SourceFile]) -> ContentError:
    """An error on a valid item: re-read its lines (rare path, so lines are not kept per item)."""
    source = cache_.get(item.path)
    if source is None:
        try:
            source, _ = read_source(item.path, (root / item.path).read_bytes())
        except OSError:
            source = None
        source = cache_[item.path] = source or SourceFile(path=item.path)
    return ContentError(item.path, source.line_of(loc), format_loc(loc), message)
