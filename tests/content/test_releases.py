"""Releases in the domain: atomic publish, the pinning of embeds, the refusal, concurrent publishes.

Every test runs on SQLite, and on PostgreSQL when FOLIO_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from msgspec.structs import replace

from content import model
from content.changes import Announcement, Change, Notice
from content.db import audit, create_engine, items, pins, versions
from content.editorial import Editorial
from content.errors import Conflict
from content.store import Store

Key = tuple[model.Kind, str, str]
ARTICLE: Key = ("article", "is-ketamine-therapy-addictive", "en")
FAQ: Key = ("faq", "ketamine-addiction-faq", "en")
NEW_ANSWER = "Released new wording: prescribed doses do not make the body dependent."
NEXT_REVIEW = dt.date.today() + dt.timedelta(days=300)

pytestmark = pytest.mark.anyio


@dataclass
class Heard:
    stored: list[Announcement | Notice] = field(default_factory=list)
    told: list[Change] = field(default_factory=list)

    async def outbox(self, conn: object, what: Announcement | Notice) -> None:
        self.stored.append(what)


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
async def editorial(synced_db: str, heard: Heard) -> AsyncIterator[Editorial]:
    engine = create_engine(synced_db)
    made = Editorial(Store(engine), outbox=heard.outbox, on_change=heard.told.append)
    await made.tokens.create("rev", "reviewer", "test", display_name="Dr Rev Rivera", credentials="MD")
    yield made
    await engine.dispose()


async def edit(editorial: Editorial, key: Key, change: dict[str, object]) -> str:
    """Start (or keep) the translation's draft, apply ``change``; the new ETag, unquoted."""
    kind, slug, locale = key
    try:
        draft = await editorial.get(kind, slug, locale)
    except Exception:
        draft = await editorial.start(kind, slug, "ed", locale)
    saved = await editorial.replace(
        replace(draft.content, **{"review": None, **change}), draft.etag.strip('"'), "ed"
    )
    return saved.etag.strip('"')


async def review(editorial: Editorial, key: Key, etag: str) -> None:
    kind, slug, locale = key
    await editorial.review(kind, slug, etag, "rev", NEXT_REVIEW, locale)


async def faq_changed(editorial: Editorial) -> model.FaqSet:
    draft = await editorial.start("faq", FAQ[1], "ed")
    faq = draft.content
    assert isinstance(faq, model.FaqSet)
    return replace(faq, items=[replace(faq.items[0], answer=NEW_ANSWER), *faq.items[1:]], review=None)


async def both_reviewed(editorial: Editorial) -> int:
    """A release of a changed FAQ and a changed article embedding it, both reviewed; its id."""
    faq = await faq_changed(editorial)
    await review(editorial, FAQ, await edit(editorial, FAQ, {"items": faq.items}))
    await review(editorial, ARTICLE, await edit(editorial, ARTICLE, {"summary": "Released summary."}))
    release = await editorial.releases.create("Addiction update", "ed")
    for kind, slug, locale in (ARTICLE, FAQ):
        await editorial.releases.add(release.id, kind, slug, locale, "ed")
    return release.id


async def latest(editorial: Editorial, key: Key) -> int:
    async with editorial.store.engine.connect() as conn:
        found = await conn.scalar(
            sa.select(items.c.latest_version).where(
                items.c.kind == key[0], items.c.slug == key[1], items.c.locale == key[2]
            )
        )
    assert found is not None
    return int(found)


async def pinned(editorial: Editorial, key: Key, number: int) -> list[tuple[str, str, str, int]]:
    query = (
        sa.select(pins.c.kind, pins.c.slug, pins.c.locale, pins.c.number)
        .join(versions, versions.c.id == pins.c.version_id)
        .join(items, items.c.id == versions.c.item_id)
        .where(items.c.kind == key[0], items.c.slug == key[1], items.c.locale == key[2])
        .where(versions.c.number == number)
        .order_by(pins.c.position)
    )
    async with editorial.store.engine.connect() as conn:
        return [(r.kind, r.slug, r.locale, r.number) for r in await conn.execute(query)]


async def test_an_article_and_its_faq_give_one_new_version_each(editorial: Editorial, heard: Heard) -> None:
    release_id = await both_reviewed(editorial)
    before = await editorial.releases.get(release_id)
    assert [(e.type, e.review) for e in before.entries] == [("article", "reviewed"), ("faq", "reviewed")]
    assert before.publishable
    faq_diff = before.entries[1].diff
    assert faq_diff is not None and [c.after["answer"] for c in faq_diff.changes] == [NEW_ANSWER]
    heard.stored.clear()
    heard.told.clear()

    done = await editorial.publish_release(release_id, "pub")

    # One new version each: the FAQ's publish made no extra article version.
    assert await latest(editorial, FAQ) == 2 and await latest(editorial, ARTICLE) == 2
    assert ("faq", FAQ[1], "en", 2) in await pinned(editorial, ARTICLE, 2)
    assert [(e.slug, e.version, e.review) for e in done.entries] == [
        (ARTICLE[1], 2, "published"),
        (FAQ[1], 2, "published"),
    ]
    assert done.published_by == "pub" and not done.publishable
    notices = [n for n in heard.stored if isinstance(n, Notice)]
    # One release.published, and one purge for the whole release naming both items.
    assert [n.event for n in notices] == ["release.published", "cache.purge"]
    tags = notices[1].data["tags"]
    assert isinstance(tags, list) and {f"faq:{FAQ[1]}:en", f"article:{ARTICLE[1]}:en"} <= set(tags)
    assert notices[0].data == {
        "id": release_id,
        "name": "Addiction update",
        "items": [
            {"kind": "faq", "slug": FAQ[1], "locale": "en", "version": 2},
            {"kind": "article", "slug": ARTICLE[1], "locale": "en", "version": 2},
        ],
    }
    # Told once, after commit, of each item once.
    assert [(c.kind, c.slug) for c in heard.told] == [("faq", FAQ[1]), ("article", ARTICLE[1])]
    async with editorial.store.engine.connect() as conn:
        actions = [r.action for r in await conn.execute(sa.select(audit.c.action).order_by(audit.c.id))]
    assert actions[-3:] == ["publish", "publish", "release_publish"]
    with pytest.raises(Conflict, match="published already"):
        await editorial.releases.add(release_id, "comparison", "medical-vs-recreational-ketamine", "en", "ed")


async def test_items_outside_the_release_still_get_their_pinning_version(editorial: Editorial) -> None:
    faq = await faq_changed(editorial)
    await review(editorial, FAQ, await edit(editorial, FAQ, {"items": faq.items}))
    release = await editorial.releases.create("FAQ only", "ed")
    await editorial.releases.add(release.id, "faq", FAQ[1], "en", "ed")
    await editorial.publish_release(release.id, "pub")
    assert await latest(editorial, ARTICLE) == 2
    assert ("faq", FAQ[1], "en", 2) in await pinned(editorial, ARTICLE, 2)


@pytest.mark.parametrize("wrong", ["not reviewed", "changed after review", "no draft"])
async def test_a_release_with_a_draft_not_signed_off_is_refused_whole(
    editorial: Editorial, wrong: str
) -> None:
    release_id = await both_reviewed(editorial)
    if wrong == "not reviewed":
        comparison: Key = ("comparison", "medical-vs-recreational-ketamine", "en")
        await edit(editorial, comparison, {"summary": "Never reviewed."})
        await editorial.releases.add(release_id, *comparison, "ed")
        expected = "comparison 'medical-vs-recreational-ketamine' has not been reviewed"
    elif wrong == "changed after review":
        await edit(editorial, ARTICLE, {"summary": "Changed after its review."})
        expected = "article 'is-ketamine-therapy-addictive' changed after its review"
    else:
        await editorial.discard("article", ARTICLE[1], None, "ed")
        expected = "article 'is-ketamine-therapy-addictive' has no draft"
    states = [e.review for e in (await editorial.releases.get(release_id)).entries]
    assert wrong in states and not (await editorial.releases.get(release_id)).publishable
    with pytest.raises(Conflict, match=expected):
        await editorial.publish_release(release_id, "pub")
    assert await latest(editorial, FAQ) == 1 and await latest(editorial, ARTICLE) == 1
    assert (await editorial.releases.get(release_id)).published_at is None


async def test_a_failing_entry_leaves_nothing_published(editorial: Editorial, heard: Heard) -> None:
    """The FAQ publishes first in the transaction; the article then fails: both roll back."""
    release_id = await both_reviewed(editorial)
    lonely = model.FaqSet(
        slug="never-published-faq",
        title="Never published",
        summary="A FAQ set with a draft only.",
        items=[model.FaqItem(id="why", question="Why?", answer="Because.")],
    )
    await editorial.create(lonely, "ed")
    article = (await editorial.get("article", ARTICLE[1])).content
    assert isinstance(article, model.Article)
    body = [*article.body, model.FaqEmbed(slug="never-published-faq")]
    await review(editorial, ARTICLE, await edit(editorial, ARTICLE, {"body": body, "review": None}))
    assert (await editorial.releases.get(release_id)).publishable
    with pytest.raises(Conflict, match="never-published-faq"):
        await editorial.publish_release(release_id, "pub")
    assert await latest(editorial, FAQ) == 1 and await latest(editorial, ARTICLE) == 1
    assert (await editorial.get("faq", FAQ[1])).content.review is not None  # the draft is still there
    async with editorial.store.engine.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).where(audit.c.action == "publish")) == 0
    assert (await editorial.releases.get(release_id)).published_at is None


async def test_two_concurrent_publishes_of_one_release_one_wins(editorial: Editorial, synced_db: str) -> None:
    release_id = await both_reviewed(editorial)
    engines = [create_engine(synced_db) for _ in range(2)]
    try:
        desks = [Editorial(Store(engine)) for engine in engines]
        results = await asyncio.gather(
            *(d.publish_release(release_id, f"pub{n}") for n, d in enumerate(desks)), return_exceptions=True
        )
    finally:
        for engine in engines:
            await engine.dispose()
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], Conflict) and "published already" in str(lost[0])
    assert await latest(editorial, FAQ) == 2 and await latest(editorial, ARTICLE) == 2


async def test_editing_a_release(editorial: Editorial) -> None:
    release = await editorial.releases.create("Draft set", "ed")
    with pytest.raises(Conflict, match="no drafts to publish"):
        await editorial.publish_release(release.id, "pub")
    await edit(editorial, FAQ, {"summary": "Changed."})
    await editorial.releases.add(release.id, "faq", FAQ[1], "en", "ed")
    with pytest.raises(Conflict, match="in this release already"):
        await editorial.releases.add(release.id, "faq", FAQ[1], "en", "ed")
    renamed = await editorial.releases.rename(release.id, "Renamed", "ed")
    assert renamed.name == "Renamed" and [e.review for e in renamed.entries] == ["not reviewed"]
    assert [(s.name, s.entries) for s in await editorial.releases.summaries()] == [("Renamed", 1)]
    removed = await editorial.releases.remove(release.id, "faq", FAQ[1], "en", "ed")
    assert removed.entries == []
    await editorial.releases.delete(release.id, "ed")
    assert await editorial.releases.summaries() == []


async def test_a_release_across_locales_pins_each_translation(editorial: Editorial) -> None:
    """English FAQ, Spanish FAQ and Spanish article together: the Spanish article gets one version
    pinning the Spanish FAQ the release made; the English article, outside the release, is
    refreshed to pin the English FAQ, as for any publish."""
    article_es: Key = ("article", ARTICLE[1], "es")
    faq_es: Key = ("faq", FAQ[1], "es")
    faq = await faq_changed(editorial)
    await review(editorial, FAQ, await edit(editorial, FAQ, {"items": faq.items}))
    await review(editorial, faq_es, await edit(editorial, faq_es, {"summary": "Resumen nuevo."}))
    await review(
        editorial, article_es, await edit(editorial, article_es, {"summary": "Resumen del artículo."})
    )
    release = await editorial.releases.create("Bilingual", "ed")
    for key in (article_es, faq_es, FAQ):
        await editorial.releases.add(release.id, *key, "ed")
    await editorial.publish_release(release.id, "pub")
    assert await latest(editorial, article_es) == 2
    assert ("faq", FAQ[1], "es", 2) in await pinned(editorial, article_es, 2)
    assert await latest(editorial, ARTICLE) == 2
    assert ("faq", FAQ[1], "en", 2) in await pinned(editorial, ARTICLE, 2)
