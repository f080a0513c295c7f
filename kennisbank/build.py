"""`kennisbank build`: check, stage every site into a temporary folder, render, swap in atomically.

The repository is loaded and checked once; then each site (``sites/*.yml``, see
:mod:`kennisbank.sites`) runs the stages of :data:`SITE_STAGES` on the part of the repository it
shows, with its own settings, into ``<tmp>/staging/<site>/``: each stage is a callable that takes
that site's :class:`~kennisbank.context.BuildContext` (settings, repository and feed catalog, each
built once per site, and the writer every staged file goes through, which refuses a second write
to one path). The one search index is written once (:data:`SHARED_STAGES`). The sites are rendered
last, in parallel processes (MkDocs renders on one core); then :data:`PORTAL_AFTER_RENDER` adds
what only the portal has. Adding a stage is one line here.

Output lands in a fresh folder of the output root and replaces the live build in one atomic step
only after every stage of every site succeeded (:mod:`kennisbank.output`): all sites change
together, or none does; a failed, interrupted or concurrent build leaves the previous sites
untouched. ``<out>/sites/<name>/`` holds each site, ``<out>/site`` the portal. A build of one
site (``--site NAME``) carries the other sites of the live build over unchanged (hard links).

The web editor (Decap CMS at ``/admin/``) is one for the whole repository: it edits every
collection, so it is written once, into the portal, after the portal's render (it links the
rendered stylesheets). The thematic sites have no ``/admin/``.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from kennisbank.cms import stage_admin
from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.context import BuildContext
from kennisbank.errors import KennisbankError, UsageError
from kennisbank.feeds import stage_feeds
from kennisbank.newsletter import stage_newsletter
from kennisbank.output import current, publish
from kennisbank.redirects import stage_redirects
from kennisbank.search import stage_search_index
from kennisbank.site import render_site, stage_site
from kennisbank.sites import Site, Sites, load_sites, site_repository, site_settings

Stage = Callable[[BuildContext], object]

SITE_STAGES: list[Stage] = [
    stage_site,  # <tmp>/docs: every page as Markdown, pictures, stylesheet
    stage_feeds,  # <tmp>/docs/feeds/*.xml + feeds.opml, <tmp>/docs/volg-ons/
    stage_newsletter,  # <tmp>/newsletter/<NNN>/, <tmp>/docs/nieuwsbrief/ (sites showing the newsletter)
    stage_redirects,  # old URLs: <tmp>/docs/<old path>, docs/_redirects, redirects.nginx
]
SHARED_STAGES: list[Stage] = [
    stage_search_index,  # <tmp>/search: the one embedded tantivy index
]
RENDER: Stage = render_site  # <tmp>/docs → <tmp>/site with mkdocs-material (after every site is staged)
PORTAL_AFTER_RENDER: list[Stage] = [
    stage_admin,  # <portal>/site/admin: the web editor of the whole repository
]
ONLY_ON: dict[Stage, str] = {stage_newsletter: "newsletter"}  # stages of sites showing this type
ALL = "all"


def choose_sites(sites: Sites, name: str | None) -> list[Site]:
    """Every site (``None`` or ``all``) or the one named; a usage error names the choices."""
    if name is None or name == ALL:
        return list(sites.all)
    site = sites.get(name)
    if site is None:
        raise UsageError(f"unknown site {name!r}; sites: {', '.join(sites.names)} (or all)")
    return [site]


def build(root: Path, out: Path, report: Callable[[str], None] = lambda message: None,
          site: str | None = None, *, future: bool = False) -> Path:
    """Build the sites of the repository at ``root`` into ``out/sites/<name>/``; return the
    portal's folder (``out / "site"``), or the one site's when ``site`` names one.

    Items dated after the build's today (:mod:`kennisbank.clock`) are left out unless ``future``
    (a preview that shows scheduled items, labelled "gepland").

    Raises :class:`~kennisbank.errors.ContentInvalid` (nothing touched) when `check` finds errors,
    :class:`~kennisbank.output.OutputBusy` when another build writes into ``out``, and
    :class:`~kennisbank.output.OutputUnwritable` when ``out`` is read-only or full.
    """
    settings = load_settings(root)
    sites = load_sites(root, settings.site_name, settings.site_url)
    chosen = choose_sites(sites, site)
    started = time.monotonic()
    repo = load_repository(root, future=future)
    scheduled = f", {len(repo.scheduled)} scheduled" + (" (published: --future)" if future else "") \
        if repo.scheduled else ""
    report(f"checked {len(repo.items)} items{scheduled} ({time.monotonic() - started:.1f} s)")
    whole = site in (None, ALL)
    with publish(out) as tmp:
        jobs = []
        for each in chosen:
            label = "" if len(sites.all) == 1 else f" [{each.name}]"
            context = BuildContext(site_repository(repo, each), site_settings(settings, sites, each),
                                   tmp / "staging" / each.name)
            run_stages(context, [s for s in SITE_STAGES if s not in ONLY_ON or each.shows_type(ONLY_ON[s])],
                       _reporter(report, label))
            jobs.append(context)
        if whole or chosen[0].default:
            shared = BuildContext(repo, site_settings(settings, sites, sites.portal), tmp)
            run_stages(shared, SHARED_STAGES, _reporter(report))
        started = time.monotonic()
        render_sites(jobs)
        label = "" if len(jobs) == 1 else f" [{len(jobs)} sites in parallel]"
        report(f"{RENDER.__name__}{label} ({time.monotonic() - started:.1f} s)")
        portal = next((job for job in jobs if job.settings.site is sites.portal), None)
        if portal is not None:
            run_stages(portal, PORTAL_AFTER_RENDER, _reporter(report))
        _arrange(tmp, chosen, sites.portal)
        if not whole:
            carry_over(current(out), tmp)
    return out / "site" if whole else out / "sites" / chosen[0].name


def _reporter(report: Callable[[str], None], label: str = "") -> Callable[[Stage, float], None]:
    """``stage_site [kerken] (0.1 s)``: one line per stage that ran."""
    def timed(stage: Stage, seconds: float) -> None:
        report(f"{getattr(stage, '__name__', stage)}{label} ({seconds:.1f} s)")

    return timed


def run_stages(context: BuildContext, stages: list[Stage], timed: Callable[[Stage, float], None]) -> None:
    """Run ``stages`` in order on ``context``, each writing through its files under its own name."""
    for stage in stages:
        started = time.monotonic()
        context.files.stage = getattr(stage, "__name__", "stage")
        stage(context)
        timed(stage, time.monotonic() - started)


_JOBS: list[BuildContext] = []  # what the forked render processes read (fork shares it without pickling)


def render_sites(jobs: list[BuildContext]) -> None:
    """Render every staged site; with several sites and cores, in parallel forked processes."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        for job in jobs:
            job.files.stage = RENDER.__name__
            RENDER(job)
        return
    _JOBS[:] = jobs
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            problems = pool.map(_render_job, range(len(jobs)), chunksize=1)
    finally:
        _JOBS.clear()
    for problem in problems:
        if problem is not None:
            raise KennisbankError(problem)


def _render_job(index: int) -> str | None:
    job = _JOBS[index]
    job.files.stage = RENDER.__name__
    try:
        RENDER(job)
    except KennisbankError as exc:
        return f"{job.settings.site_name}: {exc}"
    return None


def _arrange(tmp: Path, chosen: list[Site], portal: Site) -> None:
    """``<tmp>/staging/<site>/site`` → ``<tmp>/sites/<site>``; the portal's docs and newsletter
    (the preview re-renders from its docs) to ``<tmp>/docs`` and ``<tmp>/newsletter``."""
    (tmp / "sites").mkdir()
    for each in chosen:
        staged = tmp / "staging" / each.name
        (staged / "site").rename(tmp / "sites" / each.name)
        if (staged / "redirects.nginx").is_file():
            (tmp / "redirects").mkdir(exist_ok=True)
            (staged / "redirects.nginx").rename(tmp / "redirects" / f"{each.name}.nginx")
        if each is portal:
            for name in ("docs", "newsletter"):
                if (staged / name).exists():
                    (staged / name).rename(tmp / name)
    (tmp / "site").symlink_to(Path("sites") / portal.name, target_is_directory=True)
    shutil.rmtree(tmp / "staging")


def carry_over(live: Path | None, tmp: Path) -> None:
    """Everything of the live build this one did not write (the other sites, their redirect maps,
    the search index, ...), hard-linked into ``tmp``: publishing it keeps them as they were."""
    if live is None or not live.is_dir():
        return
    for entry in sorted(live.iterdir()):
        target = tmp / entry.name
        if entry.is_symlink():
            if not target.is_symlink() and not target.exists():
                target.symlink_to(os.readlink(entry))
        elif entry.is_dir() and entry.name in PER_SITE and target.is_dir():
            carry_over(entry, target)
        elif not target.exists():
            if entry.is_dir():
                shutil.copytree(entry, target, copy_function=os.link, symlinks=True)
            else:
                os.link(entry, target)


PER_SITE = ("sites", "redirects")  # one entry per site: a one-site build writes only its own
