"""The background runner of schedules and review dates, one per server process.

It runs at start-up (what was missed while Folio was down runs then, and says so in the audit
log) and then every FOLIO_SCHEDULE_POLL_SECONDS: due schedules each time, the review-date check
once per UTC day; one failing does not stop the other. Every replica runs one;
``content.schedules`` makes each action run once however many poll at the same moment. Tests
drive ``tick`` directly with an injected clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable

from content.db import utcnow
from content.review_dates import Fired, ReviewDates
from content.schedules import Schedule, Schedules

log = logging.getLogger("folio.scheduler")


class Scheduler:
    def __init__(
        self,
        schedules: Schedules,
        review_dates: ReviewDates,
        *,
        poll_seconds: float,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.schedules = schedules
        self.review_dates = review_dates
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.checked_on: dt.date | None = None  # the day the review dates were last checked

    async def tick(self) -> tuple[list[Schedule], list[Fired]]:
        """Run what is due now, and the review-date check if it has not run today; what happened."""
        now = self.clock()
        ran: list[Schedule] = []
        fired: list[Fired] = []
        try:  # one failing must not stop the other: each is logged, and retried next tick
            ran = await self.schedules.run_due(now)
        except Exception:
            log.exception("running due schedules failed")
        if self.checked_on != now.date():
            try:
                fired = await self.review_dates.check(now.date())
                self.checked_on = now.date()
            except Exception:
                log.exception("the review-date check failed")
        return ran, fired

    async def run(self) -> None:
        while True:
            try:
                ran, fired = await self.tick()
                for schedule in ran:
                    log.info(
                        "schedule %s (%s %s %s): %s",
                        schedule.id,
                        schedule.action,
                        schedule.type,
                        schedule.slug,
                        schedule.outcome,
                    )
                for event in fired:
                    log.info("%s: %s %s (%s)", event.event, event.kind, event.slug, event.locale)
            except Exception:  # the loop must outlive a bad row or a database hiccup
                log.exception("scheduler loop error")
            await asyncio.sleep(self.poll_seconds)
