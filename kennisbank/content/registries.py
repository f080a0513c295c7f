"""Registries editors extend by pull request: cities and the controlled vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kennisbank.errors import ContentError

REGISTRY_FOLDER = "content/registries"
CITIES_FILE = f"{REGISTRY_FOLDER}/cities.yml"
VOCABULARIES_FILE = f"{REGISTRY_FOLDER}/vocabularies.yml"

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
    registries = Registries()
    errors: list[ContentError] = []
    cities = _load_mapping(root, CITIES_FILE, errors)
    for slug, entry in cities.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            errors.append(ContentError(CITIES_FILE, 1, str(slug), "a city needs at least a `name`"))
            continue
        try:
            registries.cities[str(slug)] = City(slug=str(slug), **entry)
        except TypeError as exc:
            errors.append(ContentError(CITIES_FILE, 1, str(slug), f"unknown key: {exc}"))
    vocabularies = _load_mapping(root, VOCABULARIES_FILE, errors)
    for name, values in vocabularies.items():
        if not isinstance(values, dict):
            errors.append(ContentError(VOCABULARIES_FILE, 1, str(name), "must map keys to Dutch labels"))
            continue
        registries.vocabularies[str(name)] = {str(k): str(v) for k, v in values.items()}
    return registries, errors


def _load_mapping(root: Path, relative: str, errors: list[ContentError]) -> dict:
    path = root / relative
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        errors.append(ContentError(relative, 1, "file", "registry file is missing"))
        return {}
    except UnicodeDecodeError:
        errors.append(ContentError(relative, 1, "file", "not UTF-8"))
        return {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        errors.append(ContentError(relative, line, "file", f"YAML syntax error: {exc.problem}"))
        return {}
    if not isinstance(data, dict):
        errors.append(ContentError(relative, 1, "file", "must be a mapping"))
        return {}
    return data
