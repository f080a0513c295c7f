"""`make audit`: Lighthouse (accessibility, best practices, SEO; desktop preset) on the sample
site's key pages, printed as a table. Not part of `make test` (~17 s a page).

Builds the sample site into a temporary folder, serves it on loopback, installs Lighthouse into
node_modules on first use (`npm install --no-save lighthouse`), and fails when a score < 0.95.
"""

from __future__ import annotations

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
CATEGORIES = ("accessibility", "best-practices", "seo")
FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
THRESHOLD = 0.95


def pages(repo) -> list[str]:
    theme = next(t for t in repo.themes.values() if any(t.slug in i.themes for i in repo.published if i is not t))
    urls = ["/", "/nieuws/", theme.url, "/steden/gent/", repo.of_type("news")[0].url, repo.of_type("event")[0].url]
    urls += [repo.of_type(name)[0].url for name in ("churches", "city-projects", "temporary-use", "housing-instruments")]
    urls += ["/kerken/kaart/", "/agenda/", "/agenda/archief/", "/tags/", "/zoeken/", "/volg-ons/"]
    return urls


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main() -> int:
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
    rows, failed = [], False
    for url in pages(load_repository(ROOT)):
        report = out / "report.json"
        subprocess.run([str(LIGHTHOUSE), base + url, "--quiet", "--output=json", f"--output-path={report}",
                        f"--only-categories={','.join(CATEGORIES)}", "--preset=desktop", f"--chrome-flags={FLAGS}"],
                       check=True, env=env)
        scores = {c: json.loads(report.read_text())["categories"][c]["score"] for c in CATEGORIES}
        failed |= any(score is None or score < THRESHOLD for score in scores.values())
        rows.append((url, scores))
        print(f"{url}: " + ", ".join(f"{c} {s}" for c, s in scores.items()), file=sys.stderr)
    server.shutdown()
    print("\n| page | accessibility | best practices | SEO |\n|---|---:|---:|---:|")
    for url, scores in rows:
        print(f"| {url} | " + " | ".join(f"{scores[c]:.2f}" if scores[c] is not None else "–" for c in CATEGORIES) + " |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
