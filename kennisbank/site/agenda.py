"""The agenda: upcoming events (soonest first) on ``/agenda/``, past events in a paginated
archive at ``/agenda/archief/``, and the calendar files (one ``.ics`` per event, one feed of the
upcoming events).

"Today" is the build's date (``repo.today``: :func:`kennisbank.clock.build_today`), so a build is correct on the
day it runs and reproducible under ``SOURCE_DATE_EPOCH``. Events that pass after the build are
moved out of "upcoming" by ``assets/agenda.js`` in the visitor's browser; without the script the
page is still right for the build date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from kennisbank.config import Settings
from kennisbank.content import Item, Repository
from kennisbank.content.models import Event
from kennisbank.site import rendercache
from kennisbank.staging import PageContext, StagedPage

TIMEZONE = "Europe/Brussels"  # event times in the content are local Belgian times
ARCHIVE = "agenda/archief"
FEED = "agenda/komende-activiteiten.ics"
RECENT_ON_AGENDA = 5  # past events shown under the upcoming ones, before the archive link


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def last_day(event: Item) -> dt.date:
    """The day an event ends (its start day when it has no end)."""
    meta = event.meta_as(Event)
    return _day(meta.end or meta.start)


def ends_at(event: Item) -> str:
    """When the event is over, for the visitor's clock in ``agenda.js``: the end time when the
    event gives one, else the end of its last day (local time, ISO 8601 without an offset)."""
    meta = event.meta_as(Event)
    end = meta.end or meta.start
    if isinstance(end, dt.datetime):
        return end.strftime("%Y-%m-%dT%H:%M")
    return f"{end.isoformat()}T23:59"


def is_upcoming(event: Item, today: dt.date) -> bool:
    """An event is upcoming until its last day is over."""
    return last_day(event) >= today


def split_events(events: list[Item], today: dt.date) -> tuple[list[Item], list[Item]]:
    """(upcoming soonest first, past newest first); ties by id, so every build orders alike."""
    def start(e: Item) -> int:
        return _day(e.meta_as(Event).start).toordinal()

    upcoming = sorted((e for e in events if is_upcoming(e, today)), key=lambda e: (start(e), e.id))
    past = sorted((e for e in events if not is_upcoming(e, today)), key=lambda e: (-start(e), e.id))
    return upcoming, past


def ics_href(event: Item) -> str:
    return f"/agenda/{event.slug}.ics"


# ---------------------------------------------------------------- pages

def agenda_pages(repo: Repository, settings: Settings, today: dt.date) -> list[StagedPage]:
    """``/agenda/`` (upcoming, then the most recent past ones) and the paginated archive."""
    from kennisbank.site.views import HOME, listing_pages, render

    upcoming, past = split_events(repo.of_type("event"), today)
    crumbs = [HOME, {"title": "Agenda", "url": "/agenda/"}]
    html = render("agenda.html", title="Agenda", crumbs=crumbs, upcoming=upcoming, recent=past[:RECENT_ON_AGENDA],
                  past_total=len(past), archive=f"/{ARCHIVE}/", feed=f"/{FEED}", today=today.isoformat(),
                  ends_at=ends_at)
    pages = [StagedPage("agenda/index.md", "Agenda", html, PageContext("section", "agenda"),
                        description="Komende studiedagen, seminaries en netwerkmomenten van het Kenniscentrum.")]
    pages += listing_pages(past, settings.page_size, ARCHIVE, "Voorbije activiteiten", crumbs,
                           PageContext("section", "agenda"))
    return pages


# ---------------------------------------------------------------- calendar files

def _calendar(settings: Settings, name: str):  # type: ignore[no-untyped-def]
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.site_name}//kennisbank//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TIMEZONE)
    return calendar


def _vevent(event: Item, settings: Settings, stamp: dt.datetime):  # type: ignore[no-untyped-def]
    from icalendar import Event as CalendarEvent

    meta = event.meta_as(Event)
    start, end = meta.start, meta.end
    vevent = CalendarEvent()
    vevent.add("uid", f"{event.id}@{_host(settings)}")
    vevent.add("dtstamp", stamp)
    vevent.add("summary", event.title)
    if isinstance(start, dt.datetime):
        zone = ZoneInfo(TIMEZONE)
        vevent.add("dtstart", start.replace(tzinfo=zone))
        finish = end if isinstance(end, dt.datetime) else start + dt.timedelta(hours=1)
        if not isinstance(end, dt.datetime) and end is not None:
            finish = dt.datetime.combine(end, start.time())
        vevent.add("dtend", finish.replace(tzinfo=zone))
    else:  # all-day: DTEND is the day after the last day (RFC 5545)
        vevent.add("dtstart", start)
        vevent.add("dtend", _day(end or start) + dt.timedelta(days=1))
    vevent.add("location", meta.location)
    vevent.add("description", event.summary)
    vevent.add("url", settings.absolute(event.url))
    return vevent


def _host(settings: Settings) -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.site_url).hostname or "kennisbank"


def _to_bytes(calendar, events: list[Item]) -> bytes:  # type: ignore[no-untyped-def]
    """The calendar as iCalendar, with a VTIMEZONE for each TZID its timed events use, inserted
    before them as icalendar's ``add_missing_timezones`` does. The zone is described only from the
    year before the events' first year to the year after their last: icalendar's default span
    (1970-2038) took ~12 ms to compute and 150 lines per file, once per event file, which made
    every live-preview refresh rewrite 300 event calendars for 2.5 s at 2,000 items. Each span
    is computed once per process."""
    missing = sorted(calendar.get_missing_tzids())
    if missing:
        years = [day.year for event in events for day in _days(event)]
        position = len(calendar.timezones)
        for tzid in missing:
            calendar.subcomponents.insert(position, _timezone(tzid, min(years) - 1, max(years) + 1))
            position += 1
    return calendar.to_ical()  # type: ignore[no-any-return]


@cache
def _timezone(tzid: str, first_year: int, last_year: int):  # type: ignore[no-untyped-def]
    from icalendar import Timezone

    return Timezone.from_tzid(tzid, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year, 12, 31))


def _days(event: Item) -> tuple[dt.date, dt.date]:
    meta = event.meta_as(Event)
    return _day(meta.start), _day(meta.end or meta.start)


def event_ics(event: Item, settings: Settings, stamp: dt.datetime) -> bytes:
    """One event as an iCalendar file (one VEVENT)."""
    calendar = _calendar(settings, event.title)
    calendar.add_component(_vevent(event, settings, stamp))
    return _to_bytes(calendar, [event])


def upcoming_ics(repo: Repository, settings: Settings, today: dt.date, stamp: dt.datetime) -> bytes:
    """The feed of upcoming events (calendar apps subscribe to it)."""
    calendar = _calendar(settings, f"Agenda – {settings.site_name}")
    upcoming = split_events(repo.of_type("event"), today)[0]
    for event in upcoming:
        calendar.add_component(_vevent(event, settings, stamp))
    return _to_bytes(calendar, upcoming)


def calendar_files(repo: Repository, settings: Settings, today: dt.date, now: dt.datetime) -> dict[str, bytes]:
    """Every calendar file by its docs path: one per event and the feed of those upcoming on ``today``."""
    cache = rendercache.active()
    files = {ics_href(e).lstrip("/"): _event_file(e, settings, now, cache) for e in repo.of_type("event")}
    files[FEED] = upcoming_ics(repo, settings, today, now)
    return files


def _event_file(event: Item, settings: Settings, stamp: dt.datetime, cache: rendercache.RenderCache) -> bytes:
    """An event's calendar, taken from an earlier staging run when nothing it shows changed: the
    preview then rewrites only the edited events' files (all 300 of them took half a second of
    every refresh at 2,000 items), and an unchanged file keeps the DTSTAMP of the moment it was
    made, which is what DTSTAMP means. A build's cache is new, so a build makes every file."""
    inputs = (event.meta, event.url, settings.site_url, settings.site_name)  # all a file is made from
    return rendercache.made_from(cache.calendars, event.id, inputs, lambda: event_ics(event, settings, stamp))
