"""Preview links' tokens: signed with one desk key that every replica shares, checked exactly."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from content.db import audit, create_engine, desk_keys
from content.errors import InvalidInput
from content.share_links import BadLink, ShareLinks, valid_days
from content.store import Store

pytestmark = pytest.mark.anyio


async def test_replicas_starting_together_make_one_key_and_accept_each_others_links(db_url: str) -> None:
    engines = [create_engine(db_url) for _ in range(3)]
    try:
        replicas = [ShareLinks(engine) for engine in engines]
        keys = await asyncio.gather(*(r.key() for r in replicas))
        assert len(set(keys)) == 1 and len(keys[0]) >= 48
        async with engines[0].connect() as conn:
            assert (await conn.execute(sa.select(sa.func.count()).select_from(desk_keys))).scalar() == 1
        link, token = await replicas[1].create("article", "a-b", "es", 3, 7, "editor")
        assert await replicas[2].check(token) == link
        assert link.expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(days=6, hours=23)
        async with engines[0].connect() as conn:
            entry = (await conn.execute(sa.select(audit).where(audit.c.action == "share_draft"))).one()
        assert (entry.actor, entry.kind, entry.slug, entry.locale) == ("editor", "article", "a-b", "es")
        assert token not in entry.detail  # the audit log never holds a working link
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_changed_or_foreign_token_is_refused(store: Store) -> None:
    links = ShareLinks(store.engine)
    _, token = await links.create("faq", "x", "en", 1, 1, "editor")
    payload, _, signature = token.partition(".")
    other = "B" if payload[5] != "B" else "C"
    for bad in (
        payload[:5] + other + payload[6:] + "." + signature,  # the payload changed
        payload + "." + signature[:-1],  # the signature cut short
        payload,  # no signature
        "",
        "not a token at all",
        payload + "." + signature + "x",
    ):
        with pytest.raises(BadLink):
            await links.check(bad)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    expired, old = await links.create("faq", "x", "en", 1, 1, "editor", now=past)
    assert (await links.check(old)).expired() and expired.expired()


def test_valid_for_is_whole_days_from_one_to_thirty() -> None:
    assert [valid_days(t) for t in ("1", "7", "30", " 12 ")] == [1, 7, 30, 12]
    for bad in ("0", "31", "-1", "1.5", "", "seven", "999999999999999999999"):
        with pytest.raises(InvalidInput):
            valid_days(bad)
