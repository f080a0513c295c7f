"""`make audit`: Lighthouse (performance, accessibility, best practices, SEO; desktop preset) on
one page of every page type of the sample portal, and the home, listing, map, fiche and search
pages of every thematic site, printed as a table. Not part of `make test` (~20 s a page).

Builds and serves the sample sites with `kennisbank serve` (so /zoeken/ has its search API; every
site under /<name>/) into a temporary folder on a free loopback port, installs Lighthouse into
node_modules on first use (`npm install --no-save lighthouse`), and fails when a score < 0.95 or
a page could not be audited (each page is tried twice: a loaded machine sometimes loses Chrome's
connection). Performance is measured with Lighthouse's simulated throttling, so a busy machine
lowers it: run on a quiet machine before judging it.

    python scripts/audit.py [--page URL ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local_server import free_port, wait_until_answering

from kennisbank.content import CONTENT_TYPES

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
THRESHOLD = 0.95


def pages(repo, sites) -> list[str]:
    """The portal's pages, then each thematic site's: under /<site>/ as `kennisbank serve` shows them
    (without a prefix when the repository has one site)."""
    from kennisbank.site.maps import located, map_url

    def at(site, path: str) -> str:
        return (f"/{site.name}" if len(sites.all) > 1 else "") + path

    theme = next(t for t in repo.themes.values() if any(t.slug in i.themes for i in repo.published if i is not t))
    urls = ["/", "/nieuws/", theme.url, "/steden/gent/", repo.of_type("news")[0].url, repo.of_type("event")[0].url]
    urls += [repo.of_type(name)[0].url for name in ("churches", "city-projects", "temporary-use", "housing-instruments")]
    urls += ["/kerken/kaart/", "/agenda/", "/agenda/archief/", "/tags/", "/zoeken/", "/volg-ons/", "/nieuwsbrief/",
             "/404.html"]  # the last one: the 404 page (the static server here does not map errors to it)
    found = [at(sites.portal, url) for url in urls]
    for site in sites.all[1:]:
        for ctype in (t for t in CONTENT_TYPES if site.shows_type(t.name) and t.is_case):
            fiches = repo.of_type(ctype.name)
            found += [at(site, "/"), at(site, f"/{ctype.section}/"), *([at(site, fiches[0].url)] if fiches else []),
                      *([at(site, map_url(ctype.section))] if located(fiches) else []), at(site, "/zoeken/")]
    return list(dict.fromkeys(found))


def audit(lighthouse_args: list[str], report: Path, env: dict[str, str]) -> dict[str, float | None] | None:
    """The page's scores, or None when Lighthouse failed twice."""
    for _attempt in range(2):
        report.unlink(missing_ok=True)
        done = subprocess.run(lighthouse_args, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode == 0 and report.is_file():
            categories = json.loads(report.read_text())["categories"]
            return {c: categories[c]["score"] for c in CATEGORIES}
        print(done.stderr.strip().splitlines()[-1:] or "lighthouse failed", file=sys.stderr)
    return None


def _answers(base: str, server: subprocess.Popen[bytes]) -> bool:
    """Wait for `kennisbank serve` (it builds first) to answer."""
    if wait_until_answering(base + "/", 600, process=server, interval=1, request_timeout=5):
        return True
    print("kennisbank serve did not start", file=sys.stderr)
    server.terminate()
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", default=[], help="Only this URL path (repeatable).")
    args = parser.parse_args()
    from kennisbank.content import load_repository
    from kennisbank.sites import load_all_sites

    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "install", "--no-save", "lighthouse"], cwd=ROOT, check=True)
    out = Path(tempfile.mkdtemp(prefix="kb-audit-"))
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("kennisbank")), "serve", "--port", str(port), "--out", str(out)],
                              cwd=ROOT, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    if not _answers(base, server):
        return 1
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    rows: list[tuple[str, dict[str, float | None] | None]] = []
    for url in args.page or pages(load_repository(ROOT), load_all_sites(ROOT)):
        report = out / "report.json"
        scores = audit([str(LIGHTHOUSE), base + url, "--quiet", "--output=json", f"--output-path={report}",
                        f"--only-categories={','.join(CATEGORIES)}", "--preset=desktop", f"--chrome-flags={FLAGS}"],
                       report, env)
        rows.append((url, scores))
        print(f"{url}: {scores}", file=sys.stderr)
    server.terminate()
    server.wait(30)
    print(f"\nload average {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} cores")
    print("\n| page | performance | accessibility | best practices | SEO |\n|---|---:|---:|---:|---:|")
    for url, got in rows:
        cells = [f"{got[c]:.2f}" if got and got[c] is not None else "not audited" for c in CATEGORIES]
        print(f"| {url} | " + " | ".join(cells) + " |")
    failed = [url for url, got in rows if got is None or any(v is None or v < THRESHOLD for v in got.values())]
    if failed:
        print(f"\nbelow {THRESHOLD} or not audited: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
