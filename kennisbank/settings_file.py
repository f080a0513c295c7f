"""Read a settings file (``mkdocs.yml``, ``search/*.yml``) and validate it like content.

The YAML is composed into nodes (never constructed, so MkDocs' ``!!python/name`` tags are read as
plain text) and walked once, which gives the data *and* the line of every key. A pydantic model
then validates the data; every problem becomes a :class:`~kennisbank.errors.ContentError`
(``mkdocs.yml:LINE: field: message``), all of them in one run, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kennisbank.errors import ContentError, ContentInvalid, Path_, format_loc

Model = TypeVar("Model", bound=BaseModel)

_SCALAR_TAGS = {
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
}


class SettingsInvalid(ContentInvalid):
    """A settings file has errors; each names the file, line and setting."""

    def __init__(self, errors: list[ContentError]):
        super().__init__(errors)
        self.args = (f"{len(errors)} settings error(s); run `kennisbank check`",)


class SettingsSource:
    """One settings file read with the line of every key (1-based, as editors count)."""

    def __init__(self, relative: str, data: object, lines: dict[Path_, int]):
        self.relative = relative
        self.data = data
        self.lines = lines

    def line_of(self, loc: Sequence[str | int]) -> int:
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1

    def error(self, loc: Sequence[str | int], message: str) -> ContentError:
        return ContentError(self.relative, self.line_of(loc), format_loc(tuple(loc)), message)


def read_settings_file(root: Path, relative: str) -> tuple[SettingsSource | None, list[ContentError]]:
    """The file's data and key lines; ``None`` and an error when it is missing or not YAML."""
    try:
        text = (root / relative).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [ContentError(relative, 1, "file", "is missing")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ContentError(relative, 1, "file", f"cannot be read: {exc}")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return None, [ContentError(relative, line, "file", f"YAML syntax error: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [ContentError(relative, 1, "file", f"YAML error: {' '.join(str(exc).split())[:200]}")]
    lines: dict[Path_, int] = {}
    data = _build(node, (), lines) if node is not None else None
    return SettingsSource(relative, data, lines), []


def _build(node: yaml.Node, loc: Path_, lines: dict[Path_, int]) -> object:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            lines.setdefault((*loc, key), key_node.start_mark.line + 1)
            out[key] = _build(value_node, (*loc, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, child in enumerate(node.value):
            lines[(*loc, index)] = child.start_mark.line + 1
            items.append(_build(child, (*loc, index), lines))
        return items
    if node.tag in _SCALAR_TAGS:
        return yaml.SafeLoader("").construct_object(node)
    return node.value  # text, dates and any other tag (e.g. !!python/name) stay plain text


def validate(model: type[Model], source: SettingsSource, data: object,
             where: tuple[str | int, ...] = ()) -> tuple[Model | None, list[ContentError]]:
    """``data`` (found at ``where`` in the file) validated by ``model``; every problem as an error."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for problem in exc.errors(include_url=False):
            loc = (*where, *_data_loc(data, problem["loc"]))
            message = problem["msg"].removeprefix("Value error, ")
            if problem["type"] == "extra_forbidden":
                known = ", ".join(model_fields_at(model, problem["loc"][:-1]))
                message = f"unknown setting; known: {known}"
            elif problem["type"] != "missing" and "input" in problem and not isinstance(problem["input"], (dict, list)):
                message += f" (got {problem['input']!r})"
            errors.append(source.error(loc, message))
        return None, sorted(errors)


def model_fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The setting names a nested model at ``loc`` declares (for 'unknown setting' messages)."""
    current: object = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type) and issubclass(current, BaseModel)):
            continue
        field = current.model_fields.get(part)
        current = field.annotation if field is not None else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _data_loc(data: object, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Pydantic's ``loc`` without the names it adds for union members: only what is in the file."""
    out: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif index == len(loc) - 1:
            out.append(part)
            break
        else:
            continue
        out.append(part)
    return tuple(out)


def raise_for(errors: list[ContentError]) -> None:
    if errors:
        raise SettingsInvalid(sorted(errors))
