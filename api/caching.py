"""Strong ETags, conditional GETs, gzip and Cache-Control for encoded responses.

Compression happens here, once per encoded body, rather than in a middleware on every hit:
a cached document keeps both its identity and gzip bytes. Each representation has its own
strong ETag (RFC 9110 §8.8.1), the gzip one suffixed ``-gz``.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response

from content.cache_tags import ALL, unique

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


def public(max_age: int, stale_while_revalidate: int = 0, stale_if_error: int = 0) -> str:
    """Published content's Cache-Control; a CDN may serve it stale while it revalidates or while
    Folio fails (RFC 5861). Drafts and private answers send ``NO_STORE`` instead, never these."""
    value = f"public, max-age={max_age}"
    if stale_while_revalidate:
        value += f", stale-while-revalidate={stale_while_revalidate}"
    if stale_if_error:
        value += f", stale-if-error={stale_if_error}"
    return value


def tagged(response: Response[Any], tags: Iterable[str]) -> Response[Any]:
    """Name what a public response shows, for a CDN that purges by tag (``content.cache_tags``):
    ``Surrogate-Key`` (Varnish xkey, Fastly) space-separated, ``Cache-Tag`` (Cloudflare)
    comma-separated. Every tagged response also carries ``folio``, to purge everything."""
    names = unique([*tags, ALL])
    response.headers["Surrogate-Key"] = " ".join(names)
    response.headers["Cache-Tag"] = ",".join(names)
    return response


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
