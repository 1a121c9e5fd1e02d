"""Two real server processes on one PostgreSQL database, as replicas behind a balancer."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from content.accounts import Tokens
from content.db import create_engine
from content.library import DEFAULT_LIBRARY, load_library
from content.migrations import migrate
from content.store import Store
from tests.api.test_webhooks import Receiver
from tests.conftest import DISPLAY_NAMES, POSTGRES_URL, _postgres_database, bearer, folio_server

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs FOLIO_TEST_POSTGRES_URL (CI sets it)")
FAQ = "/v1/faqs/ketamine-addiction-faq"


@pytest.fixture
def database() -> Iterator[str]:
    for url in _postgres_database():
        migrate(url)
        yield url


def metric(base: str, name: str) -> float:
    for line in httpx.get(base + "/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def test_two_replicas_share_one_database(database: str, tmp_path: Path) -> None:
    async def prepare() -> dict[str, str]:
        engine = create_engine(database)
        await Store(engine).sync(load_library().items, author="library")
        made = {
            r: (await Tokens(engine).create(r, r, "test", display_name=DISPLAY_NAMES[r]))[1]
            for r in ("editor", "reviewer", "publisher", "admin")
        }
        await engine.dispose()
        return made

    tokens = asyncio.run(prepare())
    env = {
        "FOLIO_DATABASE_URL": database,
        "FOLIO_LIBRARY_DIR": str(DEFAULT_LIBRARY),
        "FOLIO_LATEST_TTL": "0",  # every request asks the database which version is latest
        "FOLIO_PUBLIC_URL": "https://folio.example.org",  # one address behind the balancer, as in production
        "FOLIO_WEBHOOK_POLL_SECONDS": "0.1",
        "FOLIO_WEBHOOK_ALLOW": "127.0.0.0/8",  # the receiver below listens on this machine
    }
    receiver = Receiver()
    try:
        # Two data folders: the replicas share nothing but PostgreSQL (rendered exports included).
        with (
            folio_server(env | {"FOLIO_DATA_DIR": str(tmp_path / "a")}) as a,
            folio_server(env | {"FOLIO_DATA_DIR": str(tmp_path / "b")}) as b,
        ):
            hook = httpx.post(
                a + "/v1/webhooks",
                json={"url": receiver.url, "events": ["published"]},
                headers=bearer(tokens["admin"]),
            )
            receiver.secret = hook.json()["secret"]
            assert httpx.get(b + FAQ).json()["version"] == 1  # B has it cached now

            # Publish on A; the very next request on B sees version 2.
            etag = httpx.post(a + FAQ + "/draft", headers=bearer(tokens["editor"])).headers["etag"]
            etag = httpx.post(
                a + FAQ + "/draft/review",
                json={"nextReviewOn": "2027-08-01"},
                headers=bearer(tokens["reviewer"], **{"If-Match": etag}),
            ).headers["etag"]
            published = httpx.post(
                a + FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag})
            )
            assert published.json()["version"] == 2
            assert httpx.get(b + FAQ).json()["version"] == 2
            # A draft's ETag guards writes across replicas: A's edit makes B's copy stale.
            started = httpx.post(b + FAQ + "/draft", headers=bearer(tokens["editor"]))
            body = {k: v for k, v in started.json().items() if k not in ("draft", "review")}
            first = httpx.put(
                a + FAQ + "/draft",
                json={**body, "title": "Edited on A"},
                headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]}),
            )
            assert first.status_code == 200
            second = httpx.put(
                b + FAQ + "/draft",
                json={**body, "title": "Edited on B"},
                headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]}),
            )
            assert second.status_code == 412
            assert (
                httpx.get(b + FAQ + "/draft", headers=bearer(tokens["editor"])).json()["title"]
                == "Edited on A"
            )

            # The same handout asked of both replicas at once is rendered once.
            async def both() -> list[httpx.Response]:
                async with httpx.AsyncClient(timeout=120) as client:
                    return await asyncio.gather(
                        *(client.get(base + FAQ + "/handout.pdf") for base in (a, b, a, b))
                    )

            responses = asyncio.run(both())
            assert [r.status_code for r in responses] == [200] * 4
            assert (
                len({r.headers["etag"] for r in responses}) == 1 and len({r.content for r in responses}) == 1
            )
            renders = 'folio_handout_renders_total{channel="pdf"}'
            assert metric(a, renders) + metric(b, renders) == 1

            # Both replicas poll the outbox; the event is delivered once.
            receiver.wait_for(2)
            deadline = time.monotonic() + 1.5  # fifteen poll cycles of each replica
            while time.monotonic() < deadline:
                time.sleep(0.1)
            # The FAQ's publish, and the version it gave the article that embeds it: once each.
            assert all(h["valid"] for h in receiver.hits)
            assert sorted((h["data"]["slug"], h["data"]["version"]) for h in receiver.hits) == [
                ("is-ketamine-therapy-addictive", 2),
                ("ketamine-addiction-faq", 2),
            ]
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    # Nothing rendered landed on either replica's disk: the handout lives in the database.
    assert not list(tmp_path.glob("*/rendered/*")) and not list(tmp_path.glob("*/exports/*"))

    async def rendered() -> int:
        engine = create_engine(database)
        async with engine.connect() as conn:
            count = await conn.scalar(sa.text("SELECT count(*) FROM rendered WHERE key LIKE '\"pdf-%'"))
        await engine.dispose()
        return int(count or 0)

    assert asyncio.run(rendered()) == 1
