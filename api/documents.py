"""Published documents for readers, each encoded once and then served from memory."""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from dataclasses import dataclass

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


class Documents:
    """Builds reader documents from the store and keeps the encoded bytes.

    Published versions never change, so a version's bytes are valid until the review status
    it shows changes: the key is the version's row id and today's date.
    """

    def __init__(
        self, store: Store, brand: model.Brand, *, max_entries: int, latest_ttl: float, metrics: Metrics
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.brand = brand
        self.max_entries = max_entries
        self.latest_ttl = latest_ttl
        self._cache: OrderedDict[tuple[int, dt.date], Document] = OrderedDict()
        self._keys: dict[tuple[str, str, int | None], tuple[float, VersionKey]] = {}
        self.encodes = 0  # how many documents were built; tests and benchmarks read it

    async def get(self, kind: model.Kind, slug: str, version: int | None = None) -> Document:
        return await self.get_key(await self.locate(kind, slug, version))

    async def locate(self, kind: model.Kind, slug: str, version: int | None = None) -> VersionKey:
        """The store's answer to "which version?", reused for ``latest_ttl`` seconds."""
        now = time.monotonic()
        cached = self._keys.get((kind, slug, version))
        if cached is not None and cached[0] > now:
            return cached[1]
        key = await self.store.locate(kind, slug, version)
        if self.latest_ttl > 0:
            self._keys[(kind, slug, version)] = (now + self.latest_ttl, key)
        return key

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
        stored = await self.store.load(key)
        value = published(stored.content, stored.info, self.brand, cache_key[1])
        document = Document(value=value, encoded=Encoded.of(value))
        self.encodes += 1
        self._cache[cache_key] = document
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return document
