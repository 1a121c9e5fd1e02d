"""The editorial workflow through the API: roles, drafts, the review gate, publishing, audit."""

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient, TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import ROLES, bearer

Client = TestClient[Any]
FAQ = "/v1/faqs/ketamine-addiction-faq"
NEW = {
    "slug": "preparing-for-your-first-session",
    "title": "Preparing for your first session",
    "summary": "What to expect on the day.",
    "tags": ["ketamine"],
    "body": [{"type": "paragraph", "text": "Zanzibarquux is the word only this draft contains."}],
}


def start_draft(client: Client, tokens: dict[str, str], path: str = FAQ) -> tuple[dict[str, Any], str]:
    response = client.post(path + "/draft", headers=bearer(tokens["editor"]))
    assert response.status_code == 201, response.text
    return response.json(), response.headers["etag"]


def editable(draft: dict[str, Any]) -> dict[str, Any]:
    """A read draft minus its server-managed fields: what PUT takes."""
    return {k: v for k, v in draft.items() if k not in ("draft", "review")}


def reviewed(client: Client, tokens: dict[str, str], path: str, etag: str) -> str:
    response = client.post(
        path + "/draft/review",
        json={"nextReviewOn": "2027-10-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": etag}),
    )
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def audit_actions(client: Client, tokens: dict[str, str]) -> list[tuple[str, int | None]]:
    entries = client.get("/v1/audit?limit=200", headers=bearer(tokens["admin"])).json()["entries"]
    return [(e["action"], e["version"]) for e in entries]


# --- roles ----------------------------------------------------------------------------------

ITEMS = {
    "articles": "/v1/articles/ketamine-withdrawal",
    "faqs": FAQ,
    "comparisons": "/v1/comparisons/medical-vs-recreational-ketamine",
}
WRITE_ROUTES = [
    route
    for plural, item in ITEMS.items()
    for route in (
        ("post", f"/v1/{plural}", "editor"),
        ("post", item + "/draft", "editor"),
        ("get", item + "/draft", "reader"),
        ("put", item + "/draft", "editor"),
        ("delete", item + "/draft", "editor"),
        ("post", item + "/draft/review", "reviewer"),
        ("post", item + "/publish", "publisher"),
        ("post", item + "/versions/1/restore", "publisher"),
        ("delete", item, "publisher"),
        ("post", item + "/unarchive", "admin"),
    )
] + [
    ("get", "/v1/audit", "admin"),
    ("get", "/v1/tokens", "admin"),
    ("post", "/v1/tokens", "admin"),
    ("delete", "/v1/tokens/nobody", "admin"),
    ("get", "/v1/webhooks", "admin"),
    ("post", "/v1/webhooks", "admin"),
    ("delete", "/v1/webhooks/999", "admin"),
    ("get", "/v1/webhooks/999/deliveries", "admin"),
]


@pytest.mark.parametrize(("method", "path", "needed"), WRITE_ROUTES)
def test_role_matrix(client: Client, tokens: dict[str, str], method: str, path: str, needed: str) -> None:
    call = getattr(client, method)
    kwargs: dict[str, Any] = {"json": {}} if method in ("post", "put") else {}
    anonymous = call(path, **kwargs)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert call(path, headers=bearer("folio_not-a-real-token"), **kwargs).status_code == 401
    for role in ROLES:
        status = call(path, headers=bearer(tokens[role]), **kwargs).status_code
        if ROLES.index(role) < ROLES.index(needed):
            assert status == 403, (role, status)
        else:
            assert status not in (401, 403), (role, status)


def test_revoked_token_stops_working(client: Client, tokens: dict[str, str]) -> None:
    assert client.get(FAQ + "/draft", headers=bearer(tokens["editor"])).status_code == 404
    assert client.delete("/v1/tokens/editor", headers=bearer(tokens["admin"])).status_code == 204
    assert client.get(FAQ + "/draft", headers=bearer(tokens["editor"])).status_code == 401


def test_tokens_are_shown_once_and_stored_hashed(
    client: Client, tokens: dict[str, str], settings: Settings
) -> None:
    created = client.post(
        "/v1/tokens",
        json={"name": "web", "displayName": "Web kiosk", "role": "reader"},
        headers=bearer(tokens["admin"]),
    )
    assert created.status_code == 201 and created.json()["token"].startswith("folio_")
    listed = client.get("/v1/tokens", headers=bearer(tokens["admin"])).json()["tokens"]
    assert "web" in [t["name"] for t in listed] and all("token" not in t for t in listed)
    import sqlalchemy as sa

    from content.db import create_engine

    async def stored() -> list[str]:
        engine = create_engine(settings.db_url)
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT token_hash FROM tokens"))).scalars().all()
        await engine.dispose()
        return list(rows)

    hashes = asyncio.run(stored())
    assert created.json()["token"] not in hashes and len(hashes) == 6


# --- drafts are private -------------------------------------------------------------------


def test_drafts_never_reach_anonymous_readers(client: Client, tokens: dict[str, str]) -> None:
    assert client.post("/v1/articles", json=NEW, headers=bearer(tokens["editor"])).status_code == 201
    draft, etag = start_draft(client, tokens)
    secret = {**editable(draft), "title": "Zanzibarquux questions"}
    assert (
        client.put(
            FAQ + "/draft", json=secret, headers=bearer(tokens["editor"], **{"If-Match": etag})
        ).status_code
        == 200
    )

    new = "/v1/articles/" + NEW["slug"]
    for path in (
        new,
        new + "?version=1",
        new + "/versions",
        new + "/versions/1",
        new + "/diff?from=1&to=1",
        new + "/email",
        new + "/email.txt",
        new + "/email.eml",
    ):
        assert client.get(path).status_code == 404, path
    assert NEW["slug"] not in client.get("/v1/articles").text
    assert client.get("/v1/search?q=zanzibarquux").json()["results"] == []
    for path in (FAQ, FAQ + "/versions/1", FAQ + "/email.txt", FAQ + "/items/dissociation", "/v1/faqs"):
        assert "Zanzibarquux" not in client.get(path).text, path
    assert [v["version"] for v in client.get(FAQ + "/versions").json()["versions"]] == [1]
    digest = {"subject": "s", "intro": "i", "items": [{"type": "article", "slug": NEW["slug"]}]}
    assert client.post("/v1/emails/digest", json=digest).status_code == 404

    assert client.get(new + "/draft").status_code == 401
    seen = client.get(new + "/draft", headers=bearer(tokens["reader"]))
    assert seen.status_code == 200 and seen.headers["cache-control"] == "private, no-store"
    assert seen.json()["draft"]["basedOnVersion"] == 0
    assert (
        client.get(
            new + "/draft", headers=bearer(tokens["reader"], **{"If-None-Match": seen.headers["etag"]})
        ).status_code
        == 304
    )


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_twenty_concurrent_puts_one_wins(settings: Settings, tokens: dict[str, str]) -> None:
    async with AsyncTestClient(create_app(settings)) as client:
        started = await client.post(FAQ + "/draft", headers=bearer(tokens["editor"]))
        etag, base = started.headers["etag"], editable(started.json())
        bodies = [{**base, "title": f"Edit number {n}"} for n in range(20)]
        responses = await asyncio.gather(
            *(
                client.put(FAQ + "/draft", json=b, headers=bearer(tokens["editor"], **{"If-Match": etag}))
                for b in bodies
            )
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [412] * 19
        winner = next(b for b, r in zip(bodies, responses, strict=True) if r.status_code == 200)
        stored = (await client.get(FAQ + "/draft", headers=bearer(tokens["reader"]))).json()
        assert editable(stored)["title"] == winner["title"]
        assert stored["items"] == winner["items"]


# --- the workflow ---------------------------------------------------------------------------


def test_review_gate(client: Client, tokens: dict[str, str]) -> None:
    draft, etag = start_draft(client, tokens)
    editor = bearer(tokens["editor"])
    publish = bearer(tokens["publisher"], **{"If-Match": etag})
    unreviewed = client.post(FAQ + "/publish", headers=publish)
    assert unreviewed.status_code == 409 and "not been reviewed" in unreviewed.json()["detail"]
    etag = reviewed(client, tokens, FAQ, etag)
    changed = client.put(
        FAQ + "/draft",
        json={**editable(draft), "title": "Changed after review"},
        headers={**editor, "If-Match": etag},
    )
    etag = changed.headers["etag"]
    assert changed.json()["draft"]["reviewCurrent"] is False
    stale_review = client.post(FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": etag}))
    assert stale_review.status_code == 409 and "changed after its review" in stale_review.json()["detail"]
    assert client.post(FAQ + "/publish", headers=bearer(tokens["publisher"])).status_code == 428
    assert (
        client.post(
            FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": '"old"'})
        ).status_code
        == 412
    )


def test_publish_restore_archive(client: Client, tokens: dict[str, str]) -> None:
    draft, etag = start_draft(client, tokens)
    etag = client.put(
        FAQ + "/draft",
        json={**editable(draft), "title": "Ketamine and addiction, answered"},
        headers=bearer(tokens["editor"], **{"If-Match": etag}),
    ).headers["etag"]
    etag = reviewed(client, tokens, FAQ, etag)
    published = client.post(
        FAQ + "/publish",
        json={"note": "Clearer title"},
        headers=bearer(tokens["publisher"], **{"If-Match": etag}),
    )
    assert published.status_code == 200
    doc = published.json()
    assert doc["version"] == 2 and doc["title"] == "Ketamine and addiction, answered"
    assert doc["note"] == "Clearer title" and doc["author"] == "editor"
    assert (
        doc["review"]["reviewedBy"] == "Dr Reviewer Rivera, MD"
        and doc["review"]["nextReviewOn"] == "2027-10-01"
    )
    assert client.get(FAQ).json()["version"] == 2
    assert client.get(FAQ + "/draft", headers=bearer(tokens["reader"])).status_code == 404

    restored = client.post(FAQ + "/versions/1/restore", headers=bearer(tokens["publisher"])).json()
    v1 = client.get(FAQ + "/versions/1").json()
    assert restored["version"] == 3 and restored["contentHash"] == v1["contentHash"]
    assert restored["title"] == v1["title"] and restored["note"] == "Restored version 1"
    assert [v["version"] for v in client.get(FAQ + "/versions").json()["versions"]] == [3, 2, 1]
    assert client.get(FAQ + "/versions/2").json()["title"] == "Ketamine and addiction, answered"

    refused = client.delete(FAQ, headers=bearer(tokens["publisher"]))
    assert (
        refused.status_code == 409 and "article 'is-ketamine-therapy-addictive'" in refused.json()["detail"]
    )
    article = "/v1/articles/is-ketamine-therapy-addictive"
    assert client.delete(article, headers=bearer(tokens["publisher"])).status_code == 204
    assert client.delete(FAQ, headers=bearer(tokens["publisher"])).status_code == 204
    for path in (FAQ, FAQ + "/versions", FAQ + "/versions/1", FAQ + "/email"):
        gone = client.get(path)
        assert gone.status_code == 410 and gone.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/faqs").json()["items"] == []
    assert client.get("/v1/search?q=dissociation&type=faq").json()["results"] == []
    assert client.post(FAQ + "/unarchive", headers=bearer(tokens["admin"])).json()["version"] == 3
    assert client.get(FAQ).status_code == 200

    actions = audit_actions(client, tokens)
    for entry in [
        ("start_draft", None),
        ("update_draft", None),
        ("review", None),
        ("publish", 2),
        ("restore", 3),
        ("archive", 3),
        ("unarchive", 3),
    ]:
        assert entry in actions
    full = client.get("/v1/audit?action=publish", headers=bearer(tokens["admin"])).json()["entries"]
    assert full[0]["actor"] == "publisher" and full[0]["hashBefore"] != full[0]["hashAfter"]


def test_audit_pages_and_filters(client: Client, tokens: dict[str, str]) -> None:
    start_draft(client, tokens)
    first = client.get("/v1/audit?limit=2", headers=bearer(tokens["admin"])).json()
    assert len(first["entries"]) == 2 and first["nextCursor"]
    rest = client.get(
        f"/v1/audit?limit=200&cursor={first['nextCursor']}", headers=bearer(tokens["admin"])
    ).json()
    assert first["entries"][-1]["id"] > rest["entries"][0]["id"]
    only = client.get("/v1/audit?action=start_draft", headers=bearer(tokens["admin"])).json()["entries"]
    assert [e["slug"] for e in only] == ["ketamine-addiction-faq"]
    assert client.get("/v1/audit?cursor=garbage", headers=bearer(tokens["admin"])).status_code == 400


def test_create_and_discard_an_unpublished_item(client: Client, tokens: dict[str, str]) -> None:
    created = client.post("/v1/articles", json=NEW, headers=bearer(tokens["editor"]))
    assert created.status_code == 201 and created.headers["location"].endswith("/draft")
    assert created.json()["body"][0]["html"].startswith("Zanzibarquux")  # preview rendering
    again = client.post("/v1/articles", json=NEW, headers=bearer(tokens["editor"]))
    assert again.status_code == 409
    assert (
        client.delete(f"/v1/articles/{NEW['slug']}/draft", headers=bearer(tokens["editor"])).status_code
        == 204
    )
    assert (
        client.get(f"/v1/articles/{NEW['slug']}/draft", headers=bearer(tokens["reader"])).status_code == 404
    )
    assert client.post("/v1/articles", json=NEW, headers=bearer(tokens["editor"])).status_code == 201


# --- bad input changes nothing --------------------------------------------------------------


def _state(client: Client, tokens: dict[str, str]) -> tuple[Any, ...]:
    draft = client.get(FAQ + "/draft", headers=bearer(tokens["reader"]))
    return draft.json(), draft.headers["etag"], len(audit_actions(client, tokens))


@pytest.mark.parametrize(
    ("body", "status", "name"),
    [
        (b'{"title": "unterminated', 400, None),
        ({"title": 5}, 400, "$.title"),
        ({"colour": "red"}, 400, None),
        ({"items": [{"id": "x", "question": "q", "answer": "a", "extra": 1}]}, 400, "$.items[0]"),
        ({"items": []}, 400, "$.items"),
        ({"slug": "another-slug"}, 400, "$.slug"),
        (
            {"review": {"reviewedBy": "me", "reviewedOn": "2026-01-01", "nextReviewOn": "2027-01-01"}},
            400,
            "$.review",
        ),
        ({"version": 7}, 400, None),
        ({"title": "   "}, 400, "$.title"),  # only spaces: as blank as an empty title
        ({"summary": " \r\n "}, 400, "$.summary"),
        ({"summary": "x" * 2_000_000}, 413, None),
    ],
)
def test_bad_bodies_change_nothing(
    client: Client, tokens: dict[str, str], body: Any, status: int, name: str | None
) -> None:
    draft, etag = start_draft(client, tokens)
    before = _state(client, tokens)
    headers = bearer(tokens["editor"], **{"If-Match": etag, "Content-Type": "application/json"})
    if isinstance(body, bytes):
        response = client.put(FAQ + "/draft", content=body, headers=headers)
    else:
        response = client.put(FAQ + "/draft", json={**editable(draft), **body}, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    if name is not None:
        assert name in [e["name"] for e in problem["errors"]], problem
    if body == {"colour": "red"}:
        assert "colour" in problem["detail"]
    assert _state(client, tokens) == before


def test_a_draft_is_kept_with_lf_line_breaks_and_its_plain_fields_trimmed(
    client: Client, tokens: dict[str, str]
) -> None:
    """As the desk's form keeps it, so that a draft sent here opens and saves there unchanged."""
    draft, etag = start_draft(client, tokens)
    first = draft["items"][0]
    sent = {
        **editable(draft),
        "title": "  Ketamine and addiction ",
        "summary": "Line one\r\nline two\rline three  ",
        "items": [
            {**first, "question": " Is it addictive? ", "answer": "\tIt can be.\r\n"},
            *draft["items"][1:],
        ],
    }
    headers = bearer(tokens["editor"], **{"If-Match": etag})
    response = client.put(FAQ + "/draft", json=sent, headers=headers)
    assert response.status_code == 200, response.text
    kept = client.get(FAQ + "/draft", headers=bearer(tokens["editor"])).json()
    assert kept["title"] == "Ketamine and addiction"
    assert kept["summary"] == "Line one\nline two\nline three"
    assert (kept["items"][0]["question"], kept["items"][0]["answer"]) == ("Is it addictive?", "It can be.")
