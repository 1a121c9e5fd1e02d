"""Migration 0006 (locales) keeps every existing row: versions, drafts, pins, search, renders, sessions."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from content.db import create_engine
from content.migrations import alembic_config, migrate
from content.store import Store
from tests.conftest import STORES, _postgres_database

pytestmark = pytest.mark.anyio
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
# Date parameters are typed, so each driver stores the form the app reads (Python 3.12's sqlite3
# deprecates adapting datetimes by itself, and the suite treats warnings as errors).
DATE_TYPES = {"now": sa.DateTime(timezone=True), "day": sa.Date(), "next": sa.Date()}


def sql(statement: str) -> sa.TextClause:
    typed = [sa.bindparam(name, type_=kind) for name, kind in DATE_TYPES.items() if f":{name}" in statement]
    return sa.text(statement).bindparams(*typed)
FAQ = b'{"type":"faq","slug":"f","locale":"en","title":"Withdrawal","summary":"S","items":[]}'
ARTICLE = (
    b'{"type":"article","slug":"a","locale":"en","title":"A","summary":"S",'
    b'"body":[{"type":"faq","slug":"f"}]}'
)


@pytest.fixture(params=STORES)
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at revision 0005: an article embedding a FAQ, a draft, search rows, a render, a session."""
    urls = (
        iter([f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"])
        if request.param == "sqlite"
        else _postgres_database()
    )
    for url in urls:
        command.upgrade(alembic_config(url), "0005")
        asyncio.run(_fill(url))
        yield url


async def _fill(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        for item_id, kind, slug, content in ((1, "faq", "f", FAQ), (2, "article", "a", ARTICLE)):
            await conn.execute(
                sql(
                    "INSERT INTO items (id, kind, slug, locale, title, summary, latest_version, created_at, "
                    "updated_at) VALUES (:id, :kind, :slug, 'en', 'Withdrawal', 'S', 1, :now, :now)"
                ),
                {"id": item_id, "kind": kind, "slug": slug, "now": NOW},
            )
            await conn.execute(
                sql(
                    "INSERT INTO versions (id, item_id, number, content, content_hash, author, note, source, "
                    "published_at, reviewed_by, reviewed_on, next_review_on) VALUES (:id, :id, 1, :content, "
                    "'sha256:x', 'library', '', 'library', :now, 'R', :day, :next)"
                ),
                {
                    "id": item_id,
                    "content": content,
                    "now": NOW,
                    "day": NOW.date(),
                    "next": dt.date(2027, 11, 1),
                },
            )
            if conn.dialect.name == "postgresql":
                await conn.execute(
                    sql(
                        "INSERT INTO search_documents (item_id, title, summary, body) "
                        "VALUES (:id, 'Withdrawal', 'S', 'withdrawal symptoms')"
                    ),
                    {"id": item_id},
                )
            else:
                await conn.execute(
                    sql(
                        "INSERT INTO search_fts (rowid, title, summary, body) "
                        "VALUES (:id, 'Withdrawal', 'S', 'withdrawal symptoms')"
                    ),
                    {"id": item_id},
                )
        await conn.execute(sql("INSERT INTO pins VALUES (2, 0, 'faq', 'f', 1)"))
        await conn.execute(
            sql("INSERT INTO rendered VALUES ('k', 'application/pdf', :body, :now)"),
            {"body": b"%PDF", "now": NOW},
        )
        await conn.execute(
            sql("INSERT INTO desk_sessions VALUES ('h', 't', 'editor', 'Ed', 'c', :now, :now)"),
            {"now": NOW},
        )
        await conn.execute(
            sql(
                "INSERT INTO drafts (item_id, revision, content, content_hash, created_by, updated_by, "
                "updated_at) VALUES (1, 'r', :content, 'sha256:x', 'e', 'e', :now)"
            ),
            {"content": FAQ, "now": NOW},
        )
    await engine.dispose()


async def test_upgrading_keeps_versions_drafts_pins_and_search(old_db: str) -> None:
    await asyncio.to_thread(migrate, old_db)
    engine = create_engine(old_db)
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(sql("SELECT count(*) FROM versions")) == 2
            assert await conn.scalar(sql("SELECT count(*) FROM drafts")) == 1
            pin = (await conn.execute(sql("SELECT kind, slug, number, locale FROM pins"))).one()
            assert tuple(pin) == ("faq", "f", 1, "en")
            assert await conn.scalar(sql("SELECT count(*) FROM rendered")) == 1
            assert await conn.scalar(sql("SELECT count(*) FROM desk_sessions")) == 1
        store = Store(engine)
        article = await store.get("article", "a")
        assert [(p.slug, p.version, p.locale) for p in article.pins] == [("f", 1, "en")]
        assert {h.slug for h in await store.search("withdrawal")} == {"a", "f"}
        # The new key: a Spanish translation of the same slug can now exist beside it.
        async with engine.begin() as conn:
            await conn.execute(
                sql(
                    "INSERT INTO items (id, kind, slug, locale, title, summary, latest_version, created_at, "
                    "updated_at) VALUES (3, 'faq', 'f', 'es', 'T', 'S', 0, :now, :now)"
                ),
                {"now": NOW},
            )
    finally:
        await engine.dispose()


async def test_upgrading_withdraws_reviews_that_files_claimed(old_db: str) -> None:
    """0007: a review typed into a library file was never signed off; the version loses it."""
    await asyncio.to_thread(migrate, old_db)
    engine = create_engine(old_db)
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.text("SELECT reviewed_by, reviewed_on, review_withdrawn, next_review_on FROM versions")
                )
            ).all()
            withdrawn = (
                await conn.execute(
                    sa.text("SELECT actor, detail FROM audit WHERE action = 'withdraw_review'")
                )
            ).all()
        # The next-review date stays, as the review asked for.
        assert [(*r[:3], str(r[3])) for r in rows] == [(None, None, "R, 2026-11-01", "2027-11-01")] * 2
        assert len(withdrawn) == 2
        assert all(actor == "migration 0007" and "R, 2026-11-01" in detail for actor, detail in withdrawn)
        article = await Store(engine).get("article", "a")
        assert article.info.review.status_on(NOW.date()) == "unreviewed"
    finally:
        await engine.dispose()


@pytest.fixture(params=STORES)
def db_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    urls = (
        iter([f"sqlite+aiosqlite:///{tmp_path / 'old6.db'}"])
        if request.param == "sqlite"
        else _postgres_database()
    )
    for url in urls:
        command.upgrade(alembic_config(url), "0006")
        yield url


async def test_upgrading_keeps_a_review_signed_off_through_the_api(db_0006: str) -> None:
    """0007 keeps a review the audit log ties to a sign-off of exactly that content."""
    import hashlib

    import msgspec

    review = {"reviewedBy": "Ana Rivera", "reviewedOn": "2026-11-01", "nextReviewOn": "2027-11-01"}
    items = [{"id": "a", "question": "Q?", "answer": "A.", "answerHtml": ""}]
    content = msgspec.json.decode(FAQ) | {"items": items, "review": review}
    stripped = "sha256:" + hashlib.sha256(msgspec.json.encode(content | {"review": None})).hexdigest()
    engine = create_engine(db_0006)
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO items (id, kind, slug, locale, title, summary, latest_version, created_at, "
                "updated_at) VALUES (1, 'faq', 'f', 'en', 'Withdrawal', 'S', 1, :now, :now)"
            ),
            {"now": NOW},
        )
        await conn.execute(
            sa.text(
                "INSERT INTO versions (id, item_id, number, content, content_hash, author, note, source, "
                "published_at, reviewed_by, reviewed_on, next_review_on) VALUES (1, 1, 1, :content, "
                "'sha256:x', 'ed', '', 'api', :now, 'Ana Rivera', :day, :next)"
            ),
            {
                "content": msgspec.json.encode(content),
                "now": NOW,
                "day": NOW.date(),
                "next": dt.date(2027, 11, 1),
            },
        )
        for action, version, digest in (("review", None, stripped), ("publish", 1, "sha256:x")):
            await conn.execute(
                sa.text(
                    "INSERT INTO audit (at, actor, action, kind, slug, locale, version, hash_before, "
                    "hash_after, detail) VALUES (:now, 'ana', :action, 'faq', 'f', 'en', :version, NULL, "
                    ":digest, '')"
                ),
                {"now": NOW, "action": action, "version": version, "digest": digest},
            )
    await engine.dispose()
    await asyncio.to_thread(migrate, db_0006)
    engine = create_engine(db_0006)
    try:
        stored = await Store(engine).get("faq", "f")
        assert stored.info.review.reviewed_by == "Ana Rivera"
        assert stored.info.review.reviewed_hash == stripped and stored.content.review is None
        async with engine.connect() as conn:
            assert await conn.scalar(sa.text("SELECT reviewer_account FROM versions")) == "ana"
            assert (
                await conn.scalar(sa.text("SELECT count(*) FROM audit WHERE action = 'withdraw_review'")) == 0
            )
    finally:
        await engine.dispose()
