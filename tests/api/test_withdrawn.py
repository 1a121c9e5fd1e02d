"""FOLIO_OVERDUE=withdraw: an overdue latest version is gone from every public channel at once.

The review date is moved into the past in the database, as time would have moved it; the
review-date check is run directly. Every test runs on SQLite, and on PostgreSQL when
FOLIO_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from msgspec.structs import replace

import api.reader
from api.app import create_app
from api.settings import Settings
from api.webhooks import Webhooks
from content.db import create_engine, deliveries
from tests.api.test_schedules import FAQ, publish_signed, set_next_review

Client = TestClient[Any]
SLUG = "ketamine-addiction-faq"


def withdrawing(settings: Settings) -> Settings:
    return replace(settings, overdue="withdraw", schedule_poll_seconds=3600)


def purges(settings: Settings) -> list[list[str]]:
    """The tags of every cache.purge delivery stored, oldest first."""

    async def run() -> list[list[str]]:
        engine = create_engine(settings.db_url)
        async with engine.connect() as conn:
            rows = await conn.scalars(
                sa.select(deliveries.c.payload)
                .where(deliveries.c.event == "cache.purge")
                .order_by(deliveries.c.id)
            )
            found = [json.loads(bytes(p))["data"]["tags"] for p in rows]
        await engine.dispose()
        return found

    return asyncio.run(run())


def add_purge_receiver(settings: Settings) -> None:
    async def run() -> None:
        engine = create_engine(settings.db_url)
        await Webhooks(engine).add("https://cdn.example.org/purge", ["cache.purge"], "admin")
        await engine.dispose()

    asyncio.run(run())


def test_the_check_that_withdraws_an_item_purges_it_at_once(
    settings: Settings, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day after its review date the stored copies still say 200 until the check runs: it
    purges them (one stored cache.purge for the CDN, this process's copies dropped) at once."""
    add_purge_receiver(settings)
    today = dt.date.today()
    with TestClient(create_app(replace(withdrawing(settings), latest_ttl=3600))) as client:
        publish_signed(client, tokens, FAQ)
        set_next_review(settings, SLUG, today)  # due today; overdue from tomorrow
        before = len(purges(settings))
        assert client.get(FAQ).status_code == 200
        monkeypatch.setattr(api.reader, "today", lambda: today + dt.timedelta(days=1))
        assert client.get(FAQ).status_code == 200  # the stored response, kept for latest_ttl
        runner = client.app.state.services.editorial.review_dates
        fired = client.blocking_portal.call(runner.check, today + dt.timedelta(days=1))
        assert [(f.event, f.slug) for f in fired] == [("review.overdue", SLUG)]
        assert client.get(FAQ).status_code == 410  # right after the check, not when the copy expires
        stored = purges(settings)[before:]
        assert stored == [[f"faq:{SLUG}:en", "faqs:en", "search:en"]]
        assert client.blocking_portal.call(runner.check, today + dt.timedelta(days=1)) == []
        assert purges(settings)[before:] == stored  # stored once


def test_the_check_purges_nothing_when_overdue_items_are_kept(
    settings: Settings, tokens: dict[str, str]
) -> None:
    add_purge_receiver(settings)
    with TestClient(create_app(replace(settings, schedule_poll_seconds=3600))) as client:
        publish_signed(client, tokens, FAQ)
        before = len(purges(settings))
        set_next_review(settings, SLUG, dt.date.today() - dt.timedelta(days=1))
        runner = client.app.state.services.editorial.review_dates
        fired = client.blocking_portal.call(runner.check, dt.date.today())
        assert [f.event for f in fired] == ["review.overdue"]
        assert purges(settings)[before:] == []
        assert client.get(FAQ).status_code == 200
