"""A reviewer's sign-off of a version, and its status on a given day."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

from content.types import Line, Wire

# "unreviewed": no reviewer account has signed this version off (sample or library content).
ReviewStatus: TypeAlias = Literal["unreviewed", "current", "due", "overdue"]

# A review falls "due" this long before its next-review date.
REVIEW_DUE_WINDOW = dt.timedelta(days=30)


class Review(Wire, kw_only=True):
    """A reviewer's sign-off of a version's exact content, or (``reviewedBy`` null) its absence.

    A review exists only as a sign-off by a reviewer account in Folio: its display name and
    credentials, the time, and the content hash it covered. Library files never carry one; a
    file's ``review: {nextReviewOn}`` is a request (review by that day), kept in
    ``nextReviewOn`` of an unreviewed version.
    """

    reviewed_by: Line | None = None  # the reviewer's display name ("Ana Rivera")
    credentials: Line | None = None  # the reviewer's credentials ("MD"): schema.org honorificSuffix
    reviewed_on: dt.date | None = None
    reviewed_at: dt.datetime | None = None
    reviewed_hash: str | None = None  # the content hash the sign-off covered
    next_review_on: dt.date | None = None
    status: ReviewStatus | None = None  # derived at read time, never stored

    @property
    def signed(self) -> bool:
        return self.reviewed_by is not None

    @property
    def reviewer(self) -> str:
        """The reviewer as printed: "Ana Rivera, MD"; empty when unreviewed."""
        if self.reviewed_by is None:
            return ""
        return f"{self.reviewed_by}, {self.credentials}" if self.credentials else self.reviewed_by

    def status_on(self, today: dt.date) -> ReviewStatus:
        if not self.signed:
            return "unreviewed"
        if self.next_review_on is None:
            return "current"
        if today > self.next_review_on:
            return "overdue"
        if today >= self.next_review_on - REVIEW_DUE_WINDOW:
            return "due"
        return "current"


UNREVIEWED = Review()

__all__ = ["REVIEW_DUE_WINDOW", "UNREVIEWED", "Review", "ReviewStatus"]
