"""The render's shortcuts (kennisbank.site.passthrough: staged pages skip MkDocs' Markdown step;
kennisbank.site.navcache: the nav sidebar rendered once per set of links) change no byte: the
whole sample site equals a plain `mkdocs build` of the same staged tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import built_sample


@pytest.fixture(scope="module")
def out(tmp_path_factory, sample_root) -> Path:
    return built_sample(tmp_path_factory, sample_root)


def _pages(out: Path, repo, settings):
    """MkDocs pages of the staged tree, sources read, with the config the build uses."""
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from kennisbank.site.render import mkdocs_config

    config = mkdocs_config(repo, settings, out / "docs", out / "unused-site")
    files = Files([File(p.relative_to(out / "docs").as_posix(), config.docs_dir, config.site_dir,
                        config.use_directory_urls) for p in sorted((out / "docs").rglob("*.md"))])
    pages = []
    for file in files.documentation_pages():
        page = Page(None, file, config)
        page.read_source(config)
        pages.append(page)
    return config, files, pages


def test_every_staged_page_renders_as_python_markdown_would(out, repo, sample_root):
    from mkdocs.structure.pages import Page

    from kennisbank.config import load_settings
    from kennisbank.site.passthrough import is_passthrough, normalised_html
    from kennisbank.staging import MARKER_KEY

    config, files, pages = _pages(out, repo, load_settings(sample_root))
    staged = [page for page in pages if is_passthrough(page, MARKER_KEY)]
    assert len(staged) > 300, "the sample site stages hundreds of pages"
    for page in staged:
        shortcut = normalised_html(page.markdown)
        Page.render(page, config, files)
        assert (page.file.src_uri, shortcut) == (page.file.src_uri, page.content)
        assert not page.toc.items


def test_a_hand_written_markdown_page_still_goes_through_markdown(tmp_path, repo, sample_root):
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from kennisbank.config import load_settings
    from kennisbank.site.render import mkdocs_config

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("---\ntitle: Hand\n---\n\n<p>eerst</p>\n\nTekst *nadruk*\n")
    config = mkdocs_config(repo, load_settings(sample_root), tmp_path / "docs", tmp_path / "site")
    file = File("index.md", config.docs_dir, config.site_dir, config.use_directory_urls)
    page = Page(None, file, config)
    page = config.plugins.on_pre_page(page, config=config, files=Files([file]))
    page.read_source(config)
    page.render(config, Files([file]))
    assert page.content == "<p>eerst</p>\n\n<p>Tekst <em>nadruk</em></p>"  # Markdown ran


@pytest.mark.parametrize("body", [
    "<div>\n<pre><code>a\tb\n\t\tc\n</code></pre>\n</div>",
    "<article>\n  \n<p>x</p>\r\n<p>y\ty</p>\n    \n</article>",
    "<div><h2 id=\"kop\">Kop</h2>\n\n<p>na een lege regel</p>\n\n\n<table><tr><td>1</td></tr></table></div>",
    "<section>\n<p>tekst &amp; &lt;geen tag&gt;</p>\n</section>\n\n\n",
])
def test_awkward_bodies_match_python_markdown(body):
    import markdown

    from kennisbank.site.passthrough import normalised_html

    assert normalised_html(body) == markdown.Markdown(extensions=["toc", "tables", "fenced_code"]).convert(body)


def test_the_site_equals_a_plain_mkdocs_build_of_the_same_tree(out, repo, sample_root, tmp_path):
    import filecmp

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from kennisbank.site.render import drop_from_sitemap, quiet_mkdocs, reproducible, write_config_file
    from kennisbank.sites import portal_settings

    plain = tmp_path / "plain-site"
    settings = portal_settings(sample_root)
    config_file = write_config_file(repo, settings, out / "docs", plain, tmp_path / "mkdocs.yml")
    with reproducible(repo), quiet_mkdocs():
        build(load_config(config_file=str(config_file)))
    # the steps after MkDocs: the sitemap lists canonical URLs only (fiches at home on a thematic
    # site leave it), and the web editor is written into admin/
    elsewhere = [i.url for i in repo.published if settings.sites.home(i) is not settings.sites.portal]
    drop_from_sitemap(plain, settings, elsewhere)
    ours = sorted(p.relative_to(out / "site").as_posix() for p in (out / "site").rglob("*")
                  if p.is_file() and not p.relative_to(out / "site").as_posix().startswith("admin/"))
    theirs = sorted(p.relative_to(plain).as_posix() for p in plain.rglob("*") if p.is_file())
    assert ours == theirs
    pages = [name for name in ours if name.endswith(".html")]
    assert len(pages) > 300
    _, mismatch, errors = filecmp.cmpfiles(out / "site", plain, ours, shallow=False)
    assert (mismatch, errors) == ([], [])
