"""Screenshots of the real web editor for docs/editors.md (docs/editors/*.png).

Runs the editor exactly as `kennisbank serve --cms` does (the built site with /admin/, Decap's
decap-server in git mode), but on a throw-away git copy of this repository's content, and drives
it with headless Chromium (Debian's /usr/bin/chromium). Usage:

    .venv/bin/python scripts/editor_screenshots.py [--out docs/editors]

Needs `npm install` (decap-cms, decap-server) and Playwright's Python package.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from kennisbank.cms.sandbox import choose, fill_church_fiche, git_copy, running_editor

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PICTURE = ROOT / "cases" / "kerken" / "fotos" / "heilig-hartkerk-hasselt.svg"  # a drawing from the sample


def open_editor(page, url: str, route: str) -> None:
    """A full page load: a mere change of the #route keeps the previous form's unsaved values."""
    page.goto("about:blank")
    page.goto(f"{url}/admin/#{route}")


def shoot(page, out: Path, name: str) -> None:
    page.wait_for_timeout(600)  # let transitions settle
    page.screenshot(path=str(out / f"{name}.png"))
    print(out / f"{name}.png")


def take(url: str, out: Path, photo: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="nl-BE")
        page.set_default_timeout(90_000)
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(url + "/admin/")
        page.get_by_role("button", name="Inloggen").wait_for()
        shoot(page, out, "inloggen")
        page.get_by_role("button", name="Inloggen").click()
        open_editor(page, url, "/collections/kerken")
        page.get_by_text("Heilig-Hartkerk Hasselt").first.wait_for()
        shoot(page, out, "collecties")

        open_editor(page, url, "/collections/nieuws/new")
        page.get_by_label("Titel").fill("Seminarie over stedelijk samenleven")
        page.get_by_label("Datum").fill("2026-11-20")
        page.get_by_label("Samenvatting").fill("Het Kenniscentrum nodigt medewerkers van de steden uit op een "
                                               "seminarie over samenleven in diversiteit.")
        choose(page, "Categorie", "Aankondiging")
        shoot(page, out, "nieuwsbericht")
        page.get_by_label("Samenvatting").fill("Een samenvatting die veel te lang is. " * 12)
        page.get_by_role("button", name="Opslaan").click()
        page.get_by_text("Hoogstens 400 tekens.").first.wait_for()
        page.get_by_label("Samenvatting").scroll_into_view_if_needed()
        shoot(page, out, "te-lange-samenvatting")

        open_editor(page, url, "/collections/kerken/new")
        page.get_by_role("button", name="Voeg foto's toe").click()
        page.get_by_role("button", name="Kies een afbeelding").click()
        page.locator("input[type=file]").set_input_files(str(photo))
        page.get_by_role("button", name="Gebruik selectie").wait_for()
        shoot(page, out, "foto-kiezen")
        open_editor(page, url, "/collections/kerken/new")
        fill_church_fiche(page, "Sint-Pieterskerk Gent", photo, "De kerk met haar nieuwe leeszaal")
        page.get_by_role("button", name="Opslaan").click()
        page.get_by_role("button", name="Status: Concept").wait_for()
        shoot(page, out, "fiche-opgeslagen")
        open_editor(page, url, "/workflow")
        page.get_by_text("Sint-Pieterskerk Gent").first.wait_for()
        shoot(page, out, "werkstroom")

        open_editor(page, url, "/collections/kerken/entries/sint-pieterskerk-gent")
        page.get_by_role("button", name="Status: Concept").click()
        page.get_by_role("menuitem", name="Klaar").click()
        page.get_by_role("button", name="Publiceer", exact=True).click()
        page.get_by_role("menuitem", name="Publiceer nu").wait_for()
        shoot(page, out, "publiceren")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "editors", help="folder for the PNG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kennisbank-editor-") as scratch:
        base = Path(scratch)
        photo = base / "sint-pieterskerk.svg"
        photo.write_bytes(PICTURE.read_bytes())
        repository = git_copy(ROOT, base / "repo")
        with running_editor(ROOT, repository, base / "out") as editor:
            take(editor.url, args.out, photo)


if __name__ == "__main__":
    main()
