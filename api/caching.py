"""Strong ETags, conditional GETs and Cache-Control for encoded responses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response

NO_STORE = "private, no-store"


@dataclass(frozen=True, slots=True)
class Encoded:
    """Response bytes with their strong ETag, computed once."""

    body: bytes
    etag: str
    media_type: str = "application/json"

    @classmethod
    def of(cls, value: Any, media_type: str = "application/json") -> Encoded:
        body = value if isinstance(value, bytes) else msgspec.json.encode(value)
        return cls(body=body, etag=strong_etag(body), media_type=media_type)


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in candidates


def public(max_age: int) -> str:
    return f"public, max-age={max_age}"


def send(request: Request[Any, Any, Any], encoded: Encoded, cache_control: str) -> Response[Any]:
    """Serve stored bytes with their ETag, or 304 when the client already has them."""
    headers = {"ETag": encoded.etag, "Cache-Control": cache_control}
    if etag_matches(request.headers.get("if-none-match"), encoded.etag):
        return Response(b"", status_code=304, headers=headers)
    return Response(encoded.body, media_type=encoded.media_type, headers=headers)
