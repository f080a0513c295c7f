"""Incremental re-rendering for `kennisbank serve`: an edit shows up in well under a second.

A full MkDocs build re-renders every page (~17 s at 2,000 items). The preview instead keeps the
last staging and a warm MkDocs state (config, files, nav, theme environment): after an edit it
reloads the repository, re-stages every page in memory (cheap: bodies are cached), compares the
result with what is on disk, and renders only the pages whose Markdown changed — the edited
item's page and every listing, theme, city, tag or related box that shows it. Pages added or
removed (a new file, a changed date moving items between listing pages) are handled too.

What the preview does not refresh: the pages and files of other stages (feeds, newsletter,
search) and ``sitemap.xml``; they are refreshed by a full build (``kennisbank build``, or an edit
of ``mkdocs.yml`` or the registries while serving).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kennisbank.content import Repository, load_repository
from kennisbank.site.render import mkdocs_config, quiet_mkdocs, reproducible
from kennisbank.site.rendercache import RenderCache
from kennisbank.site.stage import SitePages, page_texts, site_pages
from kennisbank.sites import portal_settings
from kennisbank.staging import MARKER_KEY

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation


@dataclass
class _MkDocsState:
    """What MkDocs set up once for the session: re-rendering a page needs all four."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment

_MINE = f"\n{MARKER_KEY}: "  # front-matter key only the site stage writes
_KEPT_KINDS = (f"{MARKER_KEY}: placeholder",)


@dataclass
class Update:
    """What one refresh changed (paths relative to the docs folder)."""

    rendered: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.rendered or self.removed or self.files)


def _folder(path: str) -> str:
    return path.split("/", 1)[0]


def _size_and_mtime(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


class Preview:
    """The staged tree and rendered site in ``out`` (from a full build), kept up to date."""

    def __init__(self, root: Path, out: Path, *, future: bool = False):
        self.root, self.out, self.future = root, out, future
        self.docs, self.site = out / "docs", out / "site"
        self._texts: dict[str, str] = {}
        self._cache = RenderCache()  # rendered HTML reused from one save to the next (bounded)
        self._mkdocs: _MkDocsState | None = None

    def start(self, repo: Repository | None = None) -> Update:
        """Warm MkDocs up on the existing build and bring it in line with the content."""
        repo = repo or load_repository(self.root, future=self.future)
        self._warm(repo)
        self._texts = {}
        for path in sorted(self.docs.rglob("*.md")):
            text = path.read_text(encoding="utf-8")
            if _MINE in text.partition("\n---")[0] and not any(k in text for k in _KEPT_KINDS):
                self._texts[path.relative_to(self.docs).as_posix()] = text
        return self.refresh(repo)

    def refresh(self, repo: Repository | None = None) -> Update:
        """Reload (raises ContentInvalid on errors, nothing changed), re-stage, render what differs.

        A page is removed only from a folder the site stage writes to: the pages of other stages
        (``volg-ons/``, ``nieuwsbrief/``) are never re-staged here and stay as the build left them."""
        repo = repo or load_repository(self.root, future=self.future)
        site = site_pages(repo, portal_settings(self.root), cache=self._cache)
        texts = page_texts(site, self._cache)
        folders = {_folder(path) for path in texts}
        update = Update(
            rendered=sorted(p for p, t in texts.items() if self._texts.get(p) != t),
            removed=sorted(p for p in set(self._texts) - set(texts) if _folder(p) in folders),
        )
        update.files = self._copy_files(site)
        for path in update.rendered:
            target = self.docs / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(texts[path], encoding="utf-8")
        self._render(repo, update)
        self._texts = texts
        return update

    # ------------------------------------------------------------------ MkDocs internals

    def _warm(self, repo: Repository) -> None:
        from mkdocs.structure.files import get_files, set_exclusions
        from mkdocs.structure.nav import get_navigation
        from mkdocs.structure.pages import Page

        config = mkdocs_config(repo, portal_settings(self.root), self.docs, self.site)
        config = config.plugins.on_config(config)
        files = get_files(config)
        env = config.plugins.on_env(config.theme.get_env(), config=config, files=files)
        files.add_files_from_theme(env, config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        for file in files.documentation_pages():
            if file.page is None:
                Page(None, file, config)
        self._mkdocs = _MkDocsState(config, files, nav, env)

    def _render(self, repo: Repository, update: Update) -> None:
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.files import File
        from mkdocs.structure.pages import Page

        assert self._mkdocs is not None, "start() warms MkDocs up first"
        config, files, nav, env = self._mkdocs.config, self._mkdocs.files, self._mkdocs.nav, self._mkdocs.env
        for path in update.removed:
            file = files.get_file_from_path(path)
            if file is not None:
                files.remove(file)
                Path(file.abs_dest_path).unlink(missing_ok=True)
            (self.docs / path).unlink(missing_ok=True)
        pages: list[Page] = []
        for path in update.rendered:
            file = files.get_file_from_path(path)
            if file is None:
                file = File(path, config.docs_dir, config.site_dir, config.use_directory_urls)
                files.append(file)
                Page(None, file, config)
            if file.page is not None:
                pages.append(file.page)
        if not pages:
            return
        doc_files = files.documentation_pages()
        with reproducible(repo), quiet_mkdocs():
            for page in pages:
                _populate_page(page, config, files)
            for page in pages:
                _build_page(page, config, doc_files, nav, env)

    def _copy_files(self, site: SitePages) -> list[str]:
        """Pictures and assets that are new or changed, copied into both docs and site."""
        copied = []
        for relative, source in sorted(site.files.items()):
            target = self.docs / relative
            if target.is_file() and _size_and_mtime(target) == _size_and_mtime(source):
                continue
            for folder in (self.docs, self.site):
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, folder / relative)
            copied.append(relative)
        return copied
