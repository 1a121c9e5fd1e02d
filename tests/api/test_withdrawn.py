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
from tests.api.test_desk import _session
from tests.api.test_fhir import _publish_version_2
from tests.api.test_schedules import FAQ, publish_signed, set_next_review
from tests.conftest import bearer

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
        assert stored == [["chart", f"faq:{SLUG}:en", "faqs:en", "search:en"]]
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


ARTICLE = "/v1/articles/ketamine-withdrawal"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
INFOBUTTON = "/infobutton?mainSearchCriteria.v.c=6130&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88"


def public_view(client: Client) -> dict[str, Any]:
    """Where the article shows on every public list, search and chart integration, asked anonymously."""
    documents = client.get(f"/fhir/DocumentReference?event={RXNORM}|6130").json()
    ids = [e["resource"]["id"] for e in documents.get("entry", [])]
    infobutton = client.get(INFOBUTTON + "&knowledgeResponseType=application/json").json()["feed"]
    cards = client.post("/cds-services/folio-patient-education", json=_cds_request()).json()["cards"]
    return {
        "list": "ketamine-withdrawal"
        in [i["slug"] for i in client.get("/v1/articles?limit=100").json()["items"]],
        "search": "ketamine-withdrawal"
        in [r["slug"] for r in client.get("/v1/search?q=withdrawal").json()["results"]],
        "fhir": len(ids),
        "fhir read": sorted({client.get(f"/fhir/DocumentReference/{i}").status_code for i in ids}),
        "infobutton": len(infobutton.get("entry", [])),
        "cds": len(cards),
    }


def _cds_request() -> dict[str, Any]:
    from tests.api.test_cds_hooks import _request

    return _request(None)


def test_an_overdue_item_leaves_lists_search_and_the_chart_but_staff_still_see_it(
    settings: Settings, tokens: dict[str, str]
) -> None:
    """Signed off, it is offered everywhere; its review date passes (the app restarted, as a day
    passed): gone from every public list, search and chart, 410 itself; the desk still shows it."""
    with TestClient(create_app(withdrawing(settings))) as client:
        publish_signed(client, tokens, ARTICLE)  # signed off: offered to the chart (the rest is not)
        assert public_view(client) == {
            "list": True,
            "search": True,
            "fhir": 2,
            "fhir read": [200],
            "infobutton": 1,
            "cds": 1,
        }
        documents = client.get(f"/fhir/DocumentReference?event={RXNORM}|6130").json()["entry"]
    set_next_review(settings, "ketamine-withdrawal", dt.date.today() - dt.timedelta(days=1))
    with TestClient(create_app(withdrawing(settings))) as client:
        assert public_view(client) == {
            "list": False,
            "search": False,
            "fhir": 0,
            "fhir read": [],
            "infobutton": 0,
            "cds": 0,
        }
        ids = [e["resource"]["id"] for e in documents]
        assert {client.get(f"/fhir/DocumentReference/{i}").status_code for i in ids} == {404}
        assert client.get(ARTICLE).status_code == 410
        assert client.get(ARTICLE + "/versions/1").status_code == 200  # history stays readable

        _session(client, tokens["reviewer"])  # staff still see it, to review it
        desk = client.get("/desk/articles/ketamine-withdrawal")
        assert desk.status_code == 200 and "Review overdue" in desk.text
        assert client.get("/desk/articles/ketamine-withdrawal/print.pdf").status_code == 200


def test_restoring_an_overdue_version_under_withdraw_answers_the_write(
    settings: Settings, tokens: dict[str, str]
) -> None:
    """Version 2 is signed and overdue; version 3 replaces it; restoring 2 succeeds (a copy of an
    overdue sign-off is withdrawn at once) and the publisher is told so, not given a 410."""
    with TestClient(create_app(withdrawing(settings))) as client:
        publish_signed(client, tokens, ARTICLE)
        set_next_review(settings, "ketamine-withdrawal", dt.date.today() - dt.timedelta(days=1))
        _publish_version_2(client, tokens)  # version 3: edited, signed off anew
        assert client.get(ARTICLE).json()["version"] == 3
        publisher = bearer(tokens["publisher"])
        restored = client.post(ARTICLE + "/versions/2/restore", json={"note": "Back to 2"}, headers=publisher)
        assert restored.status_code in (200, 201), restored.text
        body = restored.json()
        assert body["version"] == 4 and body["review"]["status"] == "overdue"
        assert client.get(ARTICLE).status_code == 410  # withdrawn for patients


EMBEDDING = "/v1/articles/is-ketamine-therapy-addictive"  # embeds the FAQ, is never signed off itself
COMPARISON = "medical-vs-recreational-ketamine"
QUESTION = "Can ketamine therapy make my body dependent on it?"  # the FAQ's, shown only through it


def embedding_channels(client: Client) -> dict[str, Any]:
    """What the article embedding the FAQ shows of it, in JSON, its page, handout and email."""
    from tests.api.test_releases import flat, pdf_text

    body = client.get(EMBEDDING + "?include=embeds")
    assert body.status_code == 200, body.text
    found = body.json()
    blocks = [b for b in found["body"] if b.get("slug") == SLUG]
    handout = client.get(EMBEDDING + "/handout.pdf")
    assert handout.status_code == 200
    return {
        "embeds": sorted(e["slug"] for e in found["embeds"]),
        "included": sorted(i["slug"] for i in found.get("included", [])),
        "blocks": len(blocks),
        "page": QUESTION in flat(client.get(EMBEDDING.removeprefix("/v1")).text),
        "handout": QUESTION in pdf_text(handout.content),
        "email": QUESTION in client.get(EMBEDDING + "/email.txt").text,
        "etag": handout.headers["etag"],
    }


def test_an_overdue_embed_is_left_out_of_the_items_that_embed_it(
    settings: Settings, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The FAQ's review date passes: the article embedding it (not overdue itself) stays, without
    the FAQ in any channel, as an embed that cannot be found is left out; its renders are new ones
    (the bundle differs), not the copies made while the FAQ was shown."""
    today = dt.date.today()
    with TestClient(create_app(replace(withdrawing(settings), latest_ttl=3600))) as client:
        publish_signed(client, tokens, FAQ)  # the article is republished pinning it
        set_next_review(settings, SLUG, today)  # due today; overdue from tomorrow
        shown = embedding_channels(client)
        assert {k: v for k, v in shown.items() if k != "etag"} == {
            "embeds": [SLUG, COMPARISON],
            "included": [SLUG, COMPARISON],
            "blocks": 1,
            "page": True,
            "handout": True,
            "email": True,
        }
        monkeypatch.setattr(api.reader, "today", lambda: today + dt.timedelta(days=1))
        runner = client.app.state.services.editorial.review_dates
        client.blocking_portal.call(runner.check, today + dt.timedelta(days=1))
        assert client.get(FAQ).status_code == 410
        gone = embedding_channels(client)
        assert {k: v for k, v in gone.items() if k != "etag"} == {
            "embeds": [COMPARISON],  # the comparison it also embeds stays
            "included": [COMPARISON],
            "blocks": 0,
            "page": False,
            "handout": False,
            "email": False,
        }
        assert gone["etag"] != shown["etag"]
