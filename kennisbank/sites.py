"""The websites one repository builds: the portal and the thematic sites, one file per site.

Each ``sites/<name>.yml`` declares a site: its title, base URL, which content types (and
collections) it shows, its home-page text, logo, colours, navigation and search facets. The
portal is the site with ``default: true``; it shows everything. Without a ``sites/`` folder the
repository builds the portal alone, named :data:`PORTAL`, from ``mkdocs.yml``'s ``site_name``
and ``site_url``.

A fiche belongs to one site: the first thematic site (in file-name order) that shows its type.
It also appears on the portal (and on any other site that shows it), but every copy names the
page on its own site as canonical (``<link rel="canonical">``), so search engines see one URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kennisbank.content.items import Item
from kennisbank.content.registries import Registries
from kennisbank.content.repository import Repository
from kennisbank.content.types import CONTENT_TYPES, content_type
from kennisbank.errors import ContentError, ContentInvalid

if TYPE_CHECKING:
    from kennisbank.config import Settings

SITES_DIR = "sites"
PORTAL = "portaal"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MIN_CONTRAST = 4.5  # WCAG AA for normal text: white text on the header colour
WHITE, TEXT = "#ffffff", "#1a1a1a"  # the text colours on brand colours and on the tint (kennisbank.css)

# Navigation entries every site may list, besides the sections of the types it shows (e.g. "kerken").
NAV_ENTRIES = ("themas", "cases", "steden", "tags", "nieuwsbrief", "volg-ons", "zoeken", "paginas", "portaal",
               "websites")
DEFAULT_PORTAL_NAV = ("nieuws", "studies", "agenda", "themas", "cases", "steden", "tags", "nieuwsbrief",
                      "volg-ons", "zoeken", "paginas", "websites")
DEFAULT_THEMATIC_NAV = ("themas", "steden", "tags", "volg-ons", "zoeken", "portaal", "websites")


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


class Colours(BaseModel):
    """A site's brand colours, the same CSS custom properties the portal sets in ``mkdocs.yml``
    (``extra.kennisbank.colours`` → ``--kb-<name>``): white text must stay readable on ``brand``,
    ``brand-dark`` (header, footer) and ``accent`` (buttons); dark text on ``tint`` (panels). The
    two optional ones are derived from ``brand`` when left out."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    brand: str
    accent: str
    brand_dark: str | None = Field(default=None, alias="brand-dark")
    tint: str | None = None

    @field_validator("brand", "accent", "brand_dark")
    @classmethod
    def _dark(cls, value: str | None) -> str | None:
        return None if value is None else _readable(value, WHITE, "light")

    @field_validator("tint")
    @classmethod
    def _light(cls, value: str | None) -> str | None:
        return None if value is None else _readable(value, TEXT, "dark")

    def properties(self) -> dict[str, str]:
        """The CSS custom properties (``--kb-<name>``) by name, every one filled in."""
        return {"brand": self.brand, "brand-dark": self.brand_dark or mix(self.brand, "#000000", 0.35),
                "accent": self.accent, "tint": self.tint or mix(self.brand, "#ffffff", 0.92)}


def _readable(value: str, text: str, too: str) -> str:
    """``value`` as ``#rrggbb`` when ``text`` on it reaches :data:`MIN_CONTRAST`, else why not."""
    if not _HEX.match(value):
        raise ValueError(f"{value!r} is not a colour like #1f5c99")
    value = value.lower()
    ratio = contrast(text, value)
    if ratio < MIN_CONTRAST:
        raise ValueError(f"{value} is too {too}: text ({text}) on it has contrast {ratio:.1f}, "
                         f"at least {MIN_CONTRAST} is needed")
    return value


def mix(colour: str, other: str, share: float) -> str:
    """``colour`` with ``share`` of ``other`` mixed in (both ``#rrggbb``)."""
    def channels(value: str) -> list[int]:
        return [int(value[i:i + 2], 16) for i in (1, 3, 5)]

    mixed = (round(a * (1 - share) + b * share) for a, b in zip(channels(colour), channels(other), strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


class SiteFile(BaseModel):
    """The fields of one ``sites/<name>.yml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    url: str | None = None
    default: bool = False
    types: list[str] | None = None
    themes: list[str] = []
    intro: str = ""
    logo: str | None = None
    colours: Colours | None = None
    nav: list[str] | None = None
    facets: list[str] | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError(f"{value!r} is not an absolute http(s) URL")
        return value if value is None or value.endswith("/") else value + "/"

    @field_validator("types")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        names = []
        for key in value:
            ctype = content_type(key)
            if ctype is None:
                raise ValueError(f"unknown type {key!r}; types: {', '.join(t.name for t in CONTENT_TYPES)}")
            names.append(ctype.name)
        return names


@dataclass(frozen=True)
class Site:
    """One website, resolved: ``types`` is ``None`` for a site that shows everything."""

    name: str
    title: str
    url: str
    default: bool = False
    types: frozenset[str] | None = None
    themes: tuple[str, ...] = ()
    intro: str = ""
    logo: Path | None = None
    colours: Colours | None = None
    nav: tuple[str, ...] = ()
    facets: tuple[str, ...] | None = None

    def shows_type(self, type_name: str) -> bool:
        return self.types is None or type_name in self.types

    def shows(self, item: Item) -> bool:
        """Whether the item has a page on this site (themes follow the items that use them)."""
        return self.shows_type(item.type.name) or bool(self.themes and set(self.themes) & set(item.themes))

    def absolute(self, path: str) -> str:
        return self.url.rstrip("/") + "/" + path.lstrip("/")

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections of the types this site shows, in the model's order."""
        return tuple(t.section for t in CONTENT_TYPES if self.shows_type(t.name))


@dataclass(frozen=True)
class Sites:
    """Every site of the repository; the portal first."""

    all: tuple[Site, ...]

    @property
    def portal(self) -> Site:
        return self.all[0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(site.name for site in self.all)

    def get(self, name: str) -> Site | None:
        return next((site for site in self.all if site.name == name), None)

    @cached_property
    def _owners(self) -> dict[str, Site]:
        owners: dict[str, Site] = {}
        for site in self.all[1:]:
            for name in sorted(site.types or ()):
                owners.setdefault(name, site)
        return owners

    def home(self, item: Item) -> Site:
        """The site an item belongs to: its canonical page is there."""
        return self._owners.get(item.type.name, self.portal)

    def canonical(self, item: Item) -> str:
        return self.home(item).absolute(item.url)

    def showing(self, item: Item) -> list[Site]:
        return [site for site in self.all if site.shows(item)]


def load_sites(root: Path, site_name: str, site_url: str) -> Sites:
    """Read ``sites/*.yml``; raise :class:`ContentInvalid` naming file:line: field for every error."""
    folder = root / SITES_DIR
    files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
    if not files:
        return Sites((Site(PORTAL, site_name, site_url, default=True, nav=DEFAULT_PORTAL_NAV),))
    errors: list[ContentError] = []
    sites = [site for path in files if (site := _read_site(root, path, site_name, site_url, errors)) is not None]
    defaults = [site for site in sites if site.default]
    if not errors and len(defaults) != 1:
        errors.append(ContentError(SITES_DIR, 1, "default",
                                   f"exactly one site must have default: true (the portal), found {len(defaults)}"))
    if errors:
        raise ContentInvalid(errors)
    return Sites(tuple(defaults + [site for site in sites if not site.default]))


def _read_site(root: Path, path: Path, site_name: str, site_url: str, errors: list[ContentError]) -> Site | None:
    relative = path.relative_to(root).as_posix()
    name = path.stem
    if not NAME.match(name):
        errors.append(ContentError(relative, 1, "file", "a site's file name is its name: lower-case letters, "
                                                          "digits and hyphens (e.g. kerken.yml)"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        errors.append(ContentError(relative, line, "file", f"cannot be read: {' '.join(str(exc).split())[:200]}"))
        return None
    lines = _key_lines(node)
    try:
        spec = SiteFile.model_validate(data)
    except ValidationError as exc:
        for problem in exc.errors():
            loc = tuple(str(part) for part in problem["loc"])
            field = ".".join(loc) or "file"
            line = next((lines[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in lines), 1)
            errors.append(ContentError(relative, line, field, problem["msg"].removeprefix("Value error, ")))
        return None
    return _resolve(root, relative, name, spec, lines, site_name, site_url, errors)


def _resolve(root: Path, relative: str, name: str, spec: SiteFile, lines: dict[tuple[str, ...], int],
             site_name: str, site_url: str, errors: list[ContentError]) -> Site | None:
    def error(field: str, message: str) -> None:
        errors.append(ContentError(relative, lines.get((field,), 1), field, message))

    if not spec.default and (spec.url is None or spec.title is None or spec.types is None):
        error("types" if spec.title and spec.url else "url" if spec.title else "title",
              "a thematic site needs a title, a url and the types it shows")
        return None
    types = None if spec.types is None else frozenset(spec.types)
    sections = {t.section for t in CONTENT_TYPES if types is None or t.name in types}
    nav = tuple(spec.nav) if spec.nav is not None else (
        DEFAULT_PORTAL_NAV if spec.default else (*sorted(sections, key=_section_order), *DEFAULT_THEMATIC_NAV))
    for entry in nav:
        if entry not in NAV_ENTRIES and entry not in sections:
            error("nav", f"unknown navigation entry {entry!r}; use {', '.join(NAV_ENTRIES)} or a section "
                         f"of a type this site shows ({', '.join(sorted(sections))})")
    logo = None
    if spec.logo is not None:
        logo = (root / spec.logo).resolve()
        if not logo.is_file() or not logo.is_relative_to(root.resolve()) or logo.suffix not in (".svg", ".png"):
            error("logo", f"{spec.logo!r} is not an .svg or .png file in the repository")
    return Site(name=name, title=spec.title or site_name, url=spec.url or site_url, default=spec.default,
                types=types, themes=tuple(spec.themes), intro=spec.intro, logo=logo, colours=spec.colours, nav=nav,
                facets=tuple(spec.facets) if spec.facets is not None else None)


def _section_order(section: str) -> int:
    return next(n for n, t in enumerate(CONTENT_TYPES) if t.section == section)


def _key_lines(node: yaml.Node | None, loc: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """The 1-based line of every key and list entry, by its location (as pydantic reports it)."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*loc, str(key.value))
            lines[here] = key.start_mark.line + 1
            lines.update(_key_lines(value, here))
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            here = (*loc, str(index))
            lines[here] = value.start_mark.line + 1
            lines.update(_key_lines(value, here))
    return lines


def site_file_errors(root: Path, settings: Settings, items: list[Item], registries: Registries) -> list[ContentError]:
    """What `check` reports about the site files: their own errors, then their references."""
    from kennisbank.search.documents import FACETABLE_FIELDS

    try:
        sites = load_sites(root, settings.site_name, settings.site_url)
    except ContentInvalid as exc:
        return list(exc.errors)
    from kennisbank.redirects import redirect_errors

    themes = {item.slug for item in items if item.type.name == "theme"}
    repo = Repository(root=root, registries=registries, items=items)
    return theme_errors(sites, themes, set(FACETABLE_FIELDS)) + redirect_errors(root, sites, repo)


def theme_errors(sites: Sites, theme_slugs: set[str], facets: set[str]) -> list[ContentError]:
    """References from site files to the content: themes that exist, facets the search offers."""
    errors = []
    for site in sites.all:
        relative = f"{SITES_DIR}/{site.name}.yml"
        for slug in site.themes:
            if slug not in theme_slugs:
                errors.append(ContentError(relative, 1, "themes", f"no theme {slug!r} in content/themas/"))
        for facet in site.facets or ():
            if facet not in facets:
                errors.append(ContentError(relative, 1, "facets",
                                           f"unknown facet {facet!r}; search/index.yml offers {', '.join(sorted(facets))}"))
    return errors


@dataclass
class SiteRepository(Repository):
    """The part of the repository one site shows; ``whole`` is everything (for links elsewhere)."""

    whole: Repository | None = None


def site_repository(repo: Repository, site: Site) -> Repository:
    """The items ``site`` shows, plus the themes they use (and those themes' parents): item pages
    link to their themes, so every theme an item names has its page on the item's site."""
    if site.types is None:
        return repo
    shown = [item for item in repo.published if site.shows(item)]
    used = {slug for item in shown for slug in item.themes}
    parents = {slug: getattr(theme.meta, "parent", None) for slug, theme in repo.themes.items()}
    for slug in list(used):
        parent = parents.get(slug)
        while parent and parent not in used:
            used.add(parent)
            parent = parents.get(parent)
    keep = {id(item) for item in shown} | {id(t) for t in repo.items if t.type.name == "theme" and t.slug in used}
    return SiteRepository(root=repo.root, registries=repo.registries,
                          items=[item for item in repo.items if id(item) in keep], today=repo.today,
                          future=repo.future, whole=repo)


def whole_repository(repo: Repository) -> Repository:
    return getattr(repo, "whole", None) or repo


def current_site(settings: Settings) -> Site:
    """The site being built; a stage called without one builds the portal of mkdocs.yml."""
    return settings.site or Site(PORTAL, settings.site_name, settings.site_url, default=True, nav=DEFAULT_PORTAL_NAV)


def all_sites(settings: Settings) -> Sites:
    return settings.sites or Sites((current_site(settings),))


def site_settings(settings: Settings, sites: Sites, site: Site) -> Settings:
    """The settings as one site's stages see them: its URL and title, and which site it is."""
    colours = settings.colours if site.colours is None else {**settings.colours, **site.colours.properties()}
    return settings.model_copy(update={"site_url": site.url, "site_name": site.title, "site": site, "sites": sites,
                                       "colours": colours})


def load_all_sites(root: Path) -> Sites:
    """Every site of the repository at ``root`` (the portal's name and URL from mkdocs.yml)."""
    from kennisbank.config import load_settings

    settings = load_settings(root)
    return load_sites(root, settings.site_name, settings.site_url)


def portal_settings(root: Path) -> Settings:
    """The portal's settings (the preview re-renders the portal)."""
    from kennisbank.config import load_settings

    settings = load_settings(root)
    sites = load_sites(root, settings.site_name, settings.site_url)
    return site_settings(settings, sites, sites.portal)
