"""Validate every content file and collect *all* errors, each with file, line and field.

The pipeline per file: read (bytes → front matter + body, with lines) → name rules → model
validation → unsafe-HTML scan → body images. Then, across files (:mod:`.references`): duplicate
ids and references to themes, cities, vocabularies, other items and image files. Nothing raises
on bad input: every problem becomes a :class:`~kennisbank.errors.ContentError`.

Large repositories are read and validated by a small process pool when cores are idle
(:mod:`.parallel`); the output never depends on the number of processes.
"""

from __future__ import annotations

import difflib
import gc
import os
import re
import typing
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kennisbank.config import CONFIG_FILE, Settings, read_settings
from kennisbank.content.budget import over_budget
from kennisbank.content.images import IMAGE_SUFFIXES, body_image_errors, image_problem
from kennisbank.content.items import Item
from kennisbank.content.limits import body_limit_errors, is_heavy
from kennisbank.content.models import SLUG, Newsletter
from kennisbank.content.parallel import Checked, Progress, check_in_processes, worker_count
from kennisbank.content.reader import FileRefused, SourceFile, read_limited, read_source
from kennisbank.content.references import cross_file_errors, reference_fields
from kennisbank.content.registries import Registries, load_registries
from kennisbank.content.safety import unsafe_html
from kennisbank.content.slugs import slugify
from kennisbank.content.types import CONTENT_TYPES, ContentType, type_for_path
from kennisbank.errors import ContentError, format_loc

__all__ = ["CONTENT_ROOTS", "IMAGE_SUFFIXES", "CheckResult", "check_file", "check_repository", "discover",
           "find_root", "image_problem", "reference_fields"]

CONTENT_ROOTS = ("content", "cases")
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
# Errors whose message already says everything; others get "(got <the value>)" appended.
_NO_INPUT_SHOWN = {"missing", "extra_forbidden", "string_too_long", "end_before_start", "week_mismatch"}


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


class FileChecks:
    """The per-file checks of an earlier run, by path and the file's identity on disk (inode,
    size, modification time): a long-running caller (the live preview) passes the same object to
    every :func:`check_repository`, and only files saved since are read and validated again. The
    per-file rules depend on the file alone; the cross-file rules still run on the whole
    repository every time."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[int, int, int], Checked]] = {}

    def split(self, root: Path, paths: Sequence[str]) -> tuple[dict[str, Checked], dict[str, tuple[int, int, int]]]:
        """The checks still valid, and the stamps of the paths to check again; forgets the rest."""
        valid: dict[str, Checked] = {}
        stale: dict[str, tuple[int, int, int]] = {}
        for path in paths:
            try:
                stat = os.stat(root / path)
            except OSError:
                stale[path] = (0, 0, 0)  # gone meanwhile: checked again, which reports it
                continue
            stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            known = self._known.get(path)
            if known is not None and known[0] == stamp:
                valid[path] = known[1]
            else:
                stale[path] = stamp
        self._known = {path: self._known[path] for path in valid}
        return valid, stale

    def remember(self, path: str, stamp: tuple[int, int, int], checked: Checked) -> None:
        if stamp != (0, 0, 0):
            self._known[path] = (stamp, checked)


def check_repository(root: Path, only: Iterable[Path] | None = None, *, workers: int | None = None,
                     progress: Progress | None = None, reuse: FileChecks | None = None) -> CheckResult:
    """Check the whole repository at ``root``; with ``only``, report errors of those paths only.

    Cross-file rules (duplicate ids, references) always see the whole repository, so checking one
    file still knows every theme and item it may point at. ``workers`` sets the number of
    processes (default: automatic; 1 forces a single process); ``progress(done, total)`` is called
    as files are checked (for a progress bar); ``reuse`` keeps the per-file checks of unchanged
    files from one run to the next (:class:`FileChecks`).
    """
    with _gc_paused():
        return _check_repository(root.resolve(), only, workers, progress or _no_progress, reuse)


def _no_progress(done: int, total: int) -> None:
    return None


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading allocates hundreds of thousands of small acyclic objects; the cyclic garbage
    collector would rescan the growing heap again and again (a third of the time at 20,000
    files) without ever finding garbage. Paused for the run, restored afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_repository(root: Path, only: Iterable[Path] | None, workers: int | None, progress: Progress,
                      reuse: FileChecks | None) -> CheckResult:
    registries, registry_errors = load_registries(root)
    result = CheckResult(root=root, registries=registries, errors=list(registry_errors))
    paths = list(discover(root))
    invalid = []
    for path, (item, errors, data) in zip(paths, _checked(root, paths, workers, progress, reuse), strict=False):
        result.errors.extend(errors)
        if item is not None:
            result.items.append(item)
        elif data and (ctype := type_for_path(path)) is not None:
            invalid.append((path, ctype, data))
    heavy = [(item.path, item.body) for item in result.items if is_heavy(item.body)]
    if heavy:
        lines = {item.path: item.body_line for item in result.items}
        slow = dict(over_budget(heavy))
        result.errors.extend(ContentError(path, lines[path], "body", problem) for path, problem in slow.items())
        result.items = [item for item in result.items if item.path not in slow]
    ids_on_disk = {ctype.section + "/" + path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                   for path in paths if (ctype := type_for_path(path)) is not None}
    settings, settings_errors = content_settings(root)
    result.errors.extend(settings_errors)
    result.errors.extend(cross_file_errors(root, result.items, registries, ids_on_disk, invalid, settings))
    result.errors.extend(_site_errors(root, settings, result.items, registries))
    if only is not None:
        wanted = [relative_path(root, Path(p)) for p in only]
        result.errors = [e for e in result.errors if any(within(e.path, w) for w in wanted)]
    result.errors.sort()
    result.items.sort(key=lambda item: item.sort_key)
    return result


def _site_errors(root: Path, settings: Settings, items: list[Item], registries: Registries) -> list[ContentError]:
    """Errors in the site files (``sites/*.yml``) and the redirect list, which name content."""
    from kennisbank.sites import site_file_errors

    return site_file_errors(root, settings, items, registries)


def content_settings(root: Path) -> tuple[Settings, list[ContentError]]:
    """The settings content rules depend on (newsletter numbering), and every error in mkdocs.yml;
    defaults without mkdocs.yml (a content folder checked on its own), and defaults for what
    cannot be read."""
    if not (root / CONFIG_FILE).is_file():
        return Settings(root=root), []
    return read_settings(root)


def _checked(root: Path, paths: Sequence[str], workers: int | None, progress: Progress,
             reuse: FileChecks | None) -> list[Checked]:
    """Every path's per-file check, in order: from ``reuse`` where the file did not change."""
    if reuse is None:
        return _check_files(root, paths, workers, progress)
    valid, stale = reuse.split(root, paths)
    fresh = dict(zip(stale, _check_files(root, list(stale), workers, progress), strict=True))
    for path, stamp in stale.items():
        reuse.remember(path, stamp, fresh[path])
    return [valid[path] if path in valid else fresh[path] for path in paths]


def _check_files(root: Path, paths: Sequence[str], workers: int | None, progress: Progress) -> list[Checked]:
    count = worker_count(len(paths)) if workers is None else max(1, workers)
    if count > 1:
        checked = check_in_processes(_check, root, paths, count, progress)
        if checked is not None:
            return checked
    out = []
    for done, path in enumerate(paths, start=1):
        out.append(_check(root, path))
        if done % 200 == 0 or done == len(paths):
            progress(done, len(paths))
    return out


def relative_path(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix().rstrip("/")
    except ValueError:
        return path.as_posix()


def within(path: str, wanted: str) -> bool:
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


def check_file(root: Path, relative: str) -> tuple[Item | None, list[ContentError]]:
    """Check one file on its own; return the item when it is valid, and its errors.

    Only the per-file rules apply: references to registries and other items are resolved across
    files (:func:`check_repository`).
    """
    item, errors, _ = _check(root, relative)
    return item, errors


def _check(root: Path, relative: str) -> Checked:
    """:func:`check_file`, also returning the front-matter data the item was validated from."""
    ctype = type_for_path(relative)
    if ctype is None:
        return None, [ContentError(relative, 1, "file", _unknown_folder_message(relative))], {}
    try:
        raw = read_limited(root, relative)
    except FileRefused as exc:
        return None, [ContentError(relative, 1, "file", str(exc))], {}
    except OSError as exc:
        return None, [ContentError(relative, 1, "file", f"cannot be read: {exc.strerror or exc}")], {}
    source, errors = read_source(relative, raw)
    if source is None:
        return None, errors, {}
    slug, name_errors = _check_name(ctype, source)
    errors.extend(name_errors)
    limit_errors = body_limit_errors(source)
    errors.extend(unsafe_html(source, render=not limit_errors and not is_heavy(source.body)))
    errors.extend(limit_errors)
    errors.extend(body_image_errors(root, source))
    try:
        meta = ctype.model.model_validate(source.data)
    except ValidationError as exc:
        errors.extend(_validation_errors(ctype, source, exc))
        return None, errors, source.data
    errors.extend(_folder_year(ctype, source, meta))
    if isinstance(meta, Newsletter) and slug is not None and slug.isdigit() and int(slug) != meta.number:
        errors.append(ContentError(relative, source.line_of(("number",)), "number",
                                   f"issue number {meta.number} does not match the file name {slug}.md"))
    if slug is None or errors:
        return None, errors, source.data
    item = Item(type=ctype, slug=slug, path=relative, meta=meta, body=source.body, body_line=source.body_line)
    return item, errors, source.data


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
        loc = _data_loc(source.data, error["loc"])
        if loc in seen:
            continue
        seen.add(loc)
        name = format_loc(loc)
        kind = error["type"]
        if kind == "extra_forbidden" and loc:
            message = f"unknown field{_suggestion(str(loc[-1]), _fields_at(ctype.model, loc[:-1]) if len(loc) > 1 else known)}"
        elif kind == "missing":
            message = "required field is missing"
        elif kind in ("date_from_datetime_parsing", "date_parsing") and isinstance(error.get("input"), str):
            reason = (error.get("ctx") or {}).get("error", "invalid")
            message = f"impossible date {_short(error['input'])}: {reason}; write YYYY-MM-DD"
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


def _data_loc(data: object, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The part of pydantic's ``loc`` that is a path in the file's data.

    Pydantic adds the names of union members (``function-after[...]``, ``datetime``) to a loc;
    they are dropped by following the data itself, so any key an editor wrote stays exact.
    """
    out: list[Any] = []
    current = data
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif not parts and isinstance(current, dict):
            out.append(part)  # a missing key: the last part names it
            break
        else:
            continue
        out.append(part)
    return tuple(out)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
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
