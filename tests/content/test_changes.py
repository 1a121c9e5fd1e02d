"""The change signal: ``Editorial`` tells ``on_change`` of every item a write changed, after commit."""

import datetime as dt
from pathlib import Path

import pytest
from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.accounts import Tokens
from content.changes import Announcement, Change
from content.editorial import Editorial
from content.library import load_library
from content.store import Store

pytestmark = pytest.mark.anyio

FAQ = "ketamine-addiction-faq"
NEXT_REVIEW = dt.date.today() + dt.timedelta(days=300)


async def reviewed_faq_draft(store: Store, library: Path, editorial: Editorial) -> str:
    """The FAQ's draft with a new first answer, signed off; its ETag."""
    await store.sync(load_library(library).items, author="library")
    await Tokens(store.engine).create("rita", "reviewer", "test", display_name="Rita Reviewer")
    draft = await editorial.start("faq", FAQ, "editor")
    assert isinstance(draft.content, model.FaqSet)
    first = replace(draft.content.items[0], answer="No: prescribed doses do not make the body dependent.")
    edited = replace(draft.content, items=[first, *draft.content.items[1:]])
    draft = await editorial.replace(edited, draft.etag.strip('"'), "editor")
    draft = await editorial.review("faq", FAQ, draft.etag.strip('"'), "rita", NEXT_REVIEW)
    return draft.etag.strip('"')


async def test_publishing_an_embedded_item_reports_it_and_every_item_embedding_it(
    store: Store, library: Path
) -> None:
    changes: list[Change] = []
    editorial = Editorial(store, on_change=changes.append)
    etag = await reviewed_faq_draft(store, library, editorial)
    assert changes == [Change("faq", FAQ, "en", "reviewed")]
    del changes[:]

    await editorial.publish("faq", FAQ, etag, "publisher", "new answer")

    # The FAQ, and the article that embeds it, which got a version pinning the new answer.
    assert changes == [
        Change("faq", FAQ, "en", "published"),
        Change("article", "is-ketamine-therapy-addictive", "en", "published"),
    ]
    for change in changes:
        assert (await store.history(change.kind, change.slug))[0].version == 2


async def test_archive_and_unarchive_are_reported(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    changes: list[Change] = []
    editorial = Editorial(store, on_change=changes.append)
    await editorial.archive("article", "ketamine-withdrawal", "publisher")
    await editorial.unarchive("article", "ketamine-withdrawal", "publisher")
    assert changes == [
        Change("article", "ketamine-withdrawal", "en", "archived"),
        Change("article", "ketamine-withdrawal", "en", "unarchived"),
    ]


async def test_nothing_is_reported_when_the_write_rolls_back(store: Store, library: Path) -> None:
    """The outbox runs inside the transaction; when it fails, nothing committed and nobody hears."""

    async def broken_outbox(conn: AsyncConnection, announcement: Announcement) -> None:
        raise RuntimeError("outbox down")

    changes: list[Change] = []
    editorial = Editorial(store, on_change=changes.append)
    etag = await reviewed_faq_draft(store, library, editorial)
    del changes[:]
    failing = Editorial(store, on_change=changes.append, outbox=broken_outbox)
    with pytest.raises(RuntimeError):
        await failing.publish("faq", FAQ, etag, "publisher", "new answer")
    assert changes == []
    assert [v.version for v in await store.history("faq", FAQ)] == [1]
    assert (await editorial.get("faq", FAQ)).etag == f'"{etag}"'
