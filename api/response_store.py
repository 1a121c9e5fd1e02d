"""Published reads answered from memory before routing: status, ready ASGI headers and body.

A read route that serves a public published document says until when its answer holds
(``store_until``, from ``Reader.fresh_until``: the reader's own rule, so a stored answer is
exactly as fresh as the route's). This layer sits inside ``Observe`` and outside everything
Litestar does; it keeps that 200 as the ASGI messages it went out as, and answers the next GET,
HEAD or conditional GET for the same path, raw query string and raw values of every request
header the answer ``Vary``s on with them: the route's bytes, for a dictionary lookup. JSON and
files alike (documents, handouts, emails, pages): the one in-memory copy of encoded output.
A change Editorial reports in this process clears it (``changed``); other replicas' writes are
seen when an entry expires, as the reader sees them.

Never stored and never answered from here: requests with ``Authorization`` or a cookie, methods
other than GET and HEAD, and any answer that is not a complete 200 with
``Cache-Control: public``, an ``ETag``, no ``Set-Cookie`` and no ``Vary: *``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPRequestEvent, HTTPScope, Message, Receive, Scope, Send

from api.metrics import Metrics
from content.changes import Change

_STORE_UNTIL = "folio.store_until"
_PRIVATE = (b"authorization", b"cookie")
Headers = list[tuple[bytes, bytes]]


def store_until(scope: Scope, until: float) -> None:
    """Let the store keep this request's 200 until ``until`` (``time.monotonic()``); 0: not at all."""
    _extras(scope)[_STORE_UNTIL] = until


def _until(scope: Scope) -> float:
    """What ``store_until`` said for this request; 0 when the route said nothing."""
    until: float = _extras(scope).get(_STORE_UNTIL, 0.0)
    return until


def _extras(scope: Scope) -> dict[str, Any]:
    """The scope as the plain dict it is: Litestar's ``Scope`` types name no key of Folio's."""
    return cast("dict[str, Any]", scope)


@dataclass(slots=True)
class Stored:
    """One stored answer: the 200's headers and body; the route's 304 and what it answered it to."""

    headers: Headers
    body: bytes
    etag: str
    until: float
    route: str
    not_modified: Headers | None = None
    # Raw If-None-Match values the route answered 304 (the route decides what matches: the
    # gzip representation's ETag validates the identity one too).
    validators: set[bytes] = field(default_factory=set)


@dataclass(slots=True)
class Place:
    """One (path, query): the request headers its last stored answer varied on (lowercased),
    and its answers by their raw values, so answers negotiated differently never collide. A
    place kept here answered storably before: HEAD and conditional GETs may refresh it."""

    names: tuple[bytes, ...]
    answers: dict[tuple[bytes, ...], Stored] = field(default_factory=dict)


_MAX_VALIDATORS = 16


def _values(headers: Iterable[tuple[bytes, bytes]], names: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """The raw value of each named request header (repeats joined), in order; b"" when absent."""
    return tuple(b",".join([v for n, v in headers if n == name]) for name in names)


async def _no_body() -> HTTPRequestEvent:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: Message) -> None:
    pass


class ResponseStore:
    """The ASGI layer and its bounded store (least recently used entries go first)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_entries: int, max_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        # Bounded by count and by body bytes (a handout is 30-150 kB, a document about 10 kB).
        self.max_entries, self.max_bytes = max_entries, max_bytes
        # The one map, least recently used place first.
        self._places: OrderedDict[tuple[str, bytes], Place] = OrderedDict()
        self._count = self._bytes = 0
        # Bumped by every clear: an answer that was under way during a write is not kept.
        self._generation = 0

    def clear(self) -> None:
        self._places.clear()
        self._count = self._bytes = 0
        self._generation += 1

    def changed(self, change: Change) -> None:
        """Editorial's change signal (through the reader): what is kept may show the old state."""
        self.clear()

    def _drop(self, place: tuple[str, bytes]) -> None:
        if (old := self._places.pop(place, None)) is not None:
            self._count -= len(old.answers)
            self._bytes -= sum(len(a.body) for a in old.answers.values())

    def _lookup(self, place: tuple[str, bytes], headers: Iterable[tuple[bytes, bytes]]) -> Stored | None:
        kept = self._places.get(place)
        if kept is None:
            return None
        self._places.move_to_end(place)
        entry = kept.answers.get(_values(headers, kept.names))
        if entry is None or entry.until <= monotonic():
            return None
        return entry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = scope["headers"]
        if_none_match = None
        for name, value in headers:
            if name == b"if-none-match":
                if_none_match = value
            elif name in _PRIVATE:
                await self.app(scope, receive, send)
                return
        place = (scope["path"], scope["query_string"])
        head = scope["method"] == "HEAD"
        entry = self._lookup(place, headers)
        if entry is None and (head or if_none_match is not None) and place in self._places:
            # Only a plain GET brings the body to keep: ask the route for one, as this request
            # would have it, for a place that answered storably before.
            # A state of its own: Litestar caches what it parsed (headers too) in the scope's.
            plain = [(n, v) for n, v in headers if n != b"if-none-match"]
            refresh: HTTPScope = {
                **scope,
                "method": "GET",
                "headers": plain,
                "state": dict(scope.get("state", {})),
            }
            if await self._fill(refresh, _no_body, _discard, place, None):
                entry = self._lookup(place, headers)
            else:
                self._drop(place)
        if entry is not None:
            if if_none_match is None:
                await self._answer(scope, send, 200, entry.headers, b"" if head else entry.body, entry.route)
                return
            if entry.not_modified is not None and if_none_match in entry.validators:
                await self._answer(scope, send, 304, entry.not_modified, b"", entry.route)
                return
        await self._fill(scope, receive, send, place, entry, if_none_match)

    async def _answer(
        self, scope: HTTPScope, send: Send, status: int, headers: Headers, body: bytes, route: str
    ) -> None:
        self.metrics.cache_lookup("responses", True)
        scope["path_template"] = route  # the label Observe records it under
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def _fill(
        self,
        scope: HTTPScope,
        receive: Receive,
        send: Send,
        place: tuple[str, bytes],
        entry: Stored | None,
        if_none_match: bytes | None = None,
    ) -> bool:
        """Let the route answer; keep its 200 to a GET (or the 304 of ``entry``) if it may be kept."""
        kept: tuple[int, Headers] | None = None
        generation = self._generation
        stored = False

        async def keep(message: Message) -> None:
            nonlocal kept, stored
            if message["type"] == "http.response.start":
                status = message["status"]
                until = _until(scope)
                # The route said how long its answer holds; a 304 is kept beside its entry's 200.
                wanted = (status == 200 and scope["method"] == "GET") or (status == 304 and entry is not None)
                if wanted and until > monotonic():
                    # Copied before Observe adds the request id and CORS headers to its own list.
                    kept = (status, list(message.get("headers", ())))
            elif kept is not None and message["type"] == "http.response.body":
                if not message.get("more_body", False) and generation == self._generation:
                    stored = self._keep(scope, place, entry, kept, message.get("body", b""), if_none_match)
                kept = None
            await send(message)

        await self.app(scope, receive, keep)
        return stored

    def _keep(
        self,
        scope: Scope,
        place: tuple[str, bytes],
        entry: Stored | None,
        kept: tuple[int, Headers],
        body: bytes,
        if_none_match: bytes | None,
    ) -> bool:
        status, headers = kept
        public = False
        etag = ""
        vary: list[bytes] = []
        for name, value in headers:
            lowered = name.lower()
            if lowered == b"cache-control":
                public = value.startswith(b"public")
            elif lowered == b"etag":
                etag = value.decode("latin-1")
            elif lowered == b"vary":
                vary.extend(v.strip().lower() for v in value.split(b","))
            elif lowered == b"set-cookie":
                return False
        if not public or not etag or b"*" in vary:
            return False
        if status == 304:
            if entry is not None and etag == entry.etag and if_none_match is not None:
                entry.not_modified = headers
                if len(entry.validators) < _MAX_VALIDATORS:
                    entry.validators.add(if_none_match)
            return False
        names = tuple(dict.fromkeys(n for n in vary if n))
        self.metrics.cache_lookup("responses", False)
        until, route = _until(scope), scope.get("path_template", "")
        kept_place = self._places.get(place)
        if kept_place is None or kept_place.names != names:
            self._drop(place)
            kept_place = self._places[place] = Place(names)
        self._places.move_to_end(place)
        values = _values(scope["headers"], names)
        if (old := kept_place.answers.pop(values, None)) is not None:
            self._count -= 1
            self._bytes -= len(old.body)
        kept_place.answers[values] = Stored(headers, body, etag, until, route)
        self._count += 1
        self._bytes += len(body)
        while self._places and (self._count > self.max_entries or self._bytes > self.max_bytes):
            self._drop(next(iter(self._places)))
        return True
