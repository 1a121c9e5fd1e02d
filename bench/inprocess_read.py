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
    # Litestar's own CORS middleware where it would have to sit to cover stored answers too
    # (inside Observe, around the store), with Observe's own CORS off: same request, same Origin.
    from litestar.config.cors import CORSConfig
    from litestar.middleware._internal.cors import CORSMiddleware

    origin = (b"origin", folio_settings.cors_origins[0].encode()) if folio_settings.cors_origins else None
    cors = CORSConfig(
        allow_origins=list(folio_settings.cors_origins) or ["*"],
        allow_methods=["*"],
        expose_headers=["ETag"],
        max_age=600,
    )
    litestar_cors = Observe(CORSMiddleware(stored, cors), observed.metrics, ())  # type: ignore[attr-defined]
    # Litestar's Prometheus middleware added around the store (it would replace Observe's two
    # metric children, about 1.6 µs by the ablation in bench/README.md).
    from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware

    litestar_metrics = Observe(
        PrometheusMiddleware(stored, PrometheusConfig(app_name="bench")),
        observed.metrics,  # type: ignore[attr-defined]
        folio_settings.cors_origins,
    )
    variants: dict[str, tuple[Any, Any, list[tuple[bytes, bytes]], str]] = {
        "minimal_litestar": (litestar_min.app, None, [], "GET"),
        "folio": (folio, observed, [], "GET"),
        "folio_304": (folio, observed, [(b"if-none-match", etag)], "GET"),
        "folio_head": (folio, observed, [], "HEAD"),
        "folio_without_observe": (folio, stored, [], "GET"),
        "folio_routed": (folio, routed, [], "GET"),
        "folio_routed_304": (folio, routed, [(b"if-none-match", etag)], "GET"),
        "folio_cors_ours": (folio, observed, [origin] if origin else [], "GET"),
        "folio_cors_litestar": (folio, litestar_cors, [origin] if origin else [], "GET"),
        "folio_plus_litestar_prometheus": (folio, litestar_metrics, [], "GET"),
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


async def throughput(seconds: float, start_at: float = 0.0) -> tuple[float, float]:
    """Warm GETs answered per second by one app as `folio serve` builds it, called in a loop.

    Counting starts at ``start_at`` (wall clock), so that processes started together measure
    the same window, after every one has started (and its render pool has spawned).
    """
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
        while time.time() < start_at:
            await folio(scope([]), receive, send)  # type: ignore[arg-type]
        count, began, cpu = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - began < seconds:
            for _ in range(100):
                await folio(scope([]), receive, send)  # type: ignore[arg-type]
            count += 100
        rate = count / (time.perf_counter() - began)
        cpu_us = (time.process_time() - cpu) / count * 1e6
        await stop()
    return rate, cpu_us


def access_line_us(n: int = 20_000) -> dict[str, float]:
    """One access-log line, µs: Observe's direct path against Litestar's LoggingConfig.

    Litestar's config (its default ``queue_listener`` handler: a QueueHandler whose listener
    thread formats and writes) with our JsonFormatter, through ``logging``, as a Litestar
    ``logging_config`` would set it up; both write to /dev/null.
    """
    import logging

    from litestar.logging.config import LoggingConfig

    from api.observability import AccessLine, JsonLinesHandler, _line_encoder, timestamp

    results = {}
    with open(os.devnull, "w") as devnull:
        ours = JsonLinesHandler(devnull)
        began = time.process_time()
        for i in range(n):
            line = AccessLine(
                timestamp(time.time()),
                "info",
                "folio.access",
                "request",
                "id",
                "GET",
                ARTICLE,
                "/v1/articles/{slug}",
                200,
                0.1 * i,
            )
            ours.write_line(_line_encoder.encode(line).decode())
        ours.flush()
        results["observe_direct_line_us"] = round((time.process_time() - began) / n * 1e6, 2)
        config = LoggingConfig(
            formatters={"json": {"()": "api.observability.JsonFormatter"}},
            handlers={
                "queue_listener": {
                    "class": "litestar.logging.standard.QueueListenerHandler",
                    "handlers": ["cfg://handlers.devnull"],
                },
                "devnull": {"class": "logging.FileHandler", "formatter": "json", "filename": os.devnull},
            },
            loggers={"bench.access": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False}},
            configure_root_logger=False,
        )
        config.configure()
        logger = logging.getLogger("bench.access")
        fields = {"method": "GET", "path": ARTICLE, "route": "/v1/articles/{slug}", "status": 200}
        began = time.process_time()
        for i in range(n):
            logger.info("request", extra={"request_id": "id", "fields": fields | {"duration_ms": 0.1 * i}})
        results["litestar_logging_config_line_us (lower bound: listener backlog not included)"] = round(
            (time.process_time() - began) / n * 1e6, 2
        )
    return results


async def problem_us(rounds: int = 5, n: int = 2000) -> dict[str, float]:
    """A 404 problem answer through the whole app, µs: api.problems' body against one built by
    Litestar's problem-details plugin (``ProblemDetailsException.to_response``), same fields."""
    from http import HTTPStatus

    import msgspec
    from litestar.plugins.problem_details import ProblemDetailsException

    import api.problems
    from api.app import create_app
    from api.settings import Settings

    ours = api.problems.problem

    def plugins(status: int, detail: str, *, errors: Any = None, path: str = "") -> Any:
        extra = {"errors": msgspec.to_builtins(errors)} if errors else None
        exc = ProblemDetailsException(
            status_code=status,
            detail=detail,
            type_="about:blank",
            title=HTTPStatus(status).phrase,
            instance=path or None,
            extra=extra,
        )
        return exc.to_response(None)  # type: ignore[arg-type]

    folio = create_app(Settings.from_env())
    stop = await start(folio)
    missing = scope([]) | {"path": "/v1/articles/no-such-item", "raw_path": b"/v1/articles/no-such-item"}
    samples: dict[str, list[float]] = {"api_problems": [], "litestar_problem_details": []}
    for round_ in range(rounds + 1):
        for name, builder in (("api_problems", ours), ("litestar_problem_details", plugins)):
            api.problems.problem = builder  # type: ignore[assignment]
            began = time.process_time()
            for _ in range(n):
                await folio(dict(missing), receive, send)  # type: ignore[arg-type]
            if round_:
                samples[name].append((time.process_time() - began) / n * 1e6)
    api.problems.problem = ours
    await stop()
    return {name: round(statistics.median(s), 1) for name, s in samples.items()}


def main() -> int:
    if sys.argv[1:2] == ["--problems"]:
        logging.disable(logging.CRITICAL)
        print(asyncio.run(problem_us()))
        return 0
    if sys.argv[1:2] == ["--logging"]:
        print(access_line_us())
        return 0
    if sys.argv[1:2] == ["--throughput"]:  # bench/run.py's scaling section: one "worker"
        start_at = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
        rate, cpu_us = asyncio.run(throughput(float(sys.argv[2]), start_at))
        print(round(rate, 1), round(cpu_us, 2))  # requests/s, then this process's CPU µs per request
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
