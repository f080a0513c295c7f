"""Benchmark: the five websites against the portal alone, from the same generated corpus.

    python scripts/bench_sites.py [--items 2000] [--work DIR]

Builds the corpus once as the portal alone (no ``sites/`` folder: today's single-site build),
then with this repository's ``sites/`` (portal + four thematic sites: the repository checked and
the search index written once, the sites rendered in parallel processes). Prints wall and CPU
seconds (this process plus its render processes) and the ratio; the target is five sites in at
most 1.5x the portal's time. Record the table in docs/benchmarks.md (note how busy the machine was).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_build import corpus


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_build(root: Path, out: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, pages written) of one `kennisbank build`."""
    from kennisbank.build import build

    shutil.rmtree(out, ignore_errors=True)
    started, used = time.monotonic(), cpu()
    build(root, out)
    wall, spent = time.monotonic() - started, cpu() - used
    return wall, spent, sum(1 for _ in (out / "sites").rglob("*.html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=None, help="Keep the corpus and builds here.")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-bench-sites-"))
    root = corpus(args.items, work)
    shutil.rmtree(root / "sites", ignore_errors=True)
    portal = timed_build(root, work / "out-portal")
    shutil.copytree(ROOT / "sites", root / "sites")
    try:
        five = timed_build(root, work / "out-sites")
    finally:
        shutil.rmtree(root / "sites")
    print(f"| build of {args.items} items | wall | CPU | pages |")
    print("|---|---|---|---|")
    print(f"| portal alone | {portal[0]:.1f} s | {portal[1]:.1f} s | {portal[2]} |")
    print(f"| portal + 4 thematic sites | {five[0]:.1f} s | {five[1]:.1f} s | {five[2]} |")
    print(f"| ratio (target ≤ 1.5×) | {five[0] / portal[0]:.2f}× | {five[1] / portal[1]:.2f}× | |")


if __name__ == "__main__":
    main()
