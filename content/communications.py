"""Chart communications (what was given to which patient) as a service holding its engine.

The SQL lives in ``content.chart``; handlers receive this object and never see the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from content import chart
from content.chart import ChartVersion, Given


class Communications:
    """Record, recall and expire what a clinician gave a patient."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(
        self,
        *,
        version: ChartVersion,
        document: str,
        subject: str,
        encounter: str | None,
        sent: dt.datetime,
        actor: str,
    ) -> Given:
        return await chart.record_given(
            self._engine,
            version=version,
            document=document,
            subject=subject,
            encounter=encounter,
            sent=sent,
            actor=actor,
        )

    async def recall(self, version_ids: Sequence[int], asked: str, actor: str) -> list[Given]:
        return await chart.recall(self._engine, version_ids, asked, actor)

    async def by_id(self, record_id: str, actor: str) -> Given | None:
        return await chart.given_by_id(self._engine, record_id, actor)

    async def forget_older(self, older_than: dt.timedelta) -> int:
        return await chart.forget_given(self._engine, older_than)
