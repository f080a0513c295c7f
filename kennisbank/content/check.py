"""Validate every content file and collect *all* errors, each with file, line and field.

The pipeline per file: read (bytes → front matter + body, with lines) → name rules → model
validation → unsafe-HTML scan → body images. Then, across files: duplicate ids and references to
themes, cities, vocabularies, other items and image files. Nothing raises on bad input: every
problem becomes a :class:`~kennisbank.errors.ContentError`.
"""

from __future__ import annotations

import difflib
import os
import re
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ValidationError

from kennisbank.content.fields import Ref
from kennisbank.content.items import Item
from kennisbank.content.models import SLUG
from kennisbank.content.reader import SourceFile, format_loc, read_source
from kennisbank.content.registries import Registries, load_registries
from kennisbank.content.types import CONTENT_TYPES, ContentType, type_for_path
from kennisbank.errors import ContentError

CONTENT_ROOTS = ("content", "cases")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"}
_YEAR = re.compile(r"^\d{4}$")
_NEWSLETTER_NAME = re.compile(r"^\d{1,5}$")

# Words editors type from habit; difflib alone would not map Dutch to English.
_DUTCH_KEYS = {
    "titel": "title", "datum": "date", "samenvatting": "summary", "themas": "themes",
    "thema": "themes", "steden": "cities", "stad": "city", "gemeente": "municipality",
    "land": "country", "provincie": "province", "categorie": "category", "ontwerp": "draft",
    "fotos": "photos", "foto": "photos", "contactpersonen": "contacts", "partners": "partners",
    "locatie": "location", "plaats": "location", "begin": "start", "einde": "end",
}

_UNSAFE = (
    (re.compile(r"<\s*(script|iframe|object|embed|applet|frame|frameset|base|form|meta)\b", re.I),
     "unsafe HTML: <{0}> is not allowed"),
    (re.compile(r"<[^>]*?[\s/\"']on[a-z]+\s*=", re.I), "unsafe HTML: event-handler attributes (on…=) are not allowed"),
    (re.compile(r"(?:java|vb)script\s*:", re.I), "unsafe URL: javascript: links are not allowed"),
)
# Errors whose message already says everything; others get "(got <the value>)" appended.
_NO_INPUT_SHOWN = {"missing", "extra_forbidden", "string_too_long", "end_before_start", "week_mismatch"}
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT_ATTR = re.compile(r"\balt\s*=\s*(\"[^\"]+\"|'[^']+'|[^\s>\"']+)", re.I)


@dataclass
class CheckResult:
    """What a check run found: the valid items, the registries, and every error."""

    root: Path
    registries: Registries
    items: list[Item] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


def find_root(start: Path) -> Path:
    """The repository root: ``start`` or its nearest ancestor that has a ``content/`` folder."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "content").is_dir():
            return candidate
    return start


def check_repository(root: Path, only: Iterable[Path] | None = None) -> CheckResult:
    """Check the whole repository at ``root``; with ``only``, report errors of those paths only.

    Cross-file rules (duplicate ids, references) always see the whole repository, so checking one
    file still knows every theme and item it may point at.
    """
    root = root.resolve()
    registries, registry_errors = load_registries(root)
    result = CheckResult(root=root, registries=registries, errors=list(registry_errors))
    for relative in discover(root):
        item, errors = check_file(root, relative, registries)
        result.errors.extend(errors)
        if item is not None:
            result.items.append(item)
    result.errors.extend(_cross_file_errors(root, result.items, registries))
    if only is not None:
        wanted = [_relative(root, Path(p)) for p in only]
        result.errors = [e for e in result.errors if any(_within(e.path, w) for w in wanted)]
    result.errors.sort()
    result.items.sort(key=lambda item: item.sort_key)
    return result


def _relative(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix().rstrip("/")
    except ValueError:
        return path.as_posix()


def _within(path: str, wanted: str) -> bool:
    return wanted in ("", ".") or path == wanted or path.startswith(wanted + "/")


def discover(root: Path) -> Iterator[str]:
    """Every Markdown file under ``content/`` and ``cases/``, as sorted root-relative paths."""
    for top in CONTENT_ROOTS:
        base = root / top
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            for name in sorted(filenames):
                if name.lower().endswith((".md", ".markdown")) and name != "README.md":
                    yield f"{rel_dir}/{name}"


def check_file(root: Path, relative: str, registries: Registries) -> tuple[Item | None, list[ContentError]]:
    """Check one file on its own; return the item when it is valid, and its errors."""
    ctype = type_for_path(relative)
    if ctype is None:
        return None, [ContentError(relative, 1, "file", _unknown_folder_message(relative))]
    try:
        raw = (root / relative).read_bytes()
    except OSError as exc:
        return None, [ContentError(relative, 1, "file", f"cannot be read: {exc.strerror}")]
    source, errors = read_source(relative, raw)
    if source is None:
        return None, errors
    slug, name_errors = _check_name(ctype, source)
    errors.extend(name_errors)
    errors.extend(_unsafe_html(source))
    errors.extend(_body_images(root, source))
    try:
        meta = ctype.model.model_validate(source.data)
    except ValidationError as exc:
        errors.extend(_validation_errors(ctype, source, exc))
        return None, errors
    errors.extend(_folder_year(ctype, source, meta))
    if ctype.name == "newsletter" and slug is not None and slug.isdigit() and int(slug) != meta.number:
        errors.append(ContentError(relative, source.line_of(("number",)), "number",
                                   f"issue number {meta.number} does not match the file name {slug}.md"))
    if slug is None or errors:
        return None, errors
    return Item(type=ctype, slug=slug, path=relative, meta=meta, body=source.body, body_line=source.body_line), errors


def _unknown_folder_message(relative: str) -> str:
    parts = relative.split("/")
    known = sorted({ct.folder.split("/")[1] for ct in CONTENT_TYPES if ct.folder.startswith(parts[0] + "/")})
    if parts[0] == "content" and len(parts) > 1 and parts[1] == "registries":
        return "registries hold .yml files, not Markdown"
    guess = difflib.get_close_matches(parts[1] if len(parts) > 2 else "", known, n=1)
    hint = f" (did you mean {parts[0]}/{guess[0]}/?)" if guess else ""
    return f"not in a known folder{hint}; {parts[0]}/ holds: {', '.join(known)}"


def _check_name(ctype: ContentType, source: SourceFile) -> tuple[str | None, list[ContentError]]:
    """Folder layout and file-name rules; return the slug when the name is usable."""
    inner = source.path[len(ctype.folder) + 1 :].split("/")
    name = inner[-1]
    stem = name[:-3] if name.endswith(".md") else name.rsplit(".", 1)[0]
    errors = []
    if not name.endswith(".md"):
        errors.append(ContentError(source.path, 1, "file", "content files end in .md"))
    expected_depth = 2 if ctype.year_folders else 1
    if len(inner) != expected_depth:
        where = f"{ctype.folder}/YYYY/<slug>.md" if ctype.year_folders else f"{ctype.folder}/<slug>.md"
        errors.append(ContentError(source.path, 1, "file", f"badly placed: {ctype.label_plural} live in {where}"))
    elif ctype.year_folders and not _YEAR.match(inner[0]):
        errors.append(ContentError(source.path, 1, "file", f"folder {inner[0]!r} is not a year (YYYY)"))
    if ctype.name == "newsletter":
        if not _NEWSLETTER_NAME.match(stem):
            errors.append(ContentError(source.path, 1, "file", "newsletter issues are named by number, e.g. 121.md"))
    elif not SLUG.match(stem):
        from kennisbank.content.slugs import slugify

        errors.append(ContentError(source.path, 1, "file",
                                   f"badly named: use lower-case letters, digits and hyphens, e.g. {slugify(stem) or 'mijn-item'}.md"))
    return (stem if not errors else None), errors


def _folder_year(ctype: ContentType, source: SourceFile, meta: BaseModel) -> list[ContentError]:
    field_name = ctype.folder_year_field()
    if field_name is None:
        return []
    value = getattr(meta, field_name)
    folder = source.path[len(ctype.folder) + 1 :].split("/")[0]
    if _YEAR.match(folder) and int(folder) != value.year:
        return [ContentError(source.path, source.line_of((field_name,)), field_name,
                             f"{field_name} is in {value.year} but the file is in folder {folder}/")]
    return []


def _validation_errors(ctype: ContentType, source: SourceFile, exc: ValidationError) -> list[ContentError]:
    errors = []
    seen = set()
    known = list(ctype.model.model_fields)
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
        if loc in seen:
            continue
        seen.add(loc)
        name = format_loc(loc)
        kind = error["type"]
        if kind == "extra_forbidden":
            message = f"unknown field{_suggestion(str(loc[-1]), _fields_at(ctype.model, loc[:-1]) if len(loc) > 1 else known)}"
        elif kind == "missing":
            message = "required field is missing"
        elif kind == "string_too_long":
            limit = error["ctx"]["max_length"]
            message = f"is {len(error['input'])} characters; the limit is {limit}"
        else:
            message = error["msg"].removeprefix("Value error, ")
            shown = _short(error.get("input"))
            if kind not in _NO_INPUT_SHOWN and shown not in message:
                message += f" (got {shown})"
        line = source.line_of(loc) if kind != "missing" or len(loc) > 1 else 1
        errors.append(ContentError(source.path, line, name, message))
    return errors


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the nested model at ``loc`` (for did-you-mean inside photos, contacts, ...)."""
    current: object = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return []
        current = _inner_model(current.model_fields[part].annotation)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _inner_model(annotation: object) -> object:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _suggestion(key: str, known: list[str]) -> str:
    lowered = key.lower().strip()
    if lowered in _DUTCH_KEYS and _DUTCH_KEYS[lowered] in known:
        return f" {key!r}: did you mean {_DUTCH_KEYS[lowered]!r}?"
    close = difflib.get_close_matches(lowered, known, n=1, cutoff=0.6)
    if close:
        return f" {key!r}: did you mean {close[0]!r}?"
    return f" {key!r}; allowed: {', '.join(known)}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _strings(value: object, loc: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, (*loc, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, (*loc, index))


def _unsafe_html(source: SourceFile) -> list[ContentError]:
    errors = []
    for loc, text in _strings(source.data, ()):
        for pattern, message in _UNSAFE:
            match = pattern.search(text)
            if match:
                errors.append(ContentError(source.path, source.line_of(loc), format_loc(loc),
                                           message.format(*(g.lower() for g in match.groups()))))
    for pattern, message in _UNSAFE:
        for match in pattern.finditer(source.body):
            line = source.body_line + source.body.count("\n", 0, match.start())
            errors.append(ContentError(source.path, line, "body", message.format(*(g.lower() for g in match.groups()))))
    return errors


def _body_images(root: Path, source: SourceFile) -> list[ContentError]:
    errors = []
    body = source.body
    if "![" in body:
        for match in _MD_IMAGE.finditer(body):
            line = source.body_line + body.count("\n", 0, match.start())
            alt, src = match.groups()
            if not alt.strip():
                errors.append(ContentError(source.path, line, "body", f"image {src} has no alt text: write ![what it shows]({src})"))
            problem = image_problem(root, source.path, src)
            if problem:
                errors.append(ContentError(source.path, line, "body", problem))
    if "<img" in body.lower():
        for match in _HTML_IMG.finditer(body):
            if not _ALT_ATTR.search(match.group(0)):
                line = source.body_line + body.count("\n", 0, match.start())
                errors.append(ContentError(source.path, line, "body", "<img> without alt text"))
    return errors


def image_problem(root: Path, relative: str, src: str) -> str | None:
    """Why image ``src`` referenced from file ``relative`` is unusable, or None when it is fine."""
    if re.match(r"^https?://", src, re.I):
        return None
    if ":" in src.split("/")[0] or src.startswith("//"):
        return f"image {src!r}: only relative paths or http(s) URLs"
    target = (root / relative).parent / src.split("#")[0].split("?")[0]
    try:
        resolved = target.resolve()
        resolved.relative_to(root)
    except (ValueError, OSError):
        return f"image {src!r} points outside the repository"
    if resolved.suffix.lower() not in IMAGE_SUFFIXES:
        return f"image {src!r} is not a picture ({', '.join(sorted(IMAGE_SUFFIXES))})"
    if not resolved.is_file():
        return f"image {src!r} does not exist"
    return None


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


def _cross_file_errors(root: Path, items: list[Item], registries: Registries) -> list[ContentError]:
    errors: list[ContentError] = []
    by_id: dict[str, Item] = {}
    for item in sorted(items, key=lambda i: i.path):
        first = by_id.get(item.id)
        if first is not None:
            errors.append(ContentError(item.path, 1, "file", f"duplicate id {item.id}: {first.path} has the same slug"))
        else:
            by_id[item.id] = item
    if len(by_id) != len(items):
        duplicates = {id(i) for i in items if by_id.get(i.id) is not i}
        items[:] = [i for i in items if id(i) not in duplicates]
    themes = {i.slug for i in items if i.type.name == "theme"}
    known = {"city": registries.cities, "theme": themes, "item": by_id}
    lines_cache: dict[str, SourceFile] = {}
    for item in items:
        for field_name, registry in reference_fields(type(item.meta)):
            value = getattr(item.meta, field_name)
            values = value if isinstance(value, list) else [value]
            allowed = known.get(registry, registries.vocabularies.get(registry))
            for index, entry in enumerate(values):
                if entry is None:
                    continue
                if allowed is None:
                    errors.append(_ref_error(root, item, field_name, None, f"vocabulary {registry!r} is missing from vocabularies.yml", lines_cache))
                elif entry not in allowed:
                    errors.append(_ref_error(root, item, field_name, index if isinstance(value, list) else None,
                                             _unknown_value(registry, entry, allowed), lines_cache))
                elif registry == "item" and by_id[entry].draft and field_name == "items":
                    errors.append(_ref_error(root, item, field_name, index, f"{entry} is a draft and cannot be sent", lines_cache))
        if item.type.name == "theme" and getattr(item.meta, "parent", None) == item.slug:
            errors.append(_ref_error(root, item, "parent", None, "a theme cannot be its own parent", lines_cache))
        for index, photo in enumerate(getattr(item.meta, "photos", ()) or ()):
            problem = image_problem(root, item.path, photo.src)
            if problem:
                errors.append(_ref_error(root, item, "photos", (index, "src"), problem, lines_cache))
        image = getattr(item.meta, "image", None)
        if image is not None and (problem := image_problem(root, item.path, image.src)):
            errors.append(_ref_error(root, item, "image", ("src",), problem, lines_cache))
    if errors:
        bad = {e.path for e in errors}
        items[:] = [i for i in items if i.path not in bad]
    return errors


def _unknown_value(registry: str, value: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    what = {"city": "city", "theme": "theme", "item": "item"}.get(registry, f"{registry} value")
    close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    if not close and registry not in ("item", "city") and len(allowed) <= 20:
        hint = f"; allowed: {', '.join(allowed)}"
    where = {"city": " (add it to content/registries/cities.yml)", "theme": " (no such file in content/themas/)"}.get(registry, "")
    return f"unknown {what} {value!r}{hint}{where}"


def _ref_error(root: Path, item: Item, field_name: str, sub: object, message: str,
               cache_: dict[str, SourceFile]) -> ContentError:
    """An error on a valid item: re-read its lines (rare path, so lines are not kept per item)."""
    source = cache_.get(item.path)
    if source is None:
        source, _ = read_source(item.path, (root / item.path).read_bytes())
        cache_[item.path] = source or SourceFile(path=item.path)
        source = cache_[item.path]
    loc: tuple = (field_name,)
    if isinstance(sub, tuple):
        loc = (field_name, *sub)
    elif sub is not None:
        loc = (field_name, sub)
    return ContentError(item.path, source.line_of(loc), format_loc(loc), message)
