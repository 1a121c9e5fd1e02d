"""What the patient's chart sees: published versions by clinical code (records of what each
patient was given: ``content.communications``).

The EHR integrations (Infobutton, FHIR, CDS Hooks; issue 22) read published versions through
``chart_versions``. ``Communication`` records say that a patient, named only by the EHR's own
opaque reference, was given one exact version, so a version found wrong can be recalled. No
name, birth date or free text about a patient is ever stored; records older than the
retention period are deleted.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from content import model
from content.db import as_utc, items, version_codes, versions


@dataclass(frozen=True, slots=True)
class ChartVersion:
    """One published version of one translation, as the chart's look-ups see it."""

    id: int  # the version's row id: stable, and what FHIR ids are made of
    kind: model.Kind
    slug: str
    locale: str
    number: int
    latest: int  # the translation's latest version number
    previous_id: int | None  # the row id of the version this one replaced
    published_at: dt.datetime
    superseded_at: dt.datetime | None  # when the next version was published
    title: str
    summary: str
    codes: tuple[model.Code, ...]
    review: model.Review | None

    @property
    def current(self) -> bool:
        return self.number == self.latest

    @property
    def updated_at(self) -> dt.datetime:
        """When what the chart sees of it last changed: published, then superseded."""
        return self.superseded_at or self.published_at


class _Head(msgspec.Struct):
    """The fields of a stored version the chart shows; the rest of the JSON is skipped unread."""

    title: str
    summary: str
    codes: list[model.Code] = []


_head = msgspec.json.Decoder(_Head)


async def chart_versions(
    engine: AsyncEngine,
    *,
    locales: Sequence[str] | None = None,
    codes: Sequence[tuple[str | None, str]] = (),
    current_only: bool = False,
    ids: Sequence[int] | None = None,
) -> list[ChartVersion]:
    """Published versions of live items, by kind, slug, locale and number.

    ``codes`` keeps versions carrying any of those (system or None for any system, code);
    ``locales`` keeps those translations; ``ids`` those version rows.
    """
    params: dict[str, object] = {}
    if locales is not None:
        params["locales"] = list(locales)
    if ids is not None:
        params["ids"] = list(ids)
    if codes:
        params["codes"] = sorted({code for _, code in codes})
    query = _statement(locales is not None, current_only, ids is not None, bool(codes))
    async with engine.connect() as conn:
        rows = (await conn.execute(query, params)).all()
    found = []
    for row in rows:
        head = _head.decode(row.content)
        if codes and not _carries(head.codes, codes):
            continue
        found.append(
            ChartVersion(
                id=row.id,
                kind=row.kind,
                slug=row.slug,
                locale=row.locale,
                number=row.number,
                latest=row.latest_version,
                previous_id=row.previous_id,
                published_at=as_utc(row.published_at),
                superseded_at=as_utc(row.superseded_at) if row.superseded_at else None,
                title=head.title,
                summary=head.summary,
                codes=tuple(head.codes),
                review=model.Review(
                    reviewed_by=row.reviewed_by,
                    reviewed_on=row.reviewed_on,
                    next_review_on=row.next_review_on,
                )
                if row.reviewed_by
                else None,
            )
        )
    return found


def _carries(carried: Sequence[model.Code], wanted: Sequence[tuple[str | None, str]]) -> bool:
    return any(c.code == code and system in (None, c.system) for c in carried for system, code in wanted)


@functools.cache
def _statement(by_locale: bool, current_only: bool, by_id: bool, by_code: bool) -> sa.Select[Any]:
    """The look-up for one combination of filters, built once (values are bound per call).

    Codes are matched in SQL by code alone (indexed); ``chart_versions`` then checks the system.
    """
    following = versions.alias("following")
    preceding = versions.alias("preceding")
    query = (
        sa.select(
            versions.c.id,
            versions.c.number,
            versions.c.published_at,
            versions.c.content,
            versions.c.reviewed_by,
            versions.c.reviewed_on,
            versions.c.next_review_on,
            items.c.kind,
            items.c.slug,
            items.c.locale,
            items.c.latest_version,
            sa.select(following.c.published_at)
            .where(following.c.item_id == versions.c.item_id, following.c.number == versions.c.number + 1)
            .scalar_subquery()
            .label("superseded_at"),
            sa.select(preceding.c.id)
            .where(preceding.c.item_id == versions.c.item_id, preceding.c.number == versions.c.number - 1)
            .scalar_subquery()
            .label("previous_id"),
        )
        .join(items, items.c.id == versions.c.item_id)
        .where(items.c.archived_at.is_(None), items.c.latest_version > 0)
        .order_by(items.c.kind, items.c.slug, items.c.locale, versions.c.number)
    )
    if by_locale:
        query = query.where(items.c.locale.in_(sa.bindparam("locales", expanding=True)))
    if current_only:
        query = query.where(versions.c.number == items.c.latest_version)
    if by_id:
        query = query.where(versions.c.id.in_(sa.bindparam("ids", expanding=True)))
    if by_code:
        coded = sa.select(version_codes.c.version_id).where(
            version_codes.c.code.in_(sa.bindparam("codes", expanding=True))
        )
        query = query.where(versions.c.id.in_(coded))
    return query
