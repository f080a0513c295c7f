"""Copy Leaflet and leaflet.markercluster from node_modules (npm, versions in package-lock.json)
into kennisbank/site/assets/leaflet/, so every site serves its maps from its own files and a
build needs no npm. Run after `npm install` when package.json changes the versions:

    .venv/bin/python scripts/vendor_leaflet.py [--check]

Source-map comments are dropped (the maps are not shipped). ``--check`` exits 1 when the
vendored copy differs from node_modules (the test suite runs it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
TARGET = ROOT / "kennisbank" / "site" / "assets" / "leaflet"
FILES = {  # vendored name -> source in node_modules
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
    "images/marker-icon.png": "leaflet/dist/images/marker-icon.png",
    "images/marker-icon-2x.png": "leaflet/dist/images/marker-icon-2x.png",
    "images/marker-shadow.png": "leaflet/dist/images/marker-shadow.png",
    "leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "MarkerCluster.Default.css": "leaflet.markercluster/dist/MarkerCluster.Default.css",
    "LICENSE-leaflet.txt": "leaflet/LICENSE",
    "LICENSE-markercluster.txt": "leaflet.markercluster/MIT-LICENCE.txt",
}
_SOURCE_MAP = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")


def vendored(source: Path) -> bytes:
    data = source.read_bytes()
    return _SOURCE_MAP.sub(b"\n", data) if source.suffix == ".js" else data


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, relative in FILES.items():
        source, target = NODE / relative, TARGET / name
        if not source.is_file():
            print(f"{source} is missing: run npm install", file=sys.stderr)
            return 2
        data = vendored(source)
        if target.is_file() and target.read_bytes() == data:
            continue
        stale.append(name)
        if not check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    if check and stale:
        print("out of date with node_modules: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
