"""Document sets as bitmaps: which documents a query matches, for the total and the facet counts.

tantivy-py runs one collector per call, so the embedded engine used to evaluate every query twice
or three times: scored for the top ten (with the count), then again for the facet counts, which
walked every facet value's postings (about 1.2 ms at 100,000 documents whatever the query
matched) or read every matched document's facet columns. Here the same matches are computed once
as a bitmap, one bit per document:

- a query word (a unit) matches the documents holding any of its alternatives' stems in any
  searchable field: the OR of those stems' document sets; the units are AND-ed;
- a filter is the OR of its values' document sets; filters are AND-ed;
- the total is the number of bits set, and a facet value's count is the number of bits set in the
  AND of the matches and the value's set.

The sets are written beside the tantivy index when it is written (``bitsets.npz``): for every
stem of the searchable fields, the documents holding it, and for every filter value, the
documents carrying it. A document's number is its position in the index, which is tantivy's
document id in a one-segment index written by one thread (:func:`.tantivy_engine.write_index`);
:meth:`DocumentSets.load` checks that the index still agrees. Stems shared by at least
1/:data:`DENSE_SHARE` of the documents are kept as bitmaps, rarer ones as lists of document
numbers (a bitmap costs ``documents / 8`` bytes, a list 4 bytes per document).

Phrases (synonyms of several words) need word positions, which these sets do not have: the
engine then counts with tantivy, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kennisbank.search import _bits
from kennisbank.search.documents import values_of
from kennisbank.search.engine import FacetCount

FILE = "bitsets.npz"
DENSE_SHARE = 32
"""Stems in at least 1/32 of the documents are kept as bitmaps (measured at 100,000 documents:
570 stems, 7 MB; a query's matches and total in 0.1 ms on average over the benchmark's log)."""

Bits = npt.NDArray[np.uint64]


def _words(size: int) -> int:
    return (size + 63) // 64


def _bitmap(numbers: npt.NDArray[np.int32], size: int) -> Bits:
    bits = np.zeros(_words(size), dtype=np.uint64)
    _bits.set_numbers(bits, np.ascontiguousarray(numbers, dtype=np.int32))
    return bits


def _strings(items: Sequence[str]) -> npt.NDArray[np.uint8]:
    """Strings as one NUL-separated UTF-8 array (a NumPy string array pads every entry to the
    longest one: 32 MB for 100,000 ids)."""
    return np.frombuffer("\0".join(items).encode(), dtype=np.uint8)


def _unstrings(data: npt.NDArray[np.uint8]) -> list[str]:
    text = data.tobytes().decode()
    return text.split("\0") if text else []


PROBES = 16
"""Documents whose id is stored with their number: :meth:`DocumentSets.load` compares them with
the index's, so sets that no longer number the documents as the index does are never used."""


def probe_numbers(size: int) -> list[int]:
    """The numbers of :data:`PROBES` documents spread evenly over ``size`` (none when empty):
    the documents whose ids are compared with the index's (here and in :mod:`.store`)."""
    return sorted({round(i * (size - 1) / (PROBES - 1)) for i in range(PROBES)}) if size else []


def _csr(groups: Sequence[list[int]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Lists of document numbers as offsets + one flat array."""
    offsets = np.zeros(len(groups) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(g) for g in groups])
    flat = np.fromiter((n for g in groups for n in g), dtype=np.int32, count=int(offsets[-1]))
    return offsets, flat


def write_bitsets(documents: Sequence[dict[str, Any]], searchable: Sequence[str], filter_fields: Sequence[str],
                  analyze: Callable[[str], list[str]], folder: Path) -> None:
    """The stem and filter-value document sets of ``documents`` (in index order) into ``folder``.

    ``analyze`` is the searchable fields' analyzer. It runs once per distinct whitespace-separated
    chunk of text (tokens never span whitespace), not once per document: 100,000 documents take
    seconds, not the half minute of analysing every text whole."""
    stems: dict[str, list[int]] = {}
    chunks: dict[str, list[str]] = {}
    values: dict[str, dict[str, list[int]]] = {name: {} for name in filter_fields}
    for number, doc in enumerate(documents):
        found: set[str] = set()
        for name in searchable:
            for text in values_of(doc, name):
                for chunk in set(text.split()):
                    known = chunks.get(chunk)
                    if known is None:
                        known = chunks[chunk] = analyze(chunk)
                    found.update(known)
        for stem in found:
            stems.setdefault(stem, []).append(number)
        for name in filter_fields:
            for item in set(values_of(doc, name)):
                values[name].setdefault(item, []).append(number)
    stem_names = sorted(stems)
    stem_offsets, stem_numbers = _csr([stems[s] for s in stem_names])
    value_keys = [(name, item) for name in filter_fields for item in sorted(values[name])]
    value_offsets, value_numbers = _csr([values[name][item] for name, item in value_keys])
    probes = probe_numbers(len(documents))
    np.savez(folder / FILE, size=np.array([len(documents)]), searchable=_strings(searchable),
             stems=_strings(stem_names), stem_offsets=stem_offsets, stem_numbers=stem_numbers,
             value_fields=_strings([k[0] for k in value_keys]), value_items=_strings([k[1] for k in value_keys]),
             value_offsets=value_offsets, value_numbers=value_numbers,
             probe_numbers=np.array(probes, dtype=np.int64), probe_ids=_strings([documents[n]["id"] for n in probes]))


@dataclass(frozen=True)
class DocumentSets:
    """The stem and filter-value document sets of one index, ready to combine into matches."""

    size: int
    dense: dict[str, Bits]
    sparse: dict[str, npt.NDArray[np.int32]]
    values: dict[str, FieldValues]
    searchable_fields: tuple[str, ...]
    everything: Bits
    """Every document (the bits past the last document stay 0); read-only, made once per index
    (a filter-only search starts from it)."""
    _stacks: dict[tuple[str, ...], _Stack] = field(default_factory=dict)
    """Stacked value bitmaps per set of facets counted together (see :meth:`facet_counts`)."""

    @classmethod
    def load(cls, folder: Path, check: Callable[[int, dict[int, str]], bool]) -> DocumentSets | None:
        """The sets written beside the index in ``folder``, or ``None`` when there are none or
        ``check`` (given the number of documents and the ids of a few by number) says the index
        numbers its documents differently."""
        try:
            data = np.load(folder / FILE)
        except (FileNotFoundError, OSError, ValueError):
            return None
        with data:
            size = int(data["size"][0])
            if not check(size, dict(zip(data["probe_numbers"].tolist(), _unstrings(data["probe_ids"]), strict=True))):
                return None
            stems, offsets, numbers = _unstrings(data["stems"]), data["stem_offsets"], data["stem_numbers"]
            dense: dict[str, Bits] = {}
            sparse: dict[str, npt.NDArray[np.int32]] = {}
            for i, stem in enumerate(stems):
                held = numbers[offsets[i]:offsets[i + 1]]
                if len(held) * DENSE_SHARE >= size:
                    dense[stem] = _bitmap(held, size)
                else:
                    sparse[stem] = held
            rows: dict[str, tuple[list[str], list[Bits]]] = {}
            v_offsets, v_numbers = data["value_offsets"], data["value_numbers"]
            value_fields, value_items = _unstrings(data["value_fields"]), _unstrings(data["value_items"])
            for i, (name, item) in enumerate(zip(value_fields, value_items, strict=True)):
                keys, bitmaps = rows.setdefault(name, ([], []))
                keys.append(item)
                bitmaps.append(_bitmap(v_numbers[v_offsets[i]:v_offsets[i + 1]], size))
            searchable = tuple(_unstrings(data["searchable"]))
        values = {name: FieldValues(keys, {k: i for i, k in enumerate(keys)}, np.vstack(bitmaps))
                  for name, (keys, bitmaps) in rows.items()}
        everything = _bitmap(np.arange(size, dtype=np.int32), size)
        everything.flags.writeable = False
        return cls(size, dense, sparse, values, searchable, everything)

    def any_stem(self, stems: Iterable[str]) -> Bits:
        """The documents holding at least one of ``stems`` in a searchable field."""
        bits = np.zeros(_words(self.size), dtype=np.uint64)
        rare = []
        for stem in stems:
            dense = self.dense.get(stem)
            if dense is not None:
                np.bitwise_or(bits, dense, out=bits)
            else:
                numbers = self.sparse.get(stem)
                if numbers is not None:
                    rare.append(numbers)
        if rare:
            np.bitwise_or(bits, _bitmap(np.concatenate(rare), self.size), out=bits)
        return bits

    def any_value(self, name: str, values: Iterable[str]) -> Bits:
        """The documents carrying at least one of ``values`` in filter field ``name``."""
        bits = np.zeros(_words(self.size), dtype=np.uint64)
        field_values = self.values.get(name)
        for value in values:
            row = field_values.position.get(value) if field_values else None
            if field_values is not None and row is not None:
                np.bitwise_or(bits, field_values.bitmaps[row], out=bits)
        return bits

    @staticmethod
    def count(bits: Bits) -> int:
        return int(np.bitwise_count(bits).sum())

    def facet_counts(self, bits: Bits, names: Sequence[str]) -> dict[str, list[FacetCount]]:
        """Documents per value of each facet among ``bits``, in the values' order (the API
        orders them; see :class:`.engine.SearchResult`); values no matched document carries are
        left out.

        The facets' value bitmaps are stacked into one matrix per set of facets asked together
        (a request asks for the same few every time), and one compiled loop (``_bits.c``) ANDs,
        counts and sums each row in a single pass over the matrix. NumPy needs three passes and
        two temporary matrices for that: 0.21 against 0.04 ms for four facets at 100,000
        documents (84 values, 1 MB)."""
        stack = self._stack(tuple(names))
        per_value = np.empty(len(stack.bitmaps), dtype=np.int64)
        _bits.shared_counts(stack.bitmaps, bits, per_value)
        numbers = per_value.tolist()
        counts: dict[str, list[FacetCount]] = {}
        for name, keys, (start, end) in zip(names, stack.keys, stack.rows, strict=True):
            counts[name] = [FacetCount(value, n) for value, n in zip(keys, numbers[start:end], strict=True) if n]
        return counts

    def _stack(self, names: tuple[str, ...]) -> _Stack:
        stack = self._stacks.get(names)
        if stack is None:
            fields = [self.values.get(name) for name in names]
            rows, keys, start = [], [], 0
            for field_values in fields:
                size = len(field_values.keys) if field_values else 0
                rows.append((start, start + size))
                keys.append(field_values.keys if field_values else [])
                start += size
            bitmaps = [f.bitmaps for f in fields if f is not None]
            matrix = np.vstack(bitmaps) if bitmaps else np.zeros((0, _words(self.size)), dtype=np.uint64)
            matrix.flags.writeable = False
            stack = self._stacks[names] = _Stack(matrix, keys, rows)
        return stack


@dataclass(frozen=True)
class _Stack:
    """The value bitmaps of several facets as one matrix, and which rows are whose."""

    bitmaps: npt.NDArray[np.uint64]
    keys: list[list[str]]
    rows: list[tuple[int, int]]


@dataclass(frozen=True)
class FieldValues:
    """The values of one filter field, their row numbers, and one bitmap per value (a row)."""

    keys: list[str]
    position: dict[str, int]
    bitmaps: npt.NDArray[np.uint64]
