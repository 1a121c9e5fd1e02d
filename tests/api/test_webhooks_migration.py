"""Migration 0010: receivers registered before it keep their key, and what was pending is sent in
the new form, verifiable with the whsec_ form of the secret a receiver already holds."""

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic import command

from api.egress import EgressPolicy, parse_networks
from api.webhooks import Deliverer
from content.db import create_engine
from content.migrations import alembic_config, migrate
from tests.api.test_webhooks import LOOPBACK, Receiver
from tests.conftest import STORES, _postgres_database

pytestmark = pytest.mark.anyio
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
OLD_SECRET = "whsec_Zm9saW8tb2xkLXNlY3JldC1rZXktLS0tLS0tLS0tLS0tLS0tLQ-_x"  # token_urlsafe: - and _
OLD_PUBLISHED = {
    "event": "published",
    "type": "faq",
    "slug": "ketamine-addiction-faq",
    "version": 2,
    "contentHash": "sha256:abc",
    "at": "2026-12-01T00:00:00Z",
    "locale": "en",
}
OLD_NOTICE = {"event": "review.due", "at": "2026-12-01T00:00:00Z", "slug": "f", "nextReviewOn": "2027-01-01"}


@pytest.fixture(params=STORES)
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    urls = (
        iter([f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"])
        if request.param == "sqlite"
        else _postgres_database()
    )
    for url in urls:
        command.upgrade(alembic_config(url), "0008")
        yield url


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


async def _fill(url: str, receiver_url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO webhooks (id, url, events, secret, created_at) "
                "VALUES (1, :url, 'published,review.due', :secret, :now)"
            ).bindparams(sa.bindparam("now", type_=sa.DateTime(timezone=True))),
            {"url": receiver_url, "secret": OLD_SECRET, "now": NOW},
        )
        for row_id, status, payload in (
            (1, "delivered", OLD_PUBLISHED),
            (2, "pending", OLD_PUBLISHED),
            (3, "pending", OLD_NOTICE),
        ):
            await conn.execute(
                sa.text(
                    "INSERT INTO deliveries (id, webhook_id, event, payload, status, attempts, "
                    "next_attempt_at, created_at) VALUES (:id, 1, :event, :payload, :status, 0, :now, :now)"
                ).bindparams(
                    sa.bindparam("now", type_=sa.DateTime(timezone=True)),
                    sa.bindparam("payload", type_=sa.LargeBinary),
                ),
                {
                    "id": row_id,
                    "event": payload["event"],
                    "payload": json.dumps(payload).encode(),
                    "status": status,
                    "now": NOW,
                },
            )
    await engine.dispose()


async def test_old_receivers_verify_what_is_sent_after_the_upgrade(old_db: str, receiver: Receiver) -> None:
    await _fill(old_db, receiver.url)
    await asyncio.to_thread(migrate, old_db)
    # What the README tells a receiver to do: whsec_ + base64 of the secret it already holds.
    receiver.secret = "whsec_" + base64.b64encode(OLD_SECRET.encode()).decode()
    engine = create_engine(old_db)
    try:
        async with engine.connect() as conn:
            stored = await conn.scalar(sa.text("SELECT secret FROM webhooks WHERE id = 1"))
        deliverer = Deliverer(
            engine, poll_seconds=1, backoff_base=60, timeout=10, egress=EgressPolicy(parse_networks(LOOPBACK))
        )
        async with httpx.AsyncClient() as client:
            while await deliverer.deliver_one(client):
                pass
    finally:
        await engine.dispose()
    assert stored == receiver.secret
    assert all(h["valid"] for h in receiver.hits) and len(receiver.hits) == 2
    published, notice = receiver.hits
    assert published["headers"]["webhook-id"] == "msg_folio2"
    assert published["body"] == {
        "type": "published",
        "timestamp": "2026-12-01T00:00:00Z",
        "data": {
            "kind": "faq",
            "slug": "ketamine-addiction-faq",
            "locale": "en",
            "version": 2,
            "contentHash": "sha256:abc",
        },
    }
    assert notice["body"] == {
        "type": "review.due",
        "timestamp": "2026-12-01T00:00:00Z",
        "data": {"slug": "f", "nextReviewOn": "2027-01-01"},
    }
