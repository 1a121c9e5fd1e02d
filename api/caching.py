"""Strong ETags, conditional GETs, gzip and Cache-Control for encoded responses.

Compression happens here, once per encoded body, rather than in a middleware on every hit:
a cached document keeps both its identity and gzip bytes. Each representation has its own
strong ETag (RFC 9110 §8.8.1), the gzip one suffixed ``-gz``.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response

NO_STORE = "private, no-store"
GZIP_MIN_BYTES = 1000


@dataclass(frozen=True, slots=True)
class Encoded:
    """Response bytes, their gzip form when worth it, and the strong ETag; computed once."""

    body: bytes
    etag: str
    gzipped: bytes | None = None
    media_type: str = "application/json"

    @classmethod
    def of(cls, value: Any, media_type: str = "application/json") -> Encoded:
        body = value if isinstance(value, bytes) else msgspec.json.encode(value)
        gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
        return cls(body=body, etag=strong_etag(body), gzipped=gzipped, media_type=media_type)

    @property
    def gzip_etag(self) -> str:
        return self.etag[:-1] + '-gz"'


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def etag_matches(if_none_match: str | None, *etags: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return any(etag in candidates for etag in etags)


def accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def public(max_age: int) -> str:
    return f"public, max-age={max_age}"


def send(request: Request[Any, Any, Any], encoded: Encoded, cache_control: str) -> Response[Any]:
    """Serve stored bytes with their ETag, or 304 when the client already has them."""
    headers = {"Cache-Control": cache_control}
    body, etag = encoded.body, encoded.etag
    if encoded.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
        if accepts_gzip(request.headers.get("accept-encoding", "")):
            body, etag = encoded.gzipped, encoded.gzip_etag
            headers["Content-Encoding"] = "gzip"
    headers["ETag"] = etag
    if etag_matches(request.headers.get("if-none-match"), encoded.etag, encoded.gzip_etag):
        headers.pop("Content-Encoding", None)
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type=encoded.media_type, headers=headers)
