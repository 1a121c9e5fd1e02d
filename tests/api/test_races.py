"""Concurrent writes answer what sequential ones would: one winner, the rest 412 or 409, no 5xx.

Runs on both stores against a real `folio serve` (the test client runs requests one at a time);
on PostgreSQL the requests interleave inside the database, where a unique key used to turn the
losers into 500s and lose restores.
"""

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.conftest import bearer, folio_server

FAQ = "/v1/faqs/ketamine-addiction-faq"
NEW = {
    "slug": "racing-draft",
    "title": "A draft many editors create at once",
    "summary": "Only one of them gets it.",
    "body": [{"type": "paragraph", "text": "Body."}],
}

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    env = {
        "FOLIO_DATABASE_URL": settings.database_url,
        "FOLIO_DATA_DIR": settings.data_dir,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
    }
    with folio_server(env) as base:
        limits = httpx.Limits(max_connections=60)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            yield client


async def _all(requests: list[Any]) -> Counter[int]:
    responses = await asyncio.gather(*requests)
    for r in responses:
        assert r.headers["content-type"].startswith("application/"), r.text
        if r.status_code >= 400:
            assert r.headers["content-type"] == "application/problem+json"
    return Counter(r.status_code for r in responses)


async def _reviewed_draft(client: httpx.AsyncClient, tokens: dict[str, str]) -> str:
    started = await client.post(FAQ + "/draft", headers=bearer(tokens["editor"]))
    base = {k: v for k, v in started.json().items() if k not in ("draft", "review")}
    put = await client.put(
        FAQ + "/draft",
        json={**base, "title": "Addiction questions, answered again"},
        headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]}),
    )
    review = await client.post(
        FAQ + "/draft/review",
        json={"nextReviewOn": "2030-01-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": put.headers["etag"]}),
    )
    assert review.status_code == 200, review.text
    return review.headers["etag"]


async def test_fifty_puts_with_one_if_match(settings: Settings, tokens: dict[str, str]) -> None:
    async with served(settings) as client:
        started = await client.post(FAQ + "/draft", headers=bearer(tokens["editor"]))
        base = {k: v for k, v in started.json().items() if k not in ("draft", "review")}
        headers = bearer(tokens["editor"], **{"If-Match": started.headers["etag"]})
        statuses = await _all(
            [
                client.put(FAQ + "/draft", json={**base, "title": f"Edit {n}"}, headers=headers)
                for n in range(50)
            ]
        )
    assert statuses == {200: 1, 412: 49}


async def test_twenty_publishes_of_one_draft(settings: Settings, tokens: dict[str, str]) -> None:
    async with served(settings) as client:
        etag = await _reviewed_draft(client, tokens)
        headers = bearer(tokens["publisher"], **{"If-Match": etag})
        statuses = await _all([client.post(FAQ + "/publish", headers=headers) for _ in range(20)])
        versions = (await client.get(FAQ + "/versions")).json()["versions"]
    assert statuses == {200: 1, 412: 19}
    assert [v["version"] for v in versions] == [2, 1]


async def test_twenty_restores_of_one_version(settings: Settings, tokens: dict[str, str]) -> None:
    async with served(settings) as client:
        etag = await _reviewed_draft(client, tokens)
        published = await client.post(
            FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag})
        )
        assert published.status_code == 200
        headers = bearer(tokens["publisher"])
        statuses = await _all([client.post(FAQ + "/versions/1/restore", headers=headers) for _ in range(20)])
        versions = (await client.get(FAQ + "/versions")).json()["versions"]
        audit = (await client.get("/v1/audit?action=restore", headers=bearer(tokens["admin"]))).json()
    # The first restore is done and acknowledged; the rest find it done: none is lost or doubled.
    assert statuses == {200: 1, 409: 19}
    assert [v["version"] for v in versions] == [3, 2, 1]
    assert versions[0]["contentHash"] == versions[2]["contentHash"]
    assert [e["version"] for e in audit["entries"]] == [3]


async def test_twenty_draft_starts(settings: Settings, tokens: dict[str, str]) -> None:
    async with served(settings) as client:
        headers = bearer(tokens["editor"])
        statuses = await _all([client.post(FAQ + "/draft", headers=headers) for _ in range(20)])
    assert statuses == {201: 1, 409: 19}


async def test_twenty_creates_of_one_slug(settings: Settings, tokens: dict[str, str]) -> None:
    async with served(settings) as client:
        headers = bearer(tokens["editor"])
        statuses = await _all([client.post("/v1/articles", json=NEW, headers=headers) for _ in range(20)])
        draft = await client.get("/v1/articles/racing-draft/draft", headers=bearer(tokens["reader"]))
    assert statuses == {201: 1, 409: 19}
    assert draft.status_code == 200
