"""Registries editors extend by pull request: cities and the controlled vocabularies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kennisbank.content.reader import FileRefused, read_limited
from kennisbank.errors import ContentError

REGISTRY_FOLDER = "content/registries"
CITIES_FILE = f"{REGISTRY_FOLDER}/cities.yml"
VOCABULARIES_FILE = f"{REGISTRY_FOLDER}/vocabularies.yml"
REGISTRY_MAX_BYTES = 1_000_000  # the sample registries are 2 KB; all 581 Belgian municipalities fit easily

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    country: str = "BE"
    province: str | None = None
    short: str | None = None
    centre_city: bool = False

    @property
    def label(self) -> str:
        """The name visitors know: the VGC by its abbreviation."""
        return self.short or self.name


@dataclass
class Registries:
    cities: dict[str, City] = field(default_factory=dict)
    vocabularies: dict[str, dict[str, str]] = field(default_factory=dict)

    def label(self, vocabulary: str, key: str) -> str:
        """The Dutch label of ``key``; the key itself when it is not registered."""
        return self.vocabularies.get(vocabulary, {}).get(key, key)


def load_registries(root: Path) -> tuple[Registries, list[ContentError]]:
    """Read cities and vocabularies; every problem is an error with its file and line."""
    registries = Registries()
    errors: list[ContentError] = []
    cities, city_lines = _load_mapping(root, CITIES_FILE, errors)
    for slug, entry in cities.items():
        line = city_lines.get(str(slug), 1)
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            errors.append(ContentError(CITIES_FILE, line, str(slug), "a city needs at least a `name`"))
            continue
        unknown = sorted(str(key) for key in entry if key not in _CITY_KEYS)
        if unknown:
            errors.append(ContentError(CITIES_FILE, line, str(slug),
                                       f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_CITY_KEYS))}"))
            continue
        registries.cities[str(slug)] = City(slug=str(slug), **entry)
    vocabularies, vocabulary_lines = _load_mapping(root, VOCABULARIES_FILE, errors)
    for name, values in vocabularies.items():
        if not isinstance(values, dict):
            errors.append(ContentError(VOCABULARIES_FILE, vocabulary_lines.get(str(name), 1), str(name),
                                       "must map keys to Dutch labels"))
            continue
        registries.vocabularies[str(name)] = {str(k): str(v) for k, v in values.items()}
    return registries, errors


def _first_alias(text: str) -> int | None:
    """The line of the first anchor or alias: tokens only, so nothing is expanded (a "billion
    laughs" file is refused in linear time instead of exhausting memory)."""
    if "&" not in text and "*" not in text:
        return None
    for token in yaml.scan(text, Loader=_Loader):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            return int(token.start_mark.line) + 1
    return None


_CITY_KEYS = {"name", "country", "province", "short", "centre_city"}
_TOP_KEY = re.compile(r"^([^\s#:'\"-][^:]*?):(?:\s|$)")


def _load_mapping(root: Path, relative: str, errors: list[ContentError]) -> tuple[dict[str, Any], dict[str, int]]:
    """The file's mapping and the line of each top-level key ({} when the file is unusable)."""
    try:
        text = read_limited(root, relative, REGISTRY_MAX_BYTES).decode("utf-8")
        alias = _first_alias(text)
        if alias is not None:
            errors.append(ContentError(relative, alias, "file",
                                       "YAML anchors and aliases (&name, *name) are not allowed; write the value out"))
            return {}, {}
        data = yaml.load(text, Loader=_Loader)
    except FileRefused as exc:
        errors.append(ContentError(relative, 1, "file", str(exc)))
        return {}, {}
    except FileNotFoundError:
        errors.append(ContentError(relative, 1, "file", "registry file is missing"))
        return {}, {}
    except UnicodeDecodeError:
        errors.append(ContentError(relative, 1, "file", "not UTF-8"))
        return {}, {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        errors.append(ContentError(relative, line, "file", f"YAML syntax error: {exc.problem}"))
        return {}, {}
    except (OSError, yaml.YAMLError, ValueError, RecursionError) as exc:
        errors.append(ContentError(relative, 1, "file", f"cannot be read: {' '.join(str(exc).split())[:200]}"))
        return {}, {}
    if not isinstance(data, dict):
        errors.append(ContentError(relative, 1, "file", "must be a mapping"))
        return {}, {}
    lines: dict[str, int] = {}
    text_lines = text.splitlines()
    for number, text_line in enumerate(text_lines, start=1):
        if match := _TOP_KEY.match(text_line):
            lines.setdefault(match.group(1).strip(), number)
    for key, value in data.items():
        errors.extend(_markup_errors(relative, text_lines, lines.get(str(key), 1), str(key), value))
    return data, lines


def _markup_errors(relative: str, text_lines: list[str], start: int, field: str, value: object) -> list[ContentError]:
    """Names and labels are plain text: no markup, no unsafe URLs (each with the line that holds it)."""
    from kennisbank.content.safety import plain_text_errors

    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _markup_errors(relative, text_lines, start, f"{field}.{k}", v)]
    if not isinstance(value, str):
        return []
    probe = value[:20]
    line = next((n for n in range(start, len(text_lines) + 1) if probe in text_lines[n - 1]), start)
    return plain_text_errors(relative, line, field, value)
