"""The `kennisbank` command: a thin Click layer that parses, calls one function, maps errors.

Every command finds the repository root from the current folder (or ``--root``), calls into the
package, and turns :class:`~kennisbank.errors.KennisbankError` into a message and an exit code:
0 success, 1 content or build errors, 2 usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kennisbank.errors import ContentInvalid, KennisbankError, UsageError

if TYPE_CHECKING:
    from kennisbank.content.check import CheckResult
    from kennisbank.content.items import Item


class _Group(click.Group):
    """Turn user-fixable errors into messages and exit codes instead of tracebacks."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ContentInvalid as exc:
            for error in exc.errors:
                click.echo(str(error), err=True)
            click.echo(f"{len(exc.errors)} error(s): nothing was changed", err=True)
            sys.exit(exc.exit_code)
        except KennisbankError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _root(ctx: click.Context) -> Path:
    from kennisbank.content.check import find_root

    given = ctx.obj.get("root") if ctx.obj else None
    return Path(given).resolve() if given else find_root(Path.cwd())


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, exists=True), envvar="KENNISBANK_ROOT",
              help="Repository root (default: the nearest folder upwards that has content/).")
@click.version_option(package_name="kennisbank")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """kennisbank: validate, build and search the knowledge centre's content."""
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text",
              show_default=True, help="text: path:line: field: message; github: Actions annotations; json: a list.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> None:
    """Validate content and settings; report every error with file, line and field.

    Checks every content file, mkdocs.yml (extra.kennisbank) and search/*.yml in one run.

    With PATHS, only errors in those files or folders are reported (references are still checked
    against the whole repository). A PATH outside the current repository is checked as a
    repository of its own. Exit 0 when clean, 1 on any error.
    """
    from kennisbank.checks import check_project
    from kennisbank.content.check import find_root

    root = _root(ctx)
    only = [Path(p) for p in paths] or None
    if only and not ctx.obj.get("root"):
        outside = [p for p in only if not p.resolve().is_relative_to(root)]
        if outside:
            root = find_root(outside[0] if outside[0].is_dir() else outside[0].parent)
    with _progress("checking", enabled=fmt == "text") as progress:
        result = check_project(root, only, progress=progress)
    scheduled = _scheduled(result.items, root, only)
    if fmt == "json":
        click.echo(json.dumps([e.as_dict() for e in result.errors], indent=2, ensure_ascii=False))
    else:
        for error in result.errors:
            click.echo(error.as_github() if fmt == "github" else str(error))
        for item, tag, established in _near_duplicate_tags(result):
            line = _tag_line(root / item.path, tag)
            message = (f"tag '{tag}' lijkt op de bestaande tag '{established}': gebruik die, of voeg "
                       f"'{tag}' toe onder tag_aliases in content/registries/vocabularies.yml")
            click.echo(f"::warning file={item.path},line={line},title=tags::{message}" if fmt == "github"
                       else f"{item.path}:{line}: tags: waarschuwing: {message}", err=fmt != "github")
        if fmt == "github":
            for item in scheduled:
                click.echo(f"::notice file={item.path},line=1,title=gepland::verschijnt op {item.date}, "
                           "niet eerder (build op of na die dag)")
    if fmt != "json":
        summary = f"{len(result.errors)} error(s) in {len({e.path for e in result.errors})} file(s)" if result.errors \
            else f"OK: {len(result.items)} items"
        if scheduled:
            summary += f"; {len(scheduled)} scheduled (first: {scheduled[0].path} on {scheduled[0].date})"
        click.echo(summary, err=True)
    sys.exit(1 if result.errors else 0)


def _near_duplicate_tags(result: CheckResult) -> list[tuple[Item, str, str]]:
    from kennisbank.content.tags import ALIASES, near_duplicates

    return near_duplicates(result.items, result.registries.vocabularies.get(ALIASES, {}))


def _tag_line(path: Path, tag: str) -> int:
    """The line of the front matter that holds ``tag`` (1 when it cannot be found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((n for n, text in enumerate(lines, 1) if text.strip().lstrip("-").strip().strip("'\"") == tag), 1)


def _scheduled(items: list[Item], root: Path, only: list[Path] | None) -> list[Item]:
    """Valid items dated after the build's today (within ``only`` when given), soonest first."""
    from kennisbank.clock import build_today
    from kennisbank.content.repository import mark_scheduled, scheduled_items

    mark_scheduled(items, build_today())
    if only:
        wanted = [p.resolve() for p in only]
        items = [i for i in items if any((root / i.path).resolve().is_relative_to(w) for w in wanted)]
    return scheduled_items(items)


@contextmanager
def _progress(label: str, enabled: bool = True, plain: bool = False) -> Iterator[Callable[[int, int], None] | None]:
    """A transient progress bar on a terminal's stderr; elsewhere (CI logs, pipes) a plain line
    on stderr every tenth of the work when ``plain``, else nothing. Never when not ``enabled``."""
    if enabled and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(label, total=None)
            yield lambda done, total: bar.update(task, completed=done, total=total)
        return
    if not (enabled and plain):
        yield None
        return

    def line(done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            click.echo(f"{label}: {done}/{total}", err=True)

    yield line


@cli.command()
@click.argument("type_name", metavar="TYPE")
@click.argument("title", required=False)
@click.option("--set", "values", multiple=True, metavar="FIELD=VALUE",
              help="A front-matter value (repeatable). Lists are comma separated: --set cities=gent,leuven")
@click.option("--date", help="Publication date YYYY-MM-DD (default: today).")
@click.option("--summary", help="Plain-text summary, at most 400 characters.")
@click.option("--no-input", is_flag=True, help="Never prompt; fail when a required value is missing.")
@click.pass_context
def new(ctx: click.Context, type_name: str, title: str | None, values: tuple[str, ...], date: str | None,
        summary: str | None, no_input: bool) -> None:
    """Create a correctly named content file of TYPE with TITLE.

    TYPE is a content type or case collection, in English or as its folder name: news/nieuws,
    study/studies, event/agenda, theme/themas, page/paginas, newsletter/nieuwsbrief,
    churches/kerken, city-projects/stadsprojecten, temporary-use/tijdelijk-gebruik,
    housing-instruments/woonbeleid. Required values missing from the options are asked for.
    """
    from kennisbank.clock import build_today
    from kennisbank.content import new as new_item
    from kennisbank.content.check import check_repository, content_settings
    from kennisbank.content.types import CONTENT_TYPES, content_type

    ctype = content_type(type_name)
    if ctype is None:
        names = ", ".join(f"{t.name}/{t.section}" for t in CONTENT_TYPES)
        raise UsageError(f"unknown type {type_name!r}; choose one of: {names}")
    if title is None and ctype.name != "newsletter":
        raise UsageError("give a TITLE: kennisbank new news \"Titel van het bericht\"")
    given: dict[str, object] = {}
    for pair in values:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--set takes FIELD=VALUE, not {pair!r}")
        given[name.strip()] = new_item.parse_value(ctype, name.strip(), value)
    root = _root(ctx)
    new_item.refuse_bad_values(root, ctype, given)  # a --set value the model rejects: exit 2, naming it
    if date:
        given["date"] = date
    if summary:
        given["summary"] = summary
    def ask(name: str, problem: str | None, choices: list[str]) -> str:
        if problem:
            click.echo(f"  {name}: {problem}", err=True)
        hint = " (comma separated)" if name in new_item.list_fields(ctype) else ""
        if choices:
            shown = ", ".join(choices[:15]) + (", ..." if len(choices) > 15 else "")
            hint += f" [{shown}]"
        try:
            return click.prompt(f"{name}{hint}")
        except click.Abort:  # end of input: the value stays missing
            raise UsageError(f"no value for {name}; give it with --set {name}=...") from None

    path = new_item.create(root, ctype, title, given, None if no_input else ask, build_today(),
                           body="Schrijf hier de tekst.", settings=content_settings(root)[0])
    click.echo(str(path.relative_to(root)))
    errors = check_repository(root, [path]).errors
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        click.echo("The file was written; fix the values above and run `kennisbank check`.", err=True)
        sys.exit(1)


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default="schemas", show_default=True,
              help="Folder for the JSON Schema files (relative to the repository root).")
@click.pass_context
def schema(ctx: click.Context, out: str) -> None:
    """Write a JSON Schema per content type, for editors' tools."""
    from kennisbank.content.registries import load_registries
    from kennisbank.content.schema import theme_slugs, write_schemas

    root = _root(ctx)
    registries, errors = load_registries(root)
    if errors:
        raise ContentInvalid(errors)
    for path in write_schemas(registries, root / out, theme_slugs(root)):
        click.echo(str(path.relative_to(root) if path.is_relative_to(root) else path))


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default="build", show_default=True,
              help="Output folder (relative to the repository root); each site lands in OUT/sites/<name>.")
@click.option("--site", "site_name", default="all", show_default=True, metavar="NAME|all",
              help="Build one site (its file in sites/, e.g. kerken) or all of them.")
@click.option("--future", is_flag=True,
              help="Also publish scheduled items (dated after today), for a preview; never for the live site.")
@click.pass_context
def build(ctx: click.Context, out: str, site_name: str, future: bool) -> None:
    """Check the content, then build the Dutch sites into OUT/sites/<name>/ (atomically).

    Every site in sites/*.yml is built: the portal (OUT/site links to it) and the thematic
    sites; all of them are swapped in together, or none is. Refuses to build when `check` finds
    errors (exit 1); the previous sites stay as they were.
    "Today" is SOURCE_DATE_EPOCH when set (two builds with the same value are byte-identical),
    else the clock's date: items dated later are scheduled and left out until a build on or
    after their date (pages, feeds, search, newsletter alike).
    """
    from kennisbank.build import build as build_all

    root = _root(ctx)
    site = build_all(root, root / out, report=lambda message: click.echo(message, err=True), site=site_name,
                     future=future)
    click.echo(str(site.relative_to(root) if site.is_relative_to(root) else site))


@cli.command("site-links")
@click.option("--out", type=click.Path(file_okay=False), default="build", show_default=True,
              help="Build folder whose sites/*/ (or site/) are checked (relative to the repository root).")
@click.pass_context
def site_links(ctx: click.Context, out: str) -> None:
    """Check every internal link and anchor of every built site (no network); exit 1 on any broken one."""
    from kennisbank.site.linkcheck import broken_links

    built = _root(ctx) / out
    sites = sorted(p for p in (built / "sites").glob("*") if (p / "index.html").is_file()) \
        if (built / "sites").is_dir() else [built / "site"]
    if not sites or not (sites[0] / "index.html").is_file():
        raise UsageError(f"no built site in {built}: run `kennisbank build` first")
    total, broken = 0, []
    for site in sites:
        pages, found = broken_links(site)
        total += pages
        broken += [f"{site.name}: {line}" if len(sites) > 1 else line for line in found]
    for line in broken:
        click.echo(line)
    click.echo(f"{len(broken)} broken link(s) in {total} pages of {len(sites)} site(s)" if broken
               else f"OK: {total} pages of {len(sites)} site(s)", err=True)
    sys.exit(1 if broken else 0)


@cli.command()
@click.option("--base", default="origin/main", show_default=True,
              help="Branch or commit to compare with (from its merge base with HEAD, like a pull request).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True)
@click.pass_context
def changes(ctx: click.Context, base: str, fmt: str) -> None:
    """Items added, changed and removed by type since BASE (the pull request's job summary)."""
    from kennisbank.changes import content_changes

    found = content_changes(_root(ctx), base)
    click.echo(json.dumps(found.as_dict(), indent=2, ensure_ascii=False) if fmt == "json" else found.markdown(),
               nl=fmt == "json")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="markdown: the body of the nightly tracking issue.")
@click.option("--city", metavar="SLUG", help="Only this city's fiches (a slug from content/registries/cities.yml).")
@click.pass_context
def review(ctx: click.Context, fmt: str, city: str | None) -> None:
    """Fiches due for review, grouped by city and contact.

    A housing-policy instrument is due when its last_reviewed is older than its collection's
    interval (extra.kennisbank.review_months in mkdocs.yml; default 6 months for woonbeleid),
    counted to the build's today (SOURCE_DATE_EPOCH or the clock). Exit 0 whether or not
    anything is due.
    """
    from kennisbank.config import load_settings
    from kennisbank.content import load_repository
    from kennisbank.review import as_markdown, as_text, due_fiches

    root = _root(ctx)
    settings = load_settings(root)
    with _progress("checking", plain=True) as progress:
        repo = load_repository(root, progress=progress)
    if city is not None and city not in repo.registries.cities:
        raise UsageError(f"--city: unknown city {city!r}; use a slug from content/registries/cities.yml, e.g. gent")
    fiches = due_fiches(repo, settings, city)
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in fiches], indent=2, ensure_ascii=False))
    else:
        text = as_markdown(fiches, settings, repo.today) if fmt == "markdown" else as_text(fiches, repo.today)
        click.echo(text, nl=False)


@cli.command()
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=10.0, show_default=True,
              help="Seconds to wait for a server (connect and each read).")
@click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Retries after a timeout, a failed connection, 429 or 5xx, with doubling waits.")
@click.option("--per-host", type=click.IntRange(1, 20), default=2, show_default=True,
              help="At most this many requests to one host at a time.")
@click.option("--max-age", type=click.FloatRange(min=0), default=7.0, show_default=True,
              help="Days a good result stays in the cache (broken links are always checked again).")
@click.option("--cache", "cache_file", type=click.Path(dir_okay=False), default=".cache/kennisbank/links.json",
              show_default=True, help="Result cache (relative to the repository root).")
@click.option("--no-cache", is_flag=True, help="Check every link now; neither read nor write the cache.")
@click.pass_context
def links(ctx: click.Context, timeout: float, retries: int, per_host: int, max_age: float, cache_file: str,
          no_cache: bool) -> None:
    """Check every external link in the content; report `path:line: url: status`.

    HEAD first, GET when the server refuses HEAD; redirects are followed and reported (exit 0);
    broken links (4xx, 5xx, timeouts, no connection) exit 1.
    """
    import datetime as dt

    from kennisbank.links import Options, check_links

    root = _root(ctx)
    options = Options(timeout=timeout, retries=retries, per_host=per_host, max_age=dt.timedelta(days=max_age))
    with _progress("checking links", plain=True) as progress:
        report = check_links(root, options, None if no_cache else root / cache_file,
                             dt.datetime.now(dt.UTC).replace(microsecond=0), progress or _no_progress)
    broken, redirected = report.lines("broken"), report.lines("redirected")
    for line in [*broken, *redirected]:
        click.echo(line)
    click.echo(f"{len(report.places)} links: {len(broken)} broken place(s), {len(redirected)} redirected, "
               f"{len(report.cached)} from the cache", err=True)
    sys.exit(1 if broken else 0)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option("--out", type=click.Path(file_okay=False), default="build", show_default=True,
              help="Build folder whose site/ is served (relative to the repository root).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this Host name (repeatable; * for any). By default only "
                   "localhost and the --host address are answered, against DNS rebinding.")
@click.option("--cms", is_flag=True,
              help="Also run the web editor's local backend (npm decap-server, git mode): /admin/ then edits "
                   "this repository, committing to branches cms/<collection>/<slug>.")
@click.option("--site", "site_name", metavar="NAME", help="Serve only this site (e.g. kerken), at the root.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, out: str, allow_hosts: tuple[str, ...], cms: bool,
          site_name: str | None) -> None:
    """Serve the built sites with live reload: edits in content/, cases/ or mkdocs.yml show at once.

    Every site is served under /<name>/ (/ leads to the portal); with --site NAME, that one site
    at the root. The portal's pages refresh per page; the thematic sites after a full build.

    With --cms the web editor at the portal's /admin/ works without GitHub: it saves into this
    repository's git history (commit or stash your own changes first: the editor switches branches).
    The editor is one for the whole repository and lives on the portal only.
    """
    from kennisbank.serve import serve as run_server

    root = _root(ctx)
    run_server(root, root / out, host=host, port=port, report=lambda message: click.echo(message, err=True),
               allow_hosts=allow_hosts, cms=cms, site=site_name)


@cli.group()
def cms() -> None:
    """The web editor (Decap CMS at /admin/), configured from the content model."""


@cms.command("config")
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.pass_context
def cms_config(ctx: click.Context, out: str | None) -> None:
    """Print the editor's config.yml, generated from the models and registries.

    `kennisbank build` writes the same file to build/site/admin/config.yml; never edit it by hand.
    """
    from kennisbank.cms.admin import repository_config
    from kennisbank.cms.config import config_yaml
    from kennisbank.config import load_settings
    from kennisbank.content import load_repository

    root = _root(ctx)
    text = config_yaml(repository_config(load_repository(root), load_settings(root)))
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("logs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False), metavar="ACCESS_LOG...")
@click.option("--site", "site_name", metavar="NAME", help="The site of logs whose file name names none (default: the portal).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.pass_context
def stats(ctx: click.Context, logs: tuple[str, ...], site_name: str | None, fmt: str) -> None:
    """Visits, unique visitors and page views per site and month, from access logs.

    Reads the combined log format (optionally with a leading virtual host, as Apache's
    vhost_combined; .gz files too). Bots and scripts are left out (CrawlerDetect). A line's site
    is its virtual host, else the site named in the log's file name (kerken.access.log), else
    --site, else the portal.
    """
    import csv

    from kennisbank.sites import load_all_sites
    from kennisbank.stats import read_logs, table

    sites = load_all_sites(_root(ctx))
    if site_name is not None and sites.get(site_name) is None:
        raise UsageError(f"unknown site {site_name!r}; sites: {', '.join(sites.names)}")
    report = read_logs([Path(p) for p in logs], sites, site_name)
    rows = report.rows()
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["site"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        for line in table(rows):
            click.echo(line)
    click.echo(f"{report.lines} lines read, {report.bots} bot page requests left out, "
               f"{report.unreadable} unreadable lines skipped", err=True)


@cli.group()
def index() -> None:
    """The search index: build the embedded one, or push to Meilisearch."""


@index.command("build")
@click.option("--out", type=click.Path(file_okay=False), default="build", show_default=True,
              help="Build folder; the index lands in OUT/search (swapped in atomically).")
@click.pass_context
def index_build(ctx: click.Context, out: str) -> None:
    """Write only the embedded (tantivy) search index, as `kennisbank build` does."""
    from kennisbank.content import load_repository
    from kennisbank.search import build_search_index

    root = _root(ctx)
    repo = load_repository(root)
    with click.progressbar(length=len(repo.published), label="indexing", file=sys.stderr) as bar:
        meta = build_search_index(repo, root / out, progress=bar.update)
    click.echo(f"{meta.documents} documents, index version {meta.version}")


@index.command("push")
@click.pass_context
def index_push(ctx: click.Context) -> None:
    """Push every published item to Meilisearch with zero downtime.

    Needs MEILI_URL and MEILI_MASTER_KEY (MEILI_INDEX names the index, default kennisbank).
    Checks the server version (1.12 or newer) first. Builds a temporary index, waits for every
    task, then swaps it with the live one; on failure the live index is untouched. Prints what
    was adapted for Meilisearch (synonyms) and a key that may only search, for the API
    (MEILI_SEARCH_KEY). The master key is never printed.
    """
    from kennisbank.content import load_repository
    from kennisbank.search.stage import push_search_index, uses_meilisearch

    if not uses_meilisearch():
        raise UsageError("set MEILI_URL (and MEILI_MASTER_KEY) to push to Meilisearch")
    repo = load_repository(_root(ctx))
    with click.progressbar(length=len(repo.published), label="uploading", file=sys.stderr) as bar:
        report, key, count = push_search_index(repo, progress=bar.update)
    click.echo(f"{count} documents, index version {report.version}")
    for change in report.changes:
        click.echo(f"adapted for Meilisearch: {change}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if key is None:
        click.echo("The server has no master key: every route is open and the API needs no key. "
                   "Give it a master key (MEILI_MASTER_KEY) before it is reachable from outside.")
    else:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            click.echo(f"::add-mask::{key}")  # GitHub hides the key in every later log line
        click.echo(f"MEILI_SEARCH_KEY={key}")


@cli.group()
def newsletter() -> None:
    """The monthly newsletter: build numbered issues, send one to a recipients list."""


@newsletter.command("build")
@click.option("--month", metavar="YYYY-MM", help="Build the issue of this month (January 2020 is issue 121).")
@click.option("--all", "every", is_flag=True, help="Build every issue.")
@click.option("--out", type=click.Path(file_okay=False), default="build/newsletter", show_default=True,
              help="Folder for OUT/<NNN>/issue.html, issue.txt, issue.eml (relative to the repository root).")
@click.pass_context
def newsletter_build(ctx: click.Context, month: str | None, every: bool, out: str) -> None:
    """Write the e-mail of an issue (default: the newest one): HTML, plain text and .eml.

    Items come from content/nieuwsbrief/NNN.md when it lists them, else about nine published
    items of the month, mixed across city practices, announcements and events, studies, case
    fiches, the centre's news and policy news. Exit 1 on content errors, 2 on a bad option.
    """
    from kennisbank.newsletter.commands import build_command

    if month and every:
        raise UsageError("give --month or --all, not both")
    root = _root(ctx)
    build_command(root, root / out, month, every, echo=click.echo)


@newsletter.command("send")
@click.argument("number", type=click.IntRange(1))
@click.option("--to", "recipients", type=click.Path(exists=True, dir_okay=False),
              help="CSV with an `email` column and optionally `name` (default: the confirmed subscribers); "
                   "addresses unsubscribed or erased in the subscriber store are left out.")
@click.option("--dry-run", is_flag=True, help="List who would get the issue; send nothing.")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="At most this many messages a second.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False),
              help="Send log (default: next to the CSV, <list>.<NUMBER>.send-log.jsonl; for the store "
                   "var/subscribers.<NUMBER>.send-log.jsonl).")
@click.option("--issues", "issues_dir", type=click.Path(file_okay=False), default="build/newsletter",
              show_default=True, help="Where `newsletter build` wrote the issues (relative to the repository root).")
@click.option("--uncertain", type=click.Choice(["resend", "skip"]), default="resend", show_default=True,
              help="Recipients an interrupted run may or may not have reached: send again, or skip.")
@click.option("--force-log", is_flag=True,
              help="Use --log even though another send log exists for this issue and list "
                   "(everyone the other log recorded may get the issue twice).")
@click.pass_context
def newsletter_send(ctx: click.Context, number: int, recipients: str | None, dry_run: bool, rate: float | None,
                    log_path: str | None, issues_dir: str, uncertain: str, force_log: bool) -> None:
    """Send built issue NUMBER to every recipient, one message each, over SMTP.

    Recipients are the confirmed subscribers in the store (see `kennisbank subscribers`), each
    with a personal one-click unsubscribe link (needs KENNISBANK_SECRET); a reader who
    unsubscribes during the send is skipped. With --to, a CSV list instead.

    SMTP settings come from SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD and SMTP_STARTTLS=1.
    A send log records every delivery: after a crash or kill, run the same command again and it
    continues without sending anyone the issue twice. Exit 0 when everyone has the issue, 1 on
    errors (nothing or only part sent: rerun to continue), 2 on bad options, 3 when the server
    refused some recipients (each with its reason; the others still got the issue).

    One send log belongs to one issue and one list: a second log for the same pair is refused
    unless --force-log. Addresses with non-ASCII domains are sent as IDNA; non-ASCII local parts
    need a server that offers SMTPUTF8, otherwise that recipient is refused and logged.
    """
    from kennisbank.newsletter.commands import recipient_source, send_command

    root = _root(ctx)
    source = recipient_source(root, Path(recipients) if recipients else None)
    send_command(root, number, source, root / issues_dir, Path(log_path) if log_path else None,
                 dry_run, rate, uncertain, echo=lambda message: click.echo(message, err=True), force_log=force_log)


def _no_progress(done: int, total: int) -> None:
    return None
@cli.group()
def subscribers() -> None:
    """The newsletter's subscriber list (SQLite in var/, or PostgreSQL with DATABASE_URL).

    Sign-ups come from the site's form (double opt-in through POST /api/subscriptions);
    these commands are for the editors: look at the list, add people who gave consent elsewhere,
    import an existing list, export, erase someone on request, count for the year report.
    """


def _store(ctx: click.Context):  # type: ignore[no-untyped-def]
    from kennisbank.config import load_settings
    from kennisbank.subscribers.config import subscriber_config

    root = _root(ctx)
    settings = load_settings(root)
    return settings, subscriber_config(settings).open_store()


@subscribers.command("list")
@click.option("--status", type=click.Choice(["pending", "confirmed", "unsubscribed"]),
              help="Only subscribers with this status (default: all).")
@click.pass_context
def subscribers_list(ctx: click.Context, status: str | None) -> None:
    """Print every subscriber: status, name and address, organisation, consent source and time."""
    from kennisbank.subscribers.admin import list_lines

    _, store = _store(ctx)
    for line in list_lines(store.all(status)):
        click.echo(line)


@subscribers.command("add")
@click.argument("email")
@click.option("--name", default="", help="The subscriber's name.")
@click.option("--organisation", default="", help="The subscriber's organisation.")
@click.option("--source", default="beheer", show_default=True,
              help="Where the consent was given (kept as proof of consent).")
@click.option("--resubscribe", is_flag=True, help="Also add an address that unsubscribed or was erased.")
@click.option("--check-domain/--no-check-domain", default=None,
              help="Refuse addresses whose domain receives no e-mail (DNS); default: subscribe_check_domain.")
@click.pass_context
def subscribers_add(ctx: click.Context, email: str, name: str, organisation: str, source: str,
                    resubscribe: bool, check_domain: bool | None) -> None:
    """Add EMAIL as a confirmed subscriber (consent obtained elsewhere, e.g. at an event)."""
    from kennisbank.subscribers.admin import new_subscriber
    from kennisbank.subscribers.signup import SignupInvalid

    settings, store = _store(ctx)
    try:
        subscriber = new_subscriber(email, name, organisation, source,
                                    settings.subscribe_check_domain if check_domain is None else check_domain)
    except SignupInvalid as exc:
        raise UsageError(f"{exc.field}: {exc.message}") from None
    outcome = store.add(subscriber, resubscribe=resubscribe)
    messages = {"added": f"added {subscriber.email}", "exists": f"{subscriber.email} is already subscribed",
                "unsubscribed": f"{subscriber.email} unsubscribed earlier; add --resubscribe if they asked again",
                "erased": f"{subscriber.email} was erased on request; add --resubscribe if they asked again"}
    click.echo(messages[outcome])
    if outcome in ("unsubscribed", "erased"):
        sys.exit(1)


@subscribers.command("import")
@click.argument("csv_path", metavar="CSV", type=click.Path(exists=True, dir_okay=False))
@click.option("--source", help="Where this list's consent was given (default: import:<file name>).")
@click.option("--check-domain/--no-check-domain", default=None,
              help="Refuse addresses whose domain receives no e-mail (DNS); default: subscribe_check_domain.")
@click.pass_context
def subscribers_import(ctx: click.Context, csv_path: str, source: str | None, check_domain: bool | None) -> None:
    """Import an existing list as confirmed subscribers.

    CSV columns: email (required), name, organisation, consent_at (YYYY-MM-DD). Every row is
    checked first; one bad row imports nothing. Addresses that unsubscribed or were erased are
    never subscribed again by an import.
    """
    from kennisbank.subscribers.admin import import_rows, read_import

    settings, store = _store(ctx)
    path = Path(csv_path)
    rows = read_import(path, source or f"import:{path.name}"[:40],
                       settings.subscribe_check_domain if check_domain is None else check_domain)
    outcomes = import_rows(store, rows)
    click.echo(f"{outcomes['added']} added, {outcomes['exists']} already subscribed, "
               f"{outcomes['unsubscribed']} skipped (unsubscribed earlier), "
               f"{outcomes['erased']} skipped (erased on request)")


@subscribers.command("export")
@click.option("--email", help="Only this address (for a request to see one's own data).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the CSV here instead of to standard output.")
@click.pass_context
def subscribers_export(ctx: click.Context, email: str | None, out: str | None) -> None:
    """Write every stored field of every subscriber as CSV."""
    from kennisbank.subscribers.admin import write_export

    _, store = _store(ctx)
    rows = ([] if (found := store.find(email)) is None else [found]) if email else store.all()
    if out:
        with open(out, "w", encoding="utf-8", newline="") as handle:
            count = write_export(rows, handle)
        click.echo(f"{count} subscriber(s) written to {out}", err=True)
    else:
        write_export(rows, sys.stdout)


@subscribers.command("delete")
@click.argument("email")
@click.pass_context
def subscribers_delete(ctx: click.Context, email: str) -> None:
    """Erase every personal datum of EMAIL (right to erasure).

    Only a salted hash of the address stays, so that importing an old list does not subscribe it
    again. Exit 1 when the address is not in the store.
    """
    _, store = _store(ctx)
    if not store.erase(email):
        raise KennisbankError(f"{email} is not in the subscriber store")
    click.echo(f"erased {email}: only a salted hash of the address is kept")


@subscribers.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_context
def subscribers_stats(ctx: click.Context, as_json: bool) -> None:
    """Counts per status, and per month: sign-ups, confirmations, unsubscriptions."""
    from kennisbank.subscribers.admin import format_stats, stats_table

    _, store = _store(ctx)
    counts, months = stats_table(store)
    if as_json:
        click.echo(json.dumps({"status": counts, "months": [
            {"month": m, "signups": a, "confirmed": b, "unsubscribed": c} for m, a, b, c in months]}, indent=2))
        return
    for line in format_stats(counts, months):
        click.echo(line)


def main() -> None:
    cli(prog_name="kennisbank")


if __name__ == "__main__":
    main()
