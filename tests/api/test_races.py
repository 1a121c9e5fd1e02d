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


async def test_racing_writes_answer_like_sequential_ones(settings: Settings, tokens: dict[str, str]) -> None:
    """One server, one story: concurrent starts, PUTs, publishes, restores and creates."""
    editor, reader = bearer(tokens["editor"]), bearer(tokens["reader"])
    async with served(settings) as client:
        starts = await _all([client.post(FAQ + "/draft", headers=editor) for _ in range(20)])
        assert starts == {201: 1, 409: 19}, "draft starts"

        current = await client.get(FAQ + "/draft", headers=reader)
        base = {k: v for k, v in current.json().items() if k not in ("draft", "review")}
        headers = bearer(tokens["editor"], **{"If-Match": current.headers["etag"]})
        bodies = [{**base, "title": f"Edit {n}"} for n in range(50)]
        puts = await _all([client.put(FAQ + "/draft", json=b, headers=headers) for b in bodies])
        assert puts == {200: 1, 412: 49}, "PUTs with one If-Match"
        stored = (await client.get(FAQ + "/draft", headers=reader)).json()
        assert stored["title"] in {b["title"] for b in bodies}

        review = await client.post(
            FAQ + "/draft/review",
            json={"nextReviewOn": "2030-01-01"},
            headers=bearer(
                tokens["reviewer"],
                **{"If-Match": (await client.get(FAQ + "/draft", headers=reader)).headers["etag"]},
            ),
        )
        assert review.status_code == 200, review.text
        publisher = bearer(tokens["publisher"], **{"If-Match": review.headers["etag"]})
        publishes = await _all([client.post(FAQ + "/publish", headers=publisher) for _ in range(20)])
        assert publishes == {200: 1, 412: 19}, "publishes of one draft"
        versions = (await client.get(FAQ + "/versions")).json()["versions"]
        assert [v["version"] for v in versions] == [2, 1]

        restorer = bearer(tokens["publisher"])
        restores = await _all([client.post(FAQ + "/versions/1/restore", headers=restorer) for _ in range(20)])
        # The first restore is done and acknowledged; the rest find it done: none lost or doubled.
        assert restores == {200: 1, 409: 19}, "restores of one version"
        versions = (await client.get(FAQ + "/versions")).json()["versions"]
        assert [v["version"] for v in versions] == [3, 2, 1]
        assert versions[0]["contentHash"] == versions[2]["contentHash"]
        audit = (await client.get("/v1/audit?action=restore", headers=bearer(tokens["admin"]))).json()
        assert [e["version"] for e in audit["entries"]] == [3]

        creates = await _all([client.post("/v1/articles", json=NEW, headers=editor) for _ in range(20)])
        assert creates == {201: 1, 409: 19}, "creates of one slug"
        assert (await client.get("/v1/articles/racing-draft/draft", headers=reader)).status_code == 200
