"""The content types and case collections: where their files live and which model reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kennisbank.content import models


@dataclass(frozen=True)
class ContentType:
    """One kind of item. ``section`` is both the id prefix and the URL prefix (Dutch)."""

    name: str  # English, used in code and the CLI (`kennisbank new news ...`)
    folder: str  # relative to the repository root
    section: str  # id prefix and URL section, e.g. "nieuws"
    label: str  # Dutch, singular
    label_plural: str  # Dutch, plural
    model: type[models.ItemMeta]
    year_folders: bool = False  # files live in a YYYY/ folder
    is_case: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by name, so items coming back from check's worker processes share the
        module's own ContentType objects."""
        return (content_type, (self.name,))

    def folder_year_field(self) -> str | None:
        """The front-matter field whose year names the file's folder (events: their start)."""
        if not self.year_folders:
            return None
        return "start" if self.name == "event" else "date"


CONTENT_TYPES: tuple[ContentType, ...] = (
    ContentType("news", "content/nieuws", "nieuws", "Nieuwsbericht", "Nieuws", models.News, year_folders=True),
    ContentType("study", "content/studies", "studies", "Studie in de kijker", "Studies", models.Study, year_folders=True),
    ContentType("event", "content/agenda", "agenda", "Activiteit", "Agenda", models.Event, year_folders=True),
    ContentType("theme", "content/themas", "themas", "Thema", "Thema's", models.Theme),
    ContentType("page", "content/paginas", "paginas", "Pagina", "Pagina's", models.Page),
    ContentType("newsletter", "content/nieuwsbrief", "nieuwsbrief", "Nieuwsbrief", "Nieuwsbrieven", models.Newsletter),
    ContentType("churches", "cases/kerken", "kerken", "Herbestemde kerk", "Herbestemde kerken", models.Church, is_case=True),
    ContentType("city-projects", "cases/stadsprojecten", "stadsprojecten", "Complex stadsproject", "Complexe stadsprojecten", models.CityProject, is_case=True),
    ContentType("temporary-use", "cases/tijdelijk-gebruik", "tijdelijk-gebruik", "Tijdelijk gebruik", "Tijdelijk gebruik", models.TemporaryUse, is_case=True),
    ContentType("housing-instruments", "cases/woonbeleid", "woonbeleid", "Woonbeleidsinstrument", "Lokale woonbeleidsinstrumenten", models.HousingInstrument, is_case=True),
)

_BY_KEY = {key: ct for ct in CONTENT_TYPES for key in (ct.name, ct.section)}


def content_type(key: str) -> ContentType | None:
    """Look a type up by its English name or its Dutch section (``news`` or ``nieuws``)."""
    return _BY_KEY.get(key)


def type_for_path(relative: str) -> ContentType | None:
    """The type whose folder holds ``relative`` (a path relative to the root, with '/')."""
    for ct in CONTENT_TYPES:
        if relative.startswith(ct.folder + "/"):
            return ct
    return None
