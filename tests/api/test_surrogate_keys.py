"""Public responses name what they show; each publishing transaction stores one purge of it."""

import asyncio
from typing import Any

import httpx
import msgspec
import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from api.app import create_app
from api.purge import chunks, purge_varnish
from api.settings import Settings
from content.db import create_engine, deliveries, webhooks
from tests.api.test_webhooks import publish
from tests.conftest import bearer

ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
FAQ = "/v1/faqs/ketamine-addiction-faq"
WITHDRAWAL = "/v1/articles/ketamine-withdrawal"
ARTICLE_TAG = "article:is-ketamine-therapy-addictive:en"
FAQ_TAG = "faq:ketamine-addiction-faq:en"
WITHDRAWAL_TAG = "article:ketamine-withdrawal:en"

Client = TestClient[Any]


def keys(response: httpx.Response) -> list[str]:
    """The tags, checked to be the same in both headers."""
    surrogate = response.headers["surrogate-key"].split(" ")
    assert response.headers["cache-tag"].split(",") == surrogate
    return surrogate


def purges(db_url: str) -> list[list[str]]:
    """The tags of every stored cache.purge delivery, oldest first."""

    async def read() -> list[list[str]]:
        engine = create_engine(db_url)
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(deliveries.c.payload)
                .where(deliveries.c.event == "cache.purge")
                .order_by(deliveries.c.id)
            )
            found = [msgspec.json.decode(r.payload)["data"]["tags"] for r in rows]
        await engine.dispose()
        return found

    return asyncio.run(read())


def subscribe(client: Client, tokens: dict[str, str]) -> None:
    """A generic purger: a webhook asking for cache.purge (no sender runs: the test reads the outbox)."""
    created = client.post(
        "/v1/webhooks",
        json={"url": "https://cdn.example.org/purge", "events": ["cache.purge"]},
        headers=bearer(tokens["admin"]),
    )
    assert created.status_code == 201, created.text


def test_reads_name_the_item_its_version_and_its_pinned_embeds(client: Client) -> None:
    article = client.get(ARTICLE)
    tags = keys(article)
    assert tags[:2] == [ARTICLE_TAG, ARTICLE_TAG + ":v1"]
    assert {FAQ_TAG, FAQ_TAG + ":v1", "folio"} <= set(tags)
    assert WITHDRAWAL_TAG not in tags
    assert "stale-while-revalidate=30" in article.headers["cache-control"]
    assert "stale-if-error=86400" in article.headers["cache-control"]
    # The response store answers the second request from memory, with the same tags.
    again = client.get(ARTICLE)
    assert keys(again) == tags and again.content == article.content
    for path in ("/handout.pdf", "/email.txt", "/email", "/versions/1", "/versions"):
        assert ARTICLE_TAG in keys(client.get(ARTICLE + path)), path
    page = client.get("/articles/is-ketamine-therapy-addictive")
    assert {ARTICLE_TAG, FAQ_TAG} <= set(keys(page))
    assert keys(client.get(FAQ + "/items/" + client.get(FAQ).json()["items"][0]["id"]))[0] == FAQ_TAG


def test_lists_search_and_fallbacks_name_their_locale(client: Client, tokens: dict[str, str]) -> None:
    assert keys(client.get("/v1/articles")) == ["articles:en", "folio"]
    assert keys(client.get("/v1/faqs?locale=es")) == ["faqs:es", "faqs:en", "folio"]
    assert keys(client.get("/v1/search?q=ketamine")) == ["search:en", "folio"]
    assert "article:ketamine-withdrawal:es" in keys(client.get(WITHDRAWAL + "?locale=es"))
    # English standing in for a withdrawn translation is purged when that translation returns.
    archived = client.delete(WITHDRAWAL + "?locale=es", headers=bearer(tokens["publisher"]))
    assert archived.status_code == 204, archived.text
    fallback = client.get(WITHDRAWAL + "?locale=es")
    assert fallback.json()["fallbackFrom"] == "es"
    assert keys(fallback)[:3] == [WITHDRAWAL_TAG, WITHDRAWAL_TAG + ":v1", "article:ketamine-withdrawal:es"]


def test_drafts_and_problems_carry_no_tags(client: Client, tokens: dict[str, str]) -> None:
    started = client.post(WITHDRAWAL + "/draft", headers=bearer(tokens["editor"]))
    draft = client.get(WITHDRAWAL + "/draft", headers=bearer(tokens["editor"]))
    assert started.status_code == 201 and draft.status_code == 200
    assert "surrogate-key" not in draft.headers and "cache-tag" not in draft.headers
    assert draft.headers["cache-control"] == "private, no-store"
    missing = client.get("/v1/articles/no-such-article")
    assert missing.status_code == 404 and "surrogate-key" not in missing.headers


def test_one_purge_per_transaction_names_every_changed_item(
    settings: Settings, tokens: dict[str, str]
) -> None:
    with TestClient(create_app(settings)) as client:
        subscribe(client, tokens)
        publish(client, tokens, FAQ)  # the FAQ and the article pinning it: one transaction
        publish(client, tokens, WITHDRAWAL)
        assert (
            client.post(WITHDRAWAL + "/versions/1/restore", headers=bearer(tokens["publisher"])).status_code
            == 200
        )
        assert client.delete(WITHDRAWAL, headers=bearer(tokens["publisher"])).status_code == 204
        assert client.post(WITHDRAWAL + "/unarchive", headers=bearer(tokens["admin"])).status_code == 200
    faq, withdrawal, restore, archive, unarchive = purges(settings.db_url)
    assert set(faq) == {FAQ_TAG, ARTICLE_TAG, "faqs:en", "articles:en", "search:en", "chart"}
    alone = {WITHDRAWAL_TAG, "articles:en", "search:en", "chart"}
    assert set(withdrawal) == set(restore) == set(archive) == set(unarchive) == alone


def test_purge_varnish_sends_the_tags_in_xkey_purge() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    tags = [f"article:slug-{n}:en" for n in range(400)]
    payload = msgspec.json.encode(
        {"type": "cache.purge", "timestamp": "2026-12-06T15:00:00Z", "data": {"tags": tags}}
    )

    async def run() -> int:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            return await purge_varnish(client, "http://127.0.0.1:6081", payload)

    assert asyncio.run(run()) == 200
    assert {r.method for r in sent} == {"PURGE"} and {str(r.url) for r in sent} == {"http://127.0.0.1:6081/"}
    assert len(sent) == len(chunks(tags)) > 1  # a long purge is split under Varnish's header limit
    assert [t for r in sent for t in r.headers["xkey-purge"].split(" ")] == tags
    assert all(len(r.headers["xkey-purge"]) <= 6000 for r in sent)


def test_purge_varnish_refuses_a_body_without_tags_instead_of_reporting_it_delivered() -> None:
    sent: list[httpx.Request] = []
    flat = msgspec.json.encode({"event": "cache.purge", "tags": ["article:x:en"]})  # not the stored shape

    async def run() -> int:
        transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
        async with httpx.AsyncClient(transport=transport) as client:
            return await purge_varnish(client, "http://127.0.0.1:6081", flat)

    with pytest.raises((msgspec.ValidationError, ValueError)):
        asyncio.run(run())
    assert sent == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_varnish_purgers_are_registered_from_the_setting(settings: Settings, tokens: dict[str, str]) -> None:
    def registered() -> list[tuple[str, str]]:
        async def read() -> list[tuple[str, str]]:
            engine = create_engine(settings.db_url)
            async with engine.connect() as conn:
                rows = await conn.execute(
                    sa.select(webhooks.c.url, webhooks.c.events).where(webhooks.c.deleted_at.is_(None))
                )
                found = [(r.url, r.events) for r in rows]
            await engine.dispose()
            return found

        return asyncio.run(read())

    two = Settings.from_env(
        {
            "FOLIO_PURGE_VARNISH": "http://127.0.0.1:6081, http://10.0.0.2:80/",
            "FOLIO_DATABASE_URL": settings.db_url,
        }
    )
    with TestClient(create_app(msgspec.structs.replace(settings, purge_varnish=two.purge_varnish))):
        pass
    assert sorted(registered()) == [
        ("varnish+http://10.0.0.2:80", "cache.purge"),
        ("varnish+http://127.0.0.1:6081", "cache.purge"),
    ]
    with TestClient(create_app(msgspec.structs.replace(settings, purge_varnish=["http://127.0.0.1:6081"]))):
        pass
    assert registered() == [("varnish+http://127.0.0.1:6081", "cache.purge")]
    with pytest.raises(ValueError, match="purge_varnish"):
        Settings.from_env({"FOLIO_PURGE_VARNISH": "ftp://nowhere"})
