"""The web editor in headless Chromium: items made through Decap's UI only land where `check`
wants them and pass it; the editor refuses what the model refuses before anything is saved.

Each test gets a throw-away git copy of the sample repository (decap-server in git mode switches
branches there and runs `git add .`), a build of its site with /admin/, decap-server on a free
loopback port and kennisbank's app serving the site with the local backend in config.yml.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from cms_helpers import DIST, git, git_repository, running_editor
from site_helpers import launch_chromium

from kennisbank.cms.sandbox import choose, fill_church_fiche

pytestmark = [pytest.mark.browser, pytest.mark.npm, pytest.mark.slow]  # decap-cms and decap-server come from npm

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# a 2×2 PNG: enough for Decap to treat it as a picture
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")
TIMEOUT_MS = 60_000  # the machine is shared: Decap's 5 MB bundle may take a while to start


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not (DIST / "decap-cms.js").is_file():
        pytest.fail("decap-cms missing: run scripts/install-test-deps.sh (npm install)")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture()
def editor(tmp_path):
    repository = git_repository(tmp_path / "repo")
    with running_editor(repository, tmp_path / "out") as running:
        yield running


@pytest.fixture()
def page(browser, editor):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())  # "publish now?" and "leave the page?"
    page.goto(editor.url + "/admin/")
    page.get_by_role("button", name="Inloggen").click()
    yield page
    context.close()


def new_entry(page, editor, collection: str) -> None:
    page.goto(f"{editor.url}/admin/#/collections/{collection}/new")
    page.get_by_label("Titel").wait_for()


def save_for_review(page, repository: Path, branch: str) -> None:
    """Save (the editorial workflow commits to a branch of its own), then check that branch out:
    it holds what the pull request would carry."""
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("button", name="Status: Concept").wait_for()
    assert branch in branches(repository)
    git(repository, "checkout", "-q", branch)


def kennisbank_check(repository: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kennisbank.cli", "--root", str(repository), "check",
                           *map(str, paths)], capture_output=True, text=True, check=False)


def branches(repository: Path) -> list[str]:
    return git(repository, "branch", "--format=%(refname:short)").split()


def test_a_news_item_made_in_the_editor_lands_in_its_year_folder_and_passes_check(page, editor):
    new_entry(page, editor, "nieuws")
    page.get_by_label("Titel").fill("Proef met de webeditor: één bericht")
    page.get_by_label("Datum").fill("2026-11-20")
    page.get_by_label("Samenvatting").fill("Een bericht dat een redacteur in de webeditor schreef.")
    choose(page, "Categorie", "Aankondiging")
    choose(page, "Steden", "Gent", "Leuven")
    save_for_review(page, editor.repository, "cms/nieuws/2026/proef-met-de-webeditor-een-bericht")

    path = editor.repository / "content/nieuws/2026/proef-met-de-webeditor-een-bericht.md"
    assert path.is_file(), sorted(p.name for p in (editor.repository / "content/nieuws").rglob("*.md"))[-5:]
    text = path.read_text(encoding="utf-8")
    assert "category: aankondiging" in text and "- gent" in text
    result = kennisbank_check(editor.repository)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_church_fiche_with_a_photo_keeps_the_photo_beside_it_and_passes_check(page, editor, tmp_path):
    photo = tmp_path / "sint-pieterskerk.png"
    photo.write_bytes(PNG)
    new_entry(page, editor, "kerken")
    fill_church_fiche(page, "Sint-Pieterskerk Proefstad", photo, "De kerk met haar nieuwe leeszaal")
    preview = page.frame_locator("iframe").first
    assert preview.locator("img").first.get_attribute("alt") == "De kerk met haar nieuwe leeszaal"
    save_for_review(page, editor.repository, "cms/kerken/sint-pieterskerk-proefstad")

    fiche = editor.repository / "cases/kerken/sint-pieterskerk-proefstad.md"
    picture = editor.repository / "cases/kerken/fotos/sint-pieterskerk.png"
    added = git(editor.repository, "show", "--stat", "--format=", "HEAD")
    assert fiche.is_file() and picture.is_file(), added
    assert picture.read_bytes() == PNG
    assert "src: fotos/sint-pieterskerk.png" in fiche.read_text(encoding="utf-8")
    result = kennisbank_check(editor.repository)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_summary_over_400_characters_is_refused_before_saving(page, editor):
    new_entry(page, editor, "nieuws")
    page.get_by_label("Titel").fill("Te lange samenvatting")
    page.get_by_label("Datum").fill("2026-11-20")
    page.get_by_label("Samenvatting").fill("x" * 401)
    choose(page, "Categorie", "Beleidsnieuws")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Hoogstens 400 tekens.").first.wait_for()
    assert branches(editor.repository) == ["main"]
    page.get_by_label("Samenvatting").fill("x" * 400)
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("button", name="Status: Concept").wait_for()
    assert "cms/nieuws/2026/te-lange-samenvatting" in branches(editor.repository)


def test_a_missing_required_field_is_refused_before_saving(page, editor):
    new_entry(page, editor, "nieuws")
    page.get_by_label("Titel").fill("Zonder categorie")
    page.get_by_label("Datum").fill("2026-11-20")
    page.get_by_label("Samenvatting").fill("Hier ontbreekt de categorie.")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Categorie is vereist.", exact=False).wait_for()
    assert branches(editor.repository) == ["main"]
    assert not list((editor.repository / "content/nieuws").rglob("zonder-categorie.md"))


def axe_violations(target, decap_document: bool = False) -> list[dict]:
    """axe's violations; in the preview frame, the frame document itself (its title and language)
    is Decap's, the content is ours."""
    target.add_script_tag(path=str(AXE))
    options = "{rules: {'document-title': {enabled: false}, 'html-has-lang': {enabled: false}}}" if decap_document else "{}"
    return target.evaluate(
        f"axe.run(document, {options}).then(r => r.violations.map(v => ({{id: v.id, nodes: v.nodes.map(n => n.target)}})))")


def test_the_page_this_project_writes_and_the_preview_have_no_axe_violations(browser, editor):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.route("**/admin/decap-cms.js", lambda route: route.abort())  # the page before the editor loads
        page.goto(editor.url + "/admin/")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Webeditor")
        assert axe_violations(page) == []
        page.unroute("**/admin/decap-cms.js")
        page.goto(editor.url + "/admin/")
        page.get_by_role("button", name="Inloggen").click()
        new_entry(page, editor, "kerken")
        page.get_by_label("Titel").fill("Sint-Pieterskerk Proefstad")
        page.get_by_label("Samenvatting").fill("Een parochiekerk die een bibliotheek werd.")
        choose(page, "Huidige functies", "Bibliotheek")
        frame = page.frames[-1]
        frame.locator("h1").wait_for()
        assert frame.locator(".kb-facts dd").first.inner_text() == "Bibliotheek"  # the label, not the key
        assert axe_violations(frame, decap_document=True) == []
    finally:
        context.close()
