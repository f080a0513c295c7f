"""JSON Schema per content type, generated from the same models `check` uses."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kennisbank.content.references import reference_fields
from kennisbank.content.registries import Registries
from kennisbank.content.types import CONTENT_TYPES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schemas(registries: Registries, themes: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """``{type name: schema}``; vocabulary, city and theme fields get their allowed values as ``enum``."""
    theme_slugs = sorted(themes)
    schemas = {}
    for ctype in CONTENT_TYPES:
        schema = ctype.model.model_json_schema()
        schema = {"$schema": SCHEMA_DIALECT, "$id": f"{ctype.name}.json",
                  "description": f"{ctype.label} — {ctype.folder}/", **schema}
        properties = schema.get("properties", {})
        for field_name, registry in reference_fields(ctype.model):
            allowed = (sorted(registries.cities) if registry == "city"
                       else theme_slugs if registry == "theme"
                       else sorted(registries.vocabularies.get(registry, {})) if registry != "item"
                       else None)
            if allowed and field_name in properties:
                _set_enum(properties[field_name], allowed)
        schemas[ctype.name] = schema
    return schemas


def _set_enum(prop: dict[str, Any], allowed: list[str]) -> None:
    if prop.get("type") == "array":
        prop.setdefault("items", {})["enum"] = allowed
    elif "anyOf" in prop:
        for option in prop["anyOf"]:
            if option.get("type") == "string":
                option["enum"] = allowed
    else:
        prop["enum"] = allowed


def theme_slugs(root: Path) -> list[str]:
    """Slugs of the theme files: what ``themes`` and ``parent`` may name."""
    return sorted(p.stem for p in (root / "content/themas").glob("*.md"))


def write_schemas(registries: Registries, out: Path, themes: Iterable[str] = ()) -> list[Path]:
    """Write ``<type>.json`` per content type into ``out``; same input, same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas(registries, themes).items():
        path = out / f"{name}.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
