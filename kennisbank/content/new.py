"""Create a new, correctly named content file from a title and the required values.

The file is only written once its front matter passes the model *and* its references (cities,
themes, vocabulary values) exist, so what `new` writes passes `check`. Missing or rejected
values are asked for through ``ask``; without it, they are one clear usage error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from kennisbank.config import Settings
from kennisbank.content.numbering import IssueSequence, issue_file, parse_month
from kennisbank.content.references import reference_fields
from kennisbank.content.registries import load_registries
from kennisbank.content.slugs import slugify
from kennisbank.content.types import ContentType
from kennisbank.errors import UsageError

# The order fields are written in: what an editor reads first comes first.
_LEADING = ("title", "date", "summary", "number", "month", "themes", "cities", "tags")
MAX_ASKS = 20

Ask = Callable[[str, "str | None", "list[str]"], str]


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
    try:
        loaded = yaml.safe_load(text) if text.strip() else None
    except (yaml.YAMLError, ValueError):  # ValueError: an impossible date such as 2026-02-30
        return text
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
    """Field → message for what the model rejects (references are checked separately)."""
    try:
        ctype.model.model_validate(dict(data))
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            name = ".".join(str(p) for p in error["loc"][:1]) or "front matter"
            message = "required" if error["type"] == "missing" else error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown field; {ctype.name} has: {', '.join(ctype.model.model_fields)}"
            problems.setdefault(name, message)
        return problems
    return {}


def _answer(ctype: ContentType, data: dict[str, object], name: str, problem: str | None, ask: Ask,
            choices: Mapping[str, list[str]], derive: Callable[[dict[str, object]], dict[str, object]]) -> dict[str, object]:
    """Ask for ``name`` until the answer itself is valid (a mistyped city is asked again at once,
    not after every other question); ``derive`` refills derived fields (a study's week)."""
    for _ in range(MAX_ASKS):
        answered = {**data, name: parse_value(ctype, name, ask(name, problem, choices.get(name, [])))}
        if ctype.name == "study" and name == "date":
            answered.pop("week", None)
            answered = derive(answered)
        problem = field_problem(ctype, answered, name, choices)
        if problem is None:
            return answered
    raise UsageError(f"cannot create the {ctype.name}: too many rejected values for {name}")


def refuse_bad_values(root: Path, ctype: ContentType, given: Mapping[str, object]) -> None:
    """A :class:`UsageError` naming every ``--set`` value the model or the registries reject
    (``last_reviewed: impossible date``), before anything is asked or written."""
    choices = reference_choices(root, ctype)
    wrong = [f"{name}: {problem}" for name in given
             if (problem := field_problem(ctype, {**given, name: given[name]}, name, choices)) is not None]
    if wrong:
        raise UsageError(f"--set: {'; '.join(wrong)}")


def field_problem(ctype: ContentType, data: Mapping[str, object], name: str,
                  choices: Mapping[str, list[str]]) -> str | None:
    """What is wrong with the value of ``name`` alone (other fields may still be missing)."""
    return validation_problems(ctype, data).get(name) or reference_problems({name: data.get(name)}, choices).get(name)


def reference_choices(root: Path, ctype: ContentType) -> dict[str, list[str]]:
    """Field → the values it may take (cities, themes, vocabularies); item references excluded."""
    registries, _ = load_registries(root)
    themes = sorted(p.stem for p in (root / "content/themas").glob("*.md"))
    choices = {}
    for field_name, registry in reference_fields(ctype.model):
        if registry == "city":
            choices[field_name] = sorted(registries.cities)
        elif registry == "theme":
            choices[field_name] = themes
        elif registry != "item":
            choices[field_name] = list(registries.vocabularies.get(registry, {}))
    return choices


def reference_problems(data: Mapping[str, object], choices: Mapping[str, list[str]]) -> dict[str, str]:
    problems = {}
    for field_name, allowed in choices.items():
        value = data.get(field_name)
        values = value if isinstance(value, list) else [] if value is None else [value]
        unknown = [str(v) for v in values if str(v) not in allowed]
        if unknown:
            problems[field_name] = f"unknown value(s): {', '.join(unknown)}"
    return problems


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


def next_issue_number(root: Path, settings: Settings, month_text: str) -> int | None:
    """The number of a new issue for ``month_text``: the next free one after the last issue before
    it. Refuses a month that already has an issue or has no free number; ``None`` for a month
    that is not ``YYYY-MM`` (the model reports that with the field)."""
    from kennisbank.content.check import check_file

    try:
        month = parse_month(month_text)
    except UsageError:
        return None
    files = []
    for path in sorted((root / "content" / "nieuwsbrief").glob("*.md")):
        item, _ = check_file(root, path.relative_to(root).as_posix())
        if item is not None:
            files.append(issue_file(item))
    sequence = IssueSequence(settings, files)
    existing = sequence.file_of(month)
    if existing is not None:
        raise UsageError(f"{month:%Y-%m} already has issue {existing.number} ({existing.path})")
    return sequence.number_for(month)


def render(ctype: ContentType, data: Mapping[str, object], body: str) -> str:
    ordered = {k: data[k] for k in _LEADING if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    matter = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{matter}---\n\n{body.strip()}\n"


def create(root: Path, ctype: ContentType, title: str | None, values: Mapping[str, object],
           ask: Ask | None, today: dt.date, body: str, settings: Settings | None = None) -> Path:
    """Write the new file; ``ask(field, problem, choices)`` prompts for missing or rejected values."""
    data = build_front_matter(ctype, title, values, today)
    if ctype.name == "newsletter" and "number" not in data:
        number = next_issue_number(root, settings or Settings(root=root), str(data["month"]))
        if number is not None:
            data["number"] = number
    choices = reference_choices(root, ctype)
    for _ in range(MAX_ASKS):
        problems = {**reference_problems(data, choices), **validation_problems(ctype, data)}
        if not problems:
            break
        fixable = {f: m for f, m in problems.items() if f in ctype.model.model_fields and f != "title"}
        if ask is None or not fixable:
            missing = [f for f, m in problems.items() if m == "required"]
            wrong = [f"{f}: {m}" for f, m in problems.items() if m != "required"]
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + wrong
            example = " ".join(f"--set {f}=..." for f in missing) or "--set FIELD=VALUE"
            raise UsageError(f"cannot create the {ctype.name}: {'; '.join(parts)}. Give the values, e.g. {example}")
        name, message = next(iter(fixable.items()))
        data = _answer(ctype, data, name, None if message == "required" else message, ask, choices,
                       lambda answered: build_front_matter(ctype, title, answered, today))
    else:
        raise UsageError(f"cannot create the {ctype.name}: too many rejected values; see docs/content-model.md")
    path = target_path(root, ctype, data, title)
    if path.exists():
        raise UsageError(f"{path.relative_to(root).as_posix()} already exists; choose another title")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(ctype, data, body), encoding="utf-8")
    return path
