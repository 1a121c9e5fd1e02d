"""A warm read with no server and no socket: the ASGI apps called in a loop, in this process.

    .venv/bin/python bench/inprocess_read.py

Separates what the application costs from what the server and the kernel cost. Variants, in
interleaved rounds (median of the rounds, µs of this process's CPU time per request):

- ``minimal_litestar``: bench/peers/litestar_min.py
- ``folio``: create_app() as `folio serve` runs it (access log configured as it configures it,
  written to /dev/null): a warm read is answered from the response store
- ``folio_304``, ``folio_head``: the same, answering If-None-Match, and HEAD
- ``folio_without_observe``: the response store alone, without the request-id/metrics/log/CORS
  layer around it
- ``--throughput SECONDS``: warm GETs per second of one app in a loop (no server, no socket),
  for `make bench`'s ``--workers 2`` scaling with in-process clients
- ``folio_routed``: Observe around Litestar without the response store: what a read costs
  when it is not stored (the first after a write or after ``FOLIO_LATEST_TTL``), and what
  every read cost before the store
"""

from __future__ import annotations

import asyncio
import logging.config
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "bench" / "peers"))

from _common import ARTICLE, prepared_store, sync  # noqa: E402

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def scope(headers: list[tuple[bytes, bytes]], method: str = "GET") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": ARTICLE,
        "raw_path": ARTICLE.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"bench"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: dict[str, Any]) -> None:
    pass


async def start(app: Any) -> Callable[[], Awaitable[None]]:
    """Run the app's lifespan startup; returns what shuts it down."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put)
    )
    assert (await outbox.get())["type"] == "lifespan.startup.complete"

    async def stop() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task

    return stop


async def per_request_us(app: App, headers: list[tuple[bytes, bytes]], method: str, n: int) -> float:
    # CPU time, not wall time: on a shared machine the process is descheduled now and then.
    began = time.process_time()
    for _ in range(n):
        await app(scope(headers, method), receive, send)
    return (time.process_time() - began) / n * 1e6


async def measure(rounds: int, n: int, log: Any) -> dict[str, float]:
    from api.app import create_app
    from api.observability import configure_logging
    from api.settings import Settings

    config = configure_logging()
    config["handlers"]["stderr"]["stream"] = log
    logging.config.dictConfig(config)
    folio_settings = Settings.from_env()
    folio = create_app(folio_settings)
    stop_folio = await start(folio)
    first: list[dict[str, Any]] = []

    async def keep(message: dict[str, Any]) -> None:
        first.append(message)

    await folio(scope([]), receive, keep)  # type: ignore[arg-type]
    etag = dict(first[0]["headers"])[b"etag"]
    document = first[1]["body"]
    Path(os.environ["BENCH_DOCUMENT"]).write_bytes(document)  # noqa: ASYNC240 (setup)
    import litestar_min

    stop_peer = await start(litestar_min.app)
    from api.observability import Observe

    observed = folio.asgi_handler
    stored = observed.app  # type: ignore[attr-defined]
    routed = Observe(stored.app, observed.metrics, folio_settings.cors_origins)  # type: ignore[attr-defined]
    variants: dict[str, tuple[Any, Any, list[tuple[bytes, bytes]], str]] = {
        "minimal_litestar": (litestar_min.app, None, [], "GET"),
        "folio": (folio, observed, [], "GET"),
        "folio_304": (folio, observed, [(b"if-none-match", etag)], "GET"),
        "folio_head": (folio, observed, [], "HEAD"),
        "folio_without_observe": (folio, stored, [], "GET"),
        "folio_routed": (folio, routed, [], "GET"),
        "folio_routed_304": (folio, routed, [(b"if-none-match", etag)], "GET"),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(rounds + 1):
        for name, (app, handler, headers, method) in variants.items():
            if handler is not None:
                folio.asgi_handler = handler
            took = await per_request_us(app, headers, method, n)
            if round_:  # the first round warms up
                samples[name].append(took)
    folio.asgi_handler = observed
    await stop_peer()
    await stop_folio()
    return {name: round(statistics.median(s), 1) for name, s in samples.items()}


async def throughput(seconds: float) -> float:
    """Warm GETs answered per second by one app as `folio serve` builds it, called in a loop."""
    from api.app import create_app
    from api.observability import configure_logging
    from api.settings import Settings

    with open(os.devnull, "w") as devnull:  # noqa: ASYNC230 (setup)
        config = configure_logging()
        config["handlers"]["stderr"]["stream"] = devnull
        logging.config.dictConfig(config)
        folio = create_app(Settings.from_env())
        stop = await start(folio)
        for _ in range(200):  # warm: the first read loads, renders and stores
            await folio(scope([]), receive, send)  # type: ignore[arg-type]
        count, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            for _ in range(100):
                await folio(scope([]), receive, send)  # type: ignore[arg-type]
            count += 100
        rate = count / (time.perf_counter() - began)
        await stop()
    return rate


def main() -> int:
    if sys.argv[1:2] == ["--throughput"]:  # bench/run.py's scaling section: one "worker"
        print(round(asyncio.run(throughput(float(sys.argv[2]))), 1))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        env = prepared_store(Path(tmp))
        sync(env)
        os.environ.update(env | {"BENCH_DOCUMENT": str(Path(tmp) / "article.json")})
        with open(os.devnull, "w") as devnull:
            results = asyncio.run(measure(rounds=7, n=3000, log=devnull))
    peer = results["minimal_litestar"]
    for name, us in results.items():
        print(f"{name:24s} {us:7.1f} µs/request  {us / peer:5.2f}x minimal_litestar")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
