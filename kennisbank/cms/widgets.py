"""Decap CMS fields from the pydantic models: one widget per front-matter field.

The mapping reads what the model says about a field (its type, whether it is required, its
length limits and patterns, and the :class:`~kennisbank.content.fields.Ref` marking references)
and never a hand-written list of fields, so a field added to a model appears in the editor.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kennisbank.cms.labels import HINTS, label
from kennisbank.content.fields import Image, Ref

Widget = dict[str, object]
Options = list[dict[str, str]]

DATE_FORMAT = "YYYY-MM-DD"
DATETIME_FORMAT = "YYYY-MM-DD HH:mm"


@dataclass
class Shape:
    """What a field's annotation says, with its wrappers (Optional, list, Annotated) peeled off."""

    base: object
    optional: bool = False
    is_list: bool = False
    min_items: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    format: str | None = None  # "uri" or "email", from the field's JSON Schema extras
    ref: str | None = None
    date_or_datetime: bool = False


def shape_of(annotation: object, metadata: list[object]) -> Shape:
    """Peel ``Annotated``, ``X | None`` and ``list[X]`` off ``annotation``, collecting limits."""
    shape = Shape(base=annotation)
    _peel(shape, annotation)
    _collect(shape, metadata, bounds_list=shape.is_list)  # a field-level min_length on a list counts items
    return shape


def _peel(shape: Shape, annotation: object) -> None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *metadata = typing.get_args(annotation)
        _collect(shape, metadata, bounds_list=False)
        _peel(shape, inner)
    elif origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        shape.optional = shape.optional or len(options) < len(typing.get_args(annotation))
        if set(options) == {dt.date, dt.datetime}:
            shape.base, shape.date_or_datetime = dt.datetime, True
        else:
            _peel(shape, options[0])
    elif origin is list:
        shape.is_list = True
        _peel(shape, typing.get_args(annotation)[0])
    else:
        shape.base = annotation


def _collect(shape: Shape, metadata: list[object], bounds_list: bool) -> None:
    """Limits from pydantic/annotated-types metadata (with ``bounds_list``, a list's length)."""
    for meta in metadata:
        if isinstance(meta, FieldInfo):
            extra = meta.json_schema_extra if isinstance(meta.json_schema_extra, dict) else {}
            shape.format = str(extra["format"]) if "format" in extra else shape.format
            _collect(shape, list(meta.metadata), bounds_list)
        elif isinstance(meta, Ref):
            shape.ref = meta.registry
        elif isinstance(meta, annotated_types.MinLen):
            if bounds_list:
                shape.min_items = meta.min_length
            else:
                shape.min_length = meta.min_length
        elif isinstance(meta, annotated_types.MaxLen) and not bounds_list:
            shape.max_length = meta.max_length
        elif isinstance(meta, annotated_types.Ge):
            shape.minimum = float(meta.ge)  # type: ignore[arg-type]
        elif isinstance(meta, annotated_types.Le):
            shape.maximum = float(meta.le)  # type: ignore[arg-type]
        elif (pattern := getattr(meta, "pattern", None)) is not None:
            shape.pattern = str(pattern)



class Choices:
    """The values reference fields may take: cities, themes, vocabularies (label per key)."""

    def __init__(self, cities: Mapping[str, str], themes: Mapping[str, str],
                 vocabularies: Mapping[str, Mapping[str, str]]):
        self.cities, self.themes, self.vocabularies = cities, themes, vocabularies

    def options(self, registry: str) -> Options | None:
        """Select options for ``registry``; None for item references (free ids)."""
        if registry == "item":
            return None
        source = (self.cities if registry == "city" else self.themes if registry == "theme"
                  else self.vocabularies.get(registry, {}))
        return [{"label": text, "value": key} for key, text in source.items()]


def widget(name: str, info: FieldInfo, choices: Choices) -> Widget:
    """The Decap field for model field ``name``."""
    shape = shape_of(info.annotation, list(info.metadata))
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    shape.format = str(extra["format"]) if "format" in extra else shape.format  # pydantic merged the Field
    entry: Widget = {"name": name, "label": label(name)}
    if not info.is_required():
        entry["required"] = False
    if name in HINTS:
        entry["hint"] = HINTS[name]
    entry.update(_widget_for(name, shape, choices, required=info.is_required()))
    return entry


def _widget_for(name: str, shape: Shape, choices: Choices, required: bool) -> Widget:
    options = choices.options(shape.ref) if shape.ref else None
    if options is not None:
        select: Widget = {"widget": "select", "options": options}
        if shape.is_list:
            select["multiple"] = True
            if shape.min_items:
                select["min"] = shape.min_items
        return select
    if shape.is_list:
        return _list_widget(name, shape, choices)
    if isinstance(shape.base, type) and issubclass(shape.base, BaseModel):
        sub_fields = model_fields(shape.base, choices)
        if not required:  # Decap would demand the parts of an object the editor left out on purpose
            for sub_field in sub_fields:
                sub_field["required"] = False
        return {"widget": "object", "collapsed": not required, "fields": sub_fields}
    return _scalar(shape, required)


def _list_widget(name: str, shape: Shape, choices: Choices) -> Widget:
    entry: Widget = {"widget": "list"}
    if shape.min_items:
        entry["min"] = shape.min_items
    if isinstance(shape.base, type) and issubclass(shape.base, BaseModel):
        sub_fields = model_fields(shape.base, choices)
        entry["fields"] = sub_fields
        first = str(sub_fields[0]["name"])
        entry["summary"] = f"{{{{fields.{first}}}}}" if first != "src" else "{{fields.alt}}"
        return entry
    inner = Shape(base=shape.base, min_length=shape.min_length, max_length=shape.max_length, pattern=shape.pattern)
    entry["field"] = {"name": "waarde", "label": label(name), **_scalar(inner, required=True)}
    return entry


def _scalar(shape: Shape, required: bool) -> Widget:
    base = shape.base
    if base is bool:
        return {"widget": "boolean", "default": False}
    if base is int or base is float:
        entry: Widget = {"widget": "number", "value_type": "int" if base is int else "float"}
        if base is float:
            entry["step"] = 0.0001
        if shape.minimum is not None:
            entry["min"] = int(shape.minimum) if base is int else shape.minimum
        if shape.maximum is not None:
            entry["max"] = int(shape.maximum) if base is int else shape.maximum
        return entry
    if base is dt.datetime:
        return {"widget": "datetime", "format": DATETIME_FORMAT, "date_format": "DD-MM-YYYY",
                "time_format": "HH:mm", "picker_utc": True, **({} if required else {"default": ""})}
    if base is dt.date:
        return {"widget": "datetime", "format": DATE_FORMAT, "date_format": "DD-MM-YYYY",
                "time_format": False, "picker_utc": True, **({} if required else {"default": ""})}
    return _text(shape)


FORMATS = {  # what Decap checks for formatted strings; the model checks the rest
    "uri": ["^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$", "Een volledig webadres, dat begint met https:// of http://."],
    "email": ["^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", "Een e-mailadres zoals naam@stad.be."],
}
LONG_TEXT = 400  # from this many characters on, a text area instead of one line


def _text(shape: Shape) -> Widget:
    long = shape.max_length is not None and shape.max_length >= LONG_TEXT and shape.format is None
    entry: Widget = {"widget": "text" if long else "string"}
    if shape.format in FORMATS:
        entry["pattern"] = FORMATS[shape.format]
    elif shape.pattern:
        entry["pattern"] = [shape.pattern, "Niet in de juiste vorm: zie de tip bij het veld."]
    elif shape.max_length:
        entry["pattern"] = [f"^[\\s\\S]{{0,{shape.max_length}}}$", f"Hoogstens {shape.max_length} tekens."]
    return entry


def model_fields(model: type[BaseModel], choices: Choices) -> list[Widget]:
    """Every field of ``model`` as a Decap field, in the model's order; a picture's file is an
    upload (saved in the collection's media folder, beside the Markdown file)."""
    fields = [widget(name, info, choices) for name, info in model.model_fields.items()]
    if issubclass(model, Image):
        for entry in fields:
            if entry["name"] == "src":
                entry.update(widget="image", choose_url=False)
                entry.pop("pattern", None)
    return fields
