"""The editor's config.yml is generated from the models and registries, and agrees with them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from kennisbank.cms.admin import bundle_files, repository_config
from kennisbank.cms.config import MEDIA_FOLDER, collection, config_yaml, with_local_backend
from kennisbank.cms.labels import LABELS
from kennisbank.cms.widgets import shape_of
from kennisbank.content.fields import Image
from kennisbank.content.references import reference_fields
from kennisbank.content.types import CONTENT_TYPES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def config(repo, settings):
    return repository_config(repo, settings)


def collections(config) -> dict[str, dict]:
    return {c["name"]: c for c in config["collections"]}


def by_name(fields: list[dict]) -> dict[str, dict]:
    return {f["name"]: f for f in fields}


def sub_model(annotation: object) -> type[BaseModel] | None:
    base = shape_of(annotation, []).base
    return base if isinstance(base, type) and issubclass(base, BaseModel) else None


def assert_fields_match(model: type[BaseModel], fields: list[dict], where: str, within_optional: bool = False) -> None:
    """Every model field is an editor field with the model's required flag (inside an optional
    object every part is optional: the editor may leave the whole object out); nothing else is."""
    editor = by_name(fields)
    assert set(editor) - {"body"} == set(model.model_fields), where
    for name, info in model.model_fields.items():
        field = editor[name]
        assert field.get("required", True) == (info.is_required() and not within_optional), f"{where}.{name}"
        assert field["label"] == LABELS[name], f"{where}.{name}: no Dutch label"
        nested = sub_model(info.annotation)
        if nested is not None and field["widget"] == "list":
            assert_fields_match(nested, field["fields"], f"{where}.{name}")
        elif nested is not None:
            assert field["widget"] == "object"
            assert_fields_match(nested, field["fields"], f"{where}.{name}", not info.is_required())


def test_every_type_is_a_collection_with_its_folder_and_file_name(config):
    found = collections(config)
    assert set(found) == {ctype.section for ctype in CONTENT_TYPES}
    for ctype in CONTENT_TYPES:
        entry = found[ctype.section]
        assert entry["folder"] == ctype.folder
        assert entry["label"] == ctype.label_plural and entry["label_singular"] == ctype.label
        assert entry["format"] == "frontmatter" and entry["extension"] == "md"
        # pictures in fotos/ beside the file; its `src` is relative: fotos/<file>
        assert entry["public_folder"] == MEDIA_FOLDER
        assert str(entry["media_folder"]).endswith(MEDIA_FOLDER)
        if ctype.year_folders:
            # the folder is the year of the field `check` files the item by (events: `start`),
            # a date picker whose stored format begins with the year
            year_field = ctype.folder_year_field()
            assert entry["path"] == "{{" + str(year_field) + ' | truncate(4, " ")}}/{{slug}}'
            picker = by_name(entry["fields"])[year_field]
            assert picker["widget"] == "datetime" and str(picker["format"]).startswith("YYYY-")
        else:
            assert "path" not in entry
    assert found["nieuwsbrief"]["slug"] == "{{fields.number}}"
    # one folder per collection: fotos/ of that folder, also for a new entry (not yet saved)
    assert found["kerken"]["media_folder"] == "/cases/kerken/fotos"
    # year folders: fotos/ beside the file, wherever its year puts it
    assert found["nieuws"]["media_folder"] == "fotos"


def test_every_model_field_is_an_editor_field_with_the_models_required_flag(config):
    found = collections(config)
    for ctype in CONTENT_TYPES:
        assert_fields_match(ctype.model, found[ctype.section]["fields"], ctype.section)
        body = by_name(found[ctype.section]["fields"])["body"]
        assert body["widget"] == "markdown" and body["required"] is False


def test_every_field_has_a_dutch_label():
    names = {name for ctype in CONTENT_TYPES for name in ctype.model.model_fields}
    assert not names - set(LABELS), "fields without a Dutch label in kennisbank/cms/labels.py"


def test_a_field_added_to_a_model_appears_in_the_editor(repo, settings):
    from kennisbank.cms.config import choices_for

    news = next(t for t in CONTENT_TYPES if t.name == "news")
    extended = type("ExtendedNews", (news.model,), {"__annotations__": {"subtitle": str | None}, "subtitle": None})
    from dataclasses import replace

    fields = by_name(collection(replace(news, model=extended), choices_for(repo.registries, {}))["fields"])
    assert fields["subtitle"]["required"] is False and fields["subtitle"]["widget"] == "string"


def test_summary_is_a_text_limited_to_400_characters(config):
    summary = by_name(collections(config)["nieuws"]["fields"])["summary"]
    assert summary["widget"] == "text"
    pattern = re.compile(summary["pattern"][0])
    assert pattern.fullmatch("a" * 400) and not pattern.fullmatch("a" * 401)


def test_dates_are_date_pickers_and_event_times_have_a_time(config):
    found = collections(config)
    date = by_name(found["nieuws"]["fields"])["date"]
    assert (date["widget"], date["format"], date["time_format"]) == ("datetime", "YYYY-MM-DD", False)
    start = by_name(found["agenda"]["fields"])["start"]
    assert (start["widget"], start["format"]) == ("datetime", "YYYY-MM-DD HH:mm")
    reviewed = by_name(found["woonbeleid"]["fields"])["last_reviewed"]
    assert reviewed["widget"] == "datetime" and reviewed["format"] == "YYYY-MM-DD"


def test_references_are_selects_with_the_registered_values(config, repo):
    found = collections(config)
    for ctype in CONTENT_TYPES:
        fields = by_name(found[ctype.section]["fields"])
        for name, registry in reference_fields(ctype.model):
            field = fields[name]
            if registry == "item":
                assert field["widget"] == "list"
                continue
            assert field["widget"] == "select", f"{ctype.section}.{name}"
            values = [o["value"] for o in field["options"]]
            expected = (set(repo.registries.cities) if registry == "city"
                        else {t.slug for t in repo.of_type("theme", include_drafts=True)} if registry == "theme"
                        else set(repo.registries.vocabularies[registry]))
            assert set(values) == expected, f"{ctype.section}.{name}"
            is_list = shape_of(ctype.model.model_fields[name].annotation, []).is_list
            assert field.get("multiple", False) == is_list, f"{ctype.section}.{name}"
    gent = next(o for o in by_name(found["kerken"]["fields"])["municipality"]["options"] if o["value"] == "vgc")
    assert gent["label"] == "VGC"
    functions = by_name(found["kerken"]["fields"])["current_functions"]
    assert functions["min"] == 1  # the model requires at least one


def test_contacts_links_and_photos_are_lists_with_sub_fields_and_photos_are_uploads(config):
    fields = by_name(collections(config)["kerken"]["fields"])
    assert [f["name"] for f in fields["contacts"]["fields"]] == ["name", "role", "organisation", "email", "phone"]
    assert [f["name"] for f in fields["links"]["fields"]] == ["title", "url"]
    photo = by_name(fields["photos"]["fields"])
    assert photo["src"]["widget"] == "image" and photo["alt"].get("required", True)
    assert list(Image.model_fields) == ["src", "alt", "credit"]
    for url in (by_name(fields["links"]["fields"])["url"], by_name(collections(config)["agenda"]["fields"])["registration"]):
        assert url["widget"] == "string"
        assert re.fullmatch(url["pattern"][0], "https://example.org/a") and not re.fullmatch(url["pattern"][0], "ftp://x")
    email = by_name(fields["contacts"]["fields"])["email"]
    assert re.fullmatch(email["pattern"][0], "an@gent.be") and not re.fullmatch(email["pattern"][0], "an at gent")


def test_dutch_editorial_workflow_and_github_backend(config, settings):
    assert config["locale"] == "nl"
    assert config["publish_mode"] == "editorial_workflow"
    assert config["backend"] == {"name": "github", "repo": settings.cms_repo, "branch": settings.cms_branch}


def test_local_backend_is_added_only_for_the_local_server(config):
    text = config_yaml(config)
    assert "local_backend" not in yaml.safe_load(text)
    local = yaml.safe_load(with_local_backend(text, "http://127.0.0.1:9/api/v1"))
    assert local["local_backend"] == {"url": "http://127.0.0.1:9/api/v1"}
    assert local["collections"] == yaml.safe_load(text)["collections"]


def test_cli_prints_what_the_build_writes(tmp_path, repo, settings):
    printed = subprocess.run([sys.executable, "-m", "kennisbank.cli", "--root", str(ROOT), "cms", "config"],
                             capture_output=True, text=True, check=True).stdout
    assert printed == config_yaml(repository_config(repo, settings))
    assert printed.startswith("# Generated by kennisbank")


def test_bundle_is_the_script_its_chunks_and_wasm_without_source_maps(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ("decap-cms.js", "decap-cms.js.map", "103.decap-cms.js", "103.decap-cms.js.map", "cms.js",
                 "21.cms.js", "ab12.wasm", "decap-cms.js.LICENSE.txt"):
        (dist / name).write_text("x")
    assert [p.name for p in bundle_files(dist)] == ["decap-cms.js", "103.decap-cms.js", "ab12.wasm"]
    assert bundle_files(tmp_path / "missing") == []

