"""`kennisbank serve`: one ASGI app for the built site, live reload, the search API and the
subscriptions API (:mod:`kennisbank.subscribers.api`).

The app serves ``<out>/site``; HTML pages get a small script that long-polls
``/__livereload`` and reloads the page when the site changed. A watcher on ``content/``,
``cases/`` and ``mkdocs.yml`` refreshes the site after every save: content edits go through the
incremental :class:`~kennisbank.site.preview.Preview` (only changed pages are re-rendered),
changes to ``mkdocs.yml`` or the registries run a full build. Content errors are printed and
shown in a banner; the last good site stays up. Once saving pauses, the embedded search index is
rebuilt from the same content, so the preview's search finds the edit too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import mimetypes
import posixpath
import re
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from kennisbank.config import CONFIG_FILE, Settings
from kennisbank.content import load_repository
from kennisbank.content.check import FileChecks
from kennisbank.errors import ContentInvalid, KennisbankError, UsageError

if TYPE_CHECKING:
    from kennisbank.content import Repository
    from kennisbank.site.preview import Preview

mimetypes.add_type("text/html", ".aspx")  # the old SharePoint paths' redirect pages (kennisbank.redirects)
RELOAD_PATH = "/__livereload"
MAX_SINCE_DIGITS = 18  # a version is a counter: fits in 64 bits
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
POLL_SECONDS = 25
# Types the platform's table may lack; a feed reader imports .opml only as text/x-opml.
MEDIA_TYPES = {".opml": "text/x-opml", ".ics": "text/calendar"}
REINDEX_AFTER_SECONDS = 1.5  # quiet time after a refresh before the search index catches up
EDITOR_PATH = "/admin/"  # the web editor: no live reload there (a save would reload the editor)
COLLECT_AFTER_SECONDS = 0.3  # garbage collection after a refresh waits until the reloads are served
_SCRIPT = f"""<script>(function(){{var v=null,b=null;function show(e){{if(!e.length){{if(b){{b.remove();b=null}}return}}
if(!b){{b=document.createElement('div');b.setAttribute('role','alert');b.style.cssText='position:fixed;bottom:0;left:0;right:0;z-index:9;background:#b00020;color:#fff;padding:.6em 1em;font:14px monospace;white-space:pre-wrap;max-height:40vh;overflow:auto';document.body.appendChild(b)}}
b.textContent=e.join('\\n')}}function poll(){{fetch('{RELOAD_PATH}?since='+(v===null?'':v)).then(function(r){{return r.json()}}).then(function(d){{
if(v!==null&&d.version!==v){{location.reload();return}}v=d.version;show(d.errors);poll()}}).catch(function(){{setTimeout(poll,1000)}})}}poll()}})();</script>"""


class LiveSite:
    """The built site on disk, its version (bumped after every refresh) and the last errors."""

    def __init__(self, root: Path, out: Path, report: Callable[[str], None] = print):
        self.root, self.out, self.site = root, out, out / "site"
        self.report = report
        self.version = 0
        self.errors: list[str] = []
        self._changed: asyncio.Condition | None = None
        self._preview: Preview | None = None
        self._checks = FileChecks()  # per-file checks of unchanged files, kept between refreshes
        self._stale_index: Repository | None = None  # the repository the search index has not caught up with yet
        self._reindex_timer: asyncio.TimerHandle | None = None
        self._reindexing = asyncio.Lock()
        self.stopping = False  # the server is stopping: live-reload polls are answered at once
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Task[None] | None = None

    @property
    def prepared(self) -> bool:
        return self._preview is not None

    # ------------------------------------------------------------------ refreshing

    def prepare(self) -> None:
        """Build when there is no site yet, then warm the incremental preview up."""
        from kennisbank.site.preview import Preview

        if not (self.site / "index.html").is_file():
            self._full_build()
        self._checks = FileChecks()  # a full build may follow a change of settings: check every file anew
        self._preview = Preview(self.root, self.out, future=True)
        update = self._preview.start()
        if update.changed:
            self.report(f"preview: {len(update.rendered)} page(s) brought up to date")

    def refresh(self, changed: set[Path]) -> None:
        """Apply saved changes (runs in a worker thread); record errors instead of raising.

        The cyclic garbage collector is paused meanwhile: a refresh allocates many small objects
        and the collector would rescan the large, long-lived site state (repository, caches, MkDocs
        pages) several times, adding 0.05–0.25 s at random; :meth:`watch` collects afterwards,
        once the fresh pages are served."""
        started, cpu = time.monotonic(), time.thread_time()
        full = self._needs_full_build(changed)
        was_enabled = gc.isenabled()
        if not full:  # a full build allocates too much to run without the collector
            gc.disable()
        try:
            if full:
                self._full_build()  # writes the search index too: a pending catch-up would be older
                self._stale_index = None
                self.prepare()
                what = "full build"
            else:
                repo = load_repository(self.root, future=True, reuse=self._checks)
                assert self._preview is not None  # prepare() ran before the watcher started
                update = self._preview.refresh(repo)
                self._stale_index = repo
                what = f"{len(update.rendered)} page(s) rendered, {len(update.removed)} removed"
            self.errors = []
            self.report(f"{what} in {time.monotonic() - started:.2f} s (CPU {time.thread_time() - cpu:.2f} s)")
        except ContentInvalid as exc:
            self.errors = [str(e) for e in exc.errors]
            self.report("\n".join(self.errors) + f"\n{len(self.errors)} error(s): the site was not changed")
        except KennisbankError as exc:
            self.errors = [str(exc)]
            self.report(f"Error: {exc}")
        finally:
            if was_enabled:
                gc.enable()

    def reindex(self) -> None:
        """Bring the embedded search index in line with the last refresh (runs in a worker thread,
        after the fresh pages are served, so it never delays them). The API opens the new index by
        itself; with Meilisearch the production index is `kennisbank index push`'s business."""
        from kennisbank.search.stage import build_search_index, uses_meilisearch

        repo, self._stale_index = self._stale_index, None
        if repo is None or uses_meilisearch():
            return

        started = time.monotonic()
        try:
            build_search_index(repo, self.out)
        except KennisbankError as exc:
            self.report(f"search index not refreshed: {exc}")
            return
        self.report(f"search index refreshed in {time.monotonic() - started:.2f} s")

    def _needs_full_build(self, changed: set[Path]) -> bool:
        registries = self.root / "content" / "registries"
        return any((p.name == CONFIG_FILE and p.parent == self.root) or p.is_relative_to(registries) for p in changed)

    def _full_build(self) -> None:
        from kennisbank.build import build

        build(self.root, self.out, report=self.report, future=True)

    # ------------------------------------------------------------------ async side

    async def watch(self) -> None:
        """Refresh after every batch of saves, one refresh at a time."""
        from watchfiles import awatch

        paths = [p for p in (self.root / "content", self.root / "cases", self.root / CONFIG_FILE) if p.exists()]
        async for changes in awatch(*paths, debounce=400, step=20):
            changed = {Path(p) for _, p in changes if not Path(p).name.startswith(".")}
            if changed:
                await asyncio.to_thread(self.refresh, changed)
                await self.bump()
                self._schedule_reindex()
                # the refresh's garbage (~50 ms to collect at 2,000 items), once the browsers reloaded
                asyncio.get_running_loop().call_later(COLLECT_AFTER_SECONDS, gc.collect)

    def _schedule_reindex(self) -> None:
        """Rebuild the search index once saving has paused for REINDEX_AFTER_SECONDS: while an
        editor saves again and again, the index work would compete with the page refreshes."""
        if self._reindex_timer is not None:
            self._reindex_timer.cancel()
        loop = asyncio.get_running_loop()
        self._reindex_timer = loop.call_later(REINDEX_AFTER_SECONDS, lambda: loop.create_task(self._reindex_now()))

    async def _reindex_now(self) -> None:
        self._reindex_timer = None
        async with self._reindexing:
            await asyncio.to_thread(self.reindex)

    async def bump(self) -> None:
        async with self._condition():
            self.version += 1
            self._condition().notify_all()

    def release_polls(self) -> None:
        """Answer every waiting live-reload poll now, and later ones at once: the server is stopping.

        Called from the stop signal's handler, so it only schedules the wake-up on the event loop.
        Without it uvicorn would cancel the waiting polls after its grace period, and log each
        cancellation as an error with a traceback."""
        self.stopping = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_waiters)

    def _wake_waiters(self) -> None:
        self._release = asyncio.get_running_loop().create_task(self._notify_waiters())

    async def _notify_waiters(self) -> None:
        async with self._condition():
            self._condition().notify_all()

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
            self._loop = asyncio.get_running_loop()
        return self._changed

    async def wait_for_change(self, since: int) -> None:
        async with self._condition():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._condition().wait_for(lambda: self.stopping or self.version != since),
                                       POLL_SECONDS)


def create_app(root: Path, out: Path, *, watch: bool = True, report: Callable[[str], None] = print,
               live: LiveSite | None = None, allowed_hosts: Sequence[str] | None = None,
               cms_api: str | None = None, sites: list[str] | None = None, site: str | None = None) -> Starlette:
    """The server: live reload, mounted APIs, then the static sites (in that order of routes).

    ``sites``: serve these sites (``<out>/sites/<name>``) each under ``/<name>/``, with ``/``
    leading to the first (the portal); ``site``: that one at the root; neither: the portal
    (``<out>/site``). With ``cms_api`` (the URL of a running decap-server), the portal's
    ``admin/config.yml`` gets ``local_backend`` pointing there, so ``/admin/`` edits the local
    repository."""
    from kennisbank.config import load_settings
    from kennisbank.subscribers.api import SubscriptionService
    from kennisbank.subscribers.config import subscriber_config

    live = live or LiveSite(root, out, report)
    settings = load_settings(root)
    subscriptions = SubscriptionService(subscriber_config(settings), report)

    async def livereload(request: Request) -> Response:
        since = request.query_params.get("since", "")
        if since:
            if len(since) > MAX_SINCE_DIGITS or not since.isdigit():
                return JSONResponse({"error": f"since must be a version number (at most {MAX_SINCE_DIGITS} digits)"},
                                    status_code=400)
            await live.wait_for_change(int(since))
        return JSONResponse({"version": live.version, "errors": live.errors})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not live.prepared:
            await asyncio.to_thread(live.prepare)
        task = asyncio.create_task(live.watch()) if watch else None
        await subscriptions.start()
        try:
            yield
        finally:
            await subscriptions.stop()
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def local_cms_config(request: Request) -> Response:
        from kennisbank.cms.config import with_local_backend

        built = out / "site" / "admin" / "config.yml"
        if not built.is_file():
            return PlainTextResponse("Not Found", status_code=404)
        text = with_local_backend(built.read_text(encoding="utf-8"), str(cms_api))
        return PlainTextResponse(text, media_type="text/yaml", headers={"Cache-Control": "no-cache"})

    routes = [
        Route(RELOAD_PATH, livereload),
        *([Route(f"{editor_prefix(sites, site)}{EDITOR_PATH}config.yml", local_cms_config)] if cms_api else []),
        *subscriptions.routes(),  # sign-up, confirm, unsubscribe (kennisbank.subscribers)
        Mount("/api", app=_search_api(out, settings)),  # embedded index; Meilisearch when MEILI_URL is set
        *site_routes(out, sites, site),
    ]
    hosts = list(allowed_hosts) if allowed_hosts is not None else list(LOCAL_HOSTS)
    middleware = [] if "*" in hosts else [Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.live = live
    app.state.subscriptions = subscriptions
    return app


def served_hosts(host: str, extra: Sequence[str] = ()) -> list[str]:
    """Host names the preview answers to: loopback names, the address it listens on, and any the
    user allowed (``--allow-host``; ``*`` for any). Other ``Host`` headers get 400, so a page on
    another site cannot reach the preview through DNS rebinding."""
    listening = [] if host in ("0.0.0.0", "::", "") else [host.strip("[]")]
    return list(dict.fromkeys([*LOCAL_HOSTS, *listening, *extra]))


def site_routes(out: Path, sites: list[str] | None, site: str | None) -> list[Route | Mount]:
    """One site at the root, or every named site under its own ``/<name>/`` prefix."""
    if not sites:
        return [Mount("/", app=SiteFiles(out / "sites" / site if site else out / "site"))]
    first = sites[0]

    async def first_site(request: Request) -> Response:
        return RedirectResponse(f"/{first}/", status_code=307)

    return [Route("/", first_site), *(Mount(f"/{name}", app=SiteFiles(out / "sites" / name, prefix=f"/{name}"))
                                      for name in sites)]


def editor_prefix(sites: list[str] | None, site: str | None) -> str:
    """Where the portal (the one site with the web editor) is served: ``/<portal>`` or the root."""
    return f"/{sites[0]}" if sites and not site else ""


def _search_api(out: Path, settings: Settings) -> Starlette:
    from kennisbank.search.api import create_api

    return create_api(out, settings)


_ROOT_RELATIVE = re.compile(r'(\s(?:href|src|action)="|; url=)/(?!/|api/|api"|__livereload)')


class SiteFiles:
    """Static files of the built site; HTML gets the live-reload script; 404.html for misses."""

    def __init__(self, site: Path, prefix: str = ""):
        self.site = site
        self.prefix = prefix  # the site is served under this path: its root-relative links get it too

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method not in ("GET", "HEAD"):
            response: Response = PlainTextResponse("Method Not Allowed", status_code=405)
        else:
            path = request.url.path
            response = self.response(path[len(self.prefix):] if path.startswith(self.prefix + "/") else path)
        await response(scope, receive, send)

    def response(self, url_path: str) -> Response:
        inside = self.inside(url_path)  # normalised first: nothing outside the site is looked at
        if inside is not None and inside.is_dir() and not url_path.endswith("/"):
            return RedirectResponse(self.prefix + url_path + "/", status_code=301)
        target = self.resolve(url_path)
        if target is None:
            missing = self.site / "404.html"
            if missing.is_file():
                return self._html(missing, status=404)
            return PlainTextResponse("Not Found", status_code=404)
        if (target.suffix == ".html" or mimetypes.guess_type(target.name)[0] == "text/html") \
                and not url_path.startswith(EDITOR_PATH):
            return self._html(target)
        media_type = MEDIA_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return FileResponse(target, media_type=media_type, headers={"Cache-Control": "no-cache"})

    def inside(self, url_path: str) -> Path | None:
        """The path under the site that ``url_path`` names, or None when it leaves the site."""
        from urllib.parse import unquote

        relative = posixpath.normpath("/" + unquote(url_path)).lstrip("/")
        if "\x00" in relative or relative.startswith(".."):
            return None
        site = self.site.resolve()
        candidate = (site / relative).resolve()
        if candidate != site and not candidate.is_relative_to(site):
            return None
        return candidate

    def resolve(self, url_path: str) -> Path | None:
        candidate = self.inside(url_path)
        if candidate is None:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def _html(self, path: Path, status: int = 200) -> Response:
        text = path.read_text(encoding="utf-8")
        if self.prefix:  # pages link root-relative (/kerken/...): under a prefix they need it
            text = _ROOT_RELATIVE.sub(lambda m: m.group(1) + self.prefix + "/", text)
        at = text.rfind("</body>")
        text = text[:at] + _SCRIPT + text[at:] if at >= 0 else text + _SCRIPT
        return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-cache"})


def serve(root: Path, out: Path, *, host: str = "127.0.0.1", port: int = 8000,
          report: Callable[[str], None] = print, allow_hosts: Sequence[str] = (), cms: bool = False,
          site: str | None = None) -> None:
    """Run the preview server until interrupted, with the limits of :mod:`kennisbank.http_limits`:
    every site under ``/<name>/``, or the one ``site`` at the root; with ``cms``, also the web
    editor's local backend (decap-server), for the portal's ``/admin/``."""
    from kennisbank.cms.proxy import DecapServer
    from kennisbank.config import load_settings
    from kennisbank.http_limits import PreviewServer, server_config
    from kennisbank.sites import load_all_sites

    names = list(load_all_sites(root).names)
    if site is not None and site not in names:
        raise UsageError(f"unknown site {site!r}; sites: {', '.join(names)}")
    if cms and site is not None and site != names[0]:
        raise UsageError(f"the web editor is on the portal only: use --cms without --site, or with --site {names[0]}")
    prefixed = None if site or len(names) == 1 else names  # one site (or the only one) at the root
    live = LiveSite(root, out, report)
    live.prepare()  # before the server starts, so content errors end the command with exit 1
    with contextlib.ExitStack() as stack:
        cms_api = None
        if cms:
            proxy = stack.enter_context(DecapServer(root, root, branch=load_settings(root).cms_branch))
            cms_api = proxy.api_url
            editor = f"{editor_prefix(prefixed, site)}{EDITOR_PATH}"
            report(f"web editor on http://{host}:{port}{editor} (decap-server in git mode on {cms_api}: "
                   "saving commits to branches cms/..., publishing merges them)")
        app = create_app(root, out, report=report, live=live, allowed_hosts=served_hosts(host, allow_hosts),
                         cms_api=cms_api, sites=prefixed, site=site)
        shown = "every site under /<name>/: " + ", ".join(names) if prefixed else f"{site or names[0]} at the root"
        report(f"serving {shown} on http://{host}:{port}/ (Ctrl+C stops)")
        server = PreviewServer(server_config(app, host, port), on_stop=live.release_polls)
        with _stopped_by_signal() as stop:
            server.run()
    report(f"stopped ({stop.signal})" if stop.signal else "stopped")


class _Signalled(Exception):
    """SIGINT or SIGTERM, raised again by uvicorn once it has shut down gracefully."""


@dataclass
class _Stop:
    signal: str = ""
    """The name of the signal that stopped the server; empty while none has."""


@contextlib.contextmanager
def _stopped_by_signal() -> Iterator[_Stop]:
    """While the server runs, uvicorn handles SIGINT and SIGTERM itself (a graceful shutdown);
    afterwards it restores the previous handlers and raises the signal again for their default
    behaviour (Ctrl+C: KeyboardInterrupt, Click's "Aborted!", exit 1; SIGTERM: killed). The
    handlers installed here make that the normal end of the command: a stop asked for is a
    success (exit 0)."""
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield stop
        return

    def stopped(number: int, frame: FrameType | None) -> None:
        stop.signal = signal.Signals(number).name
        raise _Signalled

    previous = {number: signal.signal(number, stopped) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    except _Signalled:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
