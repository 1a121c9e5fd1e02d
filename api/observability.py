"""Structured logs with request ids, and Prometheus metrics.

One JSON object per log line. Every request gets an id (the client's ``X-Request-ID`` if it
sent a sane one), echoed in the response and in its access-log line. Metrics live in a
registry per app; with several worker processes (``folio serve --workers N``) they are
shared through ``PROMETHEUS_MULTIPROC_DIR`` and summed at scrape time.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import time
import uuid
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("folio.access")


class RequestIdFilter(logging.Filter):
    """Stamps the current request id on each record as it is emitted, before any queueing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> dict[str, Any]:
    """JSON logs on stderr for our loggers and the server's; a ``logging.config`` dict."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "api.observability.JsonFormatter"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "loggers": {
            "folio": {"handlers": ["stderr"], "level": level, "propagate": False},
            "_granian": {"handlers": ["stderr"], "level": level, "propagate": False},
            "granian.access": {"handlers": [], "level": "WARNING", "propagate": False},  # ours replaces it
        },
    }


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
        self.renders = Counter(
            "folio_handout_renders",
            "Handouts rendered (cache misses that ran WeasyPrint)",
            registry=self.registry,
        )
        self.cache = Counter(
            "folio_cache_lookups",
            "Cache lookups by cache and result (hit, miss)",
            ["cache", "result"],
            registry=self.registry,
        )

    def cache_lookup(self, cache: str, hit: bool) -> None:
        self.cache.labels(cache, "hit" if hit else "miss").inc()

    def exposition(self) -> bytes:
        if self.registry is not None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)


def observe(metrics: Metrics) -> Any:
    """ASGI middleware: request id, one access-log line and metrics per HTTP request."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def handle(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            method = str(scope.get("method", "GET"))
            sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
            rid = sent if _SANE_ID.match(sent) else uuid.uuid4().hex
            token = request_id.set(rid)
            status = 500
            start = time.perf_counter()

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                await send(message)

            try:
                await app(scope, receive, send_with_id)
            finally:
                elapsed = time.perf_counter() - start
                route = scope.get("path_template") or "unmatched"
                metrics.requests.labels(method, route, str(status)).inc()
                metrics.latency.labels(method, route).observe(elapsed)
                access_log.info(
                    "request",
                    extra={
                        "request_id": rid,
                        "fields": {
                            "method": method,
                            "path": scope["path"],
                            "route": route,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 2),
                        },
                    },
                )
                request_id.reset(token)

        return handle

    return middleware
