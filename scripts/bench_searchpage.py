"""Search page benchmark: time from a keystroke to rendered results, in headless Chromium.

    .venv/bin/python scripts/bench_searchpage.py [--queries 50] [--root .]

Builds the site of ``--root`` (the sample content by default) into a temporary folder, serves
site + API from one uvicorn process (``kennisbank.serve``'s app) on a free loopback port, and
opens /zoeken/ in Debian's Chromium. The page itself measures: ``zoeken.js`` notes the input
event's timestamp and, once the results are in the DOM, reports the difference in its
``kb-zoeken:rendered`` event; "painted" adds the time to the next animation frame. Two runs
over the same reproducible set of distinct words from the content:

* after a pause: the word minus its last letter is put in the box silently, then the last
  letter is typed — one request per word, no debounce (a keystroke after a pause searches at once);
* typing: words typed letter by letter at ~8 letters a second, every render counted; each
  keystroke of a burst waits for the 60 ms debounce.

Prints a Markdown table; numbers are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from local_server import free_port, wait_until_answering

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LISTEN = """window.__latencies = []; window.__painted = [];
document.addEventListener('kb-zoeken:rendered', e => {
  if (e.detail.latency === null) return;
  const t0 = performance.now();
  window.__latencies.push(e.detail.latency);
  requestAnimationFrame(() => window.__painted.push(e.detail.latency + performance.now() - t0));
});"""
PAUSE_MS = 350  # longer than zoeken.js's PAUSE_MS: the next keystroke starts a new burst
SERVER = """import sys, uvicorn
from pathlib import Path
from kennisbank.serve import create_app
app = create_app(Path(sys.argv[1]), Path(sys.argv[2]), watch=False, report=lambda m: None)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", lifespan="off")
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def words_from(repo, n: int, seed: int = 3) -> list[str]:
    """Distinct words of at least five letters from the titles, a reproducible sample."""
    found = sorted({w.lower() for item in repo.published for w in re.findall(r"[A-Za-zÀ-ÿ]{5,}", item.title)})
    return random.Random(seed).sample(found, min(n, len(found)))


def serve(root: Path, out: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(root), str(out), str(port)], cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    if wait_until_answering(url + "/api/health", 30, process=process):
        return process, url
    process.kill()
    raise SystemExit("the server did not start")


def wait_idle(page, count: int) -> None:
    page.wait_for_function(f"window.__painted.length >= {count} && "
                           "document.getElementById('kb-zoeken').dataset.state === 'ready'")


def last_keystroke(page, words: list[str]) -> tuple[list[float], list[float]]:
    page.evaluate("window.__latencies = []; window.__painted = []")
    box = page.locator("#kb-q")
    for n, word in enumerate(words, start=1):
        box.evaluate("(el, text) => { el.value = text; el.focus(); }", word[:-1])
        page.keyboard.type(word[-1])
        wait_idle(page, n)
        page.wait_for_timeout(PAUSE_MS)
    return page.evaluate("window.__latencies"), page.evaluate("window.__painted")


def typing(page, words: list[str], delay_ms: int = 125) -> tuple[list[float], list[float]]:
    page.evaluate("window.__latencies = []; window.__painted = []")
    box = page.locator("#kb-q")
    for word in words:
        box.evaluate("el => { el.value = ''; el.focus(); }")
        box.press_sequentially(word, delay=delay_ms)
        page.wait_for_function("document.getElementById('kb-zoeken').dataset.state === 'ready'")
        page.wait_for_timeout(delay_ms)
    return page.evaluate("window.__latencies"), page.evaluate("window.__painted")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from kennisbank.build import build
    from kennisbank.content import load_repository

    root = args.root.resolve()
    words = words_from(load_repository(root), args.queries)
    with tempfile.TemporaryDirectory(prefix="bench-searchpage-") as tmp:
        out = Path(tmp) / "build"
        build(root, out)
        process, url = serve(root, out)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.add_init_script(LISTEN)
                page.goto(url + "/zoeken/")
                page.wait_for_function("document.getElementById('kb-zoeken').dataset.state === 'ready'")
                last_keystroke(page, words[:5])  # warm-up: JIT, connections
                runs = {"one keystroke after a pause": last_keystroke(page, words),
                        "typing, ~8 letters/s (debounced)": typing(page, words[: max(1, len(words) // 2)])}
                browser.close()
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:  # open long-poll connections delay a graceful stop
                process.kill()
                process.wait()

    print(f"{len(words)} distinct words from the content of {root}\n")
    print("| run | renders | in DOM p50 | in DOM p95 | painted p50 | painted p95 | max |\n|---|---:|---:|---:|---:|---:|---:|")
    for name, (dom, painted) in runs.items():
        print(f"| {name} | {len(dom)} | {percentile(dom, 50):.1f} ms | {percentile(dom, 95):.1f} ms | "
              f"{percentile(painted, 50):.1f} ms | {percentile(painted, 95):.1f} ms | {max(painted):.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
