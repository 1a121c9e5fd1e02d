"""Handout PDFs for the API: rendered in worker processes, cached on disk by ETag.

WeasyPrint never runs on the event loop. Renders go to a process pool with a bounded queue
(full: 503 with Retry-After) and a per-render time limit; workers are replaced after a number
of renders. A handout's ETag is known before rendering (document ETags + options + template
version + brand + print date), so a conditional GET costs no render, and the PDF is written
to ``<data>/handouts/<etag>.pdf``: the second request for the same handout is a file read.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import multiprocessing
import os
from collections import OrderedDict
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import msgspec

from api.documents import Document, Documents, today
from exporters.pdf import TEMPLATE_VERSION, HandoutItem, HandoutOptions, render_handout

Paper = Literal["a4", "letter"]
Size = Literal["standard", "large"]


class Busy(Exception):
    """The render queue is full, or a render took too long; try again shortly."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Handout:
    etag: str
    path: Path


class Handouts:
    def __init__(
        self,
        documents: Documents,
        cache_dir: Path,
        *,
        public_url: str,
        workers: int,
        queue_limit: int,
        timeout: float,
        renders_per_worker: int,
        default_paper: Paper = "a4",
        memory_entries: int = 64,
    ) -> None:
        self.default_paper: Paper = default_paper
        # The most recently served PDFs, so a hot handout costs neither a thread hop nor a read.
        self._recent: OrderedDict[str, bytes] = OrderedDict()
        self.memory_entries = memory_entries
        self.documents = documents
        self.cache_dir = cache_dir
        self.public_url = public_url
        self.queue_limit = queue_limit
        self.timeout = timeout
        self.workers = workers
        self.renders_per_worker = renders_per_worker
        self.pool = self._new_pool()
        self._brand = msgspec.json.encode(documents.brand)
        self._inflight: dict[str, asyncio.Future[Path]] = {}
        self.pending = 0  # renders queued or running: the queue depth
        self.renders = 0

    def etag(self, docs: list[Document], paper: Paper, size: Size) -> str:
        key = msgspec.json.encode(
            [
                TEMPLATE_VERSION,
                paper,
                size,
                self.public_url,
                today().isoformat(),
                [d.encoded.etag for d in docs],
            ]
        )
        return '"pdf-' + hashlib.blake2b(key + self._brand, digest_size=16).hexdigest() + '"'

    async def get(self, docs: list[Document], paper: Paper, size: Size) -> Handout:
        """The handout's file, rendered once however many ask at the same time, in any replica."""
        etag = self.etag(docs, paper, size)
        path = self.cache_dir / f"{etag.strip(chr(34))}.pdf"
        if path.exists():
            self.documents.metrics.cache_lookup("handouts", True)
            return Handout(etag, path)
        self.documents.metrics.cache_lookup("handouts", False)
        if (running := self._inflight.get(etag)) is not None:
            return Handout(etag, await asyncio.shield(running))
        if self.pending >= self.queue_limit:
            raise Busy("Handouts are being rendered at capacity; try again in a few seconds.", 5)
        # Claim the slot and register the render before the first await, so that concurrent
        # requests in this process see both.
        self.pending += 1
        self.documents.metrics.render_queue.inc()
        future: asyncio.Future[Path] = asyncio.get_running_loop().create_future()
        self._inflight[etag] = future
        try:
            # Other replicas sharing the data folder wait on the same lock, then find the file.
            async with _file_lock(path.with_suffix(".lock"), self.timeout):
                if not path.exists():
                    await self._render(docs, paper, size, path)
            future.set_result(path)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            self.pending -= 1
            self.documents.metrics.render_queue.dec()
            del self._inflight[etag]
            if future.done() and not future.cancelled():
                future.exception()  # mark retrieved: waiters re-raise it themselves
        return Handout(etag, path)

    async def _render(self, docs: list[Document], paper: Paper, size: Size, path: Path) -> None:
        entries = [HandoutItem(d.value, await self.documents.embeds(d.value)) for d in docs]
        options = HandoutOptions(paper=paper, size=size, public_url=self.public_url, printed_on=today())
        try:
            pdf = await asyncio.wait_for(
                asyncio.wrap_future(self.pool.submit(render_handout, entries, self.documents.brand, options)),
                self.timeout,
            )
        except TimeoutError:
            raise Busy(f"Rendering took longer than {self.timeout:g} s; try again shortly.", 10) from None
        except BrokenProcessPool:
            # A worker died (killed, out of memory): replace the pool so later renders work.
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
            raise Busy("A render worker stopped unexpectedly; try again.", 1) from None
        self.renders += 1
        self.documents.metrics.renders.inc()
        await asyncio.to_thread(_write_atomically, path, pdf)

    async def pdf(self, docs: list[Document], paper: Paper, size: Size) -> tuple[str, bytes]:
        """The handout's ETag and bytes, from memory when it was served recently."""
        etag = self.etag(docs, paper, size)
        if (body := self._recent.get(etag)) is not None:
            self._recent.move_to_end(etag)
            self.documents.metrics.cache_lookup("handouts", True)
            return etag, body
        handout = await self.get(docs, paper, size)
        body = await asyncio.to_thread(handout.path.read_bytes)
        self._recent[etag] = body
        if len(self._recent) > self.memory_entries:
            self._recent.popitem(last=False)
        return etag, body

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),  # no forked event loop or DB threads
            max_tasks_per_child=self.renders_per_worker,
        )

    def close(self) -> None:
        """Let running renders finish, then stop the workers."""
        self.pool.shutdown(wait=True, cancel_futures=False)


@contextlib.asynccontextmanager
async def _file_lock(path: Path, wait_seconds: float) -> AsyncIterator[None]:
    """An exclusive lock on a file, polled so that waiting ties up no thread."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            async with asyncio.timeout(wait_seconds):
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        await asyncio.sleep(0.05)
        except TimeoutError:
            raise Busy("Another replica is still rendering this handout; try again.", 5) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
