"""Review dates that act: review.due 30 days ahead, review.overdue after the date, each fired once."""

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from content.db import audit, items, versions
from content.editorial import Editorial
from content.review_dates import ReviewDates, event_on
from content.store import Store
from tests.content.test_schedules import FAQ, Outbox, edit_faq, setup

pytestmark = pytest.mark.anyio

TODAY = dt.date(2026, 12, 7)


async def signed_faq(store: Store, library: Path, outbox: Outbox) -> Editorial:
    """The FAQ's version 2, signed off by a reviewer (the article embedding it gets version 2, unsigned)."""
    editorial, _ = await setup(store, library, outbox)
    etag = await edit_faq(editorial, "No: prescribed doses do not make the body dependent.")
    await editorial.publish("faq", FAQ, etag, "publisher", "signed")
    return editorial


async def review_by(store: Store, day: dt.date) -> None:
    """Set the signed version's next review date (the API only takes dates after today)."""
    async with store.engine.begin() as conn:
        faq = sa.select(items.c.id).where(items.c.kind == "faq", items.c.slug == FAQ, items.c.locale == "en")
        await conn.execute(versions.update().where(versions.c.item_id.in_(faq)).values(next_review_on=day))


async def test_an_overdue_review_fires_once_however_often_the_check_runs(store: Store, library: Path) -> None:
    outbox = Outbox()
    editorial = await signed_faq(store, library, outbox)
    await review_by(store, TODAY - dt.timedelta(days=1))
    outbox.sent.clear()

    fired = await editorial.review_dates.check(TODAY)
    assert [(f.event, f.kind, f.slug, f.version) for f in fired] == [("review.overdue", "faq", FAQ, 2)]
    for _ in range(3):  # the same day, the next day, another replica's checker
        assert await editorial.review_dates.check(TODAY) == []
        assert await editorial.review_dates.check(TODAY + dt.timedelta(days=1)) == []
        assert await ReviewDates(store.engine, Editorial(store, outbox=outbox).publishing).check(TODAY) == []

    [notice] = outbox.notices("review.overdue")
    assert notice.data == {
        "type": "faq",
        "slug": FAQ,
        "locale": "en",
        "version": 2,
        "nextReviewOn": "2026-12-06",
    }
    assert outbox.notices("review.due") == []  # it was overdue when first seen: due is past news
    async with store.engine.connect() as conn:
        entries = (
            await conn.execute(
                sa.select(audit.c.action, audit.c.detail).where(audit.c.actor == "review-dates")
            )
        ).all()
    assert [tuple(e) for e in entries] == [("review_overdue", "review overdue: next review on 2026-12-06")]


async def test_a_review_falls_due_thirty_days_ahead_then_overdue(store: Store, library: Path) -> None:
    outbox = Outbox()
    editorial = await signed_faq(store, library, outbox)
    await review_by(store, TODAY + dt.timedelta(days=31))
    outbox.sent.clear()
    assert await editorial.review_dates.check(TODAY) == []  # 31 days ahead: not yet
    assert [f.event for f in await editorial.review_dates.check(TODAY + dt.timedelta(days=1))] == [
        "review.due"
    ]
    assert (
        await editorial.review_dates.check(TODAY + dt.timedelta(days=31)) == []
    )  # the day itself: still due
    late = TODAY + dt.timedelta(days=32)
    assert [f.event for f in await editorial.review_dates.check(late)] == ["review.overdue"]
    assert await editorial.review_dates.check(late) == []
    assert [n.event for n in outbox.sent] == ["review.due", "review.overdue"]


async def test_unreviewed_and_archived_items_fire_nothing(store: Store, library: Path) -> None:
    """Library versions only ask for a review by a date; nobody signed them, so no date acts."""
    outbox = Outbox()
    editorial = await signed_faq(store, library, outbox)
    await review_by(store, TODAY - dt.timedelta(days=1))
    await editorial.archive("article", "is-ketamine-therapy-addictive", "publisher")
    await editorial.archive("faq", FAQ, "publisher")
    outbox.sent.clear()
    assert await editorial.review_dates.check(dt.date(2100, 1, 1)) == []
    assert outbox.sent == []


def test_the_event_owed_on_a_day() -> None:
    date = dt.date(2027, 3, 1)
    assert event_on(date, date - dt.timedelta(days=31)) is None
    assert event_on(date, date - dt.timedelta(days=30)) == "review.due"
    assert event_on(date, date) == "review.due"
    assert event_on(date, date + dt.timedelta(days=1)) == "review.overdue"
