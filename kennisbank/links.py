"""`kennisbank links`: every external link in the content, checked over HTTP.

Links are found line by line in the content files (front matter and body alike), so every report
names ``path:line``. Each distinct URL is asked once: ``HEAD`` first and ``GET`` when a server
refuses ``HEAD``; redirects are followed and reported; timeouts, connection failures, 429 and 5xx
answers are retried with exponential backoff. Concurrency is bounded overall and per host, so no
site gets more than a few requests at a time. Results are cached with the moment they were
checked: a good result is reused until it is ``max_age`` old, so the nightly run does not hammer
sites; a broken one is checked again on every run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from kennisbank.content.check import discover

URL = re.compile(r"""https?://[^\s<>"'`\])}]+""")
TRAILING = ".,;:!?*_"  # sentence punctuation and Markdown emphasis after a bare URL
RETRY_STATUSES = {429, 500, 502, 503, 504}
HEAD_REFUSED = {403, 405, 501}  # servers that answer HEAD wrongly but GET rightly
USER_AGENT = "kennisbank-links/1 (+link check of the Kenniscentrum Vlaamse Steden)"


@dataclass(frozen=True)
class Place:
    path: str
    line: int


@dataclass
class Result:
    """What one URL answered. ``status`` is the final HTTP status, or 0 when none came."""

    url: str
    status: int
    checked: str  # ISO moment (UTC)
    final_url: str | None = None  # after redirects, when it differs
    redirect_status: int | None = None  # the first redirect's status (301, 302, ...)
    error: str | None = None  # "timeout", "connection failed: ..."

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    def describe(self) -> str:
        if self.error:
            return self.error
        if self.final_url:
            return f"{self.redirect_status} -> {self.final_url} ({self.status})"
        return str(self.status)


@dataclass
class Options:
    timeout: float = 10.0
    retries: int = 2
    backoff: float = 0.5  # seconds before the first retry; doubled every time
    per_host: int = 2
    total: int = 16
    max_age: dt.timedelta = field(default_factory=lambda: dt.timedelta(days=7))


@dataclass
class Report:
    """Every URL with where it is used and what it answered (and whether from the cache)."""

    places: dict[str, list[Place]]
    results: dict[str, Result]
    cached: set[str]
    now: dt.datetime

    def lines(self, kind: str) -> list[str]:
        """``path:line: url: status`` for ``broken`` or ``redirected`` URLs, sorted by place."""
        chosen = {u for u, r in self.results.items() if (not r.ok if kind == "broken" else r.ok and r.final_url)}
        found = [(place, url) for url in chosen for place in self.places[url]]
        return [f"{p.path}:{p.line}: {url}: {self.results[url].describe()}{self._age(url)}"
                for p, url in sorted(found, key=lambda f: (f[0].path, f[0].line, f[1]))]

    def _age(self, url: str) -> str:
        if url not in self.cached:
            return ""
        checked = dt.datetime.fromisoformat(self.results[url].checked)
        return f" (cached, {_age_text(self.now - checked)} old)"


def _age_text(age: dt.timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    return f"{hours // 24} d" if hours >= 48 else f"{hours} h"


def find_links(root: Path) -> dict[str, list[Place]]:
    """Every http(s) URL in the content files, with each place it appears (sorted)."""
    places: dict[str, list[Place]] = defaultdict(list)
    for relative in discover(root):
        if not relative.endswith(".md"):
            continue
        text = (root / relative).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in URL.finditer(line):
                places[match.group(0).rstrip(TRAILING)].append(Place(relative, number))
    return dict(sorted(places.items()))


def load_cache(path: Path) -> dict[str, Result]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {url: Result(**entry) for url, entry in data.items()}
    except (FileNotFoundError, ValueError, TypeError):
        return {}  # a missing or damaged cache only means checking everything again


def save_cache(path: Path, results: dict[str, Result]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({u: asdict(r) for u, r in sorted(results.items())}, indent=1), encoding="utf-8")
    tmp.replace(path)


def check_links(root: Path, options: Options, cache_path: Path | None, now: dt.datetime,
                progress: Callable[[int, int], None] = lambda done, total: None) -> Report:
    """Check every external link of the content at ``root`` (using and updating the cache)."""
    places = find_links(root)
    cache = load_cache(cache_path) if cache_path else {}
    fresh = {u: r for u, r in cache.items()
             if u in places and r.ok and now - dt.datetime.fromisoformat(r.checked) < options.max_age}
    todo = [u for u in places if u not in fresh]
    checked = asyncio.run(_check_all(todo, options, now, progress)) if todo else {}
    results = {**fresh, **checked}
    if cache_path:
        save_cache(cache_path, {**cache, **results})
    return Report(places, results, set(fresh), now)


async def _check_all(urls: list[str], options: Options, now: dt.datetime,
                     progress: Callable[[int, int], None]) -> dict[str, Result]:
    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(options.per_host))
    overall = asyncio.Semaphore(options.total)
    results: dict[str, Result] = {}
    limits = httpx.Limits(max_connections=options.total, max_keepalive_connections=options.total)
    async with httpx.AsyncClient(follow_redirects=True, timeout=options.timeout, limits=limits,
                                 headers={"User-Agent": USER_AGENT}) as client:

        async def one(url: str) -> None:
            async with overall, hosts[urlsplit(url).netloc.lower()]:
                results[url] = await _check(client, url, options, now)
            progress(len(results), len(urls))

        await asyncio.gather(*(one(url) for url in urls))
    return results


async def _check(client: httpx.AsyncClient, url: str, options: Options, now: dt.datetime) -> Result:
    stamp = now.isoformat()
    for attempt in range(options.retries + 1):
        try:
            response = await client.head(url)
            if response.status_code in HEAD_REFUSED or response.status_code >= 400:
                response = await _get(client, url)
        except httpx.TimeoutException:
            outcome = Result(url, 0, stamp, error="timeout")
        except httpx.TooManyRedirects:
            return Result(url, 0, stamp, error="too many redirects")
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            outcome = Result(url, 0, stamp, error=f"connection failed: {type(exc).__name__}")
        else:
            outcome = _result(url, response, stamp)
            if response.status_code not in RETRY_STATUSES:
                return outcome
        if attempt < options.retries:
            await asyncio.sleep(options.backoff * 2 ** attempt)
    return outcome


async def _get(client: httpx.AsyncClient, url: str) -> httpx.Response:
    async with client.stream("GET", url) as response:
        return response  # the status is enough: the body is never read


def _result(url: str, response: httpx.Response, stamp: str) -> Result:
    final = str(response.url)
    if not response.history or final == url:
        return Result(url, response.status_code, stamp)
    return Result(url, response.status_code, stamp, final_url=final, redirect_status=response.history[0].status_code)
