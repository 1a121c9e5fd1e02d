"""The one way anything reads published content: documents, bundles, history, lists and search.

Published versions never change, so a decoded version (its struct, its bundle, its encoded bytes, each made
the first time something asks) holds until the review status it shows changes, an item it links to is
archived or a translation of it is published. Its key is the version's row id (one translation's version),
the locale it stands in for when it is a fallback, its item's translations, today's date and the set of
archived items. Lookups (which version is the latest, what is archived, which translations exist, what the
chart is offered) are reused for ``latest_ttl`` seconds, and dropped at once when Editorial reports a change
in this process (``changed``): other processes and replicas see a write within ``latest_ttl``.

One bounded LRU of decoded versions, one bounded map of lookups with their expiry, one single-flight
(shared with the export service): concurrent callers asking for the same thing make one call.
The store itself stays private.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from cachetools import LRUCache
from msgspec.structs import replace

from api.caching import Encoded, public
from api.metrics import Metrics
from api.single_flight import SingleFlight
from content import model
from content.bundle import Bundle, make_bundle
from content.changes import Change
from content.chart import ChartVersion
from content.locales import DEFAULT_LOCALE
from content.readability import measure
from content.render import published
from content.review_dates import refuse_withdrawn, withdrawn
from content.store import Page, SearchHit, Store, StoredVersion, VersionKey

T = TypeVar("T")
DocumentKey = tuple[int, str | None, tuple[str, ...], dt.date, frozenset[tuple[str, str]]]
LOOKUP_ENTRIES = 4096  # lookups kept beside the decoded versions (locate, archived, translations, chart)
SHARED_LOOKUPS = frozenset({("archived",), ("translations",)})  # every read needs them: never evicted


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class Document:
    """A published version as readers get it: the struct; its encoded bytes, its bundle and its
    ``?include=embeds`` form are made the first time they are asked for, then kept with it."""

    __slots__ = ("_encoded", "_source", "bundle", "included", "value")

    def __init__(self, value: model.Published, source: model.Content | None = None) -> None:
        self.value = value
        # The stored item, until its reading level is measured: channels never read it, so a
        # cold handout does not wait for it; JSON, which carries it, measures it once.
        self._source = source
        self._encoded: Encoded | None = None
        self.bundle: Bundle | None = None  # set by Reader.bundle
        self.included: Encoded | None = None  # set by Reader.with_embeds

    @property
    def encoded(self) -> Encoded:
        """The JSON bytes (and their gzip form and ETag): encoded once, and only for JSON reads."""
        if self._encoded is None:
            self._encoded = Encoded.of(self.measured())
        return self._encoded

    def unmeasured(self) -> model.Published:
        """The value as channels get it: no reading level, so a bundle (and its hash, which keys
        renders across replicas) is the same whether or not JSON was read first."""
        value = self.value
        return value if value.readability is None else replace(value, readability=None)

    def measured(self) -> model.Published:
        """The value with its reading level, measured the first time it is asked for."""
        if self._source is not None:
            self.value = replace(self.value, readability=measure(self._source))
            self._source = None
        return self.value


def _fallback_from(key: VersionKey, locales: tuple[str, ...]) -> str | None:
    """The locale asked for, when the version found stands in for it."""
    return locales[0] if key.locale != locales[0] else None


def _unreadable(
    locale: str,
    translations: dict[tuple[str, str], tuple[str, ...]],
    archived: frozenset[tuple[str, str, str]],
) -> frozenset[tuple[str, str]]:
    """(kind, slug) of the archived items with no live translation in ``locale`` or the default."""
    readable = {locale, DEFAULT_LOCALE}
    return frozenset(
        (k, s) for k, s, _ in archived if not readable.intersection(translations.get((k, s), ()))
    )


def _without(value: model.Published, gone: set[tuple[str, str]]) -> model.Published:
    """``value`` without the embeds ``gone`` (kind, slug): neither pinned nor as blocks in its body."""
    if not gone:
        return value
    fields: dict[str, Any] = {"embeds": [r for r in value.embeds if (r.type, r.slug) not in gone]}
    if (body := getattr(value, "body", None)) is not None:
        fields["body"] = [b for b in body if b.embeds() not in gone]
    return replace(value, **fields)


class Reader:
    """Reads published content and keeps what it decoded (module docstring); lookups by (kind, slug)
    key on the locales asked for, so a reader of one locale is never served another's answer."""

    withdraw_overdue = False  # FOLIO_OVERDUE=withdraw: an overdue latest version is Gone (410)

    def __init__(
        self,
        store: Store,
        brand: model.Brand,
        *,
        max_entries: int,
        latest_ttl: float,
        metrics: Metrics,
        cache_control: str = public(60),
        flights: SingleFlight | None = None,
    ) -> None:
        self._store = store
        # The Cache-Control of published content, kept here so read handlers need nothing else.
        self.cache_control = cache_control
        self.metrics = metrics
        self.brand = brand
        self.public_url = ""  # pictures' variant URLs are absolute under it (set by api.services)
        self.latest_ttl = latest_ttl
        self.flights = flights or SingleFlight()
        self._versions: LRUCache[DocumentKey, Document] = LRUCache(max_entries)
        # (until, value) per lookup; until is time.monotonic() + latest_ttl when it was made. A
        # plain dict, oldest first (every entry expires within latest_ttl anyway): read several
        # times per routed request, where an LRU's bookkeeping would cost more than it saves.
        self._lookups: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._listeners: list[Callable[[Change], None]] = []
        self.encodes = 0  # how many versions were decoded; tests and benchmarks read it
        self.generation = 0  # counts the changes reported in this process

    # --- freshness ----------------------------------------------------------------------------

    def listen(self, listener: Callable[[Change], None]) -> None:
        """Also tell ``listener`` about each change (what else keeps answers built from here)."""
        self._listeners.append(listener)

    def changed(self, change: Change) -> None:
        """Editorial's change signal: drop every lookup (items that embed the changed one got
        new versions too), then tell the listeners (the stored responses)."""
        self._lookups.clear()
        self.generation += 1
        for listener in self._listeners:
            listener(change)

    def _lookup(self, key: tuple[Any, ...]) -> tuple[float, Any] | None:
        hit = self._lookups.get(key)
        return hit if hit is not None and hit[0] > time.monotonic() else None

    async def _looked_up(
        self, key: tuple[Any, ...], call: Callable[[], Awaitable[T]], keep: bool = True
    ) -> T:
        """The lookup's answer, from the map while it holds, else from the store (once)."""
        if (hit := self._lookup(key)) is not None:
            kept: T = hit[1]  # the map holds each key's own type
            return kept
        generation = self.generation
        found = await self.flights.run(key, call)
        if keep and self.latest_ttl > 0 and generation == self.generation:  # no change meanwhile
            self._lookups.pop(key, None)
            self._lookups[key] = (time.monotonic() + self.latest_ttl, found)
            if len(self._lookups) > LOOKUP_ENTRIES:  # the oldest goes, but never a shared one
                del self._lookups[next(k for k in self._lookups if k not in SHARED_LOOKUPS)]
        return found

    def fresh_until(
        self, kind: model.Kind, slug: str, version: int | None, locales: tuple[str, ...], document: Document
    ) -> float:
        """Until when (``time.monotonic()``) ``document(kind, slug, version, locales)`` answers ``document``:
        while the lookups it was found with are reused (``latest_ttl``) and the day is
        the same (review status); 0 when they are not reused, or were renewed while it was built.
        """
        located = self._lookup(("locate", kind, slug, version, locales, False))
        archived, translations = self._lookup(("archived",)), self._lookup(("translations",))
        if located is None or archived is None or translations is None:
            return 0.0
        key = located[1]
        cache_key = self._document_key(key, _fallback_from(key, locales), translations[1], archived[1])
        if self._versions.get(cache_key) is not document:
            return 0.0
        now, wall = time.monotonic(), time.time()
        midnight = (wall // 86400 + 1) * 86400  # POSIX days are UTC days
        return min(located[0], archived[0], translations[0], now + (midnight - wall))

    def latest_until(self, kind: model.Kind, slug: str, locale: str) -> float:
        """Until when the latest version of one translation, as looked up, is reused; 0 if it is not."""
        hit = self._lookup(("locate", kind, slug, None, (locale,), False))
        return hit[0] if hit is not None else 0.0

    # --- documents ----------------------------------------------------------------------------

    async def document(
        self,
        kind: model.Kind,
        slug: str,
        version: int | None = None,
        locales: tuple[str, ...] = (DEFAULT_LOCALE,),
        withdrawn_ok: bool = False,  # staff (the desk, a publisher's own write) read withdrawn items
    ) -> Document:
        """The version in the first of ``locales`` the item is published in; a fallback says so."""
        key = await self.locate(kind, slug, version, locales=locales)
        document = await self._decoded(key, _fallback_from(key, locales))
        if self.withdraw_overdue and not withdrawn_ok and withdrawn(document.value.review, today()):
            refuse_withdrawn(key, await self.locate(kind, slug, locales=locales))
        return document

    async def locate(
        self,
        kind: model.Kind,
        slug: str,
        version: int | None = None,
        *,
        locales: tuple[str, ...] = (DEFAULT_LOCALE,),
        archived_ok: bool = False,
    ) -> VersionKey:
        """The store's answer to "which version?", reused for ``latest_ttl`` seconds."""
        return await self._looked_up(
            ("locate", kind, slug, version, locales, archived_ok),
            lambda: self._store.locate(kind, slug, version, locales=locales, archived_ok=archived_ok),
            keep=not archived_ok,
        )

    async def translations(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """(kind, slug) -> the locales each item is published in (live ones), reused for ``latest_ttl`` s."""
        return await self._looked_up(("translations",), self._store.translations)

    async def archived(self, locale: str) -> frozenset[tuple[str, str]]:
        """(kind, slug) of the items a reader of ``locale`` cannot open: archived, and no live
        translation in that locale or the default one to fall back to."""
        return _unreadable(locale, await self.translations(), await self._archived())

    async def _archived(self) -> frozenset[tuple[str, str, str]]:
        """(kind, slug, locale) of every archived translation, reused for ``latest_ttl`` s."""
        return await self._looked_up(("archived",), self._store.archived)

    @staticmethod
    def _document_key(
        key: VersionKey,
        fallback_from: str | None,
        translations: dict[tuple[str, str], tuple[str, ...]],
        archived: frozenset[tuple[str, str, str]],
    ) -> DocumentKey:
        """What a decoded version depends on, from these lookups (see the module docstring)."""
        return (
            key.id,
            fallback_from,
            translations.get((key.kind, key.slug), ()),
            today(),
            _unreadable(key.locale, translations, archived),
        )

    async def _decoded(self, key: VersionKey, fallback_from: str | None = None) -> Document:
        translations, archived = await self.translations(), await self._archived()
        cache_key = self._document_key(key, fallback_from, translations, archived)
        hit = self._versions.get(cache_key)
        self.metrics.cache_lookup("documents", hit is not None)
        if hit is not None:
            return hit
        document = await self.flights.run(cache_key, lambda: self._decode(key, cache_key, fallback_from))
        self._versions[cache_key] = document
        return document

    async def _decode(self, key: VersionKey, cache_key: DocumentKey, fallback_from: str | None) -> Document:
        _, _, translations, day, archived = cache_key
        stored = await self._store.load(key)
        value = published(
            stored.content,
            stored.info,
            self.brand,
            day,
            stored.pins,
            archived,
            translations=translations,
            fallback_from=fallback_from,
            measured=False,
            public_url=self.public_url,
        )
        if self.withdraw_overdue and value.embeds:  # an overdue embed is withdrawn with its item
            found = await self._pinned(value.embeds)
            value = _without(
                value, {(d.value.kind, d.value.slug) for d in found if withdrawn(d.value.review, day)}
            )
        self.encodes += 1
        return Document(value, stored.content)

    async def embeds(self, document: Document) -> list[Document]:
        """The exact versions a document pins, archived since or not; under FOLIO_OVERDUE=withdraw
        not those past their review date (left out of ``embeds`` when it is decoded, so every
        channel leaves them out as it does an embed it cannot find, and the bundle differs)."""
        return await self._pinned(document.value.embeds)

    async def _pinned(self, refs: Sequence[model.ItemRef]) -> list[Document]:
        return [
            await self._decoded(
                await self.locate(
                    ref.type, ref.slug, ref.version, locales=(ref.locale or DEFAULT_LOCALE,), archived_ok=True
                )
            )
            for ref in refs
        ]

    async def bundle(self, document: Document) -> Bundle:
        """What channels render: the version, the versions it pins and the brand; its ETag is the
        bundle's own hash, so a render never waits for the JSON to be encoded."""
        if document.bundle is None:
            embeds = [d.unmeasured() for d in await self.embeds(document)]
            locale = document.value.locale
            titles = await self._store.titles(document.value.related, (locale, DEFAULT_LOCALE))
            document.bundle = make_bundle(document.unmeasured(), embeds, self.brand, titles)
        return document.bundle

    async def with_embeds(self, document: Document) -> Encoded:
        """The document with its pinned embeds included in full (``?include=embeds``)."""
        if document.included is None:
            included = [d.measured() for d in await self.embeds(document)]
            document.included = Encoded.of(replace(document.measured(), included=included))
        return document.included

    # --- everything else readers ask ------------------------------------------------------------

    async def version(
        self, kind: model.Kind, slug: str, number: int, locale: str = DEFAULT_LOCALE
    ) -> StoredVersion:
        """One stored version by number, as the store keeps it (compare, restore, the desk)."""
        return await self._store.get(kind, slug, number, locale)

    async def history(
        self, kind: model.Kind, slug: str, locale: str = DEFAULT_LOCALE
    ) -> list[model.VersionInfo]:
        """Every published version of one translation, newest first."""
        return await self._store.history(kind, slug, locale)

    async def list_items(
        self,
        kind: model.Kind,
        *,
        limit: int,
        cursor: str | None = None,
        tag: str | None = None,
        code: tuple[str | None, str] | None = None,
        locales: Sequence[str] = (DEFAULT_LOCALE,),
        withdrawn_ok: bool = False,  # the desk: staff list items withdrawn past their review date too
    ) -> Page:
        """Published items of one kind ordered by slug, a page at a time (``Store.list_items``)."""
        return await self._store.list_items(
            kind, limit=limit, cursor=cursor, tag=tag, code=code, locales=locales, withdrawn_ok=withdrawn_ok
        )

    async def search(
        self, q: str, *, kind: model.Kind | None = None, limit: int = 20, locale: str = DEFAULT_LOCALE
    ) -> list[SearchHit]:
        """Ranked matches among one locale's translations."""
        return await self._store.search(q, kind=kind, limit=limit, locale=locale)

    async def chart_versions(
        self,
        locales: Sequence[str] | None,
        codes: Sequence[tuple[str | None, str]],
        current_only: bool,
        ids: Sequence[int] | None,
    ) -> tuple[list[ChartVersion], float]:
        """The versions a chart may be offered, and until when (``time.monotonic()``) they are
        reused (a publish elsewhere reaches the chart within ``latest_ttl``); 0 when not kept."""
        key = (
            "chart",
            tuple(locales) if locales is not None else None,
            tuple(codes),
            current_only,
            tuple(ids) if ids is not None else None,
        )

        async def look_up() -> list[ChartVersion]:
            return await self._store.chart_versions(
                locales=locales, codes=codes, current_only=current_only, ids=ids
            )

        found = await self._looked_up(key, look_up)
        hit = self._lookups.get(key)
        return found, hit[0] if hit is not None and hit[1] is found else 0.0

    async def ping(self) -> None:  # raises when the database does not answer
        await self._store.ping()

    async def schema_revision(self) -> str | None:
        return await self._store.schema_revision()
