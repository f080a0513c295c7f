"""Project settings, read from `mkdocs.yml`: MkDocs' own keys plus ``extra.kennisbank``.

One file configures the site and the tool, so an editor changes a URL or a feed cap in one
place. MkDocs' YAML may carry ``!!python/name`` tags (Material's emoji extension); they are read
as plain text here because kennisbank never needs their values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kennisbank.errors import KennisbankError

CONFIG_FILE = "mkdocs.yml"


class _TolerantLoader(yaml.SafeLoader):
    """Reads any tag as its plain value instead of failing on MkDocs' Python tags."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("", _any_tag)


@dataclass(frozen=True)
class Settings:
    """What the build, feeds, newsletter and search need to know about the site."""

    root: Path
    site_url: str = "http://127.0.0.1:8000/"
    site_name: str = "Kenniscentrum Vlaamse Steden"
    feed_limit: int = 50
    page_size: int = 20
    newsletter_first_number: int = 121
    newsletter_first_month: str = "2020-01"
    newsletter_items: int = 9
    newsletter_from: str = "Kenniscentrum Vlaamse Steden <nieuwsbrief@example.org>"
    list_unsubscribe: str = "<mailto:uitschrijven@example.org?subject=uitschrijven>"
    search_api_url: str = "/api"
    cors_origins: tuple[str, ...] = ()
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    def absolute(self, path: str) -> str:
        """An absolute URL for a site-relative path (feeds and e-mail need absolute links)."""
        return self.site_url.rstrip("/") + "/" + path.lstrip("/")


def load_settings(root: Path) -> Settings:
    path = root / CONFIG_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except FileNotFoundError:
        raise KennisbankError(f"{path} is missing") from None
    except yaml.YAMLError as exc:
        raise KennisbankError(f"{CONFIG_FILE}: {exc}") from None
    extra = (data.get("extra") or {}).get("kennisbank") or {}
    known = set(Settings.__dataclass_fields__) - {"root", "raw", "site_url", "site_name"}
    unknown = sorted(set(extra) - known)
    if unknown:
        raise KennisbankError(f"{CONFIG_FILE}: unknown extra.kennisbank setting(s): {', '.join(unknown)}")
    values = {k: (tuple(v) if k == "cors_origins" else v) for k, v in extra.items()}
    site_url = str(data.get("site_url") or Settings.site_url)
    if not site_url.endswith("/"):
        site_url += "/"
    return Settings(root=root, site_url=site_url, site_name=str(data.get("site_name") or Settings.site_name),
                    raw=data, **values)
