"""Project settings, read from `mkdocs.yml`: MkDocs' own keys plus ``extra.kennisbank``.

One file configures the site and the tool, so an editor changes a URL or a feed cap in one
place. Every setting is declared in a pydantic model and validated when it is read, like content:
a bad value is reported as ``mkdocs.yml:LINE: field: message`` (all of them in one run, exit 1),
never as a traceback in the middle of a build. ``kennisbank check`` reports them with the content.

Adding a setting:

* a single value: a field on :class:`KennisbankSettings`, with a type, bounds and a default;
* a group of settings: one model class per block (``class MapSettings(SettingsBlock): ...``),
  added as a field of :class:`KennisbankSettings` (``map: MapSettings = MapSettings()``) and
  written in mkdocs.yml as ``extra.kennisbank.map``. Unknown keys are refused in every block.

Every field is then readable as ``settings.<name>`` (:class:`Settings` extends the block), and
``docs/settings.md`` should list it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from kennisbank.errors import ContentError
from kennisbank.settings_file import SettingsSource, raise_for, read_settings_file, validate

CONFIG_FILE = "mkdocs.yml"

Count = Annotated[StrictInt, Field(ge=1)]
MonthText = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
MonthNumber = Annotated[StrictInt, Field(ge=1, le=12)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class SettingsBlock(BaseModel):
    """Base of every settings block: unknown keys are errors, values cannot change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class KennisbankSettings(SettingsBlock):
    """``extra.kennisbank`` in mkdocs.yml: what the build, feeds, newsletter and search read."""

    feed_limit: Annotated[StrictInt, Field(ge=1, le=10_000)] = 50
    page_size: Annotated[StrictInt, Field(ge=1, le=1_000)] = 20
    nav_pages: Annotated[StrictInt, Field(ge=0, le=20)] = 8  # pages (content/paginas) in the nav, by order
    newsletter_first_number: Count = 121
    newsletter_first_month: MonthText = "2020-01"
    newsletter_skip_months: tuple[MonthNumber, ...] = (7,)  # the real archive has no July issue
    newsletter_items: Annotated[StrictInt, Field(ge=1, le=100)] = 9
    newsletter_from: Text = "Kenniscentrum Vlaamse Steden <nieuwsbrief@example.org>"
    list_unsubscribe: Text = "<mailto:uitschrijven@example.org?subject=uitschrijven>"
    search_api_url: Text = "/api"
    cors_origins: tuple[Text, ...] = ()
    # the web editor's GitHub backend (kennisbank.cms): the repository it writes to, its branch, and
    # the OAuth provider for the GitHub login (Decap's base_url; empty: Netlify's)
    cms_repo: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")] = "kenniscentrum-vlaamse-steden/kennisbank"
    cms_branch: Annotated[str, Field(pattern=r"^[A-Za-z0-9_./-]+$", max_length=200)] = "main"
    cms_auth_url: Annotated[str, Field(pattern=r"^(https?://\S+)?$", max_length=2000)] = ""
    # the portal (one theme, several sites): the home page's heading and lead (the site
    # description when empty), the footer's address lines, e-mail, phone and links, and the brand
    # colours as CSS custom properties --kb-<name> (brand, brand-dark, accent, tint)
    home_heading: Text = "Kennis over stedelijk beleid, gedeeld door de Vlaamse steden"
    home_intro: Annotated[str, Field(max_length=1000)] = ""
    address: Annotated[str, Field(max_length=500)] = ""
    email: Annotated[str, Field(max_length=200)] = ""
    phone: Annotated[str, Field(max_length=50)] = ""
    footer_links: tuple[tuple[Text, Text], ...] = ()
    colours: dict[Annotated[str, Field(pattern=r"^[a-z][a-z-]*$")],
                  Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{3,8}$")]] = {}
    # maps of the cases: any XYZ tile server ({z}/{x}/{y}); its attribution shows on every map (HTML)
    map_tiles: Annotated[str, Field(pattern=r"^https?://.*\{z\}.*\{x\}.*\{y\}")] = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_attribution: Text = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bijdragers'
    # `kennisbank review`: months between reviews, per collection with a last_reviewed field
    review_months: dict[Text, Annotated[StrictInt, Field(ge=1, le=120)]] = Field(
        default_factory=lambda: {"woonbeleid": 6})
    # newsletter subscribers (kennisbank.subscribers); DATABASE_URL overrides subscribers_database
    subscribers_database: Text = "var/subscribers.sqlite"  # relative to the repository root; keep out of git
    subscriptions_api_url: Text = "/api/subscriptions"
    subscribe_link_days: Annotated[StrictInt, Field(ge=1, le=90)] = 7  # how long a confirmation link works
    subscribe_check_domain: bool = True  # refuse addresses whose domain receives no mail (DNS)
    subscribe_ip_limit: Count = 20  # sign-ups per client IP per hour
    subscribe_address_limit: Count = 3  # confirmation e-mails per address per hour

    @field_validator("newsletter_skip_months")
    @classmethod
    def _not_every_month(cls, months: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(months)) >= 12:
            raise ValueError("at least one month of the year must have an issue")
        return tuple(sorted(set(months)))


class _Extra(BaseModel):
    """MkDocs' ``extra``: the theme reads most of it; kennisbank only its own block."""

    model_config = ConfigDict(extra="allow")
    kennisbank: KennisbankSettings = KennisbankSettings()


class _MkDocsFile(BaseModel):
    """The keys of mkdocs.yml kennisbank reads; MkDocs checks the rest when it renders."""

    model_config = ConfigDict(extra="allow")
    site_url: Annotated[str, Field(pattern=r"^https?://", max_length=2000)] = "http://127.0.0.1:8000/"
    site_name: Annotated[str, Field(min_length=1, max_length=200)] = "Kenniscentrum Vlaamse Steden"
    extra: _Extra = _Extra()


class Settings(KennisbankSettings):
    """Everything a stage needs to know about the site: the block above, the repository root,
    MkDocs' ``site_url`` and ``site_name``, and the raw mkdocs.yml data (for the renderer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    root: Path
    site_url: str = "http://127.0.0.1:8000/"
    site_name: str = "Kenniscentrum Vlaamse Steden"
    raw: dict[str, object] = Field(default_factory=dict, repr=False, exclude=True)
    site: Any = Field(default=None, repr=False, exclude=True)  # the Site being built (None: the portal)
    sites: Any = Field(default=None, repr=False, exclude=True)  # every site (kennisbank.sites.Sites)

    @property
    def description(self) -> str:
        return str(self.raw.get("site_description") or "")

    def absolute(self, path: str) -> str:
        """An absolute URL for a site-relative path (feeds and e-mail need absolute links)."""
        return self.site_url.rstrip("/") + "/" + path.lstrip("/")

    def __hash__(self) -> int:
        return hash((self.root, self.site_url))


def read_settings(root: Path) -> tuple[Settings, list[ContentError]]:
    """The settings and every problem in mkdocs.yml; defaults wherever a value is unusable."""
    source, errors = read_settings_file(root, CONFIG_FILE)
    if source is None:
        return Settings(root=root), errors
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        return Settings(root=root), [source.error((), "mkdocs.yml must be a mapping of settings (key: value)")]
    parsed, errors = validate(_MkDocsFile, source, data)
    if parsed is None:
        return Settings(root=root, raw=data), errors
    return _settings(root, parsed, source), []


def _settings(root: Path, parsed: _MkDocsFile, source: SettingsSource) -> Settings:
    site_url = parsed.site_url if parsed.site_url.endswith("/") else parsed.site_url + "/"
    values = parsed.extra.kennisbank.model_dump()
    data = source.data if isinstance(source.data, dict) else {}
    return Settings(root=root, site_url=site_url, site_name=parsed.site_name, raw=data, **values)


def load_settings(root: Path) -> Settings:
    """The settings of the repository at ``root``; :class:`SettingsInvalid` lists every error."""
    settings, errors = read_settings(root)
    raise_for(errors)
    return settings
