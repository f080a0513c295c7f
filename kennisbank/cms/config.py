"""The Decap CMS configuration (``admin/config.yml``), generated from the content model.

Every content type and case collection becomes a collection saved where `kennisbank check`
expects it (``content/nieuws/YYYY/<slug>.md``, ``cases/kerken/<slug>.md``, ...), with the fields
of its model (:mod:`kennisbank.cms.widgets`), pictures beside the file in ``fotos/`` and the body
as Markdown. Nobody writes this YAML by hand: the build writes it into the site, and
``kennisbank cms config`` prints it.
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from kennisbank.cms.labels import label
from kennisbank.cms.widgets import Choices, Widget, model_fields
from kennisbank.config import Settings
from kennisbank.content.registries import Registries
from kennisbank.content.types import CONTENT_TYPES, ContentType

MEDIA_FOLDER = "fotos"  # beside the Markdown file: a photo's `src` is `fotos/<file>`
LEADING = ("title", "number", "month", "date", "summary")  # what an editor fills in first
TRAILING = ("themes", "cities", "tags", "draft")  # classification, then the draft switch

def collection(ctype: ContentType, choices: Choices) -> Widget:
    """One editor collection: folder, file name, media folder and the fields of the model."""
    fields = _ordered(model_fields(ctype.model, choices))
    fields.append({"name": "body", "label": label("body"), "widget": "markdown", "required": False,
                   "modes": ["rich_text", "raw"]})
    entry: Widget = {
        "name": ctype.section,
        "label": ctype.label_plural,
        "label_singular": ctype.label,
        "folder": ctype.folder,
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        "slug": "{{slug}}",
        "media_folder": media_folder(ctype),
        "public_folder": MEDIA_FOLDER,
    }
    if "number" in ctype.model.model_fields:  # newsletter issues: the file is named by its number
        entry.update(identifier_field="number", slug="{{fields.number}}")
    if (year_field := ctype.folder_year_field()) is not None:
        entry["path"] = year_folder_path(year_field)
    sortable = [name for name in ("date", "title", "number") if name in ctype.model.model_fields]
    entry["sortable_fields"] = sortable
    entry["fields"] = fields
    return entry


def media_folder(ctype: ContentType) -> str:
    """Where the editor saves and looks for pictures: ``fotos/`` beside the Markdown file.

    Decap resolves a relative media folder against the entry's path, which a new entry lacks
    until its first save; until then it used the collection folder, so the picture library of a
    new fiche listed ``cases/kerken/`` instead of ``cases/kerken/fotos/`` (no photo of the
    collection to reuse) and the preview asked for ``cases/kerken/<file>``. Where every file of a
    collection shares one folder, the media folder is that folder's ``fotos/`` as an absolute
    (repository) path, the same before and after saving. Year-folder collections keep the
    relative rule: their folder depends on a date the editor may still change.
    The saved `src` stays relative (``public_folder``): ``fotos/<file>``, what the model wants."""
    return MEDIA_FOLDER if ctype.year_folders else f"/{ctype.folder}/{MEDIA_FOLDER}"


def year_folder_path(field: str) -> str:
    """Decap's path template for ``<year of field>/<slug>`` (news by `date`, events by `start`).

    Decap lower-cases a path template and turns its dots into dashes before filling it in
    (``slugFormatter`` → ``prepareSlug`` in decap-cms-core), so ``{{fields.start | date('YYYY')}}``
    arrives as ``{{fields-start | date('yyyy')}}``: no such field, and a literal "yyyy". ``{{year}}``
    is the year of the field Decap infers as the entry's date, which is `date`, never `start`.
    What survives is the bare field name with ``truncate(4, " ")``: the value is stored in the
    picker's format (:data:`~kennisbank.cms.widgets.DATE_FORMAT`), which begins with the year, and
    the omission " " that truncate appends is trimmed by Decap's slug cleaning of each segment.
    """
    return "{{" + field + ' | truncate(4, " ")}}/{{slug}}'


def _ordered(fields: list[Widget]) -> list[Widget]:
    by_name = {str(f["name"]): f for f in fields}
    first = [by_name[n] for n in LEADING if n in by_name]
    last = [by_name[n] for n in TRAILING if n in by_name]
    middle = [f for f in fields if f["name"] not in LEADING and f["name"] not in TRAILING]
    return first + middle + last


def choices_for(registries: Registries, themes: Mapping[str, str]) -> Choices:
    """Select options from the registries (Dutch labels) and the themes (slug → title)."""
    cities = {slug: city.label for slug, city in sorted(registries.cities.items(), key=lambda kv: kv[1].label)}
    return Choices(cities, dict(themes), registries.vocabularies)


def cms_config(settings: Settings, registries: Registries, themes: Mapping[str, str]) -> dict[str, object]:
    """The whole configuration: GitHub backend with the editorial workflow, Dutch, collections."""
    backend: dict[str, object] = {"name": "github", "repo": settings.cms_repo, "branch": settings.cms_branch}
    if settings.cms_auth_url:
        backend["base_url"] = settings.cms_auth_url
    choices = choices_for(registries, themes)
    return {
        "backend": backend,
        "publish_mode": "editorial_workflow",
        "locale": "nl",
        "site_url": settings.site_url,
        "display_url": settings.site_url,
        "media_folder": "content/media",
        "public_folder": "/media",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "collections": [collection(ctype, choices) for ctype in CONTENT_TYPES],
    }


def config_yaml(config: Mapping[str, object]) -> str:
    """The configuration as YAML, with a header that says where it comes from."""
    clean = {k: v for k, v in config.items() if v is not None}
    header = ("# Generated by kennisbank from the content model (kennisbank/content/models.py) and the\n"
              "# registries. Do not edit: change the model, then run `kennisbank build` or `kennisbank cms config`.\n")
    return header + yaml.safe_dump(clean, allow_unicode=True, sort_keys=False, width=120)


def with_local_backend(config_text: str, api_url: str) -> str:
    """The built configuration with Decap's ``local_backend`` (the local proxy at ``api_url``).

    Decap uses it only when the editor runs on localhost; elsewhere the GitHub backend applies."""
    return config_text.rstrip("\n") + "\n" + yaml.safe_dump({"local_backend": {"url": api_url}}, sort_keys=False)
