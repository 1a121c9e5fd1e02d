"""The export service: every channel's output, rendered once per ETag and kept.

An export's ETag is known before rendering (the bundles' own hashes, the channel and format,
its options and template version), so a conditional GET costs no render. Outputs are kept once,
in a render cache every replica sees; in memory, a GET's answer is kept by the response store
(api.response_store), not here. Concurrent requests for the same output share one render (the
reader's single-flight, and a cross-replica lock for slow channels). Slow channels (PDF)
render in a process pool with a bounded queue (full: 503 with Retry-After) and a time limit;
workers are replaced after a number of renders. No request
holds a database connection while it waits for a worker, the lock or the render.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

import exporters
from api.metrics import Metrics
from api.reader import Reader, today
from api.render_cache import RenderCache
from content import model
from content.bundle import Bundle
from content.locales import DEFAULT_LOCALE
from content.options import Esp, Paper, Size
from exporters.email import DigestOptions, EmailOptions
from exporters.pdf import HandoutOptions
from exporters.pdf.render import media_used
from exporters.web import PageOptions

log = logging.getLogger("folio.exports")
T = TypeVar("T")


class Busy(Exception):
    """The render queue is full, or a render took too long; try again shortly."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Rendered:
    etag: str
    body: bytes
    media_type: str


class Exports:
    """The one export service: bundles from the reader, options from settings, outputs cached."""

    def __init__(
        self,
        reader: Reader,
        cache: RenderCache,
        metrics: Metrics,
        *,
        public_url: str,
        default_paper: Paper | None = None,
        utm_source: str = "folio",
        utm_medium: str = "email",
        unsubscribe: tuple[str, str] = ("https://example.invalid/unsubscribe", "unsubscribe@example.invalid"),
        workers: int,
        queue_limit: int,
        timeout: float,
        renders_per_worker: int,
        niceness: int = 10,
    ) -> None:
        self._reader = reader
        self.cache_control = reader.cache_control  # of published content, as JSON reads send it
        self.public_url = public_url
        # None: the paper of the clinic's country (brand.yaml's country: Letter in the US).
        self.default_paper: Paper = default_paper or reader.brand.paper
        self.utm = (utm_source, utm_medium)
        self.unsubscribe = unsubscribe  # (https URL, mailto address) for esp=none and List-Unsubscribe
        self.cache = cache
        self.metrics = metrics
        self.queue_limit = queue_limit
        self.timeout = timeout
        self.workers = workers
        self.renders_per_worker = renders_per_worker
        self.niceness = niceness
        self.pool = self._new_pool()
        self._workers = asyncio.Semaphore(workers)  # renders submitted and not yet done
        self._flights = reader.flights  # one single-flight for reads and renders
        self.pending = 0  # pooled renders queued or running: the queue depth
        self.renders: dict[str, int] = {}  # per channel; tests and benchmarks read it
        self.media: Any = None  # the media library (content.media.MediaLibrary), set by api.services

    # --- what to render --------------------------------------------------------------------

    async def bundle(
        self,
        kind: model.Kind,
        slug: str,
        version: int | None = None,
        locales: tuple[str, ...] = (DEFAULT_LOCALE,),
        withdrawn_ok: bool = False,
    ) -> Bundle:
        """The bundle of the version in the first of ``locales`` the item is published in
        (``withdrawn_ok``: even one withdrawn past its review date, for staff; ``Reader.document``)."""
        document = await self._reader.document(kind, slug, version, locales, withdrawn_ok)
        return await self._reader.bundle(document)

    def handout_options(self, paper: Paper | None, size: Size) -> HandoutOptions:
        return HandoutOptions(paper or self.default_paper, size, self.public_url, today())

    def email_options(self, esp: Esp) -> EmailOptions:
        return EmailOptions(esp, self.public_url, *self.utm, *self.unsubscribe)

    def digest_options(self, esp: Esp, subject: str, intro: str) -> DigestOptions:
        return DigestOptions(esp, self.public_url, *self.utm, *self.unsubscribe, subject=subject, intro=intro)

    async def page_options(self, bundle: Bundle) -> PageOptions:
        item = bundle.item
        latest = await self._reader.locate(item.kind, item.slug, locales=(item.locale,))
        return PageOptions(self.public_url, latest.number, today())

    # --- rendering ----------------------------------------------------------------------------

    @staticmethod
    def etag(channel: str, fmt: str, bundles: Sequence[Bundle], options: Any) -> str:
        spec = exporters.CHANNELS[channel]
        key = msgspec.json.encode([spec.template_version, fmt, options, [b.etag for b in bundles]])
        return f'"{channel}-{hashlib.blake2b(key, digest_size=16).hexdigest()}"'

    async def render(self, channel: str, fmt: str, bundles: Sequence[Bundle], options: Any) -> Rendered:
        """The output, from the render cache, or rendered now (once, however many ask)."""
        media_type = exporters.CHANNELS[channel].formats[fmt].media_type
        etag = self.etag(channel, fmt, bundles, options)
        body = await self._flights.run(
            etag, lambda: self._fetch_or_render(channel, fmt, bundles, options, etag)
        )
        return Rendered(etag, body, media_type)

    async def _fetch_or_render(
        self, channel: str, fmt: str, bundles: Sequence[Bundle], options: Any, etag: str
    ) -> bytes:
        spec = exporters.CHANNELS[channel]
        if (body := await self.cache.get(etag)) is not None:
            self.metrics.cache_lookup(channel, True)
            return body
        self.metrics.cache_lookup(channel, False)
        if spec.pooled:
            return await self._render_pooled(channel, fmt, bundles, options, etag)
        body = exporters.render(channel, fmt, bundles, options)
        self._rendered(channel)
        await self.cache.put(etag, body, spec.formats[fmt].media_type)
        return body

    def _rendered(self, channel: str) -> None:
        self.renders[channel] = self.renders.get(channel, 0) + 1
        self.metrics.renders.labels(channel).inc()

    async def _render_pooled(
        self, channel: str, fmt: str, bundles: Sequence[Bundle], options: Any, etag: str
    ) -> bytes:
        """Rendered once across replicas: the output is stored before the lock is let go.

        A request waits for a free render worker first, then for the cross-replica lock, then
        for the render, all within one deadline (the render timeout) and none of it holding a
        database connection: only a request with a worker takes the lock (on a connection of
        the lock pool, one per worker), so printing never takes a connection a reader needs.
        """
        if self.pending >= self.queue_limit:
            raise Busy("Renders are running at capacity; try again in a few seconds.", 5)
        # Claim the slot before the first await, so concurrent requests in this process see it.
        self.pending += 1
        self.metrics.render_queue.inc()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        # The deadline interrupts waiting (for a worker, the lock, the render), never a database
        # statement: a statement cancelled mid-flight would leave its connection mid-operation.
        try:
            async with asyncio.timeout_at(deadline):
                await self._workers.acquire()
            try:
                async with self.cache.lock(etag, max(deadline - loop.time(), 0.001)):
                    # Another replica may have rendered it while this one waited for the lock.
                    if (found := await self.cache.get(etag)) is not None:
                        return found
                    async with asyncio.timeout_at(deadline):
                        body = await self._submit(
                            channel, fmt, bundles, await self._with_media(options, bundles)
                        )
                    self._rendered(channel)
                    await self.cache.put(etag, body, exporters.CHANNELS[channel].formats[fmt].media_type)
                    return body
            finally:
                self._workers.release()
        except TimeoutError:
            raise Busy(f"Rendering took longer than {self.timeout:g} s; try again shortly.", 10) from None
        finally:
            self.pending -= 1
            self.metrics.render_queue.dec()

    async def _with_media(self, options: Any, bundles: Sequence[Bundle]) -> Any:
        """Handout options carrying the originals of the pictures the bundles show: the render
        runs in a worker process, which fetches them from this map, never over HTTP."""
        if not isinstance(options, HandoutOptions) or self.media is None:
            return options
        originals = {h: await self.media.original(h) for h in media_used(bundles)}
        return dataclasses.replace(options, media={h: data for h, data in originals.items() if data})

    async def _submit(self, channel: str, fmt: str, bundles: Sequence[Bundle], options: Any) -> bytes:
        """Render in the pool; a render whose worker died runs once more on a fresh pool."""
        for attempt in (1, 2):
            pool = self.pool
            try:
                future = pool.submit(exporters.render, channel, fmt, list(bundles), options)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): every render on that pool fails with it,
                # and the first to notice replaces the pool, so later renders work.
                if self.pool is pool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = self._new_pool()
                log.warning("a render worker stopped unexpectedly (attempt %d of 2)", attempt)
        raise Busy("A render worker stopped unexpectedly; try again.", 1)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a pure, picklable function in a render worker, never on the event loop (media
        variants: ``content.media.make_variant``); Busy when no worker frees up in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            async with asyncio.timeout_at(deadline):
                await self._workers.acquire()
            try:
                for attempt in (1, 2):
                    pool = self.pool
                    try:
                        async with asyncio.timeout_at(deadline):
                            return await asyncio.wrap_future(pool.submit(fn, *args))
                    except BrokenProcessPool:
                        if self.pool is pool:
                            pool.shutdown(wait=False, cancel_futures=True)
                            self.pool = self._new_pool()
                        log.warning("a render worker stopped unexpectedly (attempt %d of 2)", attempt)
                raise Busy("A render worker stopped unexpectedly; try again.", 1)
            finally:
                self._workers.release()
        except TimeoutError:
            raise Busy(f"The work took longer than {self.timeout:g} s; try again shortly.", 10) from None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),  # no forked event loop or DB threads
            max_tasks_per_child=self.renders_per_worker,
            # Renders yield the CPU to reads: on a small machine a handout may wait, a read should not.
            initializer=os.nice,
            initargs=(self.niceness,),
        )

    def close(self) -> None:
        """Let running renders finish, then stop the workers."""
        self.pool.shutdown(wait=True, cancel_futures=False)
