"""Create a new, correctly named content file from a title and the required values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from kennisbank.content.slugs import slugify
from kennisbank.content.types import ContentType
from kennisbank.errors import UsageError

# The order fields are written in: what an editor reads first comes first.
_LEADING = ("title", "date", "summary", "number", "month", "themes", "cities", "tags")


def required_fields(ctype: ContentType) -> list[str]:
    """Fields the editor must give (besides the title), in model order."""
    return [name for name, info in ctype.model.model_fields.items() if info.is_required() and name != "title"]


def list_fields(ctype: ContentType) -> set[str]:
    return {name for name, info in ctype.model.model_fields.items() if _is_list(info.annotation)}


def _is_list(annotation: object) -> bool:
    origin = getattr(annotation, "__origin__", None)
    if origin is list:
        return True
    return any(_is_list(arg) for arg in getattr(annotation, "__args__", ()) or ())


def parse_value(ctype: ContentType, name: str, text: str) -> object:
    """Turn a command-line value into front-matter data: lists are comma separated."""
    if name in list_fields(ctype):
        return [part.strip() for part in text.split(",") if part.strip()]
    loaded = yaml.safe_load(text) if text.strip() else None
    if isinstance(loaded, (dt.date, dt.datetime)):
        return text.strip()
    return loaded if isinstance(loaded, (int, float, bool)) and name not in ("title", "summary") else text


def build_front_matter(ctype: ContentType, title: str | None, values: Mapping[str, object],
                       today: dt.date) -> dict[str, object]:
    """Fill in what can be derived: date, a study's ISO week, a newsletter's month."""
    data: dict[str, object] = {}
    if title is not None and "title" in ctype.model.model_fields:
        data["title"] = title
    data.update(values)
    if "date" in ctype.model.model_fields:
        data.setdefault("date", today.isoformat())
    if ctype.name == "study" and "week" not in data:
        try:
            year, week, _ = dt.date.fromisoformat(str(data["date"])).isocalendar()
            data["week"] = f"{year}-W{week:02d}"
        except ValueError:
            pass
    if ctype.name == "newsletter":
        data.setdefault("month", today.strftime("%Y-%m"))
    return data


def validation_problems(ctype: ContentType, data: Mapping[str, object]) -> dict[str, str]:
    """Field → message for what the model rejects (references are checked afterwards)."""
    try:
        ctype.model.model_validate(dict(data))
    except ValidationError as exc:
        return {".".join(str(p) for p in e["loc"]) or "front matter": e["msg"] for e in exc.errors(include_url=False)}
    return {}


def target_path(root: Path, ctype: ContentType, data: Mapping[str, object], title: str | None) -> Path:
    folder = root / ctype.folder
    if ctype.name == "newsletter":
        return folder / f"{int(data['number']):03d}.md"  # type: ignore[call-overload]
    slug = slugify(title or "")
    if not slug:
        raise UsageError("the title gives an empty file name; use letters or digits")
    year_field = ctype.folder_year_field()
    if year_field:
        folder = folder / str(data[year_field])[:4]
    return folder / f"{slug}.md"


def render(ctype: ContentType, data: Mapping[str, object], body: str) -> str:
    ordered = {k: data[k] for k in _LEADING if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    matter = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{matter}---\n\n{body.strip()}\n"


def next_newsletter_number(root: Path, ctype: ContentType, first_number: int = 121) -> int:
    numbers = [int(p.stem) for p in (root / ctype.folder).glob("*.md") if p.stem.isdigit()]
    return max(numbers, default=first_number - 1) + 1


def create(root: Path, ctype: ContentType, title: str | None, values: Mapping[str, object],
           ask: Callable[[str, str | None], str] | None, today: dt.date, body: str) -> Path:
    """Write the new file; ``ask(field, problem)`` prompts for missing or rejected values."""
    data = build_front_matter(ctype, title, values, today)
    if ctype.name == "newsletter":
        data.setdefault("number", next_newsletter_number(root, ctype))
    for _ in range(20):
        problems = validation_problems(ctype, data)
        fixable = {f: m for f, m in problems.items() if f in ctype.model.model_fields}
        if not problems:
            break
        if ask is None or not fixable:
            listed = "; ".join(f"{f}: {m}" for f, m in problems.items())
            raise UsageError(f"cannot create the {ctype.name}: {listed}. Give the values with --set FIELD=VALUE")
        name, message = next(iter(fixable.items()))
        data[name] = parse_value(ctype, name, ask(name, None if message == "Field required" else message))
        if ctype.name == "study" and name == "date":
            data.pop("week", None)
            data = build_front_matter(ctype, title, data, today)
    path = target_path(root, ctype, data, title)
    if path.exists():
        raise UsageError(f"{path.relative_to(root)} already exists; choose another title")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(ctype, data, body), encoding="utf-8")
    return path

