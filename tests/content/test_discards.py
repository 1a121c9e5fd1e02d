"""Discarded drafts are kept for 30 days and can be brought back once, without their sign-off.

Every test runs on SQLite, and on PostgreSQL when FOLIO_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa
from msgspec.structs import replace

from content.db import audit, create_engine, discarded_drafts
from content.editorial import Editorial
from content.errors import Conflict, NotFound
from content.share_links import ShareLinks
from content.store import Store

SLUG = "ketamine-withdrawal"
NEXT_REVIEW = dt.date.today() + dt.timedelta(days=300)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def editorial(synced_db: str) -> AsyncIterator[Editorial]:
    engine = create_engine(synced_db)
    made = Editorial(Store(engine))
    await made.tokens.create("rev", "reviewer", "test", display_name="Dr Rev Rivera", credentials="MD")
    yield made
    await engine.dispose()


async def edited(editorial: Editorial, summary: str, actor: str = "ed") -> str:
    """Start a draft of the English article and change its summary; the new ETag, unquoted."""
    draft = await editorial.start("article", SLUG, actor)
    saved = await editorial.replace(
        replace(draft.content, summary=summary, review=None), draft.etag.strip('"'), actor
    )
    return saved.etag.strip('"')


async def test_discard_keeps_the_draft_and_undo_brings_back_the_exact_text(editorial: Editorial) -> None:
    etag = await edited(editorial, "A summary worth keeping.")
    signed = await editorial.review("article", SLUG, etag, "rev", NEXT_REVIEW)
    assert signed.info.review_current
    before = await editorial.get("article", SLUG)
    kept_id = await editorial.discard("article", SLUG, signed.etag.strip('"'), "ed2")
    with pytest.raises(NotFound):
        await editorial.get("article", SLUG)

    recent = await editorial.discards.recent()
    assert [d.id for d in recent] == [kept_id]
    assert recent[0].title == before.content.title and recent[0].based_on_version == 1
    assert recent[0].discarded_by == "ed2" and recent[0].editors == ("ed",)
    assert await editorial.discards.recent(actor="ed") == []

    back = await editorial.discards.undo(kept_id, "ed2")
    assert back.restored_at is not None
    draft = await editorial.get("article", SLUG)
    assert draft.content.summary == "A summary worth keeping."
    assert draft.info.content_hash == before.info.content_hash
    assert draft.info.edited_by == ["ed"]  # the editors are kept: four eyes still holds
    assert not draft.info.review_current and draft.content.review is None  # a new sign-off is needed
    assert await editorial.discards.recent() == []
    async with editorial.store.engine.connect() as conn:
        actions = (await conn.execute(sa.select(audit.c.action).order_by(audit.c.id))).scalars().all()
    assert actions[-2:] == ["discard_draft", "undo_discard"]

    with pytest.raises(Conflict, match="brought back already"):
        await editorial.discards.undo(kept_id, "ed2")


async def test_undo_is_refused_while_a_new_draft_exists(editorial: Editorial) -> None:
    etag = await edited(editorial, "First attempt.")
    kept_id = await editorial.discard("article", SLUG, etag, "ed")
    await edited(editorial, "Second attempt.")
    with pytest.raises(Conflict, match="new draft"):
        await editorial.discards.undo(kept_id, "ed")
    assert (await editorial.get("article", SLUG)).content.summary == "Second attempt."
    assert [d.id for d in await editorial.discards.recent()] == [kept_id]  # still kept


async def test_undo_is_refused_after_30_days_and_old_copies_are_purged(editorial: Editorial) -> None:
    old_id = await editorial.discard("article", SLUG, await edited(editorial, "Old."), "ed")
    async with editorial.store.engine.begin() as conn:
        await conn.execute(
            discarded_drafts.update()
            .where(discarded_drafts.c.id == old_id)
            .values(discarded_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
        )
    assert await editorial.discards.recent() == []
    with pytest.raises(Conflict, match="more than 30 days"):
        await editorial.discards.undo(old_id, "ed")
    with pytest.raises(NotFound):  # the draft did not come back
        await editorial.get("article", SLUG)

    new_id = await editorial.discard("article", SLUG, await edited(editorial, "New."), "ed")
    async with editorial.store.engine.connect() as conn:  # storing the new copy purged the old one
        kept = (await conn.execute(sa.select(discarded_drafts.c.id))).scalars().all()
    assert kept == [new_id]
    assert [d.id for d in await editorial.discards.recent()] == [new_id]


async def test_undo_recreates_an_item_that_was_never_published(editorial: Editorial) -> None:
    copied = await editorial.start("article", SLUG, "ed")
    item = replace(copied.content, slug="brand-new-leaflet", title="A brand new leaflet", review=None)
    created = await editorial.create(item, "ed")
    kept_id = await editorial.discard("article", "brand-new-leaflet", created.etag.strip('"'), "ed")
    with pytest.raises(NotFound):
        await editorial.get("article", "brand-new-leaflet")
    assert (await editorial.discards.recent())[0].based_on_version == 0

    await editorial.discards.undo(kept_id, "ed")
    draft = await editorial.get("article", "brand-new-leaflet")
    assert draft.content == created.content
    assert draft.info.based_on_version == 0
    listed = [d.slug for d in await editorial.waiting()]
    assert "brand-new-leaflet" in listed


async def test_a_preview_link_ends_with_the_discard_of_its_draft(editorial: Editorial) -> None:
    links = ShareLinks.of(editorial)
    etag = await edited(editorial, "A draft made before the link.")
    await editorial.discard("article", SLUG, etag, "ed")  # an older draft, before the link
    etag = await edited(editorial, "The draft the link is for.")
    link, _ = await links.create("article", SLUG, "en", 1, 7, "ed")
    assert not await links.outlived(link)  # a discard before the link does not end it

    await editorial.discard("article", SLUG, etag, "ed")
    await edited(editorial, "Another draft from the same version.")
    draft = await editorial.get("article", SLUG)
    assert draft.info.based_on_version == link.based_on  # the version alone cannot tell them apart
    assert await links.outlived(link)
    other, _ = await links.create("article", SLUG, "es", 1, 7, "ed")
    assert not await links.outlived(other)  # the Spanish translation's links are its own
