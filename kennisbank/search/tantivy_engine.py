"""The embedded engine: a tantivy index on disk, written at build time, read by the API.

Schema: the searchable fields analysed in Dutch (stemmed) for ranking, one unstemmed folded
``plain`` field for prefix and typo matching (and snippets), one raw field per facet for filters,
``facet_terms`` (every facet value as one ``field:value`` term) for counts, ``date_key`` for
sorting, and the whole document stored as JSON (the only stored field). Beside the index: the
document sets (:mod:`.bitsets`) that count, and the document store (:mod:`.store`) that hits and
``get`` read, tantivy's stored copy only when the store does not fit the index.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import tantivy
from tantivy import Occur, Query

from kennisbank.search._snippet import fragment_html
from kennisbank.search.analysis import DUTCH, PLAIN, dutch, folding_table, register_analyzers
from kennisbank.search.bitsets import Bits, DocumentSets, write_bitsets
from kennisbank.search.cache import LruCache, cache_entries
from kennisbank.search.documents import FACETABLE_FIELDS, FILTER_FIELDS, GENERIC_FACETS, FacetCatalog, values_of
from kennisbank.search.engine import FacetCount, Hit, IndexInfo, SearchEngine, SearchRequest, SearchResult
from kennisbank.search.expansion import Compounds, Vocabulary, find_compounds
from kennisbank.search.index_files import META_FILE, IndexMeta, build_time, index_version, read_meta, write_meta
from kennisbank.search.query import Unit, analyse, words
from kennisbank.search.settings import SEARCHABLE_FIELDS, SearchSettings
from kennisbank.search.snippets import marked_html, plain_snippet
from kennisbank.search.store import DocumentStore, document_bytes, write_store

SNIPPET_CHARS = 180
HIT_FIELDS = ("id", "title", "url", "type", "date", "body", "summary")
"""What a hit is made of (:meth:`TantivyEngine._hits`, :func:`_snippet`): the head of the stored
documents (:mod:`.store`)."""
SNIPPET_HEAD = 600
"""A long text's snippet is looked for in its first 600 characters (up to a space) first, and in
the rest only when they hold no match: tantivy reads the whole text it is given (~20 ns a
character), so a 5,000-character body cost 0.1 ms per hit, and the first passage that holds the
words is what a visitor expects to see anyway."""
PLAIN_FIELD = "plain"
"""Every searchable text unstemmed: the vocabulary query words are expanded to, and phrases."""
COMPOUNDS_FILE = "compounds.json"
WRITER_HEAP = 1_000_000_000
"""Bytes the index writer may buffer before it writes a segment (tantivy's limit is 4 GB)."""
TITLE_KEY = "title_key"
"""The title's folded words, one raw term: a query that *is* the title puts that item first."""
EXACT_TITLE_SCORE = 1000.0
"""What a match of the whole title adds to the score: more than any other match can."""
PROXIMITY_FIELDS = ("title", "summary", "body")
PROXIMITY_SLOP = 2
PROXIMITY_BOOST = 2.0
"""Several query words close together (within two words) add to the score: phrases rank first."""
FACET_TERMS = "facet_terms"
"""Every facet value of a document as one term ``<group>field:value``: all facets of a request
are counted in one pass over these terms' postings, intersected with the query's matches."""
FACET_SEPARATOR = ":"
GENERIC_GROUP, META_GROUP = "g", "m"
"""The group letter in front of a facet term: the facets every item can have (type, collection,
theme, city, year: 78 % of the postings at 100,000 items) or a collection's own (function,
status, ...). The portal counts only the first group and so walks only its postings."""
AGGREGATE_SHARE = 0.12
"""Counting the facets of a query that matches at most this share of the index reads the
matches' facet columns (tantivy's terms aggregation: cost per matched document, ~10 times more
per document for multi-valued facets); above it, the facet terms' postings (cost per facet
value in the index, whatever the query matches). Measured at 100,000 documents: below ~12 %
the columns are cheaper, above it the postings, up to 2.4 times at half the index."""
#: Facet totals of filter sets (no query) kept per index version, whatever the cache size:
#: there are few filter sets, and filter-only browsing asks for them again and again.
TOTALS_ENTRIES = 1024
#: Query units (a word or a synonym group) with what they stand for in the index and their
#: compiled query, kept per index version whatever the cache size: a property of the index
#: (its vocabulary), not of any result.
UNIT_ENTRIES = 8192
#: Bytes of unit match bitmaps (:meth:`TantivyEngine._unit_bits`) kept per index version: 256
#: units at 100,000 documents. A unit's bitmap ORs the bitmaps of all its stems (a compound-rich
#: word has dozens), and the most searched words come back in most requests.
UNIT_BITS_BYTES = 4_000_000


@dataclass(frozen=True)
class Alternative:
    """A stem (or a phrase of stems) a query unit stands for, with the weight of how it was reached."""

    stems: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class CompiledUnit:
    """One query unit in this index: the alternatives it stands for and their query."""

    alternatives: tuple[Alternative, ...]
    clauses: tuple[tuple[Occur, Query], ...]
    """One optional term (or phrase) query per alternative and searchable field."""
    query: Query
    """The clauses as one query (empty when the unit stands for nothing in this index)."""
    stems: tuple[str, ...] | None
    """The stems of its alternatives, or ``None`` when one is a phrase (the document sets have
    no word positions)."""


@dataclass(frozen=True)
class QueryPlan:
    units: tuple[CompiledUnit, ...]
    """What each query unit stands for in this index, with its query."""
    title_key: str
    words: tuple[str, ...]
    """Stems of the plain query words, in order (for the proximity bonus)."""


def title_key(text: str) -> str:
    return " ".join(words(text))


def _stem(word: str) -> str:
    """The stemmed fields' token for one folded word."""
    stems = dutch().analyze(word)
    return stems[0] if stems else word


def _vocabulary_counts(searcher: tantivy.Searcher) -> dict[str, int]:
    """Every unstemmed term of the index with the number of documents holding it."""
    return dict(searcher.terms_with_prefix(PLAIN_FIELD, ""))


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw")
    for name in SEARCHABLE_FIELDS:
        builder.add_text_field(name, tokenizer_name=DUTCH)
    builder.add_text_field(PLAIN_FIELD, tokenizer_name=PLAIN)
    builder.add_text_field(TITLE_KEY, tokenizer_name="raw")
    builder.add_text_field(FACET_TERMS, tokenizer_name="raw", index_option="basic")
    for name in FILTER_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
    builder.add_integer_field("date_key", fast=True, indexed=True)
    builder.add_bytes_field("source", stored=True)
    return builder.build()


def write_index(documents: list[dict[str, Any]], catalog: FacetCatalog, settings: SearchSettings, folder: Path,
                progress: Callable[[int], object] | None = None) -> IndexMeta:
    """Write a fresh index of ``documents`` into the empty or new ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    schema = _schema()
    index = tantivy.Index(schema, path=str(folder))
    register_analyzers(index)
    # One indexing thread with room for the whole corpus writes one segment: every query then
    # opens each term's postings once, not once per segment (~10 % less CPU per request at
    # 100,000 documents than the two segments of two threads; writing takes ~30 % longer).
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    for doc in documents:
        writer.add_document(_tantivy_document(doc, document_bytes(doc)))
        if progress:
            progress(1)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    write_store(documents, HIT_FIELDS, folder)
    write_bitsets(documents, [f.field for f in settings.searchable], FILTER_FIELDS, dutch().analyze, folder)
    find_compounds(_vocabulary_counts(index.searcher()), _stem, settings.compounds).save(folder / COMPOUNDS_FILE)
    meta = IndexMeta(version=index_version(documents, settings), built_at=build_time(),
                     documents=len(documents), catalog=catalog)
    write_meta(folder, meta)
    return meta


def _tantivy_document(doc: dict[str, Any], source: bytes) -> tantivy.Document:
    fields: dict[str, Any] = {"id": doc["id"], "date_key": int(doc.get("date_key") or 0), "source": source}
    texts = []
    for name in SEARCHABLE_FIELDS:
        if doc.get(name):
            fields[name] = doc[name]
            texts.extend(values_of(doc, name))
    fields[PLAIN_FIELD] = " ".join(texts)
    fields[TITLE_KEY] = title_key(doc["title"])
    terms = []
    for name in FILTER_FIELDS:
        values = list(dict.fromkeys(values_of(doc, name)))
        if values:
            fields[name] = values
            if name in FACETABLE_FIELDS:  # the site field filters only: no counts
                terms += [_facet_prefix(name) + v for v in values]
    if terms:
        fields[FACET_TERMS] = terms
    return tantivy.Document(**fields)


class TantivyEngine(SearchEngine):
    """Reads an index written by :func:`write_index`; reopens it when a rebuild swapped it.

    One searcher serves every request until the index is swapped (a searcher is a snapshot).
    Pages of hits and facet counts are cached per index version (see :mod:`.cache`): facet
    counts separately, keyed by query and filter set, because sorting, paging and the
    disjunctive count of a toggled facet reuse them.
    """

    name = "embedded"

    def __init__(self, folder: Path, settings: SearchSettings, cache_size: int | None = None):
        self.folder = folder
        self._meta_path = str(folder / META_FILE)
        self.settings = settings
        self._stamp: tuple[Any, ...] | None = None
        entries = cache_entries() if cache_size is None else cache_size
        self.pages: LruCache[tuple[list[Hit], int]] = LruCache(entries)
        self.counts: LruCache[list[FacetCount]] = LruCache(entries * 4)
        self.totals: LruCache[list[FacetCount]] = LruCache(TOTALS_ENTRIES)
        self.units: LruCache[CompiledUnit] = LruCache(UNIT_ENTRIES)
        self.unit_bits: LruCache[Bits] = LruCache(0)
        self._stop_stems = frozenset(stem for word in settings.stop_words for stem in dutch().analyze(word))
        self._open()

    def _open(self) -> None:
        self.meta = read_meta(self.folder)
        self._index = tantivy.Index.open(str(self.folder))
        register_analyzers(self._index)
        self._schema = self._index.schema
        self._current = self._index.searcher()
        self._stamp = self._meta_stamp()
        counts = _vocabulary_counts(self._current)
        compounds = Compounds.load(self.folder / COMPOUNDS_FILE, self.settings.compounds) \
            or find_compounds(counts, _stem, self.settings.compounds)
        self.vocabulary = Vocabulary(counts, _stem, compounds)
        self.sets = DocumentSets.load(self.folder, self._numbered_alike)
        self.store = DocumentStore.open(self.folder, self._numbered_alike)
        if self.sets is not None and self.sets.searchable_fields != tuple(f.field for f in self.settings.searchable):
            self.sets = None  # written for other search settings: tantivy counts until the next build
        self._sizes = {name: max(10, len(values) + 1) for name, values in self.meta.catalog.labels.items()}
        self.pages.clear()
        self.counts.clear()
        self.totals.clear()
        self.units.clear()
        self.unit_bits = LruCache(max(16, UNIT_BITS_BYTES // (self.sets.everything.nbytes if self.sets else 1)))

    def _numbered_alike(self, size: int, probes: dict[int, str]) -> bool:
        """Whether the index numbers its documents as the document sets do: one segment (a
        document's number is its position), as many documents, and the same ids at the probes."""
        searcher = self._current
        if searcher.num_segments != 1 or searcher.num_docs != size:
            return False
        return all(orjson.loads(searcher.doc(tantivy.DocAddress(0, n))["source"][0]).get("id") == doc_id
                   for n, doc_id in probes.items())

    def _meta_stamp(self) -> tuple[Any, ...] | None:
        try:
            stat = os.stat(self._meta_path)
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def _searcher(self) -> tantivy.Searcher:
        stamp = self._meta_stamp()
        if stamp is not None and stamp != self._stamp:
            self._open()
        return self._current

    # -- queries -----------------------------------------------------------------------------

    def _text_query(self, plan: QueryPlan) -> Query:
        """The units (all required), the exact-title bonus and, for several words, the proximity
        bonus. One unit is one flat disjunction of term queries with the title bonus among its
        clauses: a required clause around it made tantivy score every match through one more
        scorer (0.9 -> 0.55 ms per single-word search at 100,000 documents, same ranking), and a
        disjunction of term queries alone is scored by tantivy's union made for term scorers
        (another 40 % off an unfiltered one-word search). tantivy does not skip the documents that
        cannot reach the top here (block-max WAND): tantivy-py runs every search through a
        MultiCollector, which scores every match."""
        exact_title = self._exact_title(plan.title_key)
        if len(plan.units) == 1 and len(plan.words) <= 1 and plan.units[0].clauses:
            if not exact_title:  # the unit's own query (building a query copies every clause)
                return plan.units[0].query
            return Query.boolean_query([*plan.units[0].clauses, *exact_title])
        clauses = [(Occur.Must, unit.query) for unit in plan.units]
        if not clauses:
            return Query.all_query()
        clauses += exact_title
        if len(plan.words) > 1:
            clauses += [(Occur.Should, Query.boost_query(Query.phrase_query(self._schema, name, list(plan.words),
                                                                            slop=PROXIMITY_SLOP), PROXIMITY_BOOST))
                        for name in PROXIMITY_FIELDS]
        return Query.boolean_query(clauses)

    def _exact_title(self, key: str) -> list[tuple[Occur, Query]]:
        """The bonus for items whose whole title is the query: a term query on the one-term
        ``title_key`` field, boosted so that its BM25 score is :data:`EXACT_TITLE_SCORE`. (A
        constant-score query would add the same, but it is no term query, and it kept the clauses
        out of tantivy's union of term scorers.) With one term per document, BM25's term-frequency
        part is exactly 1 and the score is the term's idf times the boost; none when no title is
        the query."""
        held = self._current.doc_freq(TITLE_KEY, key)
        if not held:
            return []
        idf = math.log(1 + (self._current.num_docs - held + 0.5) / (held + 0.5))
        return [(Occur.Should, Query.boost_query(Query.term_query(self._schema, TITLE_KEY, key),
                                                 EXACT_TITLE_SCORE / idf))]

    def _alternatives_clauses(self, alternatives: tuple[Alternative, ...]) -> tuple[tuple[Occur, Query], ...]:
        """One query word or synonym group: every alternative in every searchable field, scored
        by BM25 with the field's boost times the alternative's weight, summed in one flat
        disjunction. (A dis-max over the alternatives, the best form counting fully and the
        others 10 %, ranked worse on the judged set and cost 2-3 times as much per expanded
        word: one nested scorer per alternative; see docs/search.md.)

        A term no document holds in a field gets no clause there: it would add nothing, but
        tantivy looks every clause's term up twice per search (its statistics, then its postings),
        and a fifth of the clauses of the benchmark's query log were such terms (-14 % ranking
        time at 100,000 documents)."""
        return tuple((Occur.Should, Query.boost_query(self._field_query(f.field, a.stems), f.boost * a.weight))
                     for a in alternatives for f in self.settings.searchable
                     if len(a.stems) > 1 or self._current.doc_freq(f.field, a.stems[0]))

    def _field_query(self, field_name: str, stems: tuple[str, ...]) -> Query:
        """A term, or a phrase of terms, in one field."""
        if len(stems) == 1:
            return Query.term_query(self._schema, field_name, stems[0])
        return Query.phrase_query(self._schema, field_name, list(stems))

    def plan(self, units: tuple[Unit, ...], q: str) -> QueryPlan:
        """What each query unit stands for in this index: stems (or phrases of stems) with weights."""
        return QueryPlan(units=tuple(self._compiled(u) for u in units), title_key=title_key(q),
                         words=tuple(_stem(u.phrases[0][0]) for u in units if not u.is_synonym))

    def _compiled(self, unit: Unit) -> CompiledUnit:
        """A unit's alternatives and query, expanded and built once per index version: the most
        searched words come back in most requests."""
        def compile_unit() -> CompiledUnit:
            alternatives = self._unit_alternatives(unit)
            clauses = self._alternatives_clauses(alternatives)
            query = Query.boolean_query(list(clauses)) if clauses else Query.empty_query()
            phrase = any(len(a.stems) > 1 for a in alternatives)
            return CompiledUnit(alternatives, clauses, query, None if phrase else tuple(a.stems[0] for a in alternatives))
        return self.units.get_or_compute(unit, compile_unit)

    def _unit_alternatives(self, unit: Unit) -> tuple[Alternative, ...]:
        if not unit.is_synonym:
            word = unit.phrases[0][0]
            distance = self.settings.typo_tolerance.distance(word)
            prefix = unit.last and self.settings.prefix_search
            return self._expanded(word, distance, prefix)
        alternatives: list[Alternative] = []
        for phrase in unit.phrases:
            if len(phrase) == 1:
                alternatives += self._expanded(phrase[0], 0, False)
            else:
                alternatives.append(Alternative(tuple(_stem(w) for w in phrase), 1.0))
        return tuple(alternatives)

    def _expanded(self, word: str, distance: int, prefix: bool) -> tuple[Alternative, ...]:
        best: dict[str, float] = {}
        for expansion in self.vocabulary.expand(word, distance=distance, prefix=prefix):
            stem = _stem(expansion.term)
            best[stem] = max(best.get(stem, 0.0), expansion.weight)
        return tuple(Alternative((stem,), weight) for stem, weight in best.items())

    def _filtered(self, text: Query, filters: dict[str, tuple[str, ...]]) -> Query:
        """``text`` within the filters: each a required clause that matches any of its values
        and adds nothing to the score. Term queries, not a term set: tantivy then skips through
        the value's postings instead of first collecting every document that has it (a quarter
        less time per filtered search at 100,000 documents)."""
        if not filters:
            return text
        clauses = [(Occur.Must, text)]
        for name, values in sorted(filters.items()):
            terms = [Query.term_query(self._schema, name, value) for value in values]
            either = terms[0] if len(terms) == 1 else Query.boolean_query([(Occur.Should, t) for t in terms])
            clauses.append((Occur.Must, Query.const_score_query(either, 0.0)))
        return Query.boolean_query(clauses)

    def _highlighter(self, searcher: tantivy.Searcher, plan: QueryPlan) -> Highlighter | None:
        """The unstemmed forms of every stem the query stands for (stop words excepted), marked on
        the ``plain`` field: snippets mark the same words as a stemmed match would, without running
        the Dutch stemmer over every word of every hit's text."""
        stems = {stem for unit in plan.units for a in unit.alternatives for stem in a.stems} - self._stop_stems
        terms = sorted({form for stem in stems for form in self.vocabulary.forms(stem)})
        if not terms:
            return None

        def generator() -> tantivy.SnippetGenerator:
            query = Query.boolean_query([(Occur.Should, Query.term_query(self._schema, PLAIN_FIELD, t)) for t in terms])
            made = tantivy.SnippetGenerator.create(searcher, query, self._schema, PLAIN_FIELD)
            made.set_max_num_chars(SNIPPET_CHARS)
            return made
        return Highlighter({t: self.vocabulary.counts.get(t, 0) for t in terms}, generator)

    # -- contract ----------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self._searcher()
        units = tuple(analyse(request.q, self.settings)) if request.q.strip() else ()
        filters = {k: tuple(sorted(set(v))) for k, v in request.filters.items() if v}
        plan = _Lazy(lambda: self.plan(units, request.q))
        text = _Lazy(lambda: self._text_query(plan()))
        matches = _Lazy(lambda: self._text_bits(plan()))
        page_key = (units, _filter_key(filters), request.sort, request.offset, request.per_page)
        hits, total = self.pages.get_or_compute(
            page_key, lambda: self._page(searcher, plan, self._filtered(text(), filters), request,
                                         self._total(matches(), filters)))
        facets = self._facets(searcher, units, text, matches, request, filters, total)
        return SearchResult(hits=list(hits), total=total, facets=facets)

    def _page(self, searcher: tantivy.Searcher, plan: _Lazy, query: Query, request: SearchRequest,
              total: int | None) -> tuple[list[Hit], int]:
        """The requested page of hits, and the total: counted by tantivy when it is not known yet."""
        by_date = request.sort == "date"
        result = searcher.search(query, limit=request.per_page, offset=request.offset, count=total is None,
                                 order_by_field="date_key" if by_date else None, order=tantivy.Order.Desc)
        docs = [self._document(searcher, address, head=True) for _, address in result.hits]
        return self._hits(searcher, plan() if docs else None, docs), _count(result) if total is None else total

    def _document(self, searcher: tantivy.Searcher, address: tantivy.DocAddress, head: bool = False) -> dict[str, Any]:
        """The search document at ``address`` (with ``head``: at least its :data:`HIT_FIELDS`):
        from the document store (see :mod:`.store`), else from tantivy's stored copy."""
        if self.store is not None and address.segment_ord == 0:
            return self.store.head(address.doc) if head else self.store.document(address.doc)
        found: dict[str, Any] = orjson.loads(searcher.doc(address)["source"][0])
        return found

    # -- matches as bitmaps (see :mod:`.bitsets`) ------------------------------------------------

    def _text_bits(self, plan: QueryPlan) -> Bits | None:
        """The documents the query's words match, as a bitmap; ``None`` when the document sets
        cannot say (no sets, or a phrase among the alternatives: that needs word positions)."""
        sets = self.sets
        if sets is None or any(unit.stems is None for unit in plan.units):
            return None
        held = [self._unit_bits(sets, unit.stems or ()) for unit in plan.units]
        if len(held) < 2:
            return held[0] if held else sets.everything
        bits = np.bitwise_and(held[0], held[1])
        for more in held[2:]:
            np.bitwise_and(bits, more, out=bits)
        return bits

    def _unit_bits(self, sets: DocumentSets, stems: tuple[str, ...]) -> Bits:
        """The documents holding any of ``stems`` (read-only: it is kept for the next request)."""
        def bits() -> Bits:
            made = sets.any_stem(stems)
            made.flags.writeable = False
            return made
        return self.unit_bits.get_or_compute(stems, bits)

    def _narrowed(self, bits: Bits, filters: dict[str, tuple[str, ...]]) -> Bits:
        """``bits`` AND every filter (a filter: any of its values); ``bits`` itself without filters."""
        assert self.sets is not None
        if not filters:
            return bits
        narrowed = bits.copy()
        for name, values in filters.items():
            np.bitwise_and(narrowed, self.sets.any_value(name, values), out=narrowed)
        return narrowed

    def _total(self, bits: Bits | None, filters: dict[str, tuple[str, ...]]) -> int | None:
        return None if bits is None or self.sets is None else self.sets.count(self._narrowed(bits, filters))

    # -- facets ----------------------------------------------------------------------------------

    def _facets(self, searcher: tantivy.Searcher, units: tuple[Unit, ...], text: _Lazy, matches: _Lazy,
                request: SearchRequest, filters: dict[str, tuple[str, ...]], matched: int) -> dict[str, list[FacetCount]]:
        """Disjunctive counts: a facet with an active filter is counted with every filter but its
        own; all the others are counted together with the full filter set, over the ``matched``
        documents. Cached counts are reused per facet, and only the missing ones are counted."""
        wanted = request.facets if request.facets is not None else self.settings.facet_fields
        groups: dict[tuple[Any, ...], list[str]] = {}
        for name in wanted:
            applied = {k: v for k, v in filters.items() if k != name}
            groups.setdefault(_filter_key(applied), []).append(name)
        counts: dict[str, list[FacetCount] | None] = {}
        for key, names in groups.items():
            found = {name: self.counts.get((units, key, name)) for name in names}
            missing = [name for name, value in found.items() if value is None]
            if missing:
                fresh = self._count(searcher, units, text, matches, key, missing,
                                    matched if key == _filter_key(filters) else None)
                for name in missing:
                    self.counts.put((units, key, name), fresh[name])
                found.update(fresh)
            counts.update(found)
        return {name: counts[name] or [] for name in wanted}

    def _count(self, searcher: tantivy.Searcher, units: tuple[Unit, ...], text: _Lazy, matches: _Lazy,
               key: tuple[Any, ...], names: list[str], matched: int | None) -> dict[str, list[FacetCount]]:
        """Counts of ``names`` over the query within filter set ``key`` (``matched`` documents,
        when known): from the document sets when they can say, else with tantivy (without a
        query, the filter set's totals)."""
        bits = matches()
        if bits is not None and self.sets is not None:
            return self.sets.facet_counts(self._narrowed(bits, dict(key)), names)
        if not units:
            return self._totals(searcher, key, names)
        query = self._filtered(text(), dict(key))
        if matched is not None and matched <= AGGREGATE_SHARE * searcher.num_docs:
            return self._aggregate(searcher, query, names)
        return self._facet_counts(searcher, query, names)

    def _totals(self, searcher: tantivy.Searcher, key: tuple[Any, ...], names: list[str]) -> dict[str, list[FacetCount]]:
        """Counts of ``names`` over a filter set without a query, cached."""
        found: dict[str, list[FacetCount]] = {}
        for name in names:
            cached = self.totals.get((key, name))
            if cached is not None:
                found[name] = cached
        missing = [name for name in names if name not in found]
        if missing:
            fresh = self._facet_counts(searcher, self._filtered(Query.all_query(), dict(key)), missing)
            for name in missing:
                self.totals.put((key, name), fresh[name])
            found.update(fresh)
        return found

    def _facet_counts(self, searcher: tantivy.Searcher, query: Query, names: list[str]) -> dict[str, list[FacetCount]]:
        """Documents per value of each facet in ``names`` among those ``query`` matches, most first.

        tantivy collects the query's matches into a bit set once, then walks the postings of the
        ``facet_terms`` (of one facet, or of all when several are wanted) counting the documents
        in the set: every matched document counts once per value it holds."""
        counts: dict[str, list[FacetCount]] = {name: [] for name in names}
        for term, count in searcher.terms_with_prefix(FACET_TERMS, _walk_prefix(names), filter_query=query):
            if not count:  # terms come most counted first, then by value: the rest are 0 too
                break
            name, _, value = term[1:].partition(FACET_SEPARATOR)
            if name in counts:
                counts[name].append(FacetCount(value, count))
        return counts

    def _aggregate(self, searcher: tantivy.Searcher, query: Query, names: list[str]) -> dict[str, list[FacetCount]]:
        """Documents per value of each facet in ``names`` among those ``query`` matches, read from
        the matches' facet columns; most first, then by value."""
        aggs = {n: {"terms": {"field": n, "size": self._sizes.get(n, 10)}} for n in names}
        raw = searcher.aggregate(query, aggs)
        return {n: sorted((FacetCount(str(b["key"]), int(b["doc_count"])) for b in raw.get(n, {}).get("buckets", [])),
                          key=lambda c: (-c.count, c.value))
                for n in names}

    def _hits(self, searcher: tantivy.Searcher, plan: QueryPlan | None, docs: list[dict[str, Any]]) -> list[Hit]:
        highlighter = self._highlighter(searcher, plan) if plan and plan.units and docs else None
        return [Hit(id=d["id"], title=d["title"], url=d["url"], type=d["type"], date=d.get("date"),
                    snippet=_snippet(highlighter, d)) for d in docs]

    def facet_values(self, field_name: str, prefix: str, limit: int,
                     filters: dict[str, tuple[str, ...]] | None = None) -> list[FacetCount]:
        searcher = self._searcher()
        scope = self._filtered(Query.all_query(), {k: v for k, v in (filters or {}).items() if v})
        ranked = sorted(searcher.terms_with_prefix(field_name, prefix, filter_query=scope),
                        key=lambda pair: (-pair[1], pair[0]))
        return [FacetCount(v, c) for v, c in ranked[:limit] if c > 0]

    def get(self, doc_id: str) -> dict[str, Any] | None:
        searcher = self._searcher()
        result = searcher.search(Query.term_query(self._schema, "id", doc_id), limit=1)
        return self._document(searcher, result.hits[0][1]) if result.hits else None

    def catalog(self) -> FacetCatalog:
        self._searcher()
        return self.meta.catalog

    def info(self) -> IndexInfo:
        self._searcher()
        return IndexInfo(engine=self.name, documents=self.meta.documents, version=self.meta.version,
                         built_at=self.meta.built_at)


def _parts(text: str) -> list[tuple[int, str]]:
    """``text`` as its head and the rest, each with its offset; a short text whole."""
    cut = text.find(" ", SNIPPET_HEAD) if len(text) > SNIPPET_HEAD + SNIPPET_CHARS else -1
    return [(0, text)] if cut < 0 else [(0, text[:cut]), (cut + 1, text[cut + 1:])]


def _snippet(highlighter: Highlighter | None, doc: dict[str, Any]) -> str:
    """From the body (its head first, see :data:`SNIPPET_HEAD`), else the summary, else the start
    of the text."""
    if highlighter is not None:
        for text in filter(None, (doc.get(name) for name in ("body", "summary"))):
            for offset, part in _parts(text):
                found = highlighter.marked(part, offset > 0, offset + len(part) < len(text))
                if found is not None:
                    return found
    return plain_snippet(doc.get("summary") or doc.get("body") or "", SNIPPET_CHARS)


class Highlighter:
    """Marks the query's words in a hit's text: the best fragment of at most
    :data:`SNIPPET_CHARS` bytes, as tantivy's ``SnippetGenerator`` picks it (the fragment whose
    words are rarest in the index: each matched word scores 1 / (1 + documents holding it)).

    The compiled pass (``_snippet.c``) gives tantivy's answer at a quarter of its cost (~6 against
    ~25 us a hit: tantivy hands every text and its fragment to Python as four objects); for a text
    with a code point the folding table does not describe (beyond U+2100), tantivy's generator
    is asked, made on first use."""

    def __init__(self, terms: dict[str, int], generator: Callable[[], tantivy.SnippetGenerator]) -> None:
        self.terms = terms
        """Each folded word to mark, with the number of documents holding it."""
        self.generator: Callable[[], tantivy.SnippetGenerator] = _Lazy(generator)
        """tantivy's generator for the same words, made on first use."""

    def marked(self, part: str, before: bool, after: bool) -> str | None:
        """The best fragment of ``part`` with its matches marked, ``…`` where the text goes on
        (``before``/``after``: text outside ``part``); ``None`` when nothing in it matches."""
        found = fragment_html(part, self.terms, folding_table(), SNIPPET_CHARS)
        if isinstance(found, tuple):
            html, cut_before, cut_after = found
            return _with_ellipses(html, cut_before, cut_after, before, after)
        if found is None:
            return None
        return tantivy_marked(self.generator(), part, before, after)


def tantivy_marked(generator: tantivy.SnippetGenerator, part: str, before: bool, after: bool) -> str | None:
    """:meth:`Highlighter.marked` by tantivy's own snippet generator."""
    snippet = generator.snippet_from_doc(tantivy.Document(**{PLAIN_FIELD: part}))
    ranges = [(r.start, r.end) for r in snippet.highlighted()]
    if not ranges:
        return None
    fragment = snippet.fragment_range()
    return _with_ellipses(marked_html(snippet.fragment(), ranges), fragment.start > 0,
                          fragment.end < len(part.encode()), before, after)


def _with_ellipses(html: str, cut_before: bool, cut_after: bool, before: bool, after: bool) -> str:
    """A fragment's HTML with ``…`` where its part goes on (``cut_*``) or the text goes on
    beyond the part (``before``/``after``)."""
    return ("…" if before or cut_before else "") + html + ("…" if after or cut_after else "")


def _facet_prefix(name: str) -> str:
    """The start of every facet term of facet ``name``: group letter, name, separator."""
    return (GENERIC_GROUP if name in GENERIC_FACETS else META_GROUP) + name + FACET_SEPARATOR


def _walk_prefix(names: list[str]) -> str:
    """The narrowest term prefix that covers every facet in ``names``."""
    if len(names) == 1:
        return _facet_prefix(names[0])
    groups = {_facet_prefix(name)[0] for name in names}
    return groups.pop() if len(groups) == 1 else ""


def _filter_key(filters: dict[str, tuple[str, ...]]) -> tuple[Any, ...]:
    """Filters as a hashable, order-free key (values OR within a field, fields AND)."""
    return tuple(sorted((name, tuple(sorted(values))) for name, values in filters.items() if values))


def _count(result: tantivy.SearchResult) -> int:
    """The number of matching documents (``count=True``; tantivy's type stub omits the attribute)."""
    count: int = result.count  # type: ignore[attr-defined]
    return count


class _Lazy:
    """A value built on first use (a query a cached answer never needs, a snippet generator
    no hit needs); ``None`` is a valid value."""

    _UNSET = object()

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._value: Any = self._UNSET

    def __call__(self) -> Any:
        if self._value is self._UNSET:
            self._value = self._build()
        return self._value


def new_index_folder(parent: Path) -> Path:
    """A fresh folder beside the target, so the final rename stays on one file system."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".search-new-", dir=parent))
