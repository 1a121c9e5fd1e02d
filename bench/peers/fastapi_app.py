"""Peer: FastAPI + pydantic serving the same article the usual FastAPI way.

The document is held as a pydantic model and returned through ``response_model``, so FastAPI
validates and serializes it on every request, as typical apps do.
"""

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel


class Review(BaseModel):
    reviewedBy: str
    reviewedOn: str
    nextReviewOn: str
    status: str | None = None


class Article(BaseModel):
    type: str
    slug: str
    locale: str
    title: str
    summary: str
    tags: list[str]
    related: list[dict[str, Any]]
    review: Review
    body: list[dict[str, Any]]
    version: int
    publishedAt: str
    author: str
    note: str
    contentHash: str
    embeds: list[dict[str, Any]]
    included: list[dict[str, Any]]


RAW = Path(os.environ["BENCH_DOCUMENT"]).read_bytes()
DOCUMENT = Article.model_validate(json.loads(RAW))
ETAG = '"' + hashlib.blake2b(RAW, digest_size=16).hexdigest() + '"'
app = FastAPI(openapi_url=None)


@app.get("/v1/articles/{slug}", response_model=Article)
async def article(slug: str, request: Request, response: Response) -> Any:
    if request.headers.get("if-none-match") == ETAG:
        return Response(status_code=304, headers={"ETag": ETAG})
    response.headers["ETag"] = ETAG
    response.headers["Cache-Control"] = "public, max-age=60"
    return DOCUMENT
