"""What each patient was given: ``Communication`` records, kept for recalls, then forgotten.

A record says that a patient, named only by the EHR's own opaque reference, was given one
exact version, so a version found wrong can be recalled. No name, birth date or free text
about a patient is ever stored; records older than the retention period are deleted. Every
read and write is audited (naming the version, never the patient).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content.audit import record
from content.db import as_utc, communications, utcnow, writer


@dataclass(frozen=True, slots=True)
class Given:
    """One record: this patient (the EHR's reference) was given this version."""

    id: str
    version_id: int
    document: str  # the DocumentReference id given (a version in one format)
    subject: str  # "Patient/<the EHR's id>"
    encounter: str | None  # "Encounter/<the EHR's id>"
    sent: dt.datetime
    recorded_at: dt.datetime
    recorded_by: str


class GivenVersion(Protocol):
    """The version a record names (``content.chart.ChartVersion`` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def locale(self) -> str: ...
    @property
    def number(self) -> int: ...


class Communications:
    """Records of what each patient was given."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(
        self,
        *,
        version: GivenVersion,
        document: str,
        subject: str,
        encounter: str | None,
        sent: dt.datetime,
        actor: str,
    ) -> Given:
        """Store one record and its audit entry (which names the version, never the patient)."""
        given = Given(
            id=secrets.token_hex(16),
            version_id=version.id,
            document=document,
            subject=subject,
            encounter=encounter,
            sent=sent,
            recorded_at=utcnow(),
            recorded_by=actor,
        )
        async with writer(self.engine).begin() as conn:
            await conn.execute(
                communications.insert().values(
                    id=given.id,
                    version_id=given.version_id,
                    document=given.document,
                    subject=given.subject,
                    encounter=given.encounter,
                    sent=given.sent,
                    recorded_at=given.recorded_at,
                    recorded_by=given.recorded_by,
                )
            )
            await record(
                conn,
                actor,
                "record_communication",
                version.kind,
                version.slug,
                version.number,
                None,
                None,
                f"Communication/{given.id} about DocumentReference/{document}",
                locale=version.locale,
            )
        return given

    async def recall(self, version_ids: Sequence[int], asked: str, actor: str) -> list[Given]:
        """Every record of these versions being given (in any format), oldest first; the read is audited."""
        where = communications.c.version_id.in_(version_ids)
        return await self._read(where, f"about {asked}", actor)

    async def by_id(self, record_id: str, actor: str) -> Given | None:
        """One record by its id, or None; the read is audited."""
        found = await self._read(communications.c.id == record_id, f"Communication/{record_id}", actor)
        return found[0] if found else None

    async def forget(self, older_than: dt.timedelta) -> int:
        """Delete records kept longer than the retention period; how many went."""
        async with writer(self.engine).begin() as conn:
            done = await conn.execute(
                communications.delete().where(communications.c.recorded_at < utcnow() - older_than)
            )
            if done.rowcount:
                await record(
                    conn,
                    "retention",
                    "forget_communications",
                    None,
                    None,
                    None,
                    None,
                    None,
                    f"{done.rowcount}",
                )
            return int(done.rowcount or 0)

    async def _read(self, where: Any, asked: str, actor: str) -> list[Given]:
        query = (
            sa.select(communications).where(where).order_by(communications.c.recorded_at, communications.c.id)
        )
        async with writer(self.engine).begin() as conn:
            rows = (await conn.execute(query)).all()
            detail = f"{asked}: {len(rows)} records"
            await record(conn, actor, "read_communications", None, None, None, None, None, detail)
        return [
            Given(
                id=row.id,
                version_id=row.version_id,
                document=row.document,
                subject=row.subject,
                encounter=row.encounter,
                sent=as_utc(row.sent),
                recorded_at=as_utc(row.recorded_at),
                recorded_by=row.recorded_by,
            )
            for row in rows
        ]
