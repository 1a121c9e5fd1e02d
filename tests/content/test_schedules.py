"""Schedules: an action at a time, run once, refused at run time when its draft is not the one scheduled.

Every test drives ``run_due`` with the time it wants; nothing sleeps and nothing reads the wall clock.
"""

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.accounts import Tokens
from content.changes import Announcement, Change, Notice
from content.db import audit, create_engine
from content.db import schedules as schedules_table
from content.editorial import Editorial
from content.errors import Conflict, InvalidInput
from content.library import load_library
from content.schedules import Schedules, late_by, parse_time, zone_of
from content.store import Store

pytestmark = pytest.mark.anyio

FAQ = "ketamine-addiction-faq"
ARTICLE = "is-ketamine-therapy-addictive"  # embeds the FAQ
NOW = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
NEXT_REVIEW = dt.date.today() + dt.timedelta(days=300)


class Outbox:
    def __init__(self) -> None:
        self.sent: list[Announcement | Notice] = []

    async def __call__(self, conn: AsyncConnection, message: Announcement | Notice) -> None:
        self.sent.append(message)

    def notices(self, event: str) -> list[Notice]:
        return [m for m in self.sent if isinstance(m, Notice) and m.event == event]


async def setup(store: Store, library: Path, outbox: Outbox) -> tuple[Editorial, Schedules]:
    await store.sync(load_library(library).items, author="library")
    await Tokens(store.engine).create("rita", "reviewer", "test", display_name="Rita Reviewer")
    editorial = Editorial(store, outbox=outbox)
    return editorial, Schedules(
        store.engine, editorial.publishing, time_zone="America/Chicago", clock=lambda: NOW
    )


async def edit_faq(editorial: Editorial, answer: str, review: bool = True) -> str:
    """Start (or continue) the FAQ's draft with a new first answer, signed off unless not ``review``."""
    try:
        draft = await editorial.start("faq", FAQ, "editor")
    except Conflict:
        draft = await editorial.get("faq", FAQ)
    content = replace(draft.content, review=None)  # a draft read back carries its sign-off
    assert isinstance(content, model.FaqSet)
    first = replace(content.items[0], answer=answer)
    draft = await editorial.replace(
        replace(content, items=[first, *content.items[1:]]), draft.etag.strip('"'), "editor"
    )
    if review:
        draft = await editorial.review("faq", FAQ, draft.etag.strip('"'), "rita", NEXT_REVIEW)
    return draft.etag.strip('"')


async def audit_details(store: Store, action: str) -> list[str]:
    async with store.engine.connect() as conn:
        return list(
            await conn.scalars(sa.select(audit.c.detail).where(audit.c.action == action).order_by(audit.c.id))
        )


async def test_a_scheduled_publish_runs_at_its_time_and_only_once(store: Store, library: Path) -> None:
    outbox = Outbox()
    editorial, schedules = await setup(store, library, outbox)
    await edit_faq(editorial, "No: prescribed doses do not make the body dependent.")
    made = await schedules.create("publish", "faq", FAQ, "en", "2026-12-07T09:01", "pat", "answer rewritten")
    # 09:01 in Chicago is 15:01 UTC; both are shown back.
    assert made.at == dt.datetime(2026, 12, 7, 15, 1, tzinfo=dt.UTC) and made.state == "pending"
    assert made.at_local.isoformat() == "2026-12-07T09:01:00-06:00" and made.time_zone == "America/Chicago"

    assert await schedules.run_due(NOW + dt.timedelta(seconds=59)) == []
    assert (await store.history("faq", FAQ))[0].version == 1
    ran = await schedules.run_due(NOW + dt.timedelta(seconds=61))
    assert [(s.id, s.state, s.outcome) for s in ran] == [(made.id, "done", "done")]
    assert await schedules.run_due(NOW + dt.timedelta(hours=5)) == []

    faq = (await store.history("faq", FAQ))[0]
    assert faq.version == 2 and faq.note == "answer rewritten" and faq.review.reviewed_by == "Rita Reviewer"
    assert (await store.history("article", ARTICLE))[0].version == 2  # pins the new FAQ version
    assert await audit_details(store, "schedule_ran") == [
        "publish scheduled for 2026-12-07T15:01:00+00:00 by pat"
    ]
    published = [m for m in outbox.sent if isinstance(m, Announcement)]
    assert [(m.event, m.kind, m.version) for m in published] == [
        ("published", "faq", 2),
        ("published", "article", 2),
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("edited", "The draft changed after it was scheduled"),
        ("unreviewed", "The draft has not been reviewed"),
        ("discarded", "has no draft now"),
    ],
)
async def test_a_publish_whose_draft_is_not_the_one_scheduled_is_refused(
    store: Store, library: Path, change: str, reason: str
) -> None:
    outbox = Outbox()
    editorial, schedules = await setup(store, library, outbox)
    etag = await edit_faq(
        editorial, "No: prescribed doses do not make the body dependent.", review=change != "unreviewed"
    )
    made = await schedules.create("publish", "faq", FAQ, "en", "2026-12-07T15:05Z", "pat")
    if change == "edited":  # edited and signed off again: still not the draft that was scheduled
        await edit_faq(editorial, "A different answer nobody scheduled.")
    elif change == "discarded":
        await editorial.discard("faq", FAQ, etag, "editor")

    [failed] = await schedules.run_due(NOW + dt.timedelta(minutes=5))
    assert failed.id == made.id and failed.state == "failed" and reason in failed.outcome
    assert (await store.history("faq", FAQ))[0].version == 1  # nothing published
    assert (await store.history("article", ARTICLE))[0].version == 1
    [notice] = outbox.notices("schedule.failed")
    assert notice.data["schedule"] == made.id and reason in str(notice.data["reason"])
    assert notice.data["slug"] == FAQ and notice.data["at"] == "2026-12-07T15:05:00+00:00"
    [detail] = await audit_details(store, "schedule_failed")
    assert reason in detail
    assert await schedules.run_due(NOW + dt.timedelta(days=1)) == []  # a failed schedule is not retried


async def test_an_action_missed_while_folio_was_down_runs_late_and_says_so(
    store: Store, library: Path
) -> None:
    _, schedules = await setup(store, library, Outbox())
    made = await schedules.create(
        "archive", "article", "ketamine-withdrawal", "en", "2026-12-07T10:00", "pat"
    )
    # Folio was down from before 10:00 Chicago (16:00 UTC) until 19:12 UTC: the start-up run.
    [ran] = await schedules.run_due(dt.datetime(2026, 12, 7, 19, 12, 30, tzinfo=dt.UTC))
    assert ran.id == made.id and ran.state == "done" and "ran 3 h 12 min late" in ran.outcome
    assert await audit_details(store, "schedule_ran") == [
        "archive scheduled for 2026-12-07T16:00:00+00:00 by pat; ran 3 h 12 min late "
        "(Folio was not running at its time)"
    ]
    assert await store.archived() == frozenset({("article", "ketamine-withdrawal", "en")})


async def test_a_schedule_that_breaks_unexpectedly_fails_and_blocks_nothing_after_it(
    store: Store, library: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Not a refusal but a bug: the first archive does its work and then raises. Its work is
    rolled back, it is marked failed (and not picked again), and the next schedule runs."""
    outbox = Outbox()
    _, schedules = await setup(store, library, outbox)
    bad = await schedules.create("archive", "article", "ketamine-withdrawal", "en", "2026-12-07T10:00", "pat")
    good = await schedules.create("archive", "article", ARTICLE, "en", "2026-12-07T10:01", "pat")
    act = schedules._act

    async def breaking(conn: AsyncConnection, row: Any) -> list[Change]:
        changes = await act(conn, row)
        if row.id == bad.id:
            raise KeyError("a bug")
        return changes

    monkeypatch.setattr(schedules, "_act", breaking)
    ran = await schedules.run_due(NOW + dt.timedelta(hours=2))
    assert [(s.id, s.state) for s in ran] == [(bad.id, "failed"), (good.id, "done")]
    assert ran[0].outcome == "failed: internal error (KeyError)"
    assert await store.archived() == frozenset({("article", ARTICLE, "en")})  # the bad one undone
    [notice] = outbox.notices("schedule.failed")
    assert notice.data["schedule"] == bad.id and notice.data["reason"] == "internal error (KeyError)"
    [detail] = await audit_details(store, "schedule_failed")
    assert detail == "scheduled archive for 2026-12-07T16:00:00+00:00 failed: internal error (KeyError)"
    [logged] = [r for r in caplog.records if r.name == "folio.scheduler"]
    assert logged.exc_info is not None and logged.exc_info[0] is KeyError  # with its traceback
    assert await schedules.run_due(NOW + dt.timedelta(days=1)) == []


async def test_a_cancelled_schedule_never_runs(store: Store, library: Path) -> None:
    _, schedules = await setup(store, library, Outbox())
    made = await schedules.create(
        "archive", "article", "ketamine-withdrawal", "en", "2026-12-08T09:00", "pat"
    )
    cancelled = await schedules.cancel(made.id, "lee")
    assert cancelled.state == "cancelled" and cancelled.outcome == "cancelled by lee"
    with pytest.raises(Conflict, match="is cancelled"):
        await schedules.cancel(made.id, "lee")
    assert await schedules.run_due(NOW + dt.timedelta(days=2)) == []
    assert await store.archived() == frozenset()
    assert [s.state for s in await schedules.all()] == ["cancelled"]


async def test_times_are_refused_when_they_passed_or_never_happen(store: Store, library: Path) -> None:
    _, schedules = await setup(store, library, Outbox())
    with pytest.raises(InvalidInput, match="has passed"):
        await schedules.create("archive", "article", "ketamine-withdrawal", "en", "2026-12-07T08:59", "pat")
    with pytest.raises(InvalidInput, match="not an ISO 8601 time"):
        await schedules.create("archive", "article", "ketamine-withdrawal", "en", "next tuesday", "pat")
    assert await schedules.all() == []


def test_local_times_follow_the_clinic_zone_through_daylight_saving() -> None:
    chicago = zone_of("America/Chicago")
    assert parse_time("2027-07-01T09:00", chicago) == dt.datetime(2027, 7, 1, 14, 0, tzinfo=dt.UTC)  # CDT
    assert parse_time("2027-01-15T09:00", chicago) == dt.datetime(2027, 1, 15, 15, 0, tzinfo=dt.UTC)  # CST
    assert parse_time("2027-01-15T09:00+01:00", chicago) == dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput, match="does not exist in America/Chicago"):
        parse_time("2027-03-14T02:30", chicago)  # the clocks jump from 02:00 to 03:00
    # 01:30 happens twice on 2027-11-07: the first (CDT) is meant.
    assert parse_time("2027-11-07T01:30", chicago) == dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="not an IANA time zone"):
        zone_of("Mars/Olympus_Mons")
    assert late_by(dt.timedelta(days=2, hours=1, seconds=5)) == "2 d 1 h"


async def test_a_stored_time_no_zone_can_show_is_shown_in_utc(store: Store, library: Path) -> None:
    """A row stored before times were bounded (year 9999, 23:00 UTC) is past the end of the
    calendar in Tokyo: listing it shows ``atLocal`` in UTC instead of failing."""
    await setup(store, library, Outbox())
    tokyo = Schedules(store.engine, Editorial(store).publishing, time_zone="Asia/Tokyo", clock=lambda: NOW)
    far = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC)
    async with store.engine.begin() as conn:
        values = dict(action="archive", kind="article", slug=ARTICLE, locale="en", at=far)
        await conn.execute(
            schedules_table.insert().values(**values, state="pending", note="", created_by="pat")
        )
    [shown] = await tokyo.all()
    assert shown.at == far and shown.at_local == far
    assert (await tokyo.get(shown.id)).at_local == far


async def test_two_runners_racing_run_each_action_once(db_url: str, library: Path) -> None:
    """Two engines are two replicas: both poll at the same moment, the publish happens once."""
    engines = [create_engine(db_url), create_engine(db_url)]
    try:
        outbox = Outbox()
        editorial, schedules = await setup(Store(engines[0]), library, outbox)
        await edit_faq(editorial, "No: prescribed doses do not make the body dependent.")
        made = [
            await schedules.create("publish", "faq", FAQ, "en", "2026-12-07T09:01", "pat"),
            await schedules.create(
                "archive", "article", "ketamine-withdrawal", "en", "2026-12-07T09:01", "pat"
            ),
        ]
        runners = [
            Schedules(engine, Editorial(Store(engine), outbox=outbox).publishing, clock=lambda: NOW)
            for engine in engines
        ]
        later = NOW + dt.timedelta(minutes=2)
        results = await asyncio.gather(*(runner.run_due(later) for runner in runners for _ in range(3)))
        assert sorted(s.id for ran in results for s in ran) == [s.id for s in made]
        assert (await Store(engines[1]).history("faq", FAQ))[0].version == 2
        published = [m for m in outbox.sent if isinstance(m, Announcement) and m.kind == "faq"]
        assert len(published) == 1
        assert len(await audit_details(Store(engines[0]), "schedule_ran")) == 2
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_scheduled_release_publishes_all_its_drafts_in_the_claims_transaction_or_none(
    db_url: str, library: Path
) -> None:
    """The release publisher (content.releases on its branch) runs inside the runner's transaction:
    a stand-in publishes the FAQ and another article; when it refuses half-way, nothing is kept."""
    engine = create_engine(db_url)
    try:
        outbox = Outbox()
        store = Store(engine)
        editorial, _ = await setup(store, library, outbox)
        await edit_faq(editorial, "No: prescribed doses do not make the body dependent.")
        draft = await editorial.start("article", "ketamine-withdrawal", "editor")
        await editorial.review("article", "ketamine-withdrawal", draft.etag.strip('"'), "rita", NEXT_REVIEW)
        refuse = [True]

        async def release(conn: AsyncConnection, release_id: int, actor: str, note: str) -> list[Change]:
            changes = []
            for kind, slug in (("faq", FAQ), ("article", "ketamine-withdrawal")):
                revision = (await editorial.get(kind, slug)).etag.strip('"')
                changes += (await editorial.publishing.publish_in(conn, kind, slug, revision, actor, note))[1]
                if refuse[0]:
                    raise Conflict(f"Release {release_id}: the second draft is not ready.")
            return changes

        schedules = Schedules(engine, editorial.publishing, clock=lambda: NOW, release=release)
        first = await schedules.create_release(7, "2026-12-07T15:01Z", "pat", "winter update")
        [failed] = await schedules.run_due(NOW + dt.timedelta(minutes=1))
        assert failed.id == first.id and failed.state == "failed" and "not ready" in failed.outcome
        assert (failed.type, failed.slug) == ("release", "7")
        assert (await store.history("faq", FAQ))[0].version == 1  # the first publish was undone too

        refuse[0] = False
        second = await schedules.create_release(7, "2026-12-07T15:02Z", "pat", "winter update")
        [done] = await schedules.run_due(NOW + dt.timedelta(minutes=2))
        assert done.id == second.id and done.state == "done"
        assert (await store.history("faq", FAQ))[0].version == 2
        assert (await store.history("article", "ketamine-withdrawal"))[0].version == 2
        assert await audit_details(store, "schedule_ran") == [
            "release 7: release scheduled for 2026-12-07T15:02:00+00:00 by pat"
        ]
    finally:
        await engine.dispose()


async def test_a_release_cannot_be_scheduled_without_a_release_publisher(store: Store, library: Path) -> None:
    _, schedules = await setup(store, library, Outbox())
    with pytest.raises(Conflict, match="no release publisher"):
        await schedules.create_release(7, "2026-12-07T15:01Z", "pat")
