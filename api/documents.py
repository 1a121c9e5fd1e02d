"""Published documents for readers, each encoded once and then served from memory."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from api.caching import Encoded
from api.observability import Metrics
from content import model
from content.render import published
from content.store import Store, VersionKey
from exporters.embeds import Embeds


@dataclass(frozen=True, slots=True)
class Document:
    """A published version as readers get it: the struct and its encoded bytes."""

    value: model.Published
    encoded: Encoded


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


class Documents:
    """Builds reader documents from the store and keeps the encoded bytes.

    Published versions never change, so a version's bytes are valid until the review status
    it shows changes: the key is the version's row id and today's date.
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
    ) -> None:
        self.store = store
        # The Cache-Control of published content, kept here so read handlers need nothing else.
        self.cache_control = f"public, max-age={max_age}"
        self.metrics = metrics
        self.brand = brand
        self.max_entries = max_entries
        self.latest_ttl = latest_ttl
        self._cache: OrderedDict[tuple[int, dt.date], Document] = OrderedDict()
        self._keys: dict[tuple[str, str, int | None], tuple[float, VersionKey]] = {}
        self._flights = SingleFlight()
        self.encodes = 0  # how many documents were built; tests and benchmarks read it

    async def get(self, kind: model.Kind, slug: str, version: int | None = None) -> Document:
        return await self.get_key(await self.locate(kind, slug, version))

    async def locate(self, kind: model.Kind, slug: str, version: int | None = None) -> VersionKey:
        """The store's answer to "which version?", reused for ``latest_ttl`` seconds."""
        key = (kind, slug, version)
        cached = self._keys.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        found = await self._flights.run(key, lambda: self.store.locate(kind, slug, version))
        if self.latest_ttl > 0:
            self._keys[key] = (time.monotonic() + self.latest_ttl, found)
        return found

    async def embeds(self, item: model.Published) -> Embeds:
        """The latest published versions of the comparisons and FAQ sets an article embeds."""
        embeds = Embeds()
        if isinstance(item, model.Article):
            for block in item.body:
                if isinstance(block, model.ComparisonEmbed):
                    embeds.comparisons[block.slug] = (await self.get("comparison", block.slug)).value  # type: ignore[assignment]
                elif isinstance(block, model.FaqEmbed):
                    embeds.faqs[block.slug] = (await self.get("faq", block.slug)).value  # type: ignore[assignment]
        return embeds

    def forget(self, kind: model.Kind, slug: str) -> None:
        """Drop remembered version lookups for an item this process just changed."""
        for k in [k for k in self._keys if k[:2] == (kind, slug)]:
            del self._keys[k]

    async def get_key(self, key: VersionKey) -> Document:
        cache_key = (key.id, today())
        hit = self._cache.get(cache_key)
        self.metrics.cache_lookup("documents", hit is not None)
        if hit is not None:
            self._cache.move_to_end(cache_key)
            return hit
        document = await self._flights.run(cache_key, lambda: self._build(key, cache_key[1]))
        if cache_key not in self._cache:
            self._cache[cache_key] = document
            if len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return document

    async def _build(self, key: VersionKey, day: dt.date) -> Document:
        stored = await self.store.load(key)
        value = published(stored.content, stored.info, self.brand, day)
        self.encodes += 1
        return Document(value=value, encoded=Encoded.of(value))
