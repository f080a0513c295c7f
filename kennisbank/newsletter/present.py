"""What an issue shows about each item, shared by the e-mail, the plain text and the web version.

One view per item (kicker, title, absolute link, date or place, summary, picture) so the three
renderings cannot drift apart. E-mail needs absolute URLs; the site's web version uses the same
views with root-relative ones.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from kennisbank import dutch
from kennisbank.config import Settings
from kennisbank.content import Item, Repository
from kennisbank.content.models import Event, Study
from kennisbank.sanitize import is_external, media_url

# Pictures mail clients show reliably (Gmail and Outlook do not render SVG or WebP).
_MAIL_PICTURES = {".png", ".jpg", ".jpeg", ".gif"}


@dataclass(frozen=True)
class Picture:
    url: str
    alt: str


@dataclass(frozen=True)
class ItemView:
    kicker: str  # "Stadspraktijk", "Activiteit", "Herbestemde kerk", ...
    title: str
    url: str
    summary: str
    details: str  # when and where, publisher, city: one short line
    picture: Picture | None


def kicker(repo: Repository, item: Item) -> str:
    if item.type.name == "news":
        return repo.label("news_categories", getattr(item.meta, "category", ""))
    return item.type.label


def details(repo: Repository, item: Item) -> str:
    meta = item.meta
    if isinstance(meta, Event):
        return " · ".join(part for part in (dutch.when(meta.start, meta.end), meta.location) if part)
    if isinstance(meta, Study) and item.date is not None:
        return f"{meta.publisher} · {dutch.long_date(item.date)}"
    names = [repo.city(slug).label for slug in item.cities if slug in repo.registries.cities]
    cities = ", ".join(names[:3]) + (f" en {len(names) - 3} andere" if len(names) > 3 else "")
    when = dutch.long_date(item.date) if item.date else ""
    return " · ".join(part for part in (when, cities) if part)


def picture(item: Item, settings: Settings) -> Picture | None:
    """The item's first picture a mail client can show (news image, else first photo)."""
    image = getattr(item.meta, "image", None)
    candidates = ([image] if image else []) + list(getattr(item.meta, "photos", ()) or ())
    for candidate in candidates:
        if is_external(candidate.src) or posixpath.splitext(candidate.src.lower())[1] not in _MAIL_PICTURES:
            continue
        return Picture(settings.absolute(media_url(item.path, candidate.src)), candidate.alt)
    return None


def item_view(repo: Repository, settings: Settings, item: Item, *, absolute: bool) -> ItemView:
    return ItemView(kicker=kicker(repo, item), title=item.title,
                    url=settings.absolute(item.url) if absolute else item.url, summary=item.summary,
                    details=details(repo, item), picture=picture(item, settings))
