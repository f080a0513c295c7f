"""The Meilisearch engine and `kennisbank index push`, through the official ``meilisearch`` client.

Push builds a complete temporary index (settings, documents in batches, every task waited for and
checked), then swaps it with the live one in a single task: visitors never see a half-built
index, and a failure before the swap leaves the live index untouched. The API uses a key that may
only search; the master key is used by push alone and is redacted from every message.

The pure parts (settings payload, filter expressions, snippets, ids) are plain functions so they
can be tested without a server.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from kennisbank.errors import KennisbankError
from kennisbank.search.analysis import dutch
from kennisbank.search.documents import SITE_FIELD, FacetCatalog, values_of
from kennisbank.search.engine import EngineUnavailable, FacetCount, Hit, IndexInfo, SearchEngine, SearchRequest, SearchResult
from kennisbank.search.index_files import build_time, index_version, read_meta
from kennisbank.search.params import MAX_PAGE, MAX_PER_PAGE
from kennisbank.search.query import words
from kennisbank.search.settings import SearchSettings
from kennisbank.search.snippets import plain_snippet

log = logging.getLogger(__name__)

DEFAULT_INDEX = "kennisbank"
PRIMARY_KEY = "key"
BATCH_SIZE = 1000
TASK_TIMEOUT_MS = 10 * 60 * 1000
SEARCH_KEY_NAME = "kennisbank-search"
SEARCH_KEY_DESCRIPTION = "kennisbank search API: may only search"
PRE, POST = "\x02", "\x03"
"""Highlight tags Meilisearch puts around matches; control characters that cannot occur in
document text, replaced by ``<mark>`` only after the text is escaped."""
CROP_WORDS = 30
SNIPPET_CHARS = 180
INFO_TTL = 2.0
_FACET_FIELD = re.compile(r"^[a-z_]+$")
MIN_VERSION = (1, 12, 0)
"""The oldest server the pushed settings are written for: ``prefixSearch`` needs v1.12,
``localizedAttributes`` and federated multi-search v1.10. Checked with ``GET /version``."""
MAX_SYNONYM_WORDS = 3
"""Meilisearch looks synonyms up for query n-grams of at most three words."""
FORMS_FIELD = "forms"
"""Other Dutch forms of a document's words (kerk for kerken): Meilisearch does not stem Dutch."""
TEXT_FIELDS = ("title", "topics", "tags", "summary", "body")
UNAVAILABLE = "the search server did not answer"
"""What the API says when Meilisearch fails; the details (URL, its message) go to the log."""


class MeiliError(KennisbankError):
    """Meilisearch refused or could not be reached; the message never holds a key."""


# -- pure functions ------------------------------------------------------------------------

def meili_key(doc_id: str) -> str:
    """Meilisearch ids allow only ``[A-Za-z0-9_-]``; item ids are ``section/slug`` (no ``_``)."""
    return doc_id.replace("/", "__")


def quote(value: str) -> str:
    """One filter literal: double-quoted, with backslashes and quotes escaped, so no value can
    end the literal and add filter syntax (``x" OR type = "y`` stays one string)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_expression(filters: Mapping[str, Sequence[str]]) -> str | None:
    """Facet filters as one expression: values OR-ed within a field, fields AND-ed."""
    parts = []
    for name, values in sorted(filters.items()):
        if not values:
            continue
        if not _FACET_FIELD.match(name):
            raise ValueError(f"not a facet field: {name!r}")
        alternatives = " OR ".join(f"{name} = {quote(v)}" for v in values)
        parts.append(f"({alternatives})")
    return " AND ".join(parts) or None


@dataclass(frozen=True)
class SynonymPlan:
    """Synonyms and stop words as pushed, and what had to change so every synonym can fire."""

    synonyms: dict[str, list[str]]
    stop_words: list[str]
    changes: list[str]


def synonym_plan(groups: Sequence[Sequence[str]], stop_words: frozenset[str]) -> SynonymPlan:
    """Groups of equivalent words as Meilisearch's map (every member lists all others), rewritten
    for how Meilisearch matches them: it drops stop words from synonyms and looks synonyms up
    only for runs of at most three consecutive query words. So a stop word inside a synonym
    (``internet of things``) stays searchable, and a member of more than three words is only a
    target: it is found through its group but typing it does not find the others."""
    mapping: dict[str, list[str]] = {}
    kept: dict[str, list[str]] = {}
    changes = []
    for group in groups:
        members = [" ".join(words(m)) for m in group]
        for member in members:
            tokens = member.split()
            if len(tokens) > MAX_SYNONYM_WORDS:
                changes.append(f"synonym {member!r} has {len(tokens)} words (Meilisearch matches at most "
                               f"{MAX_SYNONYM_WORDS}): pushed only as a target of its group")
                continue
            for token in tokens:
                if token in stop_words:
                    kept.setdefault(token, []).append(member)
            others = mapping.setdefault(member, [])
            others.extend(o for o in members if o != member and o not in others)
    for word, members in sorted(kept.items()):
        changes.append(f"stop word {word!r} stays searchable in Meilisearch: synonym(s) "
                       f"{', '.join(repr(m) for m in members)} contain it")
    return SynonymPlan(dict(sorted(mapping.items())), sorted(stop_words - set(kept)), changes)


def settings_payload(settings: SearchSettings) -> dict[str, Any]:
    """The index settings Meilisearch needs to behave like the embedded engine.

    ``sort`` is the first ranking rule: Meilisearch applies it only when a search asks for a
    sort, and then it must win (newest first means newest first, not newest within each
    relevance group); a search without ``sort`` is ranked by the other rules as before.
    """
    typo = settings.typo_tolerance
    plan = synonym_plan(settings.synonyms, settings.stop_words)
    return {
        "searchableAttributes": [f.field for f in settings.searchable] + [FORMS_FIELD],
        "filterableAttributes": sorted(set(settings.facet_fields) | {"id", SITE_FIELD}),
        "sortableAttributes": ["date_key"] if "date" in settings.sortable else [],
        "displayedAttributes": ["*"],
        "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
        "stopWords": plan.stop_words,
        "synonyms": plan.synonyms,
        "typoTolerance": {"enabled": typo.enabled,
                          "minWordSizeForTypos": {"oneTypo": typo.one_typo, "twoTypos": typo.two_typos},
                          "disableOnWords": list(typo.disable_on_words)},
        "localizedAttributes": [{"attributePatterns": ["*"], "locales": ["nld"]}],
        "faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_PAGE * MAX_PER_PAGE},
        "prefixSearch": "indexingTime" if settings.prefix_search else "disabled",
    }


def meili_documents(documents: Sequence[dict[str, Any]], version: str, built_at: str) -> list[dict[str, Any]]:
    """Search documents as uploaded: a Meilisearch-safe key, the other Dutch forms of their
    words, and the index version on each so the API can read it with a search-only key."""
    forms = word_forms(documents)
    return [{**doc, PRIMARY_KEY: meili_key(doc["id"]), FORMS_FIELD: extra, "index_version": version,
             "built_at": built_at} for doc, extra in zip(documents, forms, strict=False)]


def word_forms(documents: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Per document, the words of the whole corpus that share a Dutch stem with one of its words
    but are not in it: ``kerk`` for a document that only says ``kerken``, ``woningen`` for one
    that only says ``woning``. Meilisearch then finds both forms from either (one edit away is
    too much for its typo tolerance on short words, two edits always)."""
    stems: dict[str, str] = {}
    texts = [_doc_words(doc) for doc in documents]
    family: dict[str, set[str]] = {}
    for vocabulary in texts:
        for word in vocabulary:
            if word not in stems:
                analysed = dutch().analyze(word)
                stems[word] = analysed[0] if analysed else word
            family.setdefault(stems[word], set()).add(word)
    return [sorted(set().union(*(family[stems[w]] for w in vocabulary)) - vocabulary) if vocabulary else []
            for vocabulary in texts]


def _doc_words(doc: dict[str, Any]) -> set[str]:
    return set(words(" ".join(text for name in TEXT_FIELDS for text in values_of(doc, name))))


def parse_version(text: str) -> tuple[int, ...]:
    """``1.12.3`` (or ``1.13.0-rc.1``) as a comparable tuple; unreadable parts count as 0."""
    numbers = re.findall(r"\d+", text.split("-")[0])[:3]
    return tuple(int(n) for n in numbers) + (0,) * (3 - len(numbers))


def snippet_html(formatted: dict[str, Any], doc: dict[str, Any]) -> str:
    """A hit's snippet from Meilisearch's ``_formatted``: escaped text, matches in ``<mark>``."""
    for name in ("body", "summary"):
        text = formatted.get(name) or ""
        if PRE in text:
            return _marked(text)
    return plain_snippet(doc.get("summary") or doc.get("body") or "", SNIPPET_CHARS)


def _marked(text: str) -> str:
    out, inside = [], False
    for piece in re.split(f"([{PRE}{POST}])", text):
        if piece == PRE and not inside:
            out.append("<mark>")
            inside = True
        elif piece == POST and inside:
            out.append("</mark>")
            inside = False
        elif piece not in (PRE, POST):
            out.append(escape(piece))
    if inside:
        out.append("</mark>")
    return "".join(out)


_BEARER = re.compile(r"(Bearer\s+)(?!\[redacted\])[^\s'\"\],}]+", re.I)


def redact(text: str, *secrets: str | None) -> str:
    """``text`` without the given secrets, the keys in the environment, or any bearer token (a
    hostile or buggy server may echo the Authorization header in any reply, even a malformed one)."""
    for secret in (*secrets, os.environ.get("MEILI_MASTER_KEY"), os.environ.get("MEILI_SEARCH_KEY")):
        if secret:
            text = text.replace(secret, "[redacted]")
    return _BEARER.sub(r"\1[redacted]", text)


# -- connection ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Connection:
    """Where Meilisearch is and the key to use; ``repr`` never shows the key."""

    url: str
    key: str | None
    index: str = DEFAULT_INDEX

    def __repr__(self) -> str:
        return f"Connection(url={self.url!r}, index={self.index!r}, key={'[set]' if self.key else None})"

    @classmethod
    def from_environment(cls, *, master: bool = True) -> Connection:
        url = os.environ.get("MEILI_URL")
        if not url:
            raise MeiliError("MEILI_URL is not set")
        key = os.environ.get("MEILI_MASTER_KEY") if master else (
            os.environ.get("MEILI_SEARCH_KEY") or os.environ.get("MEILI_MASTER_KEY"))
        return cls(url=url.rstrip("/"), key=key or None, index=os.environ.get("MEILI_INDEX", DEFAULT_INDEX))

    def client(self) -> Any:  # meilisearch.Client, imported on first use
        import meilisearch

        return meilisearch.Client(self.url, self.key, timeout=30)

    @contextmanager
    def errors(self, doing: str, unavailable: bool = False) -> Iterator[None]:
        """Turn every client or network failure, and every reply the client cannot parse (a
        validation error quotes the reply, which may echo the key), into one message without it."""
        import meilisearch.errors
        import pydantic
        import requests

        try:
            yield
        except (meilisearch.errors.MeilisearchError, requests.RequestException, OSError, pydantic.ValidationError,
                ValueError, KeyError, TypeError, AttributeError) as exc:
            detail = " ".join(str(exc).split())[:500]
            message = redact(f"Meilisearch at {self.url}: {doing} failed: {detail}", self.key)
            if unavailable:  # the API's answer names neither the server nor its message
                log.warning("%s", message)
                raise EngineUnavailable(UNAVAILABLE) from None
            raise MeiliError(message) from None


def _wait(client: Any, connection: Connection, task: Any, doing: str) -> None:
    with connection.errors(doing):
        done = client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=100)
    if done.status != "succeeded":
        detail = (done.error or {}).get("message", done.status) if isinstance(done.error, dict) else done.status
        raise MeiliError(redact(f"Meilisearch: {doing} failed: {detail}", connection.key))


@dataclass(frozen=True)
class PushReport:
    version: str
    changes: list[str]
    """How the settings were adapted to Meilisearch (synonyms), for the person pushing."""
    warnings: list[str]
    """What went wrong after the new index was live (the old one could not be deleted)."""


def check_version(connection: Connection, client: Any = None) -> str:
    """``GET /version``; a server older than :data:`MIN_VERSION` is refused before anything changes."""
    client = client or connection.client()
    with connection.errors("reading the server version"):
        version = str(client.get_version().get("pkgVersion", ""))
    if parse_version(version) < MIN_VERSION:
        needed = ".".join(map(str, MIN_VERSION))
        raise MeiliError(f"Meilisearch at {connection.url} is version {version or 'unknown'}; kennisbank needs "
                         f"{needed} or newer (prefixSearch, localizedAttributes). Nothing was changed.")
    return version


def push(connection: Connection, documents: Sequence[dict[str, Any]], settings: SearchSettings, uid: str | None = None,
         progress: Callable[[int], object] | None = None) -> PushReport:
    """Replace index ``uid`` (default: the connection's) by ``documents`` with zero downtime.

    Checks the server version first. On any failure before the swap the temporary index is
    deleted and the live one is untouched; after the swap, failing to delete the old documents
    is a warning (the new index is live).
    """
    uid = uid or connection.index
    client = connection.client()
    check_version(connection, client)
    version = index_version(list(documents), settings)
    temporary = f"{uid}_new_{version[:12]}"
    delete_index(connection, temporary)
    try:
        with connection.errors("creating the temporary index"):
            task = client.create_index(temporary, {"primaryKey": PRIMARY_KEY})
        _wait(client, connection, task, "creating the temporary index")
        index = client.index(temporary)
        with connection.errors("applying the settings"):
            task = index.update_settings(settings_payload(settings))
        _wait(client, connection, task, "applying the settings")
        batch = meili_documents(documents, version, build_time())
        for start in range(0, len(batch), BATCH_SIZE):
            with connection.errors("uploading documents"):
                task = index.add_documents(batch[start:start + BATCH_SIZE], primary_key=PRIMARY_KEY)
            _wait(client, connection, task, f"indexing documents {start + 1}-{start + BATCH_SIZE}")
            if progress:
                progress(min(BATCH_SIZE, len(batch) - start))
        with connection.errors("counting documents"):
            count = index.get_stats().number_of_documents
        if count != len(batch):
            raise MeiliError(f"Meilisearch: the temporary index holds {count} documents, expected {len(batch)}")
        with connection.errors("checking the live index"):
            existing = {i.uid for i in client.get_indexes({"limit": 1000})["results"]}
        if uid not in existing:
            with connection.errors("creating the live index"):
                task = client.create_index(uid, {"primaryKey": PRIMARY_KEY})
            _wait(client, connection, task, "creating the live index")
        with connection.errors("swapping the indexes"):
            task = client.swap_indexes([{"indexes": [uid, temporary]}])
        _wait(client, connection, task, "swapping the indexes")
    except BaseException:
        with suppress(MeiliError):
            delete_index(connection, temporary)  # the live index was not touched
        raise
    warnings = []
    try:
        delete_index(connection, temporary)  # after the swap it holds the old documents
    except MeiliError as exc:
        warnings.append(f"the new index is live, but the old documents (index {temporary}) were not deleted: {exc}")
    return PushReport(version, synonym_plan(settings.synonyms, settings.stop_words).changes, warnings)


def delete_index(connection: Connection, uid: str) -> None:
    """Delete index ``uid`` and wait; an index that does not exist is fine."""
    client = connection.client()
    with connection.errors(f"deleting index {uid}"):
        task = client.delete_index(uid)
        done = client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=100)
    code = (done.error or {}).get("code") if isinstance(done.error, dict) else None
    if done.status != "succeeded" and code != "index_not_found":
        raise MeiliError(redact(f"Meilisearch: deleting index {uid} failed: {code or done.status}", connection.key))


def search_key(connection: Connection) -> str | None:
    """A key that may only search the live index: found by name, created when missing.

    ``None`` when the server runs without a master key: then every route is open, no key is
    needed, and the key routes answer ``missing_master_key``."""
    if not connection.key:
        return None
    client = connection.client()
    with connection.errors("listing keys"):
        keys = _without_master_key(lambda: client.get_keys({"limit": 1000}).results)
    if keys is None:
        return None
    for key in keys:
        if key.name == SEARCH_KEY_NAME and key.actions == ["search"] and connection.index in key.indexes:
            return str(key.key)
    with connection.errors("creating the search key"):
        created = client.create_key({"name": SEARCH_KEY_NAME, "description": SEARCH_KEY_DESCRIPTION,
                                     "actions": ["search"], "indexes": [connection.index], "expiresAt": None})
    return str(created.key)


def _without_master_key(call: Callable[[], Any]) -> Any:
    """``call()``, or ``None`` when the server says it has no master key (key routes closed)."""
    import meilisearch.errors

    try:
        return call()
    except meilisearch.errors.MeilisearchApiError as exc:
        if exc.code == "missing_master_key":
            return None
        raise


# -- engine ------------------------------------------------------------------------------------

class MeiliEngine(SearchEngine):
    """Searches a live Meilisearch index with a search-only key (multi-search for facets)."""

    name = "meilisearch"
    blocking_io = True

    def __init__(self, connection: Connection, settings: SearchSettings, uid: str | None = None,
                 local_index: Path | None = None):
        self.connection = connection
        self.settings = settings
        self.uid = uid or connection.index
        self.local_index = local_index
        self._client = connection.client()
        self._info: tuple[float, IndexInfo] | None = None
        self._catalog: FacetCatalog | None = None

    @classmethod
    def from_environment(cls, settings: SearchSettings, local_index: Path | None) -> MeiliEngine:
        """The API's engine: ``MEILI_SEARCH_KEY`` when given, else a search-only key obtained
        once with the master key (which the API then forgets)."""
        connection = Connection.from_environment(master=False)
        if not os.environ.get("MEILI_SEARCH_KEY") and os.environ.get("MEILI_MASTER_KEY"):
            master = Connection.from_environment(master=True)
            try:
                connection = Connection(url=connection.url, key=search_key(master), index=connection.index)
            except MeiliError as exc:
                log.warning("%s", exc)
                raise EngineUnavailable(UNAVAILABLE) from None
            finally:  # a leaked environment (a crash dump, a child process) must not hold it
                os.environ.pop("MEILI_MASTER_KEY", None)
        return cls(connection, settings, local_index=local_index)

    def _query(self, request: SearchRequest, filters: dict[str, Any], facets: list[str], hits: bool) -> dict[str, Any]:
        query: dict[str, Any] = {"indexUid": self.uid, "q": request.q, "matchingStrategy": "all", "facets": facets}
        expression = filter_expression(filters)
        if expression:
            query["filter"] = expression
        if not hits:
            return {**query, "hitsPerPage": 0, "page": 1}
        query.update({"page": request.page, "hitsPerPage": request.per_page,
                      "attributesToRetrieve": ["id", "title", "url", "type", "date", "summary"],
                      "attributesToCrop": ["body"], "cropLength": CROP_WORDS, "cropMarker": "…",
                      "attributesToHighlight": ["body", "summary"], "highlightPreTag": PRE, "highlightPostTag": POST})
        if request.sort == "date":
            query["sort"] = ["date_key:desc"]
        return query

    def search(self, request: SearchRequest) -> SearchResult:
        filters = {k: v for k, v in request.filters.items() if v}
        wanted = list(request.facets if request.facets is not None else self.settings.facet_fields)
        queries = [self._query(request, filters, [f for f in wanted if f not in filters], hits=True)]
        own = [f for f in wanted if f in filters]
        queries += [self._query(request, request.filters_without(f), [f], hits=False) for f in own]
        with self.connection.errors("searching", unavailable=True):
            results = self._client.multi_search(queries)["results"]
        distribution = dict(results[0].get("facetDistribution") or {})
        for name, result in zip(own, results[1:], strict=False):
            distribution[name] = (result.get("facetDistribution") or {}).get(name, {})
        facets = {name: [FacetCount(v, c) for v, c in (distribution.get(name) or {}).items()] for name in wanted}
        hits = [Hit(id=h["id"], title=h["title"], url=h["url"], type=h["type"], date=h.get("date"),
                    snippet=snippet_html(h.get("_formatted") or {}, h)) for h in results[0]["hits"]]
        return SearchResult(hits=hits, total=int(results[0].get("totalHits", 0)), facets=facets)

    def facet_values(self, field_name: str, prefix: str, limit: int,
                     filters: dict[str, tuple[str, ...]] | None = None) -> list[FacetCount]:
        expression = filter_expression(filters or {})
        with self.connection.errors("searching facet values", unavailable=True):
            result = self._client.index(self.uid).facet_search(
                field_name, prefix or None, {"filter": expression} if expression else None)
        ranked = sorted(((h["value"], h["count"]) for h in result["facetHits"]), key=lambda p: (-p[1], p[0]))
        return [FacetCount(v, c) for v, c in ranked[:limit]]

    def get(self, doc_id: str) -> dict[str, Any] | None:
        with self.connection.errors("reading a document", unavailable=True):
            result = self._client.index(self.uid).search("", {"filter": f"id = {quote(doc_id)}", "limit": 1})
        if not result["hits"]:
            return None
        doc = dict(result["hits"][0])
        for name in (PRIMARY_KEY, FORMS_FIELD, "index_version", "built_at"):
            doc.pop(name, None)
        return doc

    def catalog(self) -> FacetCatalog:
        """Labels from the local build when there is one; otherwise the values as their labels."""
        if self._catalog is None:
            if self.local_index and self.local_index.exists():
                self._catalog = read_meta(self.local_index).catalog
            else:
                result = self.search(SearchRequest(per_page=1))
                self._catalog = FacetCatalog({f: {c.value: c.value for c in counts}
                                              for f, counts in result.facets.items()})
        return self._catalog

    def info(self) -> IndexInfo:
        now = time.monotonic()
        if self._info and now - self._info[0] < INFO_TTL:
            return self._info[1]
        with self.connection.errors("reading the index version", unavailable=True):
            result = self._client.index(self.uid).search(
                "", {"hitsPerPage": 1, "page": 1, "attributesToRetrieve": ["index_version", "built_at"]})
        first = result["hits"][0] if result["hits"] else {}
        version = first.get("index_version") or hashlib.sha256(self.uid.encode()).hexdigest()[:20]
        info = IndexInfo(engine=self.name, documents=int(result.get("totalHits", 0)), version=version,
                         built_at=first.get("built_at"))
        self._info = (now, info)
        return info
