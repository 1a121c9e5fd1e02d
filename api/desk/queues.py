"""What waits for the signed-in person (the queue page and the count in the navigation).

A reviewer: drafts with edits no sign-off covers that they did not edit (four eyes). A publisher:
signed-off drafts. An editor: drafts they wrote with comments since their last save, and their
schedules that failed in the last 7 days. Each role includes the ones below it, as everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from content.accounts import Session, allows
from content.comments import Commented
from content.db import utcnow
from content.editorial import DraftSummary, Editorial
from content.schedules import Schedule

RECENT = dt.timedelta(days=7)  # how long a failed schedule stays in its author's queue


@dataclass(frozen=True, slots=True)
class Mine:
    sign_off: list[DraftSummary] = field(default_factory=list)
    publish: list[DraftSummary] = field(default_factory=list)
    commented: list[Commented] = field(default_factory=list)
    failed: list[Schedule] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sign_off) + len(self.publish) + len(self.commented) + len(self.failed)


async def waiting_for(
    editorial: Editorial, session: Session | None, waiting: list[DraftSummary] | None = None
) -> Mine:
    """What waits for ``session``'s person; ``waiting`` is ``editorial.waiting()`` if already read."""
    if session is None or not allows(session.role, "editor"):
        return Mine()
    drafts = await editorial.waiting() if waiting is None else waiting
    me = session.token_name
    since = utcnow() - RECENT
    return Mine(
        sign_off=[d for d in drafts if not d.reviewed and d.edited_by and me not in d.edited_by]
        if allows(session.role, "reviewer")
        else [],
        publish=[d for d in drafts if d.reviewed] if allows(session.role, "publisher") else [],
        commented=await editorial.comments.waiting_for(me),
        failed=[
            s
            for s in await editorial.schedules.all("failed")
            if s.created_by == me and s.ran_at is not None and s.ran_at >= since
        ],
    )
