"""Benchmark `kennisbank build` against a bare `mkdocs build` of the same pages, and the edit →
refreshed-page latency of `kennisbank serve`. Prints tables; record them in docs/benchmarks.md.

    python scripts/bench_build.py [--items 2000 10000] [--edits 5] [--work DIR]

Corpora come from scripts/generate_corpus.py (deterministic); "sample" is this repository.
Every time is given as wall clock and as CPU seconds (this process for the in-process build,
the child for the bare `mkdocs build`): on a shared machine the CPU column shows the work, the
wall column the waiting. The serve benchmark runs `kennisbank serve` as its own process, as a
user would, and plays the browser from this one: it long-polls ``/__livereload`` as the page's
reload script does and loads the item page and its listing once the version changed.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local_server import free_port, wait_until_answering  # scripts/ is first on the path


def corpus(items: int, work: Path) -> Path:
    target = work / f"corpus-{items}"
    if not (target / "content").is_dir():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_corpus.py"), "--items", str(items),
                        "--out", str(target)], check=True, stdout=subprocess.DEVNULL)
    return target


def timed_build(root: Path, out: Path) -> dict[str, float]:
    from kennisbank.build import build

    times: dict[str, float] = {}

    def report(message: str) -> None:
        match = re.match(r"(\w+)(?: \[[^\]]*\])? \(([\d.]+) s\)", message)  # per site: "stage_site [kerken] (..)"
        if match:
            times[match.group(1)] = times.get(match.group(1), 0.0) + float(match.group(2))
        elif match := re.match(r"checked \d+ items \(([\d.]+) s\)", message):
            times["load"] = float(match.group(1))

    started, cpu = time.monotonic(), time.process_time()
    build(root, out, report=report)
    times["total"] = time.monotonic() - started
    times["cpu"] = time.process_time() - cpu
    return times


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_mkdocs(root: Path, out: Path, work: Path) -> tuple[float, float]:
    """`mkdocs build` of the staged tree the build left in out/docs, with the same configuration:
    (wall seconds, CPU seconds of the child)."""
    from kennisbank.config import load_settings
    from kennisbank.content import load_repository
    from kennisbank.site.render import write_config_file

    repo = load_repository(root)
    config = write_config_file(repo, load_settings(root), out / "docs", work / "bare-site", work / "bare-mkdocs.yml")
    started, cpu = time.monotonic(), _children_cpu()
    subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "-q", "-f", str(config)], check=True,
                   stderr=subprocess.DEVNULL)
    return time.monotonic() - started, _children_cpu() - cpu


def edit_latency(root: Path, out: Path, edits: int) -> tuple[list[float], list[float], list[tuple[float, float]]]:
    """Seconds from saving a news item to the refreshed item page / news listing being served,
    and the refresh times the server reports (reload, re-stage, render)."""
    import httpx

    from kennisbank.content import load_repository

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "kennisbank"), "--root", str(root), "serve",
                               "--out", str(out), "--port", str(port)], stderr=subprocess.PIPE, text=True)
    messages: list[str] = []
    reader = threading.Thread(target=lambda: messages.extend(server.stderr), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    news = [root / item.path for item in load_repository(root).of_type("news")]  # newest first: on /nieuws/
    page_times, listing_times = [], []
    try:
        with httpx.Client() as client:
            if not wait_until_answering(base + "/", 120, process=server):
                raise RuntimeError("kennisbank serve did not answer within 120 s")
            # with several sites, / redirects to the portal's folder (/portaal/): its pages live there
            portal = base + client.get(base + "/", follow_redirects=True).url.path.rstrip("/")
            time.sleep(1)  # let the watcher settle
            version = client.get(base + "/__livereload").json()["version"]
            for n in range(edits):
                source = news[n]
                marker = f"Bewerking {n} {time.time_ns()}"
                text = re.sub(r"^title: .*$", f"title: {marker}", source.read_text(encoding="utf-8"), count=1,
                              flags=re.M)
                year = source.parent.name
                saved = time.monotonic()
                source.write_text(text, encoding="utf-8")
                page = listing = None
                while (page is None or listing is None) and time.monotonic() - saved < 30:
                    # like the page's live-reload script: wait for the site's version to change, then load
                    version = client.get(base + "/__livereload", params={"since": version}, timeout=60).json()["version"]
                    if page is None and marker in client.get(f"{portal}/nieuws/{source.stem}/").text:
                        page = time.monotonic() - saved
                    if listing is None and any(marker in client.get(f"{portal}{url}").text
                                               for url in (f"/nieuws/{year}/", "/nieuws/")):
                        listing = time.monotonic() - saved
                page_times.append(page or float("inf"))
                listing_times.append(listing or float("inf"))
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(10)
        reader.join(5)
    refreshes = [(float(m.group(1)), float(m.group(2))) for line in messages
                 if (m := re.search(r"rendered.* in ([\d.]+) s \(CPU ([\d.]+) s\)", line))]
    print("".join(line for line in messages if " s" in line), file=sys.stderr)
    return page_times, listing_times, refreshes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="*", default=[2000, 10000])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None, help="folder for corpora and builds (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    rows = []
    for label, root in [("sample", ROOT)] + [(str(n), corpus(n, work)) for n in args.items]:
        out = work / f"build-{label}"
        times = timed_build(root, out)
        (work / f"bare-{label}").mkdir(exist_ok=True)
        bare, bare_cpu = bare_mkdocs(root, out, work / f"bare-{label}")
        pages = sum(1 for _ in (out / "docs").rglob("*.md"))
        site = times.get("stage_site", 0) + times.get("render_site", 0)
        rows.append((label, pages, times, site, bare, bare_cpu))
        print(f"{label}: done", file=sys.stderr)
    print(f"\nMachine load (1-minute average) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("\n| corpus | pages | kennisbank build (all stages) | site stage + render | bare mkdocs build "
          "| build / bare | site / bare |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, pages, times, site, bare, bare_cpu in rows:
        print(f"| {label} | {pages} | {times['total']:.1f} s (CPU {times['cpu']:.1f} s) | {site:.1f} s "
              f"| {bare:.1f} s (CPU {bare_cpu:.1f} s) | {times['total'] / bare:.2f}× (CPU {times['cpu'] / bare_cpu:.2f}×) "
              f"| {site / bare:.2f}× |")
    print("\nStages (wall seconds):\n")
    stages = [name for name in rows[0][2] if name not in ("total", "cpu")]
    print("| corpus | " + " | ".join(stages) + " |")
    print("|---|" + "---:|" * len(stages))
    for label, _, times, *_ in rows:
        print(f"| {label} | " + " | ".join(f"{times.get(name, 0):.1f} s" for name in stages) + " |")
    if 2000 in args.items and args.edits:
        root = work / "corpus-2000"
        page_times, listing_times, refreshes = edit_latency(root, work / "build-2000", args.edits)
        print(f"\nEdit → refreshed page at 2,000 items ({args.edits} edits of a news title, "
              "`kennisbank serve` in its own process):\n")
        print("| served fresh | median | max |")
        print("|---|---:|---:|")
        print(f"| item page | {statistics.median(page_times):.2f} s | {max(page_times):.2f} s |")
        print(f"| news listing | {statistics.median(listing_times):.2f} s | {max(listing_times):.2f} s |")
        if refreshes:
            walls, cpus = [w for w, _ in refreshes], [c for _, c in refreshes]
            print(f"| server's refresh (reload + re-stage + render, its log) | {statistics.median(walls):.2f} s "
                  f"(CPU {statistics.median(cpus):.2f} s) | {max(walls):.2f} s (CPU {max(cpus):.2f} s) |")


if __name__ == "__main__":
    main()
