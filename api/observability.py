"""Structured logs with request ids, and Prometheus metrics.

One JSON object per log line. Every request gets an id (the client's ``X-Request-ID`` if it
sent a sane one), echoed in the response and in its access-log line. Metrics live in a
registry per app; with several worker processes (``folio serve --workers N``) they are
shared through ``PROMETHEUS_MULTIPROC_DIR`` and summed at scrape time.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import msgspec
from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from api.metrics import Metrics

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("folio.access")
_line_encoder = msgspec.json.Encoder()


_second: tuple[int, str] = (-1, "")


def timestamp(created: float) -> str:
    """ISO 8601 UTC with milliseconds; strftime runs once per second, not once per line."""
    global _second
    second = int(created)
    if second != _second[0]:
        _second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{_second[1]}.{int((created - second) * 1000):03d}Z"


class AccessLine(msgspec.Struct):
    """The access log's JSON line, field for field what JsonFormatter writes for its record."""

    ts: str
    level: str
    logger: str
    msg: str
    request_id: str
    method: str
    path: str
    route: str
    status: int
    duration_ms: float


class JsonFormatter(logging.Formatter):
    """One JSON object per record; the request id is the record's, else the current request's."""

    _encoder = msgspec.json.Encoder(enc_hook=str)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return self._encoder.encode(entry).decode()


class JsonLinesHandler(logging.StreamHandler[TextIO]):
    """Writes lines to a stream, batched per event-loop turn: one write for a burst of requests.

    Called on a thread running an event loop, a line is queued and written at the end of the
    loop's current turn (microseconds later); from any other thread it is written at once,
    with whatever is queued. ``flush`` (also at interpreter exit) writes what is queued.
    """

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._scheduled = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.write_line(self.format(record))
        except Exception:
            self.handleError(record)

    def write_line(self, line: str) -> None:
        """Queue one formatted line (no newline); the access log's fast path calls this."""
        self._pending.append(line + "\n")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush_soon)

    def _flush_soon(self) -> None:
        self.acquire()
        try:
            self._scheduled = False
            self.flush()
        finally:
            self.release()

    def flush(self) -> None:
        self.acquire()
        try:
            if self._pending and self.stream is not None:
                lines, self._pending = self._pending, []
                self.stream.write("".join(lines))
                self.stream.flush()
        finally:
            self.release()


def configure_logging(level: str = "INFO") -> dict[str, Any]:
    """JSON logs on stderr for our loggers and the server's; a ``logging.config`` dict."""
    # Our lines carry none of these, and a LogRecord looks each one up when it is made.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "api.observability.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "api.observability.JsonLinesHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "folio": {"handlers": ["stderr"], "level": level, "propagate": False},
            # Its own entry, so that the access log's fast path finds the handler on it.
            "folio.access": {"handlers": ["stderr"], "level": level, "propagate": False},
            "_granian": {"handlers": ["stderr"], "level": level, "propagate": False},
            "granian.access": {"handlers": [], "level": "WARNING", "propagate": False},  # ours replaces it
        },
    }


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PREFLIGHT_METHODS = b"DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"


class Observe:
    """One pure ASGI layer around the app: request id, CORS, metrics and the access log.

    It replaces a Litestar middleware plus Litestar's CORS middleware, so a read passes through
    one wrapper and spends nothing it can avoid: the request id is a per-process random prefix
    and a counter (no syscall), metric children are looked up once per (method, route, status),
    and the access-log record skips the logging module's caller lookup.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, cors_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.metrics = metrics
        self.allow_all = "*" in cors_origins
        self.origins = frozenset(o.encode("latin-1") for o in cors_origins)
        self._prefix = secrets.token_hex(8)  # per worker: the factory runs in each process
        self._counter = itertools.count(1)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def new_id(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        sent_id = origin = None
        preflight = False
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                sent_id = value
            elif name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                preflight = True
        rid = sent_id.decode("latin-1") if sent_id and _SANE_ID.match(sent_id) else self.new_id()
        # The Origin to answer with CORS headers; None when there is none or it is not allowed.
        allowed = origin if origin is not None and (self.allow_all or origin in self.origins) else None
        method = scope["method"]
        status = 500

        if allowed is not None and preflight and method == "OPTIONS":
            status = 204
            await send(self._preflight(scope, allowed, rid))
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            self._record(scope, method, status, rid, start)
            return

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message["headers"] = list(message.get("headers", ()))
                headers.append((b"x-request-id", rid.encode()))
                if allowed is not None:
                    self._cors(headers, allowed)
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_observed)
        finally:
            request_id.reset(token)
            self._record(scope, method, status, rid, start)

    def _cors(self, headers: list[tuple[bytes, bytes]], origin: bytes) -> None:
        headers.append((b"access-control-allow-origin", b"*" if self.allow_all else origin))
        headers.append((b"access-control-expose-headers", b"ETag"))
        if not self.allow_all:  # the answer depends on the Origin: say so to caches
            for i, (name, value) in enumerate(headers):
                if name.lower() == b"vary":
                    headers[i] = (name, value + b", Origin")
                    break
            else:
                headers.append((b"vary", b"Origin"))

    def _preflight(self, scope: Scope, origin: bytes, rid: str) -> Message:
        requested = next((v for n, v in scope["headers"] if n == b"access-control-request-headers"), None)
        headers = [
            (b"access-control-allow-origin", b"*" if self.allow_all else origin),
            (b"access-control-allow-methods", _PREFLIGHT_METHODS),
            (b"access-control-max-age", b"600"),
            (b"vary", b"Origin"),
            (b"x-request-id", rid.encode()),
        ]
        if requested:
            headers.append((b"access-control-allow-headers", requested))
        return {"type": "http.response.start", "status": 204, "headers": headers}

    def _record(self, scope: Scope, method: str, status: int, rid: str, start: float) -> None:
        elapsed = time.perf_counter() - start
        route = scope.get("path_template") or "unmatched"
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            label = method if method in _METHODS else "other"
            children = self._children[key] = (
                self.metrics.requests.labels(label, route, str(status)),
                self.metrics.latency.labels(label, route),
            )
        self.metrics.count(children[0])
        self.metrics.observe(children[1], elapsed)
        if not access_log.isEnabledFor(logging.INFO):
            return
        handlers = access_log.handlers
        if len(handlers) == 1 and type(handlers[0]) is JsonLinesHandler and not access_log.filters:
            # As configured by `folio serve`: the same JSON line without a LogRecord, a logging
            # lock and a dict per request (about a tenth of a read's CPU time otherwise).
            line = AccessLine(
                timestamp(time.time()),
                "info",
                "folio.access",
                "request",
                rid,
                method,
                scope["path"],
                route,
                status,
                round(elapsed * 1000, 2),
            )
            handlers[0].write_line(_line_encoder.encode(line).decode())
        else:
            fields = {
                "method": method,
                "path": scope["path"],
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
            }
            access_log.handle(
                access_log.makeRecord(
                    access_log.name,
                    logging.INFO,
                    "",
                    0,
                    "request",
                    (),
                    None,
                    extra={"request_id": rid, "fields": fields},
                )
            )


class LayeredLitestar(Litestar):
    """Litestar with the app's own outermost ASGI layers, built where Litestar builds its own.

    Litestar's route middleware runs after routing; the layers that must see every request
    before it (HEAD as GET, stored answers without routing, request ids, CORS, metrics) are
    added in ``_create_asgi_handler``, the step where Litestar wraps its router in CORS and
    OpenTelemetry, so nothing replaces ``asgi_handler`` after the app is built.
    """

    def __init__(self, *args: Any, outer: Callable[[Litestar, ASGIApp], ASGIApp], **kwargs: Any) -> None:
        self._outer = outer
        super().__init__(*args, **kwargs)

    def _create_asgi_handler(self) -> ASGIApp:
        return self._outer(self, super()._create_asgi_handler())
