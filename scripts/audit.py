"""`make audit`: Lighthouse (performance, accessibility, best practices, SEO; desktop preset) on
one page of every page type of the sample site, printed as a table. Not part of `make test`
(~20 s a page).

Builds the sample site into a temporary folder, serves it on loopback, installs Lighthouse into
node_modules on first use (`npm install --no-save lighthouse`), and fails when a score < 0.95 or
a page could not be audited (each page is tried twice: a loaded machine sometimes loses Chrome's
connection). Performance is measured with Lighthouse's simulated throttling, so a busy machine
lowers it: run on a quiet machine before judging it.

    python scripts/audit.py [--page URL ...]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
THRESHOLD = 0.95


def pages(repo) -> list[str]:
    theme = next(t for t in repo.themes.values() if any(t.slug in i.themes for i in repo.published if i is not t))
    urls = ["/", "/nieuws/", theme.url, "/steden/gent/", repo.of_type("news")[0].url, repo.of_type("event")[0].url]
    urls += [repo.of_type(name)[0].url for name in ("churches", "city-projects", "temporary-use", "housing-instruments")]
    urls += ["/kerken/kaart/", "/agenda/", "/agenda/archief/", "/tags/", "/zoeken/", "/volg-ons/", "/nieuwsbrief/",
             "/404.html"]  # the last one: the 404 page (the static server here does not map errors to it)
    return urls


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", default=[], help="Only this URL path (repeatable).")
    args = parser.parse_args()
    from kennisbank.build import build
    from kennisbank.content import load_repository

    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "install", "--no-save", "lighthouse"], cwd=ROOT, check=True)
    out = Path(tempfile.mkdtemp(prefix="kb-audit-"))
    site = build(ROOT, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    rows: list[tuple[str, dict[str, float | None] | None]] = []
    for url in args.page or pages(load_repository(ROOT)):
        report = out / "report.json"
        scores = audit([str(LIGHTHOUSE), base + url, "--quiet", "--output=json", f"--output-path={report}",
                        f"--only-categories={','.join(CATEGORIES)}", "--preset=desktop", f"--chrome-flags={FLAGS}"],
                       report, env)
        rows.append((url, scores))
        print(f"{url}: {scores}", file=sys.stderr)
    server.shutdown()
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
