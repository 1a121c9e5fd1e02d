"""Actions at a time: publish a draft, archive (unpublish) an item.

A schedule is a row. Whoever runs due schedules (every replica's runner, or one process on
SQLite) claims one due row with ``SELECT … FOR UPDATE SKIP LOCKED`` in the same write
transaction that performs its action and marks it done, so the claim, the action and ``done``
commit together or not at all: a runner that dies mid-way leaves the row pending for the next,
and two runners never both see it pending. A publish is refused at run time (the schedule
marked failed with the reason, an audit entry and a ``schedule.failed`` event; nothing
published) when its draft changed since it was scheduled, changed after its review, was never
reviewed or is gone. An action run well after its time (Folio was down) says so, and by how
much, in the audit log.

Times are entered in the clinic's time zone (an IANA name) or with an explicit offset, and
stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from content import model
from content.audit import record
from content.changes import Change, Notice
from content.db import as_utc, drafts, schedules, utcnow, writer
from content.drafts import current_draft
from content.errors import Conflict, ContentError, InvalidInput, NotFound
from content.item_rows import find_item
from content.publishing import Publishing
from content.stored import in_locale
from content.types import Wire

Action: TypeAlias = Literal["publish", "archive"]
# A release's own publish inside the caller's transaction: (conn, release id, actor, note) -> the
# changes, as ``Publishing.publish_in``. Given by whoever has releases (``content.releases``).
ReleasePublisher = Callable[[AsyncConnection, int, str, str], Awaitable[list[Change]]]
State: TypeAlias = Literal["pending", "done", "failed", "cancelled"]
log = logging.getLogger("folio.scheduler")
ACTOR = "scheduler"  # the audit log's actor for what a schedule does
# A run this much after its time is reported as late (Folio was not running at its time).
LATE_AFTER = dt.timedelta(minutes=1)
# How far ahead a schedule may be set: beyond it a time is surely a typo (and far enough out,
# one no time zone can show, or Python's datetime hold).
FURTHEST = dt.timedelta(days=3653)  # ten years


class Schedule(Wire, kw_only=True):
    """One scheduled action; ``at`` in UTC, ``atLocal`` the same instant in the clinic's zone."""

    id: int
    action: Literal["publish", "archive", "release"]
    type: str  # "release" for a release, its id in ``slug``
    slug: str
    locale: str
    at: dt.datetime
    at_local: dt.datetime
    time_zone: str
    state: State
    note: str
    created_by: str
    ran_at: dt.datetime | None
    outcome: str


def zone_of(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (FOLIO_TIME_ZONE); ValueError when there is none by that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone name (e.g. America/Chicago, UTC)") from None


def parse_time(text: str, zone: ZoneInfo) -> dt.datetime:
    """An ISO 8601 time; without an offset it is a wall-clock time in ``zone``. In UTC.

    A wall-clock time that does not exist in ``zone`` (skipped by a daylight-saving change) is
    refused; one that happens twice (the hour repeated in autumn) means the first.
    """
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("$.at", f"{text!r} is not an ISO 8601 time (2026-12-07T09:00).") from None
    try:
        if parsed.tzinfo is not None:
            return parsed.astimezone(dt.UTC)
        local = parsed.replace(tzinfo=zone)
        there = local.astimezone(dt.UTC)
    except OverflowError:  # before year 1 or after year 9999 once in UTC
        raise InvalidInput(
            "$.at", f"{text} is out of range; schedule a time in the next ten years."
        ) from None
    if there.astimezone(zone).replace(tzinfo=None) != parsed:
        raise InvalidInput(
            "$.at", f"{text} does not exist in {zone.key} (the clocks skip it); pick another time."
        )
    return there


def late_by(delay: dt.timedelta) -> str:
    """A delay for people: "3 h 12 min", "5 min 30 s"."""
    seconds = int(delay.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
    shown = [f"{n} {unit}" for n, unit in parts if n][:2]
    return " ".join(shown) or "0 s"


async def _audit(
    conn: AsyncConnection,
    actor: str,
    action: str,
    kind: str,
    slug: str,
    locale: str,
    detail: str,
    digest: str | None = None,
) -> None:
    """An audit entry about a schedule's subject; a release's names no item (its id is in the detail)."""
    if kind == "release":
        await record(conn, actor, action, None, None, None, None, None, f"release {slug}: {detail}")
    else:
        await record(conn, actor, action, kind, slug, None, digest, digest, detail, locale=locale)


class Schedules:
    """Create, list, cancel and run scheduled actions; ``clock`` is injectable for tests."""

    def __init__(
        self,
        engine: AsyncEngine,
        publishing: Publishing,
        *,
        time_zone: str = "UTC",
        clock: Callable[[], dt.datetime] = utcnow,
        release: ReleasePublisher | None = None,
    ) -> None:
        self.engine = engine
        self.release = release
        self.writer = writer(engine)
        self.publishing = publishing
        self.zone = zone_of(time_zone)
        self.clock = clock

    async def create(
        self, action: Action, kind: model.Kind, slug: str, locale: str, at: str, actor: str, note: str = ""
    ) -> Schedule:
        """Schedule ``action`` at ``at`` (ISO 8601; no offset: the clinic's zone), in the future.

        A publish remembers the draft as it is now: if it changes before the time, the publish
        is refused then. The draft need not be reviewed yet, but must be by then.
        """
        when = self._future(at)
        async with self.writer.begin() as conn:
            row = await find_item(conn, kind, slug, locale, published=action == "archive")
            digest = None
            if action == "publish":
                digest = (await current_draft(conn, row.id, kind, slug, locale)).content_hash
            number = await self._insert(conn, action, kind, slug, locale, when, digest, actor, note)
        return await self.get(number)

    async def create_release(self, release_id: int, at: str, actor: str, note: str = "") -> Schedule:
        """Schedule the publish of release ``release_id``: all its drafts in one transaction, the
        claim's, or none (the release's own checks refuse it then, and the schedule fails)."""
        if self.release is None:
            raise Conflict("Releases cannot be scheduled here: no release publisher was given.")
        when = self._future(at)
        async with self.writer.begin() as conn:
            number = await self._insert(
                conn, "release", "release", str(release_id), "", when, None, actor, note
            )
        return await self.get(number)

    def _future(self, at: str) -> dt.datetime:
        when = parse_time(at, self.zone)
        if when <= self.clock():
            raise InvalidInput("$.at", f"{at} has passed; schedule a time in the future.")
        if when > self.clock() + FURTHEST:
            raise InvalidInput("$.at", f"{at} is more than ten years ahead; schedule a nearer time.")
        return when

    async def _insert(
        self,
        conn: AsyncConnection,
        action: str,
        kind: str,
        slug: str,
        locale: str,
        when: dt.datetime,
        digest: str | None,
        actor: str,
        note: str,
    ) -> int:
        values = dict(action=action, kind=kind, slug=slug, locale=locale, at=when, content_hash=digest)
        values.update(state="pending", note=note, created_by=actor)
        new = (await conn.execute(schedules.insert().values(**values))).inserted_primary_key
        assert new is not None
        detail = f"scheduled {action} for {when.isoformat()} ({self._local(when).isoformat()})"
        await _audit(conn, actor, f"schedule_{action}", kind, slug, locale, detail, digest)
        return int(new[0])

    async def get(self, number: int) -> Schedule:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(schedules).where(schedules.c.id == number))).first()
        if row is None:
            raise NotFound(f"No schedule {number}.")
        return self._shown(row)

    async def all(self, state: State | None = None) -> list[Schedule]:
        """Schedules, soonest first (those of ``state`` only, if given)."""
        query = sa.select(schedules).order_by(schedules.c.at, schedules.c.id)
        if state is not None:
            query = query.where(schedules.c.state == state)
        async with self.engine.connect() as conn:
            return [self._shown(row) for row in await conn.execute(query)]

    async def cancel(self, number: int, actor: str) -> Schedule:
        """Cancel a pending schedule; one that ran, failed or was cancelled is a Conflict."""
        async with self.writer.begin() as conn:
            row = (await conn.execute(sa.select(schedules).where(schedules.c.id == number))).first()
            if row is None:
                raise NotFound(f"No schedule {number}.")
            if row.state != "pending":
                raise Conflict(f"Schedule {number} is {row.state}; only a pending one can be cancelled.")
            done = dict(state="cancelled", ran_at=self.clock(), outcome=f"cancelled by {actor}")
            await conn.execute(schedules.update().where(schedules.c.id == number).values(**done))
            detail = f"cancelled the {row.action} scheduled for {as_utc(row.at).isoformat()}"
            await _audit(conn, actor, "schedule_cancel", row.kind, row.slug, row.locale, detail)
        return await self.get(number)

    async def run_due(self, now: dt.datetime | None = None) -> list[Schedule]:
        """Run every schedule due at ``now`` (default: the clock), one transaction each; what ran."""
        ran = []
        while (number := await self.run_one(now or self.clock())) is not None:
            ran.append(await self.get(number))
        return ran

    async def run_one(self, now: dt.datetime) -> int | None:
        """Claim, perform and close one due schedule in one transaction; its id, None if none was due.

        An action that fails unexpectedly (not a refusal: a bug, a bad row) rolls that transaction
        back; the schedule is then marked failed in a fresh one, so it is not picked again and
        blocks no schedule after it.
        """
        claimed: list[Any] = []
        try:
            changes = await self._claim(now, claimed)
        except Exception as error:
            if not claimed:
                raise
            log.exception("schedule %s failed unexpectedly", claimed[0].id)
            await self._broke(claimed[0].id, now, error)
            return int(claimed[0].id)
        if not claimed:
            return None
        self.publishing._tell(changes)
        return int(claimed[0].id)

    async def _claim(self, now: dt.datetime, claimed: list[Any]) -> list[Change]:
        """Claim one due row (appended to ``claimed``), perform it and close it; the changes."""
        async with self.writer.begin() as conn:
            due = (
                sa.select(schedules)
                .where(schedules.c.state == "pending", schedules.c.at <= now)
                .order_by(schedules.c.at, schedules.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            row = (await conn.execute(due)).first()
            if row is None:
                return []
            claimed.append(row)
            changes = await self._perform(conn, row, now)
            if changes:
                await self.publishing.committing(conn, changes)
        return changes

    async def _broke(self, number: int, now: dt.datetime, error: Exception) -> None:
        """Mark schedule ``number`` failed after an unexpected error, if it is still pending."""
        reason = f"internal error ({type(error).__name__})"
        async with self.writer.begin() as conn:
            pending = sa.select(schedules).where(schedules.c.id == number, schedules.c.state == "pending")
            row = (await conn.execute(pending.with_for_update())).first()
            if row is not None:
                await self._failed(conn, row, now, reason, "", word="failed")

    async def _failed(
        self,
        conn: AsyncConnection,
        row: Any,
        now: dt.datetime,
        reason: str,
        lateness: str,
        word: str = "refused",
    ) -> None:
        """Close ``row`` as failed: the outcome, a ``schedule_failed`` audit entry, the event."""
        at = as_utc(row.at)
        await self._close(conn, row.id, "failed", now, f"{word}: {reason}{lateness}")
        detail = f"scheduled {row.action} for {at.isoformat()} {word}: {reason}{lateness}"
        await _audit(conn, ACTOR, "schedule_failed", row.kind, row.slug, row.locale, detail)
        data = {"schedule": row.id, "action": row.action, "type": row.kind, "slug": row.slug}
        data.update(locale=row.locale, at=at.isoformat(), reason=reason)
        await self.publishing.outbox(conn, Notice("schedule.failed", data))

    async def _perform(self, conn: AsyncConnection, row: Any, now: dt.datetime) -> list[Change]:
        """The action inside a savepoint: on refusal it is undone and the schedule marked failed."""
        at = as_utc(row.at)
        late = now - at
        lateness = (
            f"; ran {late_by(late)} late (Folio was not running at its time)" if late > LATE_AFTER else ""
        )
        try:
            async with conn.begin_nested():
                changes = await self._act(conn, row)
        except ContentError as refused:
            await self._failed(conn, row, now, refused.detail, lateness)
            return []
        what = f"{row.action} scheduled for {at.isoformat()} by {row.created_by}{lateness}"
        await _audit(conn, ACTOR, "schedule_ran", row.kind, row.slug, row.locale, what)
        await self._close(conn, row.id, "done", now, f"done{lateness}")
        return changes

    async def _act(self, conn: AsyncConnection, row: Any) -> list[Change]:
        """Publish the draft scheduled (if it is still that draft, reviewed), or archive the item."""
        kind, slug, locale = row.kind, row.slug, row.locale
        if row.action == "release":
            if self.release is None:
                raise Conflict("Releases cannot be published here: no release publisher was given.")
            return await self.release(conn, int(slug), row.created_by, row.note)
        if row.action == "archive":
            return await self.publishing.archive_in(conn, kind, slug, ACTOR, locale)
        item = await find_item(conn, kind, slug, locale, published=False)
        draft = await self._draft(conn, item.id, kind, slug, locale)
        if draft.content_hash != row.content_hash:
            raise Conflict("The draft changed after it was scheduled; schedule the current draft again.")
        note = row.note or f"Scheduled by {row.created_by}"
        _, changes = await self.publishing.publish_in(
            conn, kind, slug, draft.revision, row.created_by, note, locale
        )
        return changes

    @staticmethod
    async def _draft(conn: AsyncConnection, item_id: int, kind: str, slug: str, locale: str) -> Any:
        found = (
            await conn.execute(
                sa.select(drafts.c.revision, drafts.c.content_hash).where(drafts.c.item_id == item_id)
            )
        ).first()
        if found is None:
            raise NotFound(f"The {kind} {slug!r}{in_locale(locale)} has no draft now; it is gone.")
        return found

    @staticmethod
    async def _close(
        conn: AsyncConnection, number: int, state: State, now: dt.datetime, outcome: str
    ) -> None:
        values = dict(state=state, ran_at=now, outcome=outcome)
        await conn.execute(schedules.update().where(schedules.c.id == number).values(**values))

    def _local(self, when: dt.datetime) -> dt.datetime:
        """``when`` in the clinic's zone; in UTC if the zone cannot show it (near year 1 or 9999)."""
        try:
            return when.astimezone(self.zone)
        except OverflowError:
            return when

    def _shown(self, row: Any) -> Schedule:
        at = as_utc(row.at)
        return Schedule(
            id=row.id,
            action=row.action,
            type=row.kind,
            slug=row.slug,
            locale=row.locale,
            at=at,
            at_local=self._local(at),
            time_zone=self.zone.key,
            state=row.state,
            note=row.note,
            created_by=row.created_by,
            ran_at=as_utc(row.ran_at) if row.ran_at else None,
            outcome=row.outcome,
        )


__all__: Sequence[str] = ["Action", "Schedule", "Schedules", "State", "parse_time", "zone_of"]
