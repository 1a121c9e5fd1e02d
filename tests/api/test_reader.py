"""The reader: freshness comes from Editorial's change signal, never from a handler."""

from typing import Any

import pytest
from litestar.testing import TestClient
from msgspec.structs import replace

from api.app import create_app
from api.reader import Reader
from api.settings import Settings
from content.changes import Change
from tests.api.test_editorial import FAQ, editable, reviewed, start_draft
from tests.conftest import bearer

ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"  # embeds the FAQ
# Every kind of stored answer: JSON, a version, email copy, the patient's page.
READS = (FAQ, FAQ + "/versions", FAQ + "/email", FAQ + "/email.txt", "/faqs/ketamine-addiction-faq", ARTICLE)


def test_writes_reach_every_stored_answer_at_once(settings: Settings, tokens: dict[str, str]) -> None:
    # Lookups reused for an hour: only the change signal can make the writes below visible.
    with TestClient(create_app(replace(settings, latest_ttl=3600))) as client:
        changes: list[Change] = []
        client.app.state.reader.listen(changes.append)
        before = {path: client.get(path) for path in READS}
        assert all(r.status_code == 200 for r in before.values())
        for path, response in before.items():  # kept: the same bytes without routing
            again = client.get(path)
            assert again.content == response.content and again.headers["etag"] == response.headers["etag"]

        draft, etag = start_draft(client, tokens)
        etag = client.put(
            FAQ + "/draft",
            json={**editable(draft), "title": "Ketamine and addiction, answered"},
            headers=bearer(tokens["editor"], **{"If-Match": etag}),
        ).headers["etag"]
        assert not changes  # drafts change nothing readers get
        etag = reviewed(client, tokens, FAQ, etag)
        # A sign-off on a draft changes nothing readers get either, but it is reported.
        assert [(c.kind, c.slug, c.action) for c in changes] == [
            ("faq", "ketamine-addiction-faq", "reviewed")
        ]
        changes.clear()
        published = client.post(FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag}))
        assert published.status_code == 200, published.text

        # The FAQ and the article that embeds it (it got a new version pinning the FAQ's).
        assert {(c.kind, c.slug, c.action) for c in changes} == {
            ("faq", "ketamine-addiction-faq", "published"),
            ("article", "is-ketamine-therapy-addictive", "published"),
        }
        assert client.get(FAQ).json()["version"] == 2
        assert client.get(ARTICLE).json()["version"] == 2
        for path in READS:
            assert client.get(path).headers["etag"] != before[path].headers["etag"], path
        assert "Ketamine and addiction, answered" in client.get("/faqs/ketamine-addiction-faq").text

        changes.clear()
        assert client.delete(ARTICLE, headers=bearer(tokens["publisher"])).status_code == 204
        assert client.delete(FAQ, headers=bearer(tokens["publisher"])).status_code == 204
        assert [c.action for c in changes] == ["archived", "archived"]
        for path in READS:
            assert client.get(path).status_code == 410, path


def test_the_reader_exposes_no_store(client: TestClient[Any]) -> None:
    reader = client.app.state.reader
    assert isinstance(reader, Reader)
    assert not any(hasattr(reader, name) for name in ("store", "engine", "forget"))
    assert not hasattr(client.app.state.services.exports, "documents")


def test_without_reused_lookups_a_document_is_the_same(settings: Settings, client: TestClient[Any]) -> None:
    """FOLIO_LATEST_TTL=0 (and `folio export`) look everything up per read: same answers."""
    with TestClient(create_app(replace(settings, latest_ttl=0))) as exact:
        for path in (ARTICLE, ARTICLE + "?locale=es", FAQ + "/versions/1"):
            assert exact.get(path).json() == client.get(path).json(), path


def test_a_full_lookup_map_keeps_what_every_read_needs(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many distinct reads fill the bounded lookup map; the oldest go, but never the archived
    set and the translations every read needs, so answers are still stored (no refetch per read)."""
    monkeypatch.setattr("api.reader.LOOKUP_ENTRIES", 3)
    with TestClient(create_app(replace(settings, latest_ttl=3600))) as client:
        store = client.app.state.reader._store
        asked: list[str] = []
        archived, translations = store.archived, store.translations

        async def count_archived() -> Any:
            asked.append("archived")
            return await archived()

        async def count_translations() -> Any:
            asked.append("translations")
            return await translations()

        monkeypatch.setattr(store, "archived", count_archived)
        monkeypatch.setattr(store, "translations", count_translations)
        paths = [f"{ARTICLE}{q}" for q in ("", "?version=1", "?locale=es", "?version=1&locale=es")]
        paths += [f"{FAQ}{q}" for q in ("", "?version=1", "?locale=es")]
        for path in paths:  # each a lookup of its own (kind, slug, version, locales)
            assert client.get(path).status_code == 200, path
        kept = client.app.state.reader._lookups
        assert len(kept) == 3 and ("archived",) in kept and ("translations",) in kept
        assert sorted(asked) == ["archived", "translations"]  # once each, for all seven reads
        assert client.get(paths[-1]).status_code == 200  # the latest answer was stored
        assert 'cache="responses",result="hit"' in client.get("/metrics").text
