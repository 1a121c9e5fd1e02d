"""Scheduled releases: a release published by the runner at its time, in the claim's transaction.

The runner is driven with an injected clock (``Scheduler.tick``); nothing sleeps. Every test runs
on SQLite, and on PostgreSQL when FOLIO_TEST_POSTGRES_URL is set; there two engines are two
replicas racing the same due time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from api.app import create_app
from api.scheduler import Scheduler
from api.settings import Settings
from api.webhooks import Webhooks, outbox
from content.db import audit, create_engine, deliveries
from content.editorial import Editorial
from content.store import Store
from tests.conftest import bearer
from tests.content.test_releases import ARTICLE, FAQ, both_reviewed, edit, latest, pinned

pytestmark = pytest.mark.anyio

NOW = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
AHEAD = "2026-12-07T15:01Z"  # one minute ahead of NOW


def runner(engine: Any, clock: list[dt.datetime]) -> Scheduler:
    """One replica's runner: its own Editorial on its own engine, the real webhook outbox."""
    editorial = Editorial(Store(engine), outbox=outbox)
    editorial.schedules.clock = lambda: clock[0]
    return Scheduler(editorial.schedules, editorial.review_dates, poll_seconds=5, clock=lambda: clock[0])


async def counts(engine: Any, release_id: int) -> dict[str, int]:
    async with engine.connect() as conn:

        async def count(query: Any) -> int:
            return int(await conn.scalar(query))

        return {
            "release.published": await count(
                sa.select(sa.func.count()).where(deliveries.c.event == "release.published")
            ),
            "cache.purge": await count(sa.select(sa.func.count()).where(deliveries.c.event == "cache.purge")),
            "release_publish": await count(
                sa.select(sa.func.count()).where(
                    audit.c.action == "release_publish", audit.c.detail.startswith(f"release {release_id} ")
                )
            ),
            "schedule_ran": await count(sa.select(sa.func.count()).where(audit.c.action == "schedule_ran")),
        }


async def prepared(engine: Any) -> tuple[Editorial, int]:
    """A release of a changed FAQ and the article embedding it, both reviewed; a webhook receiver."""
    editorial = Editorial(Store(engine), outbox=outbox)
    await editorial.tokens.create("rev", "reviewer", "test", display_name="Dr Rev Rivera", credentials="MD")
    await Webhooks(engine).add("https://hooks.example.org/folio", ["release.published", "cache.purge"], "ad")
    return editorial, await both_reviewed(editorial)


async def test_a_scheduled_release_publishes_the_article_and_its_faq_together(synced_db: str) -> None:
    engine = create_engine(synced_db)
    try:
        editorial, release_id = await prepared(engine)
        clock = [NOW]
        scheduler = runner(engine, clock)
        made = await scheduler.schedules.create_release(release_id, AHEAD, "pub", "Winter update")
        assert (made.action, made.type, made.slug, made.state) == (
            "release",
            "release",
            str(release_id),
            "pending",
        )
        assert await scheduler.tick() == ([], [])  # not yet
        assert await latest(editorial, FAQ) == 1

        clock[0] += dt.timedelta(minutes=1)
        [ran], _ = await scheduler.tick()
        assert (ran.id, ran.state, ran.outcome) == (made.id, "done", "done")
        # One new version each: the article pins the FAQ version the release made.
        assert await latest(editorial, FAQ) == 2 and await latest(editorial, ARTICLE) == 2
        assert ("faq", FAQ[1], "en", 2) in await pinned(editorial, ARTICLE, 2)
        release = await editorial.releases.get(release_id)
        assert release.published_by == "pub" and [e.version for e in release.entries] == [2, 2]
        # One transaction: one release notice, one purge, one audit entry of the release.
        assert await counts(engine, release_id) == {
            "release.published": 1,
            "cache.purge": 1,
            "release_publish": 1,
            "schedule_ran": 1,
        }
        clock[0] += dt.timedelta(minutes=1)
        assert (await scheduler.tick())[0] == []
    finally:
        await engine.dispose()


async def test_a_scheduled_release_changed_after_review_fails_and_publishes_nothing(synced_db: str) -> None:
    engine = create_engine(synced_db)
    try:
        editorial, release_id = await prepared(engine)
        await Webhooks(engine).add("https://hooks.example.org/failed", ["schedule.failed"], "ad")
        clock = [NOW]
        scheduler = runner(engine, clock)
        made = await scheduler.schedules.create_release(release_id, AHEAD, "pub")
        await edit(editorial, ARTICLE, {"summary": "Changed after its review."})

        clock[0] += dt.timedelta(minutes=1)
        [ran], _ = await scheduler.tick()
        assert (ran.id, ran.state) == (made.id, "failed")
        assert "changed after its review" in ran.outcome
        assert await latest(editorial, FAQ) == 1 and await latest(editorial, ARTICLE) == 1
        assert (await editorial.releases.get(release_id)).published_at is None
        async with engine.connect() as conn:
            events = list(await conn.scalars(sa.select(deliveries.c.event).order_by(deliveries.c.id)))
        assert events == ["schedule.failed"]
    finally:
        await engine.dispose()


async def test_two_replicas_racing_tick_publish_the_release_once(synced_db: str) -> None:
    engines = [create_engine(synced_db), create_engine(synced_db)]
    try:
        editorial, release_id = await prepared(engines[0])
        clock = [NOW]
        replicas = [runner(engine, clock) for engine in engines]
        made = await replicas[0].schedules.create_release(release_id, AHEAD, "pub")
        clock[0] += dt.timedelta(minutes=1)
        results = await asyncio.gather(*(r.tick() for r in replicas for _ in range(2)))
        assert [s.id for ran, _ in results for s in ran] == [made.id]
        assert await latest(editorial, FAQ) == 2 and await latest(editorial, ARTICLE) == 2
        assert await counts(engines[1], release_id) == {
            "release.published": 1,
            "cache.purge": 1,
            "release_publish": 1,
            "schedule_ran": 1,
        }
    finally:
        for engine in engines:
            await engine.dispose()


def test_publishers_schedule_a_release_through_the_api(settings: Settings, tokens: dict[str, str]) -> None:
    with TestClient(create_app(settings)) as client:
        pub = bearer(tokens["publisher"])
        release = client.post(
            "/v1/releases", json={"name": "Winter"}, headers=bearer(tokens["editor"])
        ).json()
        at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%MZ")
        body = {"action": "release", "release": release["id"], "at": at, "note": "Winter"}
        made = client.post("/v1/schedules", json=body, headers=pub)
        assert made.status_code == 201, made.text
        assert (made.json()["action"], made.json()["type"], made.json()["slug"]) == (
            "release",
            "release",
            str(release["id"]),
        )
        missing = client.post("/v1/schedules", json={**body, "release": 99999}, headers=pub)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        for bad in (
            {"action": "release", "at": at},
            {**body, "type": "article", "slug": "ketamine-withdrawal"},
        ):
            refused = client.post("/v1/schedules", json=bad, headers=pub)
            assert refused.status_code == 400, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
        no_slug = {"action": "publish", "type": "article", "at": at}
        assert client.post("/v1/schedules", json=no_slug, headers=pub).status_code == 400
        editor = client.post("/v1/schedules", json=body, headers=bearer(tokens["editor"]))
        assert editor.status_code == 403


def test_a_publisher_schedules_the_release_from_the_desk(settings: Settings, tokens: dict[str, str]) -> None:
    from tests.api.test_desk import _session

    with TestClient(create_app(settings)) as client:
        release = client.post(
            "/v1/releases", json={"name": "Winter"}, headers=bearer(tokens["editor"])
        ).json()
        base = f"/desk/releases/{release['id']}"
        csrf = _session(client, tokens["publisher"])
        page = client.get(base)
        assert page.status_code == 200 and f'action="{base}/schedule"' in page.text
        assert "Schedule the release" in page.text
        made = client.post(
            base + "/schedule", data={"csrf": csrf, "at": "2031-01-15T09:00", "note": "Winter"}
        )
        assert made.status_code == 200 and "The release is scheduled for 15 Jan 2031 09:00 UTC." in made.text
        [shown] = client.get("/v1/schedules", headers=bearer(tokens["publisher"])).json()["schedules"]
        assert (shown["action"], shown["slug"], shown["at"], shown["note"]) == (
            "release",
            str(release["id"]),
            "2031-01-15T09:00:00Z",
            "Winter",
        )
        refused = client.post(base + "/schedule", data={"csrf": csrf, "at": "soon"})
        assert refused.status_code == 400 and "is not an ISO 8601 time" in refused.text
