"""The files next to an index: its version, build time and facet catalog, and the atomic swap.

The version is a hash of the documents and the settings, so identical input gives an identical
version (and ETag) no matter when it was built; the build time is informational (health).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kennisbank.clock import build_now
from kennisbank.errors import KennisbankError
from kennisbank.search.documents import FacetCatalog
from kennisbank.search.settings import SearchSettings

META_FILE = "kennisbank-index.json"
FORMAT = 2
"""The layout of the embedded index's fields: an index written in another layout (by an older
kennisbank) is refused until `kennisbank build` writes it again. 2: facet terms in groups."""


@dataclass(frozen=True)
class IndexMeta:
    version: str
    built_at: str
    documents: int
    catalog: FacetCatalog


def index_version(documents: list[dict[str, Any]], settings: SearchSettings) -> str:
    digest = hashlib.sha256(settings.fingerprint().encode())
    for doc in documents:
        digest.update(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:20]


def build_time() -> str:
    """Now in UTC, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    return build_now().isoformat().replace("+00:00", "Z")


def write_meta(folder: Path, meta: IndexMeta) -> None:
    data = {"version": meta.version, "built_at": meta.built_at, "documents": meta.documents,
            "catalog": meta.catalog.as_dict(), "format": FORMAT}
    (folder / META_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")


def read_meta(folder: Path) -> IndexMeta:
    path = folder / META_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KennisbankError(f"no search index at {folder}: run `kennisbank build` first") from None
    except (ValueError, OSError) as exc:
        raise KennisbankError(f"{path}: unreadable index metadata ({exc}); rebuild the index") from None
    if data.get("format", 1) != FORMAT:
        raise KennisbankError(f"the search index at {folder} was written by another version of kennisbank "
                              f"(format {data.get('format', 1)}, this version reads {FORMAT}): "
                              "run `kennisbank build` to write it again")
    return IndexMeta(version=data["version"], built_at=data["built_at"], documents=int(data["documents"]),
                     catalog=FacetCatalog(data.get("catalog") or {}))


def swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with renames only, so readers see the old or the new index,
    never half of one. Processes that have the old index open keep reading it (POSIX).

    When ``target`` is a link into the live build (``<out>/search -> current/search``, see
    :mod:`kennisbank.output`), the index inside that build is replaced and the link stays."""
    if target.is_symlink():
        target = target.resolve()
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        os.rename(target, old / target.name)
    try:
        os.rename(new, target)
    except OSError:
        if old is not None:
            os.rename(old / target.name, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
