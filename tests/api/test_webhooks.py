"""Webhooks delivered to a real HTTP server on 127.0.0.1, verified there with `standardwebhooks`."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import msgspec
import pytest
from litestar.testing import TestClient
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from api.app import create_app
from api.settings import Settings
from tests.conftest import POSTGRES_URL, bearer

FAQ = "/v1/faqs/ketamine-addiction-faq"
# Embedded by nothing: its events are its own.
ITEM = "/v1/articles/ketamine-withdrawal"


class Receiver:
    """Records every request; answers with queued statuses, then 200. Verifies each delivery with
    the `standardwebhooks` package, as a receiver would."""

    def __init__(self) -> None:
        self.secret = ""
        self.statuses: list[int] = []
        self.hits: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers.items())
                try:
                    StandardWebhook(receiver.secret).verify(raw, headers)
                    valid = True
                except WebhookVerificationError:
                    valid = False
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                body = json.loads(raw)
                receiver.hits.append(
                    {
                        "event": body["type"],
                        "body": body,
                        "data": body["data"],
                        "valid": valid,
                        "status": status,
                        "host": self.headers["Host"],
                        "raw": raw,
                        "headers": headers,
                    }
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.hits) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.hits) >= count, self.hits


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


# The receivers listen on this machine: the suite allows loopback the way an operator allows a
# clinic's internal network, through the setting (FOLIO_WEBHOOK_ALLOW), never a test-only path.
LOOPBACK = ["127.0.0.0/8"]


def fast(settings: Settings, poll: float = 0.05) -> Settings:
    return msgspec.structs.replace(
        settings, webhook_poll_seconds=poll, webhook_backoff_seconds=0.05, webhook_allow=LOOPBACK
    )


def register(client: TestClient[Any], tokens: dict[str, str], receiver: Receiver) -> int:
    created = client.post("/v1/webhooks", json={"url": receiver.url}, headers=bearer(tokens["admin"]))
    assert created.status_code == 201
    receiver.secret = created.json()["secret"]
    assert (
        client.get("/v1/webhooks", headers=bearer(tokens["admin"])).json()["webhooks"][0].get("secret")
        is None
    )
    return int(created.json()["id"])


def publish(client: TestClient[Any], tokens: dict[str, str], path: str = ITEM) -> None:
    """A new version with a changed summary (a review is no change of content)."""
    started = client.post(path + "/draft", headers=bearer(tokens["editor"]))
    body = {k: v for k, v in started.json().items() if k not in ("draft", "review")}
    body["summary"] += " Ask us."
    saved = client.put(
        path + "/draft", json=body, headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]})
    )
    reviewed = client.post(
        path + "/draft/review",
        json={"nextReviewOn": "2027-09-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": saved.headers["etag"]}),
    )
    done = client.post(
        path + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": reviewed.headers["etag"]})
    )
    assert done.status_code == 200


def test_signed_deliveries_for_each_event(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    with TestClient(create_app(fast(settings))) as client:
        hook = register(client, tokens, receiver)
        publish(client, tokens)
        client.post(ITEM + "/versions/1/restore", headers=bearer(tokens["publisher"]))
        client.delete(ITEM, headers=bearer(tokens["publisher"]))
        receiver.wait_for(3)
        # The receiver has answered; the deliverer records that right after.
        deadline = time.monotonic() + 5
        while True:
            log = client.get(f"/v1/webhooks/{hook}/deliveries", headers=bearer(tokens["admin"])).json()[
                "deliveries"
            ]
            if {d["status"] for d in log} == {"delivered"} or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert [h["event"] for h in receiver.hits] == ["published", "restored", "archived"]
    assert all(h["valid"] for h in receiver.hits)
    assert (
        receiver.hits[0]["data"]["slug"] == "ketamine-withdrawal" and receiver.hits[0]["data"]["version"] == 2
    )
    assert receiver.hits[1]["data"]["version"] == 3
    assert {d["status"] for d in log} == {"delivered"} and len(log) == 3


def test_publishing_an_embedded_item_announces_its_dependents_too(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    with TestClient(create_app(fast(settings))) as client:
        register(client, tokens, receiver)
        publish(client, tokens, FAQ)
        receiver.wait_for(2)
    announced = sorted((h["event"], h["data"]["slug"], h["data"]["version"]) for h in receiver.hits)
    assert announced == [
        ("published", "is-ketamine-therapy-addictive", 2),
        ("published", "ketamine-addiction-faq", 2),
    ]


def test_a_failing_receiver_is_retried(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    with TestClient(create_app(fast(settings))) as client:
        hook = register(client, tokens, receiver)
        publish(client, tokens)
        receiver.wait_for(3)
        deadline = time.monotonic() + 5
        while True:
            [delivery] = client.get(
                f"/v1/webhooks/{hook}/deliveries", headers=bearer(tokens["admin"])
            ).json()["deliveries"]
            if delivery["status"] == "delivered" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert [h["status"] for h in receiver.hits] == [500, 503, 200]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3


def test_a_delivery_pending_at_shutdown_is_sent_after_restart(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    with TestClient(create_app(fast(settings, poll=3600))) as client:  # this one never polls again
        register(client, tokens, receiver)
        publish(client, tokens)
    assert receiver.hits == []
    with TestClient(create_app(fast(settings))):
        receiver.wait_for(1)
    assert receiver.hits[0]["event"] == "published" and receiver.hits[0]["valid"]


def test_webhook_input_is_checked(settings: Settings, tokens: dict[str, str]) -> None:
    with TestClient(create_app(settings)) as client:
        bad = client.post(
            "/v1/webhooks", json={"url": "ftp://x", "events": ["published"]}, headers=bearer(tokens["admin"])
        )
        assert bad.status_code == 400 and bad.json()["errors"][0]["name"] == "$.url"
        bad = client.post(
            "/v1/webhooks",
            json={"url": "https://x.example", "events": ["deleted"]},
            headers=bearer(tokens["admin"]),
        )
        assert bad.status_code == 400
        assert client.delete("/v1/webhooks/999", headers=bearer(tokens["admin"])).status_code == 404


@pytest.mark.anyio
async def test_two_deliverers_never_send_the_same_delivery(db_url: str, receiver: Receiver) -> None:
    from api.egress import EgressPolicy, parse_networks
    from api.webhooks import Deliverer, Webhooks, enqueue
    from content.db import create_engine, writer

    engines = [create_engine(db_url), create_engine(db_url)]
    try:
        _, receiver.secret = await Webhooks(engines[0]).add(receiver.url, ["published"], "test")
        async with writer(engines[0]).begin() as conn:
            for version in range(1, 6):
                await enqueue(conn, "published", "faq", "ketamine-addiction-faq", version, None)
        egress = EgressPolicy(parse_networks(LOOPBACK))
        deliverers = [
            Deliverer(e, poll_seconds=1, backoff_base=60, timeout=10, egress=egress) for e in engines
        ]

        async def drain(deliverer: Deliverer) -> None:
            async with httpx.AsyncClient() as client:
                while await deliverer.deliver_one(client):
                    pass

        await asyncio.gather(*(drain(d) for d in deliverers))
    finally:
        for engine in engines:
            await engine.dispose()
    versions = sorted(hit["data"]["version"] for hit in receiver.hits)
    assert versions == [1, 2, 3, 4, 5]


@pytest.mark.anyio
@pytest.mark.skipif(not POSTGRES_URL, reason="interleaves two PostgreSQL transactions")
async def test_a_claimed_delivery_cannot_be_claimed_again(db_url: str, receiver: Receiver) -> None:
    """Step by step: A finds the row, B looks, A takes and commits, B must come away empty."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serializes write transactions: the second waits for the first")
    from api.webhooks import Webhooks, due, enqueue, take
    from content.db import create_engine, utcnow, writer

    a, b = create_engine(db_url), create_engine(db_url)
    try:
        await Webhooks(a).add(receiver.url, ["published"], "test")
        async with writer(a).begin() as conn:
            await enqueue(conn, "published", "faq", "ketamine-addiction-faq", 2, None)
        now = utcnow()
        conn_a, conn_b = await a.connect(), await b.connect()
        await conn_a.begin()
        await conn_b.begin()
        row_a = await due(conn_a, now)
        row_b = await due(conn_b, now)
        assert row_a is not None
        assert await take(conn_a, row_a.id, now)
        await conn_a.commit()
        # B either skipped the row A had locked, or, had it seen it, loses the claim.
        assert row_b is None or not await take(conn_b, row_b.id, now)
        await conn_b.rollback()
        await conn_a.close()
        await conn_b.close()
    finally:
        await a.dispose()
        await b.dispose()
