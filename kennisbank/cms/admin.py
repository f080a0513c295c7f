"""Stage the web editor at ``/admin/``: Decap CMS from the site's own files, never a CDN.

Runs after the render (it needs the site's stylesheet names for the preview pane) and writes
``<tmp>/site/admin/``: ``index.html``, the generated ``config.yml``, the preview script, the
pre-save script (empty optional fields are left out of the file), and
the parts of the npm package ``decap-cms`` the browser loads (the main bundle, its lazily loaded
chunks and the two WebAssembly files; no source maps). Without the npm package the page says
how to install it, and the rest of the site is unaffected.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kennisbank.cms.config import cms_config, config_yaml
from kennisbank.config import Settings
from kennisbank.content import CONTENT_TYPES, Repository
from kennisbank.content.models import Theme

if TYPE_CHECKING:
    from kennisbank.context import BuildContext

ASSETS = Path(__file__).parent / "assets"
ADMIN = "admin"
DIST_ENV = "KENNISBANK_DECAP_DIST"  # another copy of decap-cms/dist (default: node_modules in the root)
BUNDLE = "decap-cms.js"


def decap_dist(root: Path) -> Path:
    """Where the decap-cms browser bundle is: ``$KENNISBANK_DECAP_DIST`` or ``node_modules``."""
    return Path(os.environ.get(DIST_ENV) or root / "node_modules" / "decap-cms" / "dist")


def bundle_files(dist: Path) -> list[Path]:
    """What the browser loads from the package: the bundle, its numbered chunks, the .wasm files."""
    if not (dist / BUNDLE).is_file():
        return []
    chunks = [p for p in dist.glob(f"*.{BUNDLE}") if p.name.split(".", 1)[0].isdigit()]
    return [dist / BUNDLE, *sorted(chunks), *sorted(dist.glob("*.wasm"))]


def theme_titles(repo: Repository) -> dict[str, str]:
    """Theme slug → title, for the theme selects (drafts included: a reference to one is valid)."""
    themes = sorted(repo.of_type("theme", include_drafts=True), key=lambda t: (t.meta_as(Theme).order, t.title, t.slug))
    return {theme.slug: theme.title for theme in themes}


def repository_config(repo: Repository, settings: Settings) -> dict[str, object]:
    return cms_config(settings, repo.registries, theme_titles(repo))


def site_stylesheets(site: Path) -> list[str]:
    """The rendered site's stylesheets, relative to ``/admin/`` (Material's, then kennisbank's)."""
    found = sorted((site / "assets" / "stylesheets").glob("*.css")) + sorted((site / "assets").glob("*.css"))
    return ["../" + p.relative_to(site).as_posix() for p in found]


def index_html(settings: Settings, styles: Iterable[str], bundled: bool) -> str:
    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["html"]))
    return env.get_template("index.html").render(
        site_name=settings.site_name, home="../", bundled=bundled, styles=json.dumps(list(styles)),
        collections=json.dumps([ctype.section for ctype in CONTENT_TYPES]))


def stage_admin(context: BuildContext) -> None:
    """Write ``<tmp>/site/admin/`` (a build stage; runs after the site is rendered)."""
    settings, files = context.settings, context.files
    site = context.tmp / "site"
    bundle = bundle_files(decap_dist(settings.root))
    for source in bundle:
        _link_or_copy(source, files.claim(f"site/{ADMIN}/{source.name}"))
    files.write_text(f"site/{ADMIN}/config.yml", config_yaml(repository_config(context.repo, settings)))
    files.write_text(f"site/{ADMIN}/index.html", index_html(settings, site_stylesheets(site), bool(bundle)))
    for name in ("preview.js", "save.js", "admin.css"):
        files.copy(f"site/{ADMIN}/{name}", ASSETS / name)


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link when the package and the build share a file system (6 MB per build saved)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
