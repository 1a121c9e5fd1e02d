"""Peer: the least a Litestar app can do to serve the same article bytes with an ETag."""

import hashlib
import os
from pathlib import Path

from litestar import Litestar, Request, Response, get

BODY = Path(os.environ["BENCH_DOCUMENT"]).read_bytes()
ETAG = '"' + hashlib.blake2b(BODY, digest_size=16).hexdigest() + '"'


@get("/v1/articles/{slug:str}")
async def article(request: Request, slug: str) -> Response[bytes]:  # type: ignore[type-arg]
    headers = {"ETag": ETAG, "Cache-Control": "public, max-age=60"}
    if request.headers.get("if-none-match") == ETAG:
        return Response(b"", status_code=304, headers=headers)
    return Response(BODY, media_type="application/json", headers=headers)


app = Litestar([article], openapi_config=None)
