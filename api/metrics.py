"""Prometheus metrics: in memory for one process; for several workers, in files they share.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``folio serve --workers N``), prometheus_client keeps each
value in a memory-mapped file every worker writes and a scrape sums; in one process, in memory.
Either way each increment is a locked write, four per read (the request counter, the latency
histogram's sum and bucket, a cache counter). A process therefore adds up what it counts in plain
dicts and writes the totals at most once a second, and before it answers a scrape or stops: a
scrape of one process is exact; with several workers it may see another worker's last second
late, as Prometheus, scraping every 15 s or so, expects of counters.
"""

from __future__ import annotations

import asyncio
import bisect
import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

FLUSH_SECONDS = 1.0


class Batch:
    """Counts and observations a worker has made since its last flush, per metric child."""

    def __init__(self) -> None:
        self._counts: dict[Any, int] = {}
        self._observed: dict[Any, list[float]] = {}  # child -> [sum, count per bucket...]
        self._scheduled = False

    def count(self, child: Any) -> None:
        self._counts[child] = self._counts.get(child, 0) + 1
        self._schedule()

    def observe(self, child: Any, amount: float) -> None:
        totals = self._observed.get(child)
        if totals is None:
            # prometheus_client's own bounds (its last bucket is +Inf); written back in flush().
            totals = self._observed[child] = [0.0] * (len(child._upper_bounds) + 1)
        totals[0] += amount
        totals[1 + bisect.bisect_left(child._upper_bounds, amount)] += 1
        self._schedule()

    def _schedule(self) -> None:
        if self._scheduled:
            return
        try:
            asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
            self._scheduled = True
        except RuntimeError:  # no event loop (a script): write at once
            self.flush()

    def flush(self) -> None:
        self._scheduled = False
        counts, self._counts = self._counts, {}
        observed, self._observed = self._observed, {}
        for child, n in counts.items():
            child.inc(n)
        for child, totals in observed.items():
            child._sum.inc(totals[0])  # as Histogram.observe writes them, once per flush
            for bucket, hits in enumerate(totals[1:]):
                if hits:
                    child._buckets[bucket].inc(hits)


class Metrics:
    def __init__(self) -> None:
        shared = "PROMETHEUS_MULTIPROC_DIR" in os.environ
        self.registry = None if shared else CollectorRegistry()
        self.requests = Counter(
            "folio_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "folio_http_request_duration_seconds",
            "Time to answer",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.render_queue = Gauge(
            "folio_render_queue_depth",
            "Handout renders queued or running",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        # The name predates the other channels; the label says which channel rendered.
        self.renders = Counter(
            "folio_handout_renders",
            "Exports rendered by channel (pdf, email, web): cache misses that ran a renderer",
            ["channel"],
            registry=self.registry,
        )
        self.cache = Counter(
            "folio_cache_lookups",
            "Cache lookups by cache and result (hit, miss)",
            ["cache", "result"],
            registry=self.registry,
        )
        self._lookups: dict[tuple[str, bool], Any] = {}
        # Every increment is a locked write (to a shared file with several workers): a process
        # batches what it adds instead, and a scrape writes the batch first.
        self._batch = Batch()

    def count(self, child: Any) -> None:
        """One more for a counter's child, written with the next flush."""
        self._batch.count(child)

    def observe(self, child: Any, amount: float) -> None:
        """One observation for a histogram's child, written with the next flush."""
        self._batch.observe(child, amount)

    def flush(self) -> None:
        """Write what this process has batched (a scrape and shutdown call it; else once a second)."""
        self._batch.flush()

    def cache_lookup(self, cache: str, hit: bool) -> None:
        child = self._lookups.get((cache, hit))
        if child is None:  # labels() takes a lock and builds a key: once per (cache, result)
            child = self._lookups[(cache, hit)] = self.cache.labels(cache, "hit" if hit else "miss")
        self.count(child)

    def exposition(self) -> bytes:
        self.flush()
        if self.registry is not None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
        return generate_latest(registry)
