"""Peer: FastAPI + pydantic serving the same article the usual FastAPI way.

The document is held as a pydantic model and returned through ``response_model``, so FastAPI
validates and serializes it on every request, as typical apps do. The model is derived from the
document Folio serves (``BENCH_DOCUMENT``): every object becomes a model with one typed field per
key, so a field Folio adds is a field here too, and the peer never goes stale.
"""

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field, create_model


def model_of(name: str, value: dict[str, Any]) -> type[BaseModel]:
    """A pydantic model with one field per key of ``value``, typed from what the key holds."""
    fields: dict[str, Any] = {}
    for i, (key, item) in enumerate(value.items()):
        # Keys by alias: a JSON key may be no Python name, or shadow a BaseModel attribute.
        fields[f"f{i}"] = (type_of(f"{name}_{i}", item), Field(alias=key))
    return create_model(name, __config__=ConfigDict(populate_by_name=True), **fields)


def type_of(name: str, value: Any) -> Any:
    if isinstance(value, dict):
        return model_of(name, value)
    if isinstance(value, list):
        kinds = {type(v) for v in value}
        if kinds == {dict}:  # blocks and refs of several shapes: validated as JSON objects
            return list[dict[str, Any]]
        return list[kinds.pop()] if len(kinds) == 1 else list[Any]
    if value is None:
        return Any
    return type(value)


RAW = Path(os.environ["BENCH_DOCUMENT"]).read_bytes()
Article = model_of("Article", json.loads(RAW))
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
