"""Moving house: the old sites' URLs lead to their new pages.

Editors keep ``redirects.yml`` at the repository root: per site, a list of old paths (the old
SharePoint sites' ``/Paginas/studies-2020.aspx``) and where each now lives, as an item id
(``studies/foo``, ``nieuwsbrief/137``) or a path on that site (``/studies/``)::

    portaal:
      - {from: /Paginas/studies-2020.aspx, to: /studies/}
      - {from: /Nieuwsbrief/2021/Pages/NB137.aspx, to: nieuwsbrief/137}

`check` validates it (the site exists, every target exists, no redirect points at another
redirect, no loops); errors name ``redirects.yml:line: field``. The build writes, per site, a
static redirect page at each old path (meta refresh + canonical + a link: works on any static
host), a ``_redirects`` file (Netlify, Cloudflare Pages) and an nginx ``map`` in
``build/redirects/<site>.nginx``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from kennisbank.content import CONTENT_TYPES, Item, Repository
from kennisbank.errors import ContentError, ContentInvalid
from kennisbank.sites import Site, Sites, all_sites, current_site, whole_repository
from kennisbank.staging import DOCS

if TYPE_CHECKING:
    from kennisbank.context import BuildContext

REDIRECTS_FILE = "redirects.yml"
NGINX_FOLDER = "redirects"  # <tmp>/redirects/<site>.nginx, beside the sites (not published)
FIXED_PAGES = ("/", "/themas/", "/steden/", "/tags/", "/cases/", "/zoeken/", "/volg-ons/")


@dataclass(frozen=True)
class Redirect:
    """One old path of one site and where it leads: a root-relative ``path`` on the same site,
    or an absolute ``url`` on another (an item at home elsewhere)."""

    site: str
    old: str
    target: str  # as written: an item id or a path
    line: int
    field: str = ""  # where it is in the file, e.g. portaal[2]
    path: str = ""
    url: str = ""
    title: str = ""
    known: bool = True  # False: the path is no page of the site (fine only as another redirect's old path)

    @property
    def location(self) -> str:
        return self.url or self.path


def load_redirects(root: Path, sites: Sites, repo: Repository) -> list[Redirect]:
    """Every redirect, resolved and validated; raise :class:`ContentInvalid` on any error."""
    redirects, errors = read_redirects(root, sites, repo)
    if errors:
        raise ContentInvalid(errors)
    return redirects


def read_redirects(root: Path, sites: Sites, repo: Repository) -> tuple[list[Redirect], list[ContentError]]:
    path = root / REDIRECTS_FILE
    if not path.is_file():
        return [], []
    errors: list[ContentError] = []
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        return [], [ContentError(REDIRECTS_FILE, line, "file", f"cannot be read: {' '.join(str(exc).split())[:200]}")]
    if node is None:
        return [], []
    if not isinstance(node, yaml.MappingNode):
        return [], [ContentError(REDIRECTS_FILE, 1, "file", "must map site names to lists of {from, to}")]
    redirects = []
    for key, entries in node.value:
        site = sites.get(str(key.value))
        if site is None:
            errors.append(ContentError(REDIRECTS_FILE, key.start_mark.line + 1, str(key.value),
                                       f"no site {key.value!r}; sites: {', '.join(sites.names)}"))
            continue
        if not isinstance(entries, yaml.SequenceNode):
            errors.append(ContentError(REDIRECTS_FILE, key.start_mark.line + 1, site.name, "must be a list of {from, to}"))
            continue
        for index, entry in enumerate(entries.value):
            found = _entry(site, sites, repo, entry, f"{site.name}[{index}]", errors)
            if found is not None:
                redirects.append(found)
    errors.extend(_duplicates_chains_and_loops(redirects))
    return redirects, errors


def _entry(site: Site, sites: Sites, repo: Repository, node: yaml.Node, field: str,
           errors: list[ContentError]) -> Redirect | None:
    line = node.start_mark.line + 1

    def error(message: str, where: str = "") -> None:
        errors.append(ContentError(REDIRECTS_FILE, line, field + where, message))

    values = {str(k.value): v for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}
    old, target = values.get("from"), values.get("to")
    if set(values) != {"from", "to"} or not isinstance(old, yaml.ScalarNode) or not isinstance(target, yaml.ScalarNode):
        error("write each redirect as {from: /old/path.aspx, to: <item id or /new/path/>}")
        return None
    if not old.value.startswith("/") or any(c in old.value for c in ' "\'<>\\?#') or ".." in old.value:
        error(f"{old.value!r} must be an old path starting with / (no spaces, quotes, ?, # or ..)", ".from")
        return None
    to = target.value
    if to.startswith("/"):
        return Redirect(site.name, old.value, to, line, field, path=to, title=to, known=to in site_pages(site, repo))
    item = repo.by_id.get(to)
    if item is None or not repo.is_published(item):
        error(f"no published item {to!r} (an item id is <section>/<slug>, a path starts with /)", ".to")
        return None
    if site.shows(item):
        return Redirect(site.name, old.value, to, line, field, path=item.url, title=item.title)
    return Redirect(site.name, old.value, to, line, field, url=sites.canonical(item), title=item.title)


def site_pages(site: Site, repo: Repository) -> set[str]:
    """The pages a path target may name: fixed pages, listings, item, theme, city and tag pages
    and newsletter issues of what the site shows."""
    shown: list[Item] = [item for item in repo.published if site.shows(item)]
    pages = set(FIXED_PAGES) | {item.url for item in shown}
    pages |= {f"/{t.section}/" for t in CONTENT_TYPES if site.shows_type(t.name) and t.name not in ("theme", "page")}
    pages |= {f"/nieuws/{item.year}/" for item in shown if item.type.name == "news" and item.year}
    pages |= {f"/themas/{slug}/" for item in shown for slug in item.themes}
    pages |= {f"/steden/{slug}/" for item in shown for slug in item.cities}
    pages |= {f"/steden/{slug}/" for slug, city in repo.registries.cities.items() if city.centre_city}
    if site.types is None:
        pages |= {theme.url for theme in repo.themes.values()}
    return pages


def _duplicates_chains_and_loops(redirects: list[Redirect]) -> list[ContentError]:
    errors = []
    by_old: dict[tuple[str, str], Redirect] = {}
    for redirect in redirects:
        key = (redirect.site, redirect.old.lower())  # SharePoint paths are case-insensitive
        if key in by_old:
            errors.append(ContentError(REDIRECTS_FILE, redirect.line, f"{redirect.field}.from",
                                       f"{redirect.old} is already redirected on line {by_old[key].line}"))
        else:
            by_old[key] = redirect
    for redirect in redirects:
        seen, step = [redirect.old], by_old.get((redirect.site, redirect.path.lower())) if redirect.path else None
        while step is not None and step.old not in seen:
            seen.append(step.old)
            step = by_old.get((step.site, step.path.lower())) if step.path else None
        if step is not None:
            errors.append(ContentError(REDIRECTS_FILE, redirect.line, f"{redirect.field}.to",
                                       "redirect loop: " + " → ".join([*seen, step.old])))
        elif not redirect.known and len(seen) == 1:
            errors.append(ContentError(REDIRECTS_FILE, redirect.line, f"{redirect.field}.to",
                                       f"no page {redirect.path} on the site {redirect.site}"))
        elif len(seen) > 1:
            line = by_old[(redirect.site, redirect.path.lower())].line
            errors.append(ContentError(REDIRECTS_FILE, redirect.line, f"{redirect.field}.to",
                                       f"{redirect.path} is itself redirected (line {line}): "
                                       f"point at the final page, {seen[-1]} → ..."))
    return errors


def redirect_errors(root: Path, sites: Sites, repo: Repository) -> list[ContentError]:
    return read_redirects(root, sites, repo)[1]


# ---------------------------------------------------------------- output

def redirect_page(redirect: Redirect, site: Site) -> str:
    """A static page that sends visitors (and search engines) on: meta refresh, canonical, link."""
    to = html.escape(redirect.location)
    canonical = html.escape(redirect.url or site.absolute(redirect.path))
    title = html.escape(redirect.title)
    return (f'<!doctype html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Deze pagina is verhuisd</title>\n"
            f'<meta name="robots" content="noindex">\n<link rel="canonical" href="{canonical}">\n'
            f'<meta http-equiv="refresh" content="0; url={to}">\n</head>\n<body>\n'
            f'<p>Deze pagina is verhuisd naar <a href="{to}">{title}</a>.</p>\n</body>\n</html>\n')


def netlify_redirects(redirects: list[Redirect]) -> str:
    return "".join(f"{r.old} {r.location} 301\n" for r in redirects)


def nginx_map(redirects: list[Redirect], site: Site) -> str:
    variable = "$kennisbank_" + site.name.replace("-", "_") + "_redirect"
    lines = [f"# {site.title}: old paths → new pages (kennisbank build). In the site's server block:",
             f"#   if ({variable}) {{ return 301 {variable}; }}", f"map $uri {variable} {{", '    default "";']
    lines += [f'    "{r.old}" "{r.location}";' for r in redirects]
    return "\n".join([*lines, "}", ""])


def stage_redirects(context: BuildContext) -> None:
    """Build stage: the site's redirect pages and ``_redirects`` into ``<tmp>/docs`` (MkDocs copies
    them as they are), its nginx map into ``<tmp>/redirects.nginx``."""
    settings, files = context.settings, context.files
    site, sites = current_site(settings), all_sites(settings)
    mine = [r for r in load_redirects(settings.root, sites, whole_repository(context.repo)) if r.site == site.name]
    if not mine:
        return
    for redirect in mine:
        target = f"{DOCS}/{redirect.old.strip('/')}" + ("/index.html" if redirect.old.endswith("/") else "")
        files.write_text(target, redirect_page(redirect, site))
    files.write_text(f"{DOCS}/_redirects", netlify_redirects(mine))
    files.write_text("redirects.nginx", nginx_map(mine, site))
