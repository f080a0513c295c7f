"""The search documents in index order, uncompressed, read through a memory map.

Every hit on a page needs its document (title, link, and the text its snippet is cut from).
tantivy keeps stored fields in LZ4 blocks of 16 KB: fetching one document decompresses its whole
block and converts it for Python, about 17 µs, so a page of ten hits spent 0.17 ms in fetching
alone (measured at 100,000 documents). Here each document is its JSON, one after the other, with
their offsets in front: a document is a slice of the mapped file, shared through the page cache
by every worker that opens the index.

Each document is kept in two parts: the fields a hit shows (its *head*: title, link, snippet
text) and the rest. A page of hits parses only the heads: a whole document of the benchmark's
corpus is ~25 keys, most of them empty facet lists, and parsing it took 5 of the 7 µs per hit.

A document's number is its position, as in :mod:`.bitsets`, and :meth:`DocumentStore.open`
checks the same way that the index still numbers its documents so; when it does not (an index of
several segments) the engine reads tantivy's stored copy, as before.

The file is mapped, so it must never be changed in place while an engine has it open: a new
index is written into a new folder and swapped in by renaming (:mod:`.index_files`).

File: the magic line, the number of documents *n* (little-endian int64), 2*n* + 1 offsets
(int64, from the start of the data: document *k*'s head starts at offset 2*k*, the rest of it at
2*k* + 1), then the data.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import orjson

from kennisbank.search.bitsets import probe_numbers

FILE = "documents.bin"
MAGIC = b"kennisbank documents 2\n"


def document_bytes(doc: dict[str, Any]) -> bytes:
    """A search document as the compact JSON both stores keep (keys sorted)."""
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def write_store(documents: Sequence[dict[str, Any]], head: Collection[str], folder: Path) -> None:
    """The documents (in index order) into ``folder``, each as its ``head`` fields and the rest."""
    parts = []
    for doc in documents:
        parts.append(document_bytes({k: v for k, v in doc.items() if k in head}))
        parts.append(document_bytes({k: v for k, v in doc.items() if k not in head}))
    offsets = [0]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    with open(folder / FILE, "wb") as out:
        out.write(MAGIC)
        out.write(struct.pack(f"<q{len(offsets)}q", len(documents), *offsets))
        for part in parts:
            out.write(part)


class DocumentStore:
    """The documents of one index by number: ``head(n)`` parses the ``n``-th's head fields,
    ``document(n)`` all of it."""

    def __init__(self, data: mmap.mmap, size: int):
        self._data = data
        self.size = size
        header = len(MAGIC) + 8
        self._offsets = memoryview(data)[header:header + 8 * (2 * size + 1)].cast("q")
        self._start = header + 8 * (2 * size + 1)

    @classmethod
    def open(cls, folder: Path, check: Callable[[int, dict[int, str]], bool]) -> DocumentStore | None:
        """The store written beside the index in ``folder``, or ``None`` when there is none, it
        is damaged, or ``check`` (given the number of documents and the ids of a few by number)
        says the index numbers its documents differently."""
        try:
            with open(folder / FILE, "rb") as source:
                data = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
        except (FileNotFoundError, ValueError, OSError):
            return None
        store = cls._read(data)
        if store is None or not check(store.size, store.probes()):
            if store is not None:
                store._offsets.release()
            data.close()
            return None
        return store

    @classmethod
    def _read(cls, data: mmap.mmap) -> DocumentStore | None:
        header = len(MAGIC) + 8
        if data[:len(MAGIC)] != MAGIC or len(data) < header:
            return None
        (size,) = struct.unpack_from("<q", data, len(MAGIC))
        if size < 0 or len(data) < header + 8 * (2 * size + 1):
            return None
        store = cls(data, size)
        if store._start + store._offsets[2 * size] != len(data):
            return None
        return store

    def probes(self) -> dict[int, str]:
        """The ids of the probe documents (:func:`.bitsets.probe_numbers`), by number."""
        return {n: str(self.document(n).get("id")) for n in probe_numbers(self.size)}

    def head(self, number: int) -> dict[str, Any]:
        """The ``head`` fields the store was written with."""
        return self._part(2 * number)

    def document(self, number: int) -> dict[str, Any]:
        return {**self._part(2 * number), **self._part(2 * number + 1)}

    def _part(self, index: int) -> dict[str, Any]:
        start, end = self._offsets[index], self._offsets[index + 1]
        found: dict[str, Any] = orjson.loads(self._data[self._start + start:self._start + end])
        return found
