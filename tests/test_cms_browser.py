"""The web editor in headless Chromium: items made through Decap's UI only land where `check`
wants them and pass it; the editor refuses what the model refuses before anything is saved.

Each test gets a throw-away git copy of the sample repository (decap-server in git mode switches
branches there and runs `git add .`), a build of its site with /admin/, decap-server on a free
loopback port and kennisbank's app serving the site with the local backend in config.yml.
"""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from cms_helpers import DIST, git, git_repository, running_editor
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from site_helpers import launch_chromium

from kennisbank.cms.sandbox import choose, fill_church_fiche, publish_now

pytestmark = [pytest.mark.browser, pytest.mark.npm, pytest.mark.slow]  # decap-cms and decap-server come from npm

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# a 2×2 PNG: enough for Decap to treat it as a picture
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")
TIMEOUT_MS = 60_000  # the machine is shared: Decap's 5 MB bundle may take a while to start
# The build's today in the tests that build or check what the editor made (SOURCE_DATE_EPOCH), so
# an item dated before it is published whatever the machine's clock says.
TODAY = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


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
    try:
        page.get_by_role("button", name="Status: Concept").wait_for()
    except PlaywrightTimeout:  # say what the editor shows instead (a refused field, an error toast)
        pytest.fail("not saved; the editor shows:\n" + page.locator("body").inner_text()[:3000])
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


def preview_photo_width(page) -> int:
    """The natural width of the first photo in the preview pane once it has loaded (0: broken)."""
    frame = page.locator("iframe").first.element_handle().content_frame()
    loaded = frame.wait_for_function("""() => {
        const img = document.querySelector(".kb-gallery img");
        return img && img.complete && img.src.startsWith("blob:") ? String(img.naturalWidth) : null;
    }""")
    return int(loaded.json_value())


def test_the_preview_shows_the_uploaded_photo_before_and_after_saving_and_when_reopened(page, editor, tmp_path):
    photo = tmp_path / "sint-pieterskerk.png"
    photo.write_bytes(PNG)  # 2 × 2 pixels
    new_entry(page, editor, "kerken")
    fill_church_fiche(page, "Sint-Pieterskerk Proefstad", photo, "De kerk met haar nieuwe leeszaal")
    assert preview_photo_width(page) == 2
    page.get_by_role("button", name="Opslaan").click()
    try:
        page.get_by_role("button", name="Status: Concept").wait_for()
    except PlaywrightTimeout:  # say what the editor shows instead (a refused field, an error toast)
        pytest.fail("not saved; the editor shows:\n" + page.locator("body").inner_text()[:3000])
    assert preview_photo_width(page) == 2
    page.goto("about:blank")  # a fresh editor: the photo now comes from the branch, not from memory
    page.goto(f"{editor.url}/admin/#/collections/kerken/entries/sint-pieterskerk-proefstad")
    page.get_by_role("button", name="Status: Concept").wait_for()
    assert preview_photo_width(page) == 2


def test_a_new_fiche_can_reuse_a_photo_of_its_collection_and_the_preview_shows_it(page, editor):
    """The picture library of a fiche not saved yet lists the collection's fotos/ (Decap resolved a
    relative media folder against the collection folder until the first save: cases/kerken/)."""
    new_entry(page, editor, "kerken")
    fill_church_fiche(page, "Sint-Pieterskerk Proefstad", "heilig-hartkerk-hasselt.svg", "De kerk in Hasselt")
    assert preview_photo_width(page) > 0
    save_for_review(page, editor.repository, "cms/kerken/sint-pieterskerk-proefstad")

    fiche = editor.repository / "cases/kerken/sint-pieterskerk-proefstad.md"
    assert "src: fotos/heilig-hartkerk-hasselt.svg" in fiche.read_text(encoding="utf-8")
    assert git(editor.repository, "diff", "--name-only", "main", "HEAD").split() == [
        "cases/kerken/sint-pieterskerk-proefstad.md"]  # the photo is reused, not copied
    assert preview_photo_width(page) > 0
    result = kennisbank_check(editor.repository)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_published_church_fiche_is_merged_into_main_and_its_page_is_built(page, editor, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(TODAY.timestamp())))
    photo = tmp_path / "sint-pieterskerk.png"
    photo.write_bytes(PNG)
    new_entry(page, editor, "kerken")
    fill_church_fiche(page, "Sint-Pieterskerk Proefstad", photo, "De kerk met haar nieuwe leeszaal",
                      date=(TODAY.date() - dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Opslaan").click()
    try:
        page.get_by_role("button", name="Status: Concept").wait_for()
    except PlaywrightTimeout:  # say what the editor shows instead (a refused field, an error toast)
        pytest.fail("not saved; the editor shows:\n" + page.locator("body").inner_text()[:3000])
    assert "cms/kerken/sint-pieterskerk-proefstad" in branches(editor.repository)

    publish_now(page)
    repository = editor.repository
    assert branches(repository) == ["main"]  # merged, and the editorial branch deleted
    assert git(repository, "branch", "--show-current").strip() == "main"
    on_main = git(repository, "ls-tree", "-r", "--name-only", "main").split()
    assert {"cases/kerken/sint-pieterskerk-proefstad.md", "cases/kerken/fotos/sint-pieterskerk.png"} <= set(on_main)
    assert git(repository, "status", "--porcelain") == ""
    result = kennisbank_check(repository)
    assert result.returncode == 0, result.stdout + result.stderr

    from kennisbank.build import build

    site = build(repository, tmp_path / "published")
    html = (site / "kerken" / "sint-pieterskerk-proefstad" / "index.html").read_text(encoding="utf-8")
    assert "Sint-Pieterskerk Proefstad" in html
    assert '<img src="/media/cases/kerken/fotos/sint-pieterskerk.png" alt="De kerk met haar nieuwe leeszaal"' in html
    assert (site / "media" / "cases" / "kerken" / "fotos" / "sint-pieterskerk.png").read_bytes() == PNG


def test_an_event_starting_next_year_lands_in_the_folder_of_its_start_year(page, editor, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(TODAY.timestamp())))
    new_entry(page, editor, "agenda")
    page.get_by_label("Titel").fill("Studiedag herbestemming van kerken")
    page.get_by_label("Datum").fill(f"{TODAY.year}-11-20")  # announced this year ...
    page.get_by_label("Samenvatting").fill("Een studiedag over kerken die een nieuwe bestemming krijgen.")
    choose(page, "Soort activiteit", "Studiedag")
    page.get_by_label("Begin").fill(f"{TODAY.year + 1}-03-16T14:00")  # ... held next year
    page.get_by_label("Locatie").fill("Stadhuis Gent")
    page.get_by_role("button", name="Voeg organisatoren toe").click()
    page.locator("input[id^=waarde-field]").fill("Kenniscentrum Vlaamse Steden")
    branch = f"cms/agenda/{TODAY.year + 1}/studiedag-herbestemming-van-kerken"
    save_for_review(page, editor.repository, branch)

    event = editor.repository / f"content/agenda/{TODAY.year + 1}/studiedag-herbestemming-van-kerken.md"
    assert event.is_file(), git(editor.repository, "show", "--stat", "--format=", "HEAD")
    text = event.read_text(encoding="utf-8")
    assert f"start: {TODAY.year + 1}-03-16 14:00" in text
    assert "\nend:" not in text  # left empty in the form: left out of the file, not `end: ''`
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
    try:
        page.get_by_role("button", name="Status: Concept").wait_for()
    except PlaywrightTimeout:  # say what the editor shows instead (a refused field, an error toast)
        pytest.fail("not saved; the editor shows:\n" + page.locator("body").inner_text()[:3000])
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
