"""`kennisbank newsletter build` options, and pictures in the e-mail."""

from __future__ import annotations

import base64
import datetime as dt
import re

from click.testing import CliRunner
from feeds_helpers import replace_in
from site_helpers import copy_repository

from kennisbank.cli import cli
from kennisbank.config import load_settings
from kennisbank.content import load_repository
from kennisbank.newsletter import issue_for
from kennisbank.newsletter.render import render_issue
from kennisbank.site.stage import media_files

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def run(sample_root, *args):
    return CliRunner().invoke(cli, ["--root", str(sample_root), "newsletter", "build", *args])


def test_build_defaults_to_the_newest_issue_and_all_builds_every_one(sample_root, repo, settings, tmp_path):
    newest = run(sample_root, "--out", str(tmp_path / "one"))
    assert newest.exit_code == 0, newest.output
    from kennisbank.newsletter import published_issues

    numbers = [f"{issue.number:03d}" for issue in published_issues(repo, settings)]
    assert [p.name for p in (tmp_path / "one").iterdir()] == [numbers[0]]
    every = run(sample_root, "--all", "--out", str(tmp_path / "all"))
    assert every.exit_code == 0 and sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(numbers)


def test_bad_options_are_usage_errors(sample_root, tmp_path):
    both = run(sample_root, "--all", "--month", "2020-03", "--out", str(tmp_path))
    assert both.exit_code == 2 and "not both" in both.output
    empty = run(sample_root, "--month", "2035-01", "--out", str(tmp_path))
    assert empty.exit_code == 1 and "no issue for 2035-01 (issue 286)" in empty.output
    july = run(sample_root, "--month", "2020-07", "--out", str(tmp_path))
    assert july.exit_code == 2 and "2020-07 has no issue: month 7 is in newsletter_skip_months" in july.output


def test_raster_pictures_get_alt_text_and_an_absolute_url_the_site_publishes(tmp_path, sample_root):
    root = copy_repository(sample_root, tmp_path / "repo")
    repo = load_repository(root)
    issue = issue_for(repo, load_settings(root), dt.date(2020, 11, 1))
    news = next(item for item in issue.items if item.type.name == "news")
    (root / news.path).parent.joinpath("stadsfoto.png").write_bytes(PNG)
    replace_in(root / news.path, "\ncategory:", "\nimage:\n  src: stadsfoto.png\n  alt: Zicht op de binnenstad\ncategory:")
    repo = load_repository(root)
    settings = load_settings(root)
    html = render_issue(repo, settings, issue_for(repo, settings, dt.date(2020, 11, 1))).html
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 1
    assert 'alt="Zicht op de binnenstad"' in images[0]
    src = re.search(r'src="([^"]+)"', images[0])[1]
    assert src.startswith(settings.site_url + "media/")
    assert src.removeprefix(settings.site_url) in media_files(repo)
