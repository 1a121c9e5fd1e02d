"""The bench's peers serve exactly the bytes Folio serves (run once each, no timing).

`make bench` compares Folio with a minimal Litestar app and FastAPI + pydantic serving the same
article, and stops if a peer's answer differs. This runs each peer once against the article as
Folio serves it now, so a field added to the document cannot break the bench silently.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

PEERS = Path(__file__).resolve().parents[1] / "bench" / "peers"
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"


def load_peer(name: str, document: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The peer module, imported afresh with ``BENCH_DOCUMENT`` naming ``document``."""
    monkeypatch.setenv("BENCH_DOCUMENT", str(document))
    spec = importlib.util.spec_from_file_location(f"bench_peer_{name}", PEERS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


# litestar_min declares its path parameter the way it did when the bench's figures were taken.
@pytest.mark.filterwarnings("ignore:.*deprecated inferred style")
@pytest.mark.parametrize("peer", ["litestar_min", "fastapi_app"])
def test_each_peer_serves_the_bytes_folio_serves(
    peer: str,
    client: TestClient[Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served = client.get(ARTICLE, headers={"Accept-Encoding": "identity"})
    assert served.status_code == 200
    document = tmp_path / "article.json"
    document.write_bytes(served.content)
    app = load_peer(peer, document, monkeypatch).app

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://peer") as peer_client:
            answer = await peer_client.get(ARTICLE)
            again = await peer_client.get(ARTICLE, headers={"If-None-Match": answer.headers.get("etag", "")})
        return answer, again

    answer, again = asyncio.run(ask())
    assert answer.status_code == 200
    assert answer.content == served.content, "the peer's document differs from the one Folio serves"
    assert again.status_code == 304
