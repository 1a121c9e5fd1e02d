"""Published reads answered from stored headers: the route's exact bytes, never stale, never private."""

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.metrics import Metrics
from api.response_store import ResponseStore, store_until
from api.settings import Settings
from content.db import create_engine
from content.library import load_library
from content.store import Store
from tests.api.test_pinned import NEW_ANSWER, publish_new_answer
from tests.conftest import bearer

Client = TestClient[Any]
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
FAQ = "/v1/faqs/ketamine-addiction-faq"
READS = [
    ARTICLE,
    ARTICLE + "?version=1",
    ARTICLE + "?include=embeds",
    ARTICLE + "/versions/1",
    FAQ + "/items/dissociation",
    ARTICLE + "/handout.pdf?paper=letter",
]
# Per request, not per answer: the id and the server's clock.
PER_REQUEST = {"x-request-id", "date"}


def lookups(client: Client, result: str) -> float:
    """How often this app answered from its response store (hit) or kept an answer (miss)."""
    text = client.get("/metrics").text
    found = re.search(rf'folio_cache_lookups_total{{cache="responses",result="{result}"}} (\S+)', text)
    return float(found.group(1)) if found else 0.0


def same(first: Any, second: Any) -> None:
    assert second.status_code == first.status_code
    assert second.content == first.content
    ours = [(k, v) for k, v in first.headers.multi_items() if k not in PER_REQUEST]
    theirs = [(k, v) for k, v in second.headers.multi_items() if k not in PER_REQUEST]
    assert theirs == ours
    assert second.headers["x-request-id"] != first.headers["x-request-id"]


@pytest.fixture
def patient(settings: Settings) -> Iterator[Client]:
    """An app that reuses its latest lookups for ten minutes: only a write can explain a change."""
    with TestClient(create_app(msgspec.structs.replace(settings, latest_ttl=600))) as client:
        yield client


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_get_head_and_304_from_the_store_are_the_routes_bytes(
    patient: Client, path: str, encoding: str
) -> None:
    headers = {"Accept-Encoding": encoding, "Origin": "https://app.example.org"}
    head_from_route = patient.head(path, headers=headers)  # HEAD never fills the store
    get_from_route = patient.get(path, headers=headers)
    assert get_from_route.status_code == 200 and lookups(patient, "hit") == 0
    etag = get_from_route.headers["etag"]
    not_modified_from_route = patient.get(path, headers=headers | {"If-None-Match": etag})

    get_stored = patient.get(path, headers=headers)
    head_stored = patient.head(path, headers=headers)
    not_modified_stored = patient.get(path, headers=headers | {"If-None-Match": etag})
    assert lookups(patient, "hit") == 3

    same(get_from_route, get_stored)
    same(head_from_route, head_stored)
    same(not_modified_from_route, not_modified_stored)
    assert head_stored.content == b"" and not_modified_stored.status_code == 304
    assert get_stored.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "Origin" in get_stored.headers["vary"]  # CORS applies to stored answers too


def test_each_negotiated_encoding_is_kept_apart(patient: Client) -> None:
    plain = patient.get(ARTICLE, headers={"Accept-Encoding": "identity"})
    zipped = patient.get(ARTICLE, headers={"Accept-Encoding": "gzip"})
    again = patient.get(ARTICLE, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and "content-encoding" not in again.headers
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["etag"] != plain.headers["etag"]
    assert again.json() == plain.json() == zipped.json()
    assert lookups(patient, "hit") == 1


def test_a_304_to_the_other_representations_etag_is_the_routes(patient: Client) -> None:
    zipped_etag = patient.get(ARTICLE, headers={"Accept-Encoding": "gzip"}).headers["etag"]
    plain = {"Accept-Encoding": "identity", "If-None-Match": zipped_etag}
    patient.get(ARTICLE, headers={"Accept-Encoding": "identity"})
    from_route = patient.get(ARTICLE, headers=plain)
    stored = patient.get(ARTICLE, headers=plain)
    assert from_route.status_code == 304 and from_route.headers["etag"] != zipped_etag
    same(from_route, stored)
    assert lookups(patient, "hit") == 1


def test_a_refresh_answers_the_request_that_asked_for_it(patient: Client) -> None:
    etag = patient.get(ARTICLE, headers={"Accept-Encoding": "identity"}).headers["etag"]
    # Nothing is kept for "gzip" yet: the store asks the route for that plain GET first, then
    # this request gets its own answer, conditional and all.
    again = patient.get(ARTICLE, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.headers["etag"] != etag
    head = patient.head(ARTICLE, headers={"Accept-Encoding": "br"})
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 8000
    assert lookups(patient, "miss") == 3 and lookups(patient, "hit") == 1


def test_a_publish_here_is_served_at_once(patient: Client, tokens: dict[str, str]) -> None:
    old = patient.get(FAQ)
    patient.get(FAQ)
    assert old.json()["version"] == 1 and lookups(patient, "hit") == 1
    handout = FAQ + "/handout.pdf"
    assert patient.get(handout).headers["content-disposition"].endswith('-v1.pdf"')
    patient.get(handout)
    assert lookups(patient, "hit") == 2
    publish_new_answer(patient, tokens)

    new = patient.get(FAQ)
    assert new.json()["version"] == 2 and new.headers["etag"] != old.headers["etag"]
    assert new.json()["items"][0]["answer"] == NEW_ANSWER
    assert patient.get(handout).headers["content-disposition"].endswith('-v2.pdf"')
    revalidated = patient.get(FAQ, headers={"If-None-Match": old.headers["etag"]})
    assert revalidated.status_code == 200 and revalidated.json()["version"] == 2
    # The article that embeds the FAQ got a new version too, pinning the new FAQ.
    assert patient.get(ARTICLE).json()["version"] == 2

    patient.get(ARTICLE + "/versions/1")
    assert patient.delete(ARTICLE, headers=bearer(tokens["publisher"])).status_code == 204
    assert patient.get(ARTICLE).status_code == patient.get(ARTICLE + "/versions/1").status_code == 410


def test_a_publish_by_another_replica_is_served_within_latest_ttl(settings: Settings, library: Path) -> None:
    with TestClient(create_app(msgspec.structs.replace(settings, latest_ttl=0.2))) as client:
        article = "/v1/articles/ketamine-withdrawal"
        assert client.get(article).json()["version"] == 1
        path = library / "articles" / "ketamine-withdrawal.md"
        path.write_text(path.read_text().replace("stigma", "reputation"))

        async def sync() -> None:  # another process publishes version 2
            engine = create_engine(settings.db_url)
            await Store(engine).sync(load_library(library).items, author="library")
            await engine.dispose()

        asyncio.run(sync())
        for _ in range(600):  # up to 30 s: a generous bound on a busy machine, not a timing
            if client.get(article).json()["version"] == 2:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the store kept answering version 1")


def test_nothing_is_kept_when_every_read_looks_up_the_latest(settings: Settings) -> None:
    with TestClient(create_app(msgspec.structs.replace(settings, latest_ttl=0))) as client:
        assert client.get(ARTICLE).status_code == client.get(ARTICLE).status_code == 200
        assert lookups(client, "hit") == lookups(client, "miss") == 0


@pytest.mark.parametrize(
    "private", [{"Authorization": "Bearer whatever"}, {"Cookie": "folio_session=x"}], ids=["token", "cookie"]
)
def test_requests_with_credentials_never_use_the_store(patient: Client, private: dict[str, str]) -> None:
    assert patient.get(ARTICLE, headers=private).status_code in (200, 401)
    assert lookups(patient, "miss") == 0  # not kept
    patient.get(ARTICLE)
    patient.get(ARTICLE, headers=private)
    assert lookups(patient, "miss") == 1 and lookups(patient, "hit") == 0  # not answered from it


def test_drafts_errors_and_lists_are_never_kept(patient: Client, tokens: dict[str, str]) -> None:
    patient.post(FAQ + "/draft", headers=bearer(tokens["editor"]))
    for path in ("/v1/articles/no-such-article", ARTICLE + "?version=abc", "/v1/articles", FAQ + "/versions"):
        patient.get(path)
        patient.get(path)
    patient.get(FAQ + "/draft", headers=bearer(tokens["reader"]))
    assert lookups(patient, "miss") == lookups(patient, "hit") == 0


# --- the layer on its own: what it keeps, keyed on what the answer varies on ----------------


def negotiating_app(answers: list[dict[str, Any]]) -> Any:
    """A read route answering in the request's Accept-Language, as a stand-in for any route."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        asked = dict(scope["headers"])
        language = asked.get(b"accept-language", b"en")
        etag = b'"' + language + b'"'
        answer = answers[0]
        store_until(scope, answer.get("until", float("inf")) if answer.get("keep", True) else 0.0)
        headers = [
            (b"content-type", b"application/json"),
            (b"etag", etag),
            (b"cache-control", answer.get("cache_control", b"public, max-age=60")),
            (b"vary", answer.get("vary", b"Accept-Encoding, Accept-Language")),
            *answer.get("extra", []),
        ]
        answer["calls"] = answer.get("calls", 0) + 1
        if asked.get(b"if-none-match") == etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers[1:]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"in":"' + language + b'"}'})

    return app


async def call(app: Any, *headers: tuple[bytes, bytes], method: str = "GET") -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": "/v1/articles/x",
        "query_string": b"",
        "headers": headers,
    }
    await app(scope, receive, send)
    return sent[0]["status"], sent[1]["body"]


@pytest.mark.anyio
async def test_answers_are_keyed_on_every_header_they_vary_on() -> None:
    answers: list[dict[str, Any]] = [{}]
    store = ResponseStore(negotiating_app(answers), Metrics(), max_entries=8, max_bytes=1 << 20)
    spanish = (b"accept-language", b"es")
    assert await call(store, spanish) == (200, b'{"in":"es"}')
    assert await call(store, (b"accept-language", b"de")) == (200, b'{"in":"de"}')
    assert await call(store, spanish) == (200, b'{"in":"es"}')
    assert await call(store, (b"accept-language", b"de"), (b"accept-encoding", b"gzip")) == (
        200,
        b'{"in":"de"}',
    )
    assert await call(store) == (200, b'{"in":"en"}')
    assert answers[0]["calls"] == 4  # es and de kept; de with gzip and none at all are new keys
    conditional = (b"if-none-match", b'"es"')
    assert await call(store, spanish, conditional) == (304, b"")  # the route's 304, kept
    assert await call(store, spanish, conditional) == (304, b"")
    assert await call(store, spanish, conditional, method="HEAD") == (304, b"")
    assert await call(store, spanish, method="HEAD") == (200, b"")
    assert answers[0]["calls"] == 5
    store.clear()
    await call(store, spanish)
    assert answers[0]["calls"] == 6


@pytest.mark.parametrize(
    "answer",
    [
        {"vary": b"*"},
        {"cache_control": b"private, no-store"},
        {"extra": [(b"set-cookie", b"a=b")]},
        {"keep": False},
    ],
    ids=["vary-star", "private", "set-cookie", "not-storable"],
)
@pytest.mark.anyio
async def test_answers_that_must_not_be_shared_are_never_kept(answer: dict[str, Any]) -> None:
    answers = [answer]
    store = ResponseStore(negotiating_app(answers), Metrics(), max_entries=8, max_bytes=1 << 20)
    await call(store)
    await call(store)
    assert answer["calls"] == 2


@pytest.mark.anyio
async def test_the_store_is_bounded() -> None:
    answers: list[dict[str, Any]] = [{}]
    store = ResponseStore(negotiating_app(answers), Metrics(), max_entries=2, max_bytes=1 << 20)
    for language in (b"en", b"es", b"de", b"en"):
        await call(store, (b"accept-language", language))
    assert answers[0]["calls"] == 4  # en was the least recently used when de came in
    by_size = ResponseStore(negotiating_app(answers), Metrics(), max_entries=8, max_bytes=25)
    for language in (b"en", b"es", b"en", b"de", b"es"):
        await call(by_size, (b"accept-language", language))  # 11 bytes each: two fit
    assert answers[0]["calls"] == 4 + 4  # en answered from the store once; es was evicted by de


@pytest.mark.anyio
async def test_head_and_conditional_gets_refresh_an_expired_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("api.response_store.monotonic", lambda: clock[0])
    answers: list[dict[str, Any]] = [{"until": 110.0}]
    store = ResponseStore(negotiating_app(answers), Metrics(), max_entries=8, max_bytes=1 << 20)
    await call(store)  # kept until 110
    conditional = (b"if-none-match", b'"en"')
    assert await call(store, conditional) == (304, b"")  # the route's 304, kept beside it
    clock[0] = 111.0
    answers[0]["until"] = 120.0
    # Expired: the route is asked for the plain GET once, then both are answered from the store.
    assert await call(store, method="HEAD") == (200, b"")
    assert answers[0]["calls"] == 3
    assert await call(store, conditional) == (304, b"")  # the new entry's 304 comes from the route
    assert await call(store, conditional) == (304, b"")
    assert await call(store) == (200, b'{"in":"en"}')
    assert answers[0]["calls"] == 4

    clock[0] = 121.0
    answers[0]["keep"] = False  # no longer storable (archived, say): the place is forgotten
    await call(store, method="HEAD")
    await call(store, method="HEAD")
    assert answers[0]["calls"] == 4 + 2 + 1  # one refresh that kept nothing, then plain HEADs


def test_each_negotiated_locale_is_kept_apart(patient: Client) -> None:
    """The real routes: an English answer stored first is never what a Spanish reader gets."""
    path = "/v1/articles/ketamine-withdrawal"
    asks: list[dict[str, str]] = [{}, {"Accept-Language": "es-MX,es;q=0.9"}, {"Accept-Language": "en-GB"}]
    first = [patient.get(path, headers=headers) for headers in asks]
    again = [patient.get(path, headers=headers) for headers in asks]
    by_query = [patient.get(path + "?locale=es") for _ in range(2)]
    assert lookups(patient, "hit") == 4
    for before, after in zip(first, again, strict=True):
        same(before, after)
    same(*by_query)
    languages = [r.headers["content-language"] for r in [*again, by_query[1]]]
    assert languages == ["en", "es", "en", "es"]
    assert again[1].json()["title"].startswith("Abstinencia de ketamina")
    assert again[0].json()["title"] != again[1].json()["title"]
    assert "Accept-Language" in again[1].headers["vary"]
