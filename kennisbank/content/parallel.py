"""Checking files in a small process pool: files are independent until the cross-file rules.

Files are sent in chunks of :data:`CHUNK_FILES` to forked workers and the results joined in
path order, so the output never depends on the number of processes. Workers send back plain
front-matter data rather than pydantic instances: unpickling 20,000 instances costs more (0.75 s)
than validating the data once more here (0.4 s). A pool is only worth it for large repositories,
in a process without other threads (forking those can deadlock), and on idle cores: on a loaded
machine the extra processes only compete (measured slower; see docs/benchmarks.md).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from kennisbank.content.items import Item
from kennisbank.content.types import type_for_path
from kennisbank.errors import ContentError

PARALLEL_MIN_FILES = 3_000  # below this, starting processes costs more than it saves
CHUNK_FILES = 1_000

Checked = tuple[Item | None, list[ContentError], dict[str, Any]]  # item (when valid), errors, front-matter data
CheckOne = Callable[[Path, str], Checked]
Progress = Callable[[int, int], None]  # (files done, files in all)
_Portable = tuple[list[ContentError], dict[str, Any], tuple[str, str, int] | None]


def worker_count(files: int) -> int:
    """Processes worth starting for ``files`` files right now (1: do it in this process)."""
    if files < PARALLEL_MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1 or multiprocessing.current_process().daemon:
        return 1  # forking a threaded process can deadlock; daemon processes cannot have children
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    try:
        idle = cpus - os.getloadavg()[0]
    except OSError:
        idle = cpus
    if idle < 1.5:
        return 1
    return max(1, min(int(idle), 4))


def check_in_processes(check_one: CheckOne, root: Path, paths: Sequence[str], workers: int,
                       progress: Progress) -> list[Checked] | None:
    """``check_one(root, path)`` for every path in ``workers`` processes; None when no pool can run."""
    chunks = [paths[start : start + CHUNK_FILES] for start in range(0, len(paths), CHUNK_FILES)]
    parts: list[list[_Portable]] = []
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for part in pool.map(_portable_chunk, [check_one] * len(chunks), [root] * len(chunks), chunks):
                parts.append(part)
                progress(min(len(paths), len(parts) * CHUNK_FILES), len(paths))
    except (OSError, BrokenProcessPool):
        return None
    return [_from_portable(path, result)
            for chunk, part in zip(chunks, parts, strict=True) for path, result in zip(chunk, part, strict=True)]


def _portable_chunk(check_one: CheckOne, root: Path, paths: Sequence[str]) -> list[_Portable]:
    out: list[_Portable] = []
    for path in paths:
        item, errors, data = check_one(root, path)
        out.append((errors, data, None if item is None else (item.slug, item.body, item.body_line)))
    return out


def _from_portable(path: str, result: _Portable) -> Checked:
    errors, data, valid = result
    if valid is None:
        return None, errors, data
    slug, body, body_line = valid
    ctype = type_for_path(path)
    assert ctype is not None  # a valid item has a type
    meta = ctype.model.model_validate(data)
    return Item(type=ctype, slug=slug, path=path, meta=meta, body=body, body_line=body_line), errors, data
