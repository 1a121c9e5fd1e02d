"""Comments on drafts, and ``queue.entered``: what enters whose queue, told once through the outbox."""

import datetime as dt
from pathlib import Path

import pytest
from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.accounts import Tokens
from content.audit import AuditLog
from content.changes import Announcement, Notice
from content.editorial import Editorial
from content.errors import InvalidInput, NotFound
from content.library import load_library
from content.store import Store

pytestmark = pytest.mark.anyio

FAQ = "ketamine-addiction-faq"
NEXT_REVIEW = dt.date.today() + dt.timedelta(days=300)


class Outbox:
    def __init__(self) -> None:
        self.notices: list[dict[str, object]] = []

    async def __call__(self, conn: AsyncConnection, a: Announcement | Notice) -> None:
        if isinstance(a, Notice) and a.event == "queue.entered":
            self.notices.append(dict(a.data))

    def queues(self) -> list[str]:
        return [str(n["queue"]) for n in self.notices]


def edited(content: model.Content, answer: str) -> model.Content:
    assert isinstance(content, model.FaqSet)
    return replace(content, review=None, items=[replace(content.items[0], answer=answer), *content.items[1:]])


async def setup(store: Store, library: Path) -> tuple[Editorial, Outbox]:
    await store.sync(load_library(library).items, author="library")
    accounts = Tokens(store.engine)
    await accounts.create("rita", "reviewer", "test", display_name="Rita Ruiz", credentials="MD")
    await accounts.create("ed", "editor", "test", display_name="Ed Lee")
    outbox = Outbox()
    return Editorial(store, outbox=outbox, desk_url="https://folio.example/"), outbox


async def test_a_draft_enters_the_review_queue_once_then_the_publish_queue(
    store: Store, library: Path
) -> None:
    editorial, outbox = await setup(store, library)
    draft = await editorial.start("faq", FAQ, "ed")
    assert outbox.notices == []  # a copy of the published version: nothing to review yet
    draft = await editorial.replace(edited(draft.content, "First answer."), draft.etag.strip('"'), "ed")
    assert outbox.notices == [
        {
            "queue": "review",
            "kind": "faq",
            "slug": FAQ,
            "locale": "en",
            "title": draft.content.title,
            "by": "Ed Lee",
            "url": f"https://folio.example/desk/faqs/{FAQ}/draft",
        }
    ]
    for answer in ("Second answer.", "Third answer."):  # autosaves of a waiting draft: no event
        draft = await editorial.replace(edited(draft.content, answer), draft.etag.strip('"'), "ed")
    assert outbox.queues() == ["review"]
    draft = await editorial.review("faq", FAQ, draft.etag.strip('"'), "rita", NEXT_REVIEW)
    assert outbox.queues() == ["review", "publish"] and outbox.notices[1]["by"] == "Rita Ruiz"
    draft = await editorial.replace(edited(draft.content, "Changed after."), draft.etag.strip('"'), "ed")
    assert outbox.queues() == ["review", "publish", "review"]  # back in: the sign-off no longer covers it


async def test_a_new_item_enters_the_review_queue_in_spanish_too(store: Store, library: Path) -> None:
    editorial, outbox = await setup(store, library)
    item = model.Article(
        slug="nuevo",
        locale="es",
        title="Un artículo nuevo",
        summary="Resumen.",
        body=[model.Paragraph(text="Hola.")],
    )
    await editorial.create(item, "ed")
    assert outbox.queues() == ["review"]
    assert outbox.notices[0]["url"] == "https://folio.example/desk/articles/nuevo/draft?locale=es"
    assert outbox.notices[0]["title"] == "Un artículo nuevo"


async def test_comments_are_kept_in_order_in_the_audit_log_and_in_the_editors_queue(
    store: Store, library: Path
) -> None:
    editorial, outbox = await setup(store, library)
    with pytest.raises(NotFound):
        await editorial.comments.add("faq", FAQ, "rita", "No draft yet.")
    draft = await editorial.start("faq", FAQ, "ed")
    draft = await editorial.replace(edited(draft.content, "First answer."), draft.etag.strip('"'), "ed")
    for bad in ("", "   \n ", "x" * 4001, "bell\x07"):
        with pytest.raises(InvalidInput):
            await editorial.comments.add("faq", FAQ, "rita", bad)
    long = "Please say “dependence”, not “addiction”. " * 20
    await editorial.comments.add("faq", FAQ, "rita", "  Check the second answer.  ")
    await editorial.comments.add("faq", FAQ, "rita", long)
    shown = await editorial.comments.of("faq", FAQ)
    assert [(c.author, c.body) for c in shown] == [
        ("rita", "Check the second answer."),
        ("rita", long.strip()),
    ]
    assert outbox.queues() == ["review", "comments", "comments"]
    page = await AuditLog(store.engine).page(limit=5, action="comment")
    assert [e.detail for e in page.entries] == [long.strip()[:500], "Check the second answer."]

    waiting = await editorial.comments.waiting_for("ed")
    assert [(w.slug, w.count) for w in waiting] == [(FAQ, 2)]
    assert await editorial.comments.waiting_for("rita") == []  # her own, and she edited nothing
    draft = await editorial.replace(edited(draft.content, "Answered."), draft.etag.strip('"'), "ed")
    assert await editorial.comments.waiting_for("ed") == []  # saving since answers them

    # A publish starts a new cycle: the next draft's review view starts with no comments.
    draft = await editorial.review("faq", FAQ, draft.etag.strip('"'), "rita", NEXT_REVIEW)
    await editorial.publish("faq", FAQ, draft.etag.strip('"'), "publisher", "answered")
    await editorial.start("faq", FAQ, "ed")
    assert await editorial.comments.of("faq", FAQ) == []
    assert len((await AuditLog(store.engine).page(limit=5, action="comment")).entries) == 2


async def test_a_discarded_drafts_comments_go_with_it_and_come_back_on_undo(
    store: Store, library: Path
) -> None:
    editorial, _ = await setup(store, library)
    draft = await editorial.start("faq", FAQ, "ed")
    draft = await editorial.replace(edited(draft.content, "First try."), draft.etag.strip('"'), "ed")
    await editorial.comments.add("faq", FAQ, "rita", "On the first try.")
    await editorial.discard("faq", FAQ, draft.etag.strip('"'), "ed")
    draft = await editorial.start("faq", FAQ, "ed")
    assert await editorial.comments.of("faq", FAQ) == []  # the next draft starts without them
    await editorial.comments.add("faq", FAQ, "rita", "On the second try.")
    second = await editorial.discard("faq", FAQ, draft.etag.strip('"'), "ed")
    assert await editorial.comments.of("faq", FAQ) == []
    await editorial.discards.undo(second, "ed")  # the second draft is back, with its comment
    assert [c.body for c in await editorial.comments.of("faq", FAQ)] == ["On the second try."]
