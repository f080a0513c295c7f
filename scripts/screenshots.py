"""Screenshots of the sample site for the README and reviews: home, a listing, a collection
filtered on its status, a fiche with its map, a map page, the agenda and the search page, at 1280 px (desktop) and 390 px (phone).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--full-page]

Builds the sample site into a temporary folder, serves it (and the search API) on loopback with
`kennisbank serve`'s app, and drives Debian's Chromium with Playwright. Requests outside the
site (map tiles) are blocked, so the pictures are the same offline; the maps then show their
markers on a grey background.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from local_server import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def pages(repo) -> dict[str, str]:
    fiche = next(i for i in repo.of_type("churches") if getattr(i.meta, "coordinates", None))
    status = Counter(i.meta.status for i in repo.of_type("churches")).most_common(1)[0][0]
    return {"home": "/", "listing": "/nieuws/", "collectie": f"/kerken/?status={status}", "fiche": fiche.url,
            "kaart": "/kerken/kaart/", "agenda": "/agenda/", "zoeken": "/zoeken/?q=kerk"}


def serve(out: Path, port: int) -> None:
    import uvicorn

    from kennisbank.serve import create_app

    app = create_app(ROOT, out, watch=False, report=lambda message: None)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    threading.Thread(target=uvicorn.Server(config).run, daemon=True).start()
    if not wait_until_answering(f"http://127.0.0.1:{port}/", 30, interval=0.1):
        raise SystemExit("the preview server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full-page", action="store_true", help="whole pages instead of the first screen")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from kennisbank.build import build
    from kennisbank.content import load_repository

    out = Path(tempfile.mkdtemp(prefix="kb-shots-"))
    build(ROOT, out)
    port = free_port()
    serve(out, port)
    base = f"http://127.0.0.1:{port}"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for device, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-BE",
                                          device_scale_factor=1)
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                          else route.abort())
            page = context.new_page()
            for name, url in pages(load_repository(ROOT)).items():
                page.goto(base + url, wait_until="load")
                if name == "zoeken":  # the results come from the search API
                    page.wait_for_function("document.getElementById('kb-status').textContent.length > 0", timeout=30000)
                if name == "collectie":  # the filtered fiches come from the collection's index
                    page.locator("#kb-lijstfilter-results").wait_for(timeout=30000)
                page.wait_for_timeout(800)
                target = args.out / f"{name}-{device}.png"
                page.screenshot(path=str(target), full_page=args.full_page)
                print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
