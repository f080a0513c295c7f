"""The agenda: upcoming events soonest first by the build's date, a paginated archive of past
events without registration buttons, .ics files per event and a feed of upcoming events
(parsed with the icalendar package), and the script that moves events passed since the build."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from site_helpers import launch_chromium, page_file

BUILD_DAY = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)  # before every 2027 sample event


@pytest.fixture(scope="module")
def out(tmp_path_factory, sample_root) -> Path:
    from kennisbank.build import build

    target = tmp_path_factory.mktemp("agenda") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(int(BUILD_DAY.timestamp())))
        build(sample_root, target)
    return target


@pytest.fixture(scope="module")
def site(out) -> Path:
    return out / "site"


def events(repo):
    return repo.of_type("event")


def titles_in(html: str, list_id: str) -> list[str]:
    block = html.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'class="kb-card__title" href="[^"]+">([^<]+)</a>', block)


def test_split_puts_upcoming_soonest_first_and_past_newest_first(repo):
    from kennisbank.site.agenda import split_events

    upcoming, past = split_events(events(repo), BUILD_DAY.date())
    assert [e.title for e in upcoming] == ["Netwerkmoment tijdelijk gebruik", "Studiedag herbestemming van parochiekerken 2027"]
    starts = [e.meta.start if isinstance(e.meta.start, dt.date) and not isinstance(e.meta.start, dt.datetime)
              else e.meta.start.date() for e in past]
    assert starts == sorted(starts, reverse=True) and len(past) == len(events(repo)) - 2
    # an event is upcoming through its last day
    last = upcoming[0]
    assert split_events([last], last.meta.start.date())[0] == [last]
    assert split_events([last], last.meta.start.date() + dt.timedelta(days=1))[0] == []


def test_agenda_page_lists_upcoming_then_recent_past_and_links_the_archive(site, repo):
    html = page_file(site, "/agenda/").read_text(encoding="utf-8")
    assert titles_in(html, "kb-komend-lijst") == ["Netwerkmoment tijdelijk gebruik",
                                                  "Studiedag herbestemming van parochiekerken 2027"]
    recent = titles_in(html, "kb-voorbij-lijst")
    assert recent and "Netwerkmoment tijdelijk gebruik" not in recent
    past_block = html.split('id="kb-voorbij-lijst"', 1)[1].split("</ul>", 1)[0]
    assert "kb-cta" not in past_block  # no call to action on a past event
    assert html.count('class="kb-cta"') == 2  # both upcoming sample events take registrations
    assert 'href="/agenda/archief/"' in html and 'href="/agenda/komende-activiteiten.ics"' in html


def test_archive_is_paginated_and_holds_every_past_event_without_registration(tmp_path, sample_root, repo):
    from kennisbank.config import load_settings
    from kennisbank.site.agenda import agenda_pages

    settings = load_settings(sample_root)
    small = settings.model_copy(update={"page_size": 5})
    pages = agenda_pages(repo, small, BUILD_DAY.date())
    archive = [p for p in pages if p.path.startswith("agenda/archief")]
    past = len(events(repo)) - 2
    assert [p.path for p in archive][:2] == ["agenda/archief/index.md", "agenda/archief/pagina/2.md"]
    assert len(archive) == -(-past // 5)
    shown = sum(p.html.count('class="kb-card__title"') for p in archive)
    assert shown == past and not any("Schrijf je in" in p.html for p in archive)


def test_event_pages_invite_registration_only_while_upcoming(site, repo):
    future = next(e for e in events(repo) if e.meta.start.year == 2027)
    html = page_file(site, future.url).read_text(encoding="utf-8")
    assert f'href="{future.meta.registration}"' in html and "Schrijf je in" in html
    assert f'href="/agenda/{future.slug}.ics"' in html
    past = next(e for e in events(repo) if e.meta.registration and e.meta.start.year < 2026)
    html = page_file(site, past.url).read_text(encoding="utf-8")
    assert str(past.meta.registration) not in html and "Deze activiteit is voorbij." in html


def parse(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def test_every_event_has_an_ics_with_one_vevent_in_brussels_time(site, repo):
    for event in events(repo):
        calendar = parse(site / "agenda" / f"{event.slug}.ics")
        vevents = calendar.walk("VEVENT")
        assert len(vevents) == 1, event.id
        vevent = vevents[0]
        assert str(vevent["SUMMARY"]) == event.title
        assert str(vevent["URL"]).endswith(event.url)
        start = vevent.decoded("DTSTART")
        if isinstance(event.meta.start, dt.datetime):
            assert vevent["DTSTART"].params["TZID"] == "Europe/Brussels"
            assert str(start.tzinfo) == "Europe/Brussels" and start.replace(tzinfo=None) == event.meta.start
            assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
        else:
            assert start == event.meta.start


def test_timed_event_converts_to_the_right_utc_instant(site, repo):
    event = next(e for e in events(repo) if e.slug == "studiedag-herbestemming-kerken-2027")
    vevent = parse(site / "agenda" / f"{event.slug}.ics").walk("VEVENT")[0]
    # 18 March 2027 09:30 in Brussels is CET (UTC+1): 08:30 UTC
    assert vevent.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(2027, 3, 18, 8, 30, tzinfo=dt.UTC)
    assert vevent.decoded("DTEND").astimezone(dt.UTC) == dt.datetime(2027, 3, 18, 15, 30, tzinfo=dt.UTC)


def test_upcoming_feed_holds_exactly_the_upcoming_events(site, repo):
    calendar = parse(site / "agenda" / "komende-activiteiten.ics")
    uids = sorted(str(v["UID"]) for v in calendar.walk("VEVENT"))
    assert uids == sorted(f"{e.id}@kennisbank.example.org" for e in events(repo) if e.meta.start.year == 2027)
    assert str(calendar["VERSION"]) == "2.0" and calendar.get("PRODID")


def test_calendar_files_are_reproducible(out, tmp_path, sample_root, repo):
    from kennisbank.config import load_settings
    from kennisbank.site.agenda import calendar_files

    again = calendar_files(repo, load_settings(sample_root), BUILD_DAY.date(), BUILD_DAY)
    assert again == calendar_files(repo, load_settings(sample_root), BUILD_DAY.date(), BUILD_DAY)
    assert again["agenda/komende-activiteiten.ics"].startswith(b"BEGIN:VCALENDAR")


@pytest.mark.browser
def test_script_moves_events_that_passed_since_the_build(site):
    """Built on 29 November 2026, viewed on 1 February 2027: the January event has passed."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright


    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page()
            page.clock.install(time=dt.datetime(2027, 2, 1, 10, 0))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/agenda/")
            page.wait_for_load_state("load")
            upcoming = page.locator("#kb-komend-lijst .kb-card__title").all_text_contents()
            past = page.locator("#kb-voorbij-lijst .kb-card__title").all_text_contents()
            moved_cta = page.locator("#kb-voorbij-lijst .kb-cta").count()
            browser.close()
    finally:
        server.shutdown()
    assert upcoming == ["Studiedag herbestemming van parochiekerken 2027"]
    assert past[0] == "Netwerkmoment tijdelijk gebruik" and moved_cta == 0


def test_each_calendar_describes_brussels_time_for_its_own_dates(site, repo):
    """The VTIMEZONE of a file covers only the years around its events (a short file), and is
    right for them: the file's own zone definition, not Python's, gives the event's UTC instant."""
    timed = [e for e in events(repo) if isinstance(e.meta.start, dt.datetime)]
    assert timed
    for event in timed:
        path = site / "agenda" / f"{event.slug}.ics"
        calendar = parse(path)
        (zone,) = calendar.walk("VTIMEZONE")
        own = zone.to_tz()
        start = event.meta.start
        expected = start.replace(tzinfo=ZoneInfo("Europe/Brussels")).astimezone(dt.UTC)
        assert start.replace(tzinfo=own).astimezone(dt.UTC) == expected, event.id
        assert path.stat().st_size < 2500, event.id


def test_the_preview_remakes_only_the_calendars_of_changed_events(repo, sample_root):
    """Through the preview's render cache an unchanged event's file is the one made before (its
    DTSTAMP too), and an event whose location changed is made anew; a build (no cache) makes all."""
    import dataclasses

    from kennisbank.config import load_settings
    from kennisbank.site import rendercache
    from kennisbank.site.agenda import _event_file

    settings = load_settings(sample_root)
    event, other = events(repo)[:2]
    moved = dataclasses.replace(event, meta=event.meta.model_copy(update={"location": "Elders, Gent"}))
    later = BUILD_DAY + dt.timedelta(hours=2)
    cache = rendercache.RenderCache()
    first = _event_file(event, settings, BUILD_DAY, cache), _event_file(other, settings, BUILD_DAY, cache)
    assert _event_file(other, settings, later, cache) is first[1]
    remade = _event_file(moved, settings, later, cache)
    assert b"Elders" in remade and b"DTSTAMP:20261129T140000Z" in remade
    assert b"DTSTAMP:20261129T120000Z" in first[1]
    assert b"DTSTAMP:20261129T140000Z" in _event_file(other, settings, later, rendercache.RenderCache())
