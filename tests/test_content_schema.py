"""`kennisbank schema`: one JSON Schema per content type, from the same models `check` uses.

The schemas are validated with jsonschema_rs (installed with the dev extras, via schemathesis):
they must be valid Draft 2020-12 schemas, accept the front matter of every sample item, and
reject what `check` rejects at field level.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
from click.testing import CliRunner

from kennisbank.cli import cli
from kennisbank.content.check import discover
from kennisbank.content.reader import read_source
from kennisbank.content.types import CONTENT_TYPES, type_for_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def schemas(tmp_path_factory):
    out = tmp_path_factory.mktemp("schemas")
    run = CliRunner().invoke(cli, ["--root", str(ROOT), "schema", "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert len(run.stdout.splitlines()) == len(CONTENT_TYPES)
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(out.glob("*.json"))}


def validator(schema: dict):
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def test_one_valid_schema_per_type(schemas):
    assert sorted(schemas) == sorted(ct.name for ct in CONTENT_TYPES)
    for name, schema in schemas.items():
        assert jsonschema_rs.meta.is_valid(schema), name
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["type"] == "object" and schema["additionalProperties"] is False


def test_required_fields_and_vocabularies(schemas):
    assert set(schemas["news"]["required"]) == {"title", "summary", "date", "category"}
    assert set(schemas["study"]["required"]) >= {"week", "publisher", "url"}
    assert set(schemas["churches"]["required"]) >= {"municipality", "country", "current_functions", "status"}
    assert "title" not in schemas["newsletter"].get("required", [])
    news = schemas["news"]["properties"]
    assert "beleid" in news["category"]["enum"]
    assert "gent" in news["cities"]["items"]["enum"] and "vgc" in news["cities"]["items"]["enum"]
    assert "europa" in news["themes"]["items"]["enum"]
    assert news["summary"]["maxLength"] == 400
    church = schemas["churches"]["properties"]
    assert "cultuur" in church["current_functions"]["items"]["enum"]


def test_every_sample_item_validates_against_its_schema(schemas):
    checked = 0
    for relative in discover(ROOT):
        ctype = type_for_path(relative)
        source, errors = read_source(relative, (ROOT / relative).read_bytes())
        assert source is not None and not errors, errors
        problems = [f"{e.instance_path}: {e.message}" for e in validator(schemas[ctype.name]).iter_errors(source.data)]
        assert problems == [], relative
        checked += 1
    assert checked > 20


@pytest.mark.parametrize(("change", "why"), [
    ({"category": "roddel"}, "not a vocabulary value"),
    ({"titel": "Tikfout"}, "unknown field"),
    ({"summary": "x" * 401}, "summary too long"),
    ({"cities": ["atlantis"]}, "unknown city"),
    ({"links": [{"title": "Archief", "url": "ftp://example.org/x"}]}, "not an http(s) URL"),
    ({"date": "2020-02-30"}, "impossible date"),
    ({"draft": "misschien"}, "not a boolean"),
])
def test_schema_rejects_what_check_rejects(schemas, change, why):
    valid = {"title": "Bericht", "summary": "Kort.", "date": "2020-03-02", "category": "beleid"}
    check = validator(schemas["news"])
    assert check.is_valid(valid)
    assert not check.is_valid({**valid, **change}), why


def test_event_times_as_editors_write_them(schemas):
    event = {"title": "Studiedag", "summary": "Kort.", "date": "2020-01-10", "kind": "studiedag",
             "start": "2020-02-03 09:30", "location": "Gent", "organisers": ["Kenniscentrum"]}
    check = validator(schemas["event"])
    assert check.is_valid(event)
    assert not check.is_valid({**event, "start": "morgen"})


def test_output_is_reproducible(tmp_path):
    for out in ("a", "b"):
        assert CliRunner().invoke(cli, ["--root", str(ROOT), "schema", "--out", str(tmp_path / out)]).exit_code == 0
    for path in (tmp_path / "a").glob("*.json"):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def _shape(value: object) -> object:
    """A schema without its enum lists: those follow the registries, which editors extend."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k != "enum"}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def test_committed_schemas_have_the_models_shape(schemas):
    """schemas/ in the repository is `kennisbank schema` output: regenerate it when a model changes."""
    committed = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (ROOT / "schemas").glob("*.json")}
    assert {k: _shape(v) for k, v in committed.items()} == {k: _shape(v) for k, v in schemas.items()}
