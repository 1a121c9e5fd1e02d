"""Published documents for readers, each encoded once and then served from memory; bundles."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from msgspec.structs import replace

from api.caching import Encoded
from api.observability import Metrics
from content import model
from content.bundle import Bundle, make_bundle
from content.locales import DEFAULT_LOCALE
from content.render import published
from content.store import Store, VersionKey


@dataclass(frozen=True, slots=True)
class Document:
    """A published version as readers get it: the struct and its encoded bytes."""

    value: model.Published
    encoded: Encoded


DocumentKey = tuple[int, str | None, tuple[str, ...], dt.date, frozenset[tuple[str, str]]]


def _fallback_from(key: VersionKey, locales: tuple[str, ...]) -> str | None:
    """The locale asked for, when the version found stands in for it."""
    return locales[0] if key.locale != locales[0] else None


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


T = TypeVar("T")


class SingleFlight:
    """Concurrent callers asking for the same key share one call instead of each making it."""

    def __init__(self) -> None:
        self._running: dict[object, asyncio.Future[Any]] = {}

    async def run(self, key: object, call: Callable[[], Awaitable[T]]) -> T:
        if (running := self._running.get(key)) is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            result = await call()
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here; waiters re-raise it themselves
            raise
        finally:
            del self._running[key]


class LRU(OrderedDict[Any, Any]):
    """A bounded mapping that forgets the least recently used entry."""

    def __init__(self, max_entries: int) -> None:
        super().__init__()
        self.max_entries = max_entries

    def get_recent(self, key: object) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key: object, value: object) -> None:
        self[key] = value
        if len(self) > self.max_entries:
            self.popitem(last=False)


class Documents:
    """Builds reader documents and bundles from the store and keeps them.

    Published versions never change, so a version's bytes are valid until the review status
    it shows changes, an item it links to is archived or a translation of it is published: the
    key is the version's row id (one translation's version), the locale it stands in for when it
    is a fallback, its item's translations, today's date and the set of archived items (the last
    two looked up at most every ``latest_ttl`` s). Lookups by (kind, slug) key on the locales
    asked for, so a reader of one locale is never served another's cached answer.
    """

    def __init__(
        self,
        store: Store,
        brand: model.Brand,
        *,
        max_entries: int,
        latest_ttl: float,
        metrics: Metrics,
        max_age: int = 60,
        on_forget: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.on_forget = on_forget  # what else keeps answers built from here (the response store)
        # The Cache-Control of published content, kept here so read handlers need nothing else.
        self.cache_control = f"public, max-age={max_age}"
        self.metrics = metrics
        self.brand = brand
        self.latest_ttl = latest_ttl
        self._cache = LRU(max_entries)
        self._bundles = LRU(max_entries)
        self._keys: dict[tuple[str, str, int | None, tuple[str, ...]], tuple[float, VersionKey]] = {}
        self._archived: tuple[float, frozenset[tuple[str, str, str]]] = (0.0, frozenset())
        self._translations: tuple[float, dict[tuple[str, str], tuple[str, ...]]] = (0.0, {})
        self._flights = SingleFlight()
        self.encodes = 0  # how many documents were built; tests and benchmarks read it
        self.generation = 0  # counts this process's writes (forget)

    async def get(
        self,
        kind: model.Kind,
        slug: str,
        version: int | None = None,
        locales: tuple[str, ...] = (DEFAULT_LOCALE,),
    ) -> Document:
        """The version in the first of ``locales`` the item is published in; a fallback says so."""
        key = await self.locate(kind, slug, version, locales=locales)
        return await self.get_key(key, _fallback_from(key, locales))

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
        key = (kind, slug, version, locales)
        cached = self._keys.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        found = await self._flights.run(
            (*key, archived_ok),
            lambda: self.store.locate(kind, slug, version, locales=locales, archived_ok=archived_ok),
        )
        if self.latest_ttl > 0 and not archived_ok:
            self._keys[key] = (time.monotonic() + self.latest_ttl, found)
        return found

    def forget(self, kind: model.Kind | None = None, slug: str | None = None) -> None:
        """Drop remembered lookups this process just changed (everything, without arguments)."""
        for k in [k for k in self._keys if kind is None or k[:2] == (kind, slug)]:
            del self._keys[k]
        self._archived = (0.0, frozenset())
        self._translations = (0.0, {})
        self.generation += 1  # what other lookups key on (api.chart.Lookups)
        self.on_forget()

    def fresh_until(
        self, kind: model.Kind, slug: str, version: int | None, locales: tuple[str, ...], document: Document
    ) -> float:
        """Until when (``time.monotonic()``) ``get(kind, slug, version, locales)`` answers ``document``.

        That is while the lookups it was found with are reused (``latest_ttl``) and the day is
        the same (review status); 0 when they are not reused, or were renewed while it was built.
        """
        cached = self._keys.get((kind, slug, version, locales))
        now = time.monotonic()
        archived_until, translations_until = self._archived[0], self._translations[0]
        if cached is None or archived_until <= now or translations_until <= now:
            return 0.0
        key = cached[1]
        if self._cache.get(self._document_key(key, _fallback_from(key, locales))) is not document:
            return 0.0
        wall = time.time()
        midnight = (wall // 86400 + 1) * 86400  # POSIX days are UTC days
        return min(cached[0], archived_until, translations_until, now + (midnight - wall))

    async def translations(self, kind: str, slug: str) -> tuple[str, ...]:
        """The locales an item is published in (live ones), looked up at most every ``latest_ttl`` s."""
        return (await self._translation_map()).get((kind, slug), ())

    async def _translation_map(self) -> dict[tuple[str, str], tuple[str, ...]]:
        expires, found = self._translations
        if expires <= time.monotonic():
            found = await self._flights.run("translations", self.store.translations)
            self._translations = (time.monotonic() + self.latest_ttl, found)
        return found

    async def archived(self, locale: str) -> frozenset[tuple[str, str]]:
        """(kind, slug) of the items a reader of ``locale`` cannot open: archived, and no live
        translation in that locale or the default one to fall back to."""
        if self._archived[0] <= time.monotonic():
            found = await self._flights.run("archived", self.store.archived)
            self._archived = (time.monotonic() + self.latest_ttl, found)
        return self._unreadable(locale, await self._translation_map())

    def _unreadable(
        self, locale: str, translations: dict[tuple[str, str], tuple[str, ...]]
    ) -> frozenset[tuple[str, str]]:
        readable = {locale, DEFAULT_LOCALE}
        return frozenset(
            (kind, slug)
            for kind, slug, _ in self._archived[1]
            if not readable.intersection(translations.get((kind, slug), ()))
        )

    def _document_key(self, key: VersionKey, fallback_from: str | None) -> DocumentKey:
        """What a built document depends on, from the current lookups (see the class docstring)."""
        translations = self._translations[1]
        return (
            key.id,
            fallback_from,
            translations.get((key.kind, key.slug), ()),
            today(),
            self._unreadable(key.locale, translations),
        )

    async def get_key(self, key: VersionKey, fallback_from: str | None = None) -> Document:
        await self.archived(key.locale)  # renews both lookups _document_key reads
        cache_key = self._document_key(key, fallback_from)
        translations = cache_key[2]
        hit = self._cache.get_recent(cache_key)
        self.metrics.cache_lookup("documents", hit is not None)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        document = await self._flights.run(
            cache_key, lambda: self._build(key, cache_key[3], cache_key[4], translations, fallback_from)
        )
        self._cache.put(cache_key, document)
        return document

    async def _build(
        self,
        key: VersionKey,
        day: dt.date,
        archived: frozenset[tuple[str, str]],
        translations: tuple[str, ...],
        fallback_from: str | None,
    ) -> Document:
        stored = await self.store.load(key)
        value = published(
            stored.content,
            stored.info,
            self.brand,
            day,
            stored.pins,
            archived,
            translations=translations,
            fallback_from=fallback_from,
        )
        self.encodes += 1
        return Document(value=value, encoded=Encoded.of(value))

    async def embeds(self, document: Document) -> list[Document]:
        """The exact versions a document pins, archived since or not."""
        return [
            await self.get_key(
                await self.locate(
                    ref.type, ref.slug, ref.version, locales=(ref.locale or DEFAULT_LOCALE,), archived_ok=True
                )
            )
            for ref in document.value.embeds
        ]

    async def bundle(self, document: Document) -> Bundle:
        """What channels render: the version, the versions it pins and the brand."""
        hit = self._bundles.get_recent(document.encoded.etag)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        embeds = [d.value for d in await self.embeds(document)]
        locale = document.value.locale
        titles = await self.store.titles(document.value.related, (locale, DEFAULT_LOCALE))
        made = make_bundle(document.value, embeds, self.brand, titles)
        self._bundles.put(document.encoded.etag, made)
        return made

    async def with_embeds(self, document: Document) -> Encoded:
        """The document with its pinned embeds included in full (``?include=embeds``)."""
        key = ("included", document.encoded.etag)
        hit = self._bundles.get_recent(key)
        if hit is None:
            included = [d.value for d in await self.embeds(document)]
            hit = Encoded.of(replace(document.value, included=included))
            self._bundles.put(key, hit)
        return hit  # type: ignore[no-any-return]
