"""The rows behind releases (``content.releases``): entries with their items and drafts, review
states, the diffs, the publish order and the checks each write makes first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import sqlalchemy as sa
from msgspec.structs import replace
from sqlalchemy.ext.asyncio import AsyncConnection

from content import model
from content.db import drafts, items, release_entries, releases, versions
from content.diff import Diff, diff_items
from content.errors import Conflict, NotFound
from content.locales import DEFAULT_LOCALE
from content.stored import decode_content, embedded_refs, in_locale

ReviewState = Literal["reviewed", "not reviewed", "changed after review", "no draft", "published"]
Key = tuple[str, str, str]  # kind, slug, locale


def describe(key: Key) -> str:
    kind, slug, locale = key
    return f"{kind} {slug!r}{in_locale(locale)}"


def review_state(row: Any) -> ReviewState:
    """A draft row's review state (None: no draft)."""
    if row is None or row.revision is None:
        return "no draft"
    if row.reviewed_hash is None:
        return "not reviewed"
    return "reviewed" if row.reviewed_hash == row.content_hash else "changed after review"


def publish_order(contents: dict[Key, model.Content]) -> list[Key]:
    """The entries with everything a draft embeds (of the release) before the draft itself."""
    order: list[Key] = []
    visiting: set[Key] = set()

    def visit(key: Key) -> None:
        if key in order or key in visiting:
            return
        visiting.add(key)
        locales = (key[2], DEFAULT_LOCALE)
        for kind, slug in embedded_refs(contents[key]):
            for other in contents:
                if other[:2] == (kind, slug) and other[2] in locales:
                    visit(other)
        order.append(key)

    for key in sorted(contents):
        visit(key)
    return order


async def entry_rows(conn: AsyncConnection, release_id: int) -> list[Any]:
    """Each entry with its item and draft rows (outer joined: either may be missing)."""
    item = sa.and_(
        items.c.kind == release_entries.c.kind,
        items.c.slug == release_entries.c.slug,
        items.c.locale == release_entries.c.locale,
    )
    query = (
        sa.select(
            release_entries.c.kind,
            release_entries.c.slug,
            release_entries.c.locale,
            release_entries.c.version,
            items.c.id.label("item_id"),
            items.c.title,
            items.c.latest_version,
            drafts.c.revision,
            drafts.c.content,
            drafts.c.content_hash,
            drafts.c.reviewed_hash,
        )
        .select_from(release_entries.outerjoin(items, item).outerjoin(drafts, drafts.c.item_id == items.c.id))
        .where(release_entries.c.release_id == release_id)
        .order_by(release_entries.c.kind, release_entries.c.slug, release_entries.c.locale)
    )
    return list(await conn.execute(query))


async def draft_diff(conn: AsyncConnection, row: Any) -> Diff | None:
    """The draft against the latest published version, as the draft diff shows it (no review)."""
    if row.revision is None or not row.latest_version:
        return None
    stored = (
        await conn.execute(
            sa.select(versions.c.content).where(
                versions.c.item_id == row.item_id, versions.c.number == row.latest_version
            )
        )
    ).scalar_one()
    published = replace(decode_content(stored), review=None)
    drafted = replace(decode_content(row.content), review=None)
    return diff_items(published, drafted, row.latest_version, row.latest_version + 1)


def check(release_id: int, rows: Sequence[Any]) -> None:
    """Refuse a release that is empty or has an entry without a draft signed off exactly as it is."""
    if not rows:
        raise Conflict(f"Release {release_id} has no drafts to publish; add some first.")
    wrong = [(r, review_state(r)) for r in rows]
    wrong = [(r, state) for r, state in wrong if state != "reviewed"]
    if wrong:
        why = {
            "no draft": "has no draft",
            "not reviewed": "has not been reviewed",
            "changed after review": "changed after its review",
        }
        listed = "; ".join(f"{describe((r.kind, r.slug, r.locale))} {why[state]}" for r, state in wrong)
        raise Conflict(f"The release cannot be published: {listed}. Nothing was published.")


async def find_release(conn: AsyncConnection, release_id: int) -> Any:
    row = (await conn.execute(sa.select(releases).where(releases.c.id == release_id))).first()
    if row is None:
        raise NotFound(f"No release {release_id}.")
    return row


async def unpublished(conn: AsyncConnection, release_id: int) -> Any:
    row = await find_release(conn, release_id)
    if row.published_at is not None:
        raise Conflict(f"Release {release_id} was published already; a published release never changes.")
    return row


async def touch(conn: AsyncConnection, release_id: int, now: dt.datetime) -> None:
    await conn.execute(releases.update().where(releases.c.id == release_id).values(updated_at=now))
