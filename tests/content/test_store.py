from pathlib import Path

import msgspec
import pytest
import sqlalchemy as sa

from content import model
from content import versions as versions_module
from content.errors import InvalidInput, NotFound
from content.library import load_library
from content.store import Store

pytestmark = pytest.mark.anyio


async def count_versions(store: Store) -> int:
    async with store.engine.connect() as conn:
        return (await conn.execute(sa.text("SELECT count(*) FROM versions"))).scalar_one()


async def test_sync_is_idempotent(store: Store, library: Path) -> None:
    items = load_library(library).items
    first = (await store.sync(items, author="library")).created
    assert {(c.kind, c.slug, c.version) for c in first} == {(i.kind, i.slug, 1) for i in items}
    assert (await store.sync(items, author="library")).created == []
    assert await count_versions(store) == len(items)


async def test_changed_content_gets_the_next_version_and_old_ones_stay(store: Store, library: Path) -> None:
    items = load_library(library).items
    await store.sync(items, author="library")
    faq = next(i for i in items if isinstance(i, model.FaqSet))
    changed = msgspec.structs.replace(faq, title="Ketamine and addiction: your questions")
    report = await store.sync([changed], author="editor")
    assert [(c.slug, c.version) for c in report.created] == [(faq.slug, 2)]
    # The article embedding the FAQ gets a version pinning the new one, in the same sync.
    assert [(c.slug, c.version) for c in report.refreshed] == [("is-ketamine-therapy-addictive", 2)]
    assert (await store.get("faq", faq.slug)).content.title == changed.title
    assert (await store.get("faq", faq.slug, 1)).content.title == faq.title
    history = await store.history("faq", faq.slug)
    assert [v.version for v in history] == [2, 1]
    assert history[0].author == "editor" and history[0].content_hash != history[1].content_hash


async def test_sync_is_all_or_nothing(store: Store, library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = load_library(library).items
    calls = 0
    real_index = versions_module.index

    async def failing_index(*args: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk full")
        await real_index(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(versions_module, "index", failing_index)
    with pytest.raises(RuntimeError):
        await store.sync(items, author="library")
    assert await count_versions(store) == 0
    with pytest.raises(NotFound):
        await store.locate("article", items[0].slug)


async def test_unknown_item_and_version(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    with pytest.raises(NotFound):
        await store.locate("article", "no-such-article")
    with pytest.raises(NotFound):
        await store.locate("article", "ketamine-withdrawal", 2)
    with pytest.raises(NotFound):
        await store.locate("faq", "ketamine-withdrawal")  # right slug, wrong kind


async def test_pages_follow_the_cursor(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    first = await store.list_items("article", limit=1)
    assert [s.slug for s in first.items] == ["is-ketamine-therapy-addictive"]
    assert first.next_cursor
    second = await store.list_items("article", limit=1, cursor=first.next_cursor)
    assert [s.slug for s in second.items] == ["ketamine-withdrawal"]
    assert second.next_cursor is None
    with pytest.raises(InvalidInput) as info:
        await store.list_items("article", limit=1, cursor="garbage!")
    assert info.value.field == "cursor"


async def test_filters(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    tagged = await store.list_items("article", limit=10, tag="withdrawal")
    assert [s.slug for s in tagged.items] == ["ketamine-withdrawal"]
    assert (await store.list_items("article", limit=10, locales=("fr",))).items == []
    spanish = await store.list_items("article", limit=10, locales=("es", "en"))
    assert {(s.locale, s.fallback_from) for s in spanish.items} == {("es", None)}
    assert spanish.items[0].title.startswith("¿La terapia con ketamina")


async def test_search_ranks_and_marks(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    hits = await store.search("withdrawal")
    assert hits[0].slug == "ketamine-withdrawal"  # in its title
    assert {h.slug for h in hits} >= {"ketamine-withdrawal", "is-ketamine-therapy-addictive"}
    assert "<mark>" in hits[0].snippet_html and "<mark>" not in hits[0].snippet
    only_faqs = await store.search("withdrawal", kind="faq")
    assert {h.type for h in only_faqs} == {"faq"}
    assert await store.search("zyxwvut") == []


async def test_search_escapes_query_syntax_and_snippets(store: Store, library: Path) -> None:
    await store.sync(load_library(library).items, author="library")
    assert await store.search('"NEAR( OR * ^') == []  # quoted: no FTS syntax error
    hits = await store.search("special")
    assert hits and all("<script" not in h.snippet_html for h in hits)
    with pytest.raises(InvalidInput):
        await store.search("!!!")
