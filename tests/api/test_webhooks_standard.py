"""Deliveries follow the Standard Webhooks specification: a receiver using the `standardwebhooks`
package from PyPI verifies them, refuses tampered or replayed ones, and keeps verifying through a
secret rotation."""

import asyncio
import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import msgspec
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks import webhooks as standard
from standardwebhooks.webhooks import WebhookVerificationError

from api.app import create_app
from api.settings import Settings
from content.changes import EVENTS
from tests.api.test_webhooks import ITEM, LOOPBACK, Receiver, fast, publish, register
from tests.conftest import bearer

VERSION_DATA = {"kind", "slug", "locale", "version", "contentHash"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def verifies(secret: str, hit: dict[str, Any], raw: bytes | None = None) -> bool:
    try:
        StandardWebhook(secret).verify(hit["raw"] if raw is None else raw, hit["headers"])
    except WebhookVerificationError:
        return False
    return True


def deliveries(client: TestClient[Any], tokens: dict[str, str], hook: int) -> list[dict[str, Any]]:
    got = client.get(f"/v1/webhooks/{hook}/deliveries", headers=bearer(tokens["admin"]))
    return list(got.json()["deliveries"])


def test_each_event_is_signed_with_the_standard_headers_and_body(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    with TestClient(create_app(fast(settings))) as client:
        hook = register(client, tokens, receiver)
        publish(client, tokens)
        published = client.get(ITEM).json()
        client.delete(ITEM, headers=bearer(tokens["publisher"]))
        receiver.wait_for(2)
        log = deliveries(client, tokens, hook)
        spec = client.get("/docs/openapi.json").json()
    assert receiver.secret.startswith("whsec_") and len(base64.b64decode(receiver.secret[6:])) >= 24
    assert all(h["valid"] for h in receiver.hits)
    first, archived = receiver.hits
    for hit in receiver.hits:
        assert set(hit["body"]) == {"type", "timestamp", "data"}
        assert dt.datetime.fromisoformat(hit["body"]["timestamp"]).tzinfo is not None
        headers = {name.lower() for name in hit["headers"]}
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers
        assert not any(name.startswith("x-folio") for name in headers)
        assert hit["headers"]["webhook-timestamp"].isdigit()
        assert hit["headers"]["webhook-id"].startswith("msg_")
    assert first["event"] == "published" and set(first["data"]) == VERSION_DATA
    assert first["data"] == {
        "kind": "article",
        "slug": "ketamine-withdrawal",
        "locale": "en",
        "version": 2,
        "contentHash": published["contentHash"],
    }
    assert archived["event"] == "archived" and set(archived["data"]) == VERSION_DATA
    # The OpenAPI document's webhooks section describes what was sent.
    for hit in receiver.hits:
        documented = spec["webhooks"][hit["event"]]["post"]
        jsonschema.validate(hit["body"], documented["requestBody"]["content"]["application/json"]["schema"])
        headers = {p["name"] for p in documented["parameters"]}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert set(spec["webhooks"]) == set(EVENTS)
    assert archived["data"]["slug"] == "ketamine-withdrawal"
    # The delivery log names each delivery's webhook-id.
    assert {d["messageId"] for d in log} == {h["headers"]["webhook-id"] for h in receiver.hits}
    assert len({d["messageId"] for d in log}) == 2


def test_a_tampered_body_or_a_replay_after_five_minutes_fails(
    settings: Settings, tokens: dict[str, str], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TestClient(create_app(fast(settings))) as client:
        register(client, tokens, receiver)
        publish(client, tokens)
        receiver.wait_for(1)
    [hit] = receiver.hits
    assert verifies(receiver.secret, hit)
    assert not verifies(receiver.secret, hit, hit["raw"].replace(b'"version":2', b'"version":3'))
    assert not verifies("whsec_" + base64.b64encode(b"x" * 32).decode(), hit)

    class Later:
        """The receiver's clock, some minutes after the delivery arrived."""

        minutes = 0
        fromtimestamp = staticmethod(dt.datetime.fromtimestamp)

        @staticmethod
        def now(tz: dt.tzinfo | None = None) -> dt.datetime:
            return dt.datetime.now(tz) + dt.timedelta(minutes=Later.minutes)

    monkeypatch.setattr(standard, "datetime", Later)
    Later.minutes = 4
    assert verifies(receiver.secret, hit)
    Later.minutes = 6
    with pytest.raises(WebhookVerificationError, match="too old"):
        StandardWebhook(receiver.secret).verify(hit["raw"], hit["headers"])


def test_a_retry_keeps_the_webhook_id(settings: Settings, tokens: dict[str, str], receiver: Receiver) -> None:
    receiver.statuses = [503]
    with TestClient(create_app(fast(settings))) as client:
        register(client, tokens, receiver)
        publish(client, tokens)
        receiver.wait_for(2)
    first, retry = receiver.hits
    assert [first["status"], retry["status"]] == [503, 200]
    assert first["headers"]["webhook-id"] == retry["headers"]["webhook-id"]
    assert first["raw"] == retry["raw"] and first["valid"] and retry["valid"]


def expire_replaced_secrets(settings: Settings) -> None:
    """The grace period ends: what a day's wait would do to the replaced secrets."""
    from content.db import create_engine, webhook_secrets, writer

    async def run() -> None:
        engine = create_engine(settings.db_url)
        async with writer(engine).begin() as conn:
            past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            await conn.execute(webhook_secrets.update().values(expires_at=past))
        await engine.dispose()

    asyncio.run(run())


def test_rotation_signs_with_both_secrets_until_the_grace_period_ends(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    admin = bearer(tokens["admin"])
    with TestClient(create_app(fast(settings))) as client:
        hook = register(client, tokens, receiver)
        old = receiver.secret
        rotated = client.post(f"/v1/webhooks/{hook}/secret", headers=admin)
        assert rotated.status_code == 201 and "no-store" in rotated.headers["cache-control"]
        new = rotated.json()["secret"]
        until = dt.datetime.fromisoformat(rotated.json()["previousValidUntil"])
        assert new.startswith("whsec_") and new != old and rotated.json()["id"] == hook
        assert until > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)
        publish(client, tokens)
        receiver.wait_for(1)
        during = receiver.hits[0]
        expire_replaced_secrets(settings)
        client.delete(ITEM, headers=bearer(tokens["publisher"]))
        receiver.wait_for(2)
        after = receiver.hits[1]
        assert client.post("/v1/webhooks/999/secret", headers=admin).json()["status"] == 404
        huge = client.post(f"/v1/webhooks/{2**40}/secret", headers=admin)
        assert huge.status_code == 400 and huge.json()["errors"][0]["name"] in ("hook_id", "hookId")
        assert (
            client.post(f"/v1/webhooks/{hook}/secret", headers=bearer(tokens["publisher"])).status_code == 403
        )
        assert "secret" not in str(client.get("/v1/webhooks", headers=admin).json())
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    assert verifies(old, during) and verifies(new, during)
    assert after["event"] == "archived"
    assert len(after["headers"]["webhook-signature"].split(" ")) == 1
    assert verifies(new, after) and not verifies(old, after)


@pytest.mark.anyio
async def test_a_notice_is_delivered_with_its_data(db_url: str, receiver: Receiver) -> None:
    from api.egress import EgressPolicy, parse_networks
    from api.webhooks import Deliverer, Webhooks, outbox
    from content.changes import Notice
    from content.db import create_engine, writer

    engine = create_engine(db_url)
    notices = [
        Notice("review.due", {"kind": "faq", "slug": "ketamine-addiction-faq", "nextReviewOn": "2027-01-05"}),
        Notice("release.published", {"release": "winter", "items": [{"kind": "faq", "version": 2}]}),
        Notice("cache.purge", {"tags": ["faq/ketamine-addiction-faq", "article/ketamine-withdrawal"]}),
    ]
    try:
        _, receiver.secret = await Webhooks(engine).add(
            receiver.url, ["review.due", "release.published", "cache.purge"], "test"
        )
        async with writer(engine).begin() as conn:
            for notice in notices:
                await outbox(conn, notice)
            await outbox(conn, Notice("schedule.failed", {"schedule": 1}))  # not subscribed
        deliverer = Deliverer(
            engine, poll_seconds=1, backoff_base=60, timeout=10, egress=EgressPolicy(parse_networks(LOOPBACK))
        )
        async with httpx.AsyncClient() as client:
            while await deliverer.deliver_one(client):
                pass
        async with engine.connect() as conn:
            pending = await conn.scalar(sa.text("SELECT count(*) FROM deliveries WHERE status = 'pending'"))
    finally:
        await engine.dispose()
    assert pending == 0
    # The receiver records each request before it answers: every answered delivery is in hits.
    assert all(h["valid"] for h in receiver.hits)
    assert [(h["event"], h["data"]) for h in receiver.hits] == [(n.event, n.data) for n in notices]
    assert all(set(h["body"]) == {"type", "timestamp", "data"} for h in receiver.hits)


def test_the_grace_period_is_a_setting(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    from_env = Settings.from_env({"FOLIO_WEBHOOK_SECRET_GRACE_HOURS": "0"})
    assert from_env.webhook_secret_grace_hours == 0
    with pytest.raises(ValueError, match="webhook_secret_grace_hours"):
        Settings.from_env({"FOLIO_WEBHOOK_SECRET_GRACE_HOURS": "-1"})
    none = msgspec.structs.replace(fast(settings), webhook_secret_grace_hours=0)
    with TestClient(create_app(none)) as client:
        hook = register(client, tokens, receiver)
        old = receiver.secret
        rotated = client.post(f"/v1/webhooks/{hook}/secret", headers=bearer(tokens["admin"])).json()
        receiver.secret = rotated["secret"]
        publish(client, tokens)
        receiver.wait_for(1)
    [hit] = receiver.hits
    assert hit["valid"] and len(hit["headers"]["webhook-signature"].split(" ")) == 1
    assert not verifies(old, hit)
