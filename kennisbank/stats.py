"""`kennisbank stats`: visits, unique visitors and page views per site and month, from the web
servers' access logs — no tracking cookies, no script in the pages.

Reads the combined log format (``host ident user [time] "request" status size "referer"
"agent"``), optionally with a leading virtual host (Apache's ``vhost_combined``,
``kerken.example.org:443 ...``), plain or gzipped. Which site a line belongs to: its virtual
host's name (matched against the sites' URLs), else the site whose name the log file's name
contains (``kerken.access.log``), else ``--site``, else the portal.

What counts:

* a **page view** is a successful (2xx or 304) GET of a page: a path ending in ``/`` or ``.html``
  (not pictures, stylesheets, feeds, the search API or redirect pages of old URLs);
* a **unique visitor** is one address with one browser (user agent) in a month;
* a **visit** is a visitor's run of page views without a pause of more than 30 minutes;
* requests from bots, crawlers and scripts are left out; they are recognised by CrawlerDetect
  (PyPI ``crawlerdetect``, a maintained port of the JayBizzle list), not by a list kept here.
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from kennisbank.sites import Sites

VISIT_GAP = dt.timedelta(minutes=30)
_LINE = re.compile(
    r'^(?:(?P<vhost>[^\s:]+)(?::\d+)?\s+)?(?P<host>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] '
    r'"(?P<method>[A-Z]+) (?P<path>\S+)(?: [^"]*)?" (?P<status>\d{3}) \S+ "(?:[^"\\]|\\.)*" "(?P<agent>(?:[^"\\]|\\.)*)"')
_TIME = "%d/%b/%Y:%H:%M:%S %z"


@dataclass
class Tally:
    """One site's month: page views, visitors, visits (a visitor's last page view time)."""

    page_views: int = 0
    visits: int = 0
    last_seen: dict[tuple[str, str], dt.datetime] = field(default_factory=dict)

    @property
    def visitors(self) -> int:
        return len(self.last_seen)

    def count(self, visitor: tuple[str, str], when: dt.datetime) -> None:
        self.page_views += 1
        last = self.last_seen.get(visitor)
        if last is None or abs(when - last) > VISIT_GAP:
            self.visits += 1
        self.last_seen[visitor] = when if last is None else max(last, when)


@dataclass
class Report:
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)  # (site, YYYY-MM) → tally
    lines: int = 0
    unreadable: int = 0
    bots: int = 0

    def rows(self) -> list[dict[str, object]]:
        return [{"site": site, "month": month, "visits": t.visits, "unique_visitors": t.visitors,
                 "page_views": t.page_views} for (site, month), t in sorted(self.tallies.items())]


def is_page(path: str) -> bool:
    path = urlsplit(path).path
    return (path.endswith("/") or path.endswith(".html")) and not path.startswith(("/api/", "/feeds/"))


class _Bots:
    """CrawlerDetect, asked once per distinct user agent (a log repeats a few thousand agents)."""

    def __init__(self) -> None:
        from crawlerdetect import CrawlerDetect

        self.detector = CrawlerDetect()
        self.known: dict[str, bool] = {}

    def __call__(self, agent: str) -> bool:
        answer = self.known.get(agent)
        if answer is None:
            answer = self.known[agent] = not agent.strip() or agent == "-" or bool(self.detector.isCrawler(agent))
        return answer


def read_logs(paths: Iterable[Path], sites: Sites, default_site: str | None = None) -> Report:
    report = Report()
    by_host = {urlsplit(site.url).hostname: site.name for site in sites.all}
    bots = _Bots()
    for path in paths:
        file_site = _site_of_file(path, sites) or default_site or sites.portal.name
        with _open(path) as lines:
            for line in lines:
                _read_line(line, report, by_host, file_site, bots)
    return report


def _read_line(line: str, report: Report, by_host: dict[str | None, str], file_site: str, bots: _Bots) -> None:
    if not line.strip():
        return
    report.lines += 1
    match = _LINE.match(line)
    if match is None:
        report.unreadable += 1
        return
    try:
        when = dt.datetime.strptime(match["time"], _TIME)
    except ValueError:
        report.unreadable += 1
        return
    status = int(match["status"])
    if match["method"] != "GET" or not (200 <= status < 300 or status == 304) or not is_page(match["path"]):
        return
    agent = match["agent"]
    if bots(agent):
        report.bots += 1
        return
    site = by_host.get(match["vhost"], file_site) if match["vhost"] else file_site
    month = when.astimezone(dt.UTC).strftime("%Y-%m")
    report.tallies.setdefault((site, month), Tally()).count((match["host"], agent), when)


def _site_of_file(path: Path, sites: Sites) -> str | None:
    names = [name for name in sites.names if name in path.name]
    return max(names, key=len) if names else None


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def table(rows: list[dict[str, object]]) -> Iterator[str]:
    """The rows as an aligned text table (Dutch headings, for the year report)."""
    headings = ("Website", "Maand", "Bezoeken", "Unieke bezoekers", "Paginaweergaven")
    keys = ("site", "month", "visits", "unique_visitors", "page_views")
    cells = [headings] + [tuple(f"{row[k]:,}".replace(",", ".") if isinstance(row[k], int) else str(row[k])
                                for k in keys) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(keys))]
    for n, row in enumerate(cells):
        yield "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
        if n == 0:
            yield "  ".join("-" * w for w in widths)
