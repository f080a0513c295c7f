"""One build context: settings, repository and feed catalog built once and passed to every stage;
one writer for every staged file, which refuses two writes to one path."""

from __future__ import annotations

import pytest

from kennisbank import build as build_module
from kennisbank.context import BuildContext
from kennisbank.errors import KennisbankError
from kennisbank.feeds import catalog as catalog_module
from kennisbank.feeds import stage_feeds
from kennisbank.newsletter import stage_newsletter
from kennisbank.site import stage_site
from kennisbank.staging import StagedFiles


def test_the_writer_refuses_a_second_write_to_one_path_naming_both_writers(tmp_path):
    files = StagedFiles(tmp_path)
    files.stage = "stage_site"
    files.write_text("docs/volg-ons/index.md", "eerste")
    files.stage = "stage_feeds"
    with pytest.raises(KennisbankError, match=r"docs/volg-ons/index.md is written twice \(by stage_site, then by "
                                              r"stage_feeds\)"):
        files.write_text("/docs/volg-ons/index.md", "tweede")
    assert (tmp_path / "docs" / "volg-ons" / "index.md").read_text(encoding="utf-8") == "eerste"


def test_the_feed_catalog_is_built_once_for_every_stage_that_needs_it(repo, settings, tmp_path, monkeypatch):
    built = []
    original = catalog_module.FeedCatalog.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(catalog_module.FeedCatalog, "__init__", counting)
    context = BuildContext(repo, settings, tmp_path)
    for stage in (stage_site, stage_feeds, stage_newsletter):
        context.files.stage = stage.__name__
        stage(context)
    assert len(built) == 1
    assert (tmp_path / "docs" / "feeds" / "alles.xml").is_file() and (tmp_path / "docs" / "nieuwsbrief").is_dir()


def test_writing_a_path_another_stage_wrote_fails_the_stage(repo, settings, tmp_path):
    context = BuildContext(repo, settings, tmp_path)
    context.files.stage = "stage_feeds"
    stage_feeds(context)
    context.files.stage = "a second feeds stage"
    with pytest.raises(KennisbankError, match=r"docs/feeds/\S+ is written twice \(by stage_feeds, then by a second"):
        stage_feeds(context)


def test_stages_are_callables_in_order_pages_before_the_render_and_the_editor_after_it():
    stages = [*build_module.SITE_STAGES, *build_module.SHARED_STAGES, build_module.RENDER,
              *build_module.PORTAL_AFTER_RENDER]
    assert all(callable(s) for s in stages)
    names = [stage.__name__ for stage in stages]
    assert names[0] == "stage_site" and names[-2:] == ["render_site", "stage_admin"]
