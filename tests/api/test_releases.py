"""Releases through the API: roles, review state and diffs, previews in every channel, the
refusal as a problem, atomic publish pinning the release's versions, concurrent publishes."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pypdf
import pytest
from litestar.testing import AsyncTestClient, TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import bearer

Client = TestClient[Any]
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
FAQ = "/v1/faqs/ketamine-addiction-faq"
COMPARISON = "/v1/comparisons/medical-vs-recreational-ketamine"
NEW_ANSWER = "Released new wording: prescribed doses do not make the body dependent."
NEW_SUMMARY = "A summary only this release contains."


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(body: bytes) -> str:
    return flat(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages))


def edited(client: Client, tokens: dict[str, str], path: str, change: Any) -> str:
    """Start a draft of ``path``, apply ``change`` to its body; the new ETag."""
    started = client.post(path + "/draft", headers=bearer(tokens["editor"]))
    assert started.status_code == 201, started.text
    body = {k: v for k, v in started.json().items() if k not in ("draft", "review")}
    change(body)
    saved = client.put(
        path + "/draft", json=body, headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]})
    )
    assert saved.status_code == 200, saved.text
    return str(saved.headers["etag"])


def reviewed(client: Client, tokens: dict[str, str], path: str, etag: str) -> None:
    response = client.post(
        path + "/draft/review",
        json={"nextReviewOn": "2027-10-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": etag}),
    )
    assert response.status_code == 200, response.text


def new_answer(body: dict[str, Any]) -> None:
    body["items"][0]["answer"] = NEW_ANSWER


def new_summary(body: dict[str, Any]) -> None:
    body["summary"] = NEW_SUMMARY


def release_of_both(client: Client, tokens: dict[str, str], *, review: bool = True) -> tuple[int, str]:
    """A release of a changed FAQ and the changed article embedding it; its id and the old answer."""
    old = client.get(FAQ).json()["items"][0]["answer"]
    faq, article = edited(client, tokens, FAQ, new_answer), edited(client, tokens, ARTICLE, new_summary)
    if review:
        reviewed(client, tokens, FAQ, faq)
        reviewed(client, tokens, ARTICLE, article)
    created = client.post("/v1/releases", json={"name": "Addiction update"}, headers=bearer(tokens["editor"]))
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/v1/releases/{created.json()['id']}"
    release = created.json()["id"]
    for kind, slug in (("article", "is-ketamine-therapy-addictive"), ("faq", "ketamine-addiction-faq")):
        added = client.post(
            f"/v1/releases/{release}/entries",
            json={"type": kind, "slug": slug},
            headers=bearer(tokens["editor"]),
        )
        assert added.status_code == 200, added.text
    return release, str(old)


def test_a_release_shows_review_state_and_diffs_and_publishes_both(
    client: Client, tokens: dict[str, str]
) -> None:
    release, _old = release_of_both(client, tokens)
    shown = client.get(f"/v1/releases/{release}", headers=bearer(tokens["reader"]))
    assert shown.status_code == 200 and "no-store" in shown.headers["cache-control"]
    body = shown.json()
    assert body["publishable"] is True
    entries = {e["slug"]: e for e in body["entries"]}
    assert {e["review"] for e in entries.values()} == {"reviewed"}
    faq_diff = entries["ketamine-addiction-faq"]["diff"]
    assert [(c["op"], c["after"]["answer"]) for c in faq_diff["changes"]] == [("changed", NEW_ANSWER)]
    article_diff = entries["is-ketamine-therapy-addictive"]["diff"]
    assert [(f["field"], f["after"]) for f in article_diff["fields"]] == [("summary", NEW_SUMMARY)]
    listed = client.get("/v1/releases", headers=bearer(tokens["reader"])).json()["releases"]
    assert [(r["name"], r["entries"]) for r in listed] == [("Addiction update", 2)]

    done = client.post(f"/v1/releases/{release}/publish", headers=bearer(tokens["publisher"]))
    assert done.status_code == 200, done.text
    assert {(e["slug"], e["version"]) for e in done.json()["entries"]} == {
        ("is-ketamine-therapy-addictive", 2),
        ("ketamine-addiction-faq", 2),
    }
    article = client.get(ARTICLE + "?include=embeds").json()
    assert article["version"] == 2 and article["summary"] == NEW_SUMMARY
    assert {"type": "faq", "slug": "ketamine-addiction-faq", "version": 2, "locale": "en"} in article[
        "embeds"
    ]
    assert [v["version"] for v in client.get(ARTICLE + "/versions").json()["versions"]] == [2, 1]
    again = client.post(f"/v1/releases/{release}/publish", headers=bearer(tokens["publisher"]))
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    assert "published already" in again.json()["detail"]
    gone = client.delete(f"/v1/releases/{release}", headers=bearer(tokens["editor"]))
    assert gone.status_code == 409


def test_previews_show_the_release_drafts_in_every_channel(client: Client, tokens: dict[str, str]) -> None:
    release, old = release_of_both(client, tokens)
    base = f"/v1/releases/{release}/preview/article/is-ketamine-therapy-addictive"
    page = client.get(base + "/page", headers=bearer(tokens["reader"]))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    handout = client.get(base + "/handout.pdf", headers=bearer(tokens["reader"]))
    assert handout.status_code == 200 and handout.content.startswith(b"%PDF")
    email = client.get(base + "/email", headers=bearer(tokens["reader"]))
    assert email.status_code == 200, email.text
    texts = {
        "page": flat(page.text),
        "handout": pdf_text(handout.content),
        "email": flat(email.json()["text"]),
    }
    for channel, text in texts.items():
        # The article's own draft, and the FAQ as the release will publish it, not as published.
        assert flat(NEW_ANSWER) in text, channel
        assert flat(old) not in text, channel
    assert NEW_SUMMARY in texts["page"] and NEW_SUMMARY in texts["email"]
    # The handout names the versions the release will create.
    assert "Version 2" in texts["handout"] and "common questions”, version 2" in texts["handout"]
    # Nothing was published by previewing.
    assert client.get(ARTICLE).json()["version"] == 1
    outside = client.get(
        f"/v1/releases/{release}/preview/comparison/medical-vs-recreational-ketamine/page",
        headers=bearer(tokens["reader"]),
    )
    assert outside.status_code == 404 and outside.headers["content-type"] == "application/problem+json"
    assert client.get(base + "/page").status_code == 401


def test_an_unreviewed_draft_refuses_the_whole_release(client: Client, tokens: dict[str, str]) -> None:
    release, _old = release_of_both(client, tokens, review=False)
    states = {
        e["review"]
        for e in client.get(f"/v1/releases/{release}", headers=bearer(tokens["reader"])).json()["entries"]
    }
    assert states == {"not reviewed"}
    refused = client.post(f"/v1/releases/{release}/publish", headers=bearer(tokens["publisher"]))
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert "article 'is-ketamine-therapy-addictive' has not been reviewed" in detail
    assert "faq 'ketamine-addiction-faq' has not been reviewed" in detail
    assert client.get(FAQ).json()["version"] == 1 and client.get(ARTICLE).json()["version"] == 1


def test_roles(client: Client, tokens: dict[str, str]) -> None:
    release, _old = release_of_both(client, tokens)
    assert client.get("/v1/releases").status_code == 401
    assert (
        client.post("/v1/releases", json={"name": "x"}, headers=bearer(tokens["reader"])).status_code == 403
    )
    entry = {"type": "comparison", "slug": "medical-vs-recreational-ketamine"}
    assert (
        client.post(
            f"/v1/releases/{release}/entries", json=entry, headers=bearer(tokens["reader"])
        ).status_code
        == 403
    )
    assert client.post(f"/v1/releases/{release}/publish", headers=bearer(tokens["editor"])).status_code == 403
    assert (
        client.post(f"/v1/releases/{release}/publish", headers=bearer(tokens["reviewer"])).status_code == 403
    )
    assert client.delete(f"/v1/releases/{release}", headers=bearer(tokens["reader"])).status_code == 403
    assert client.get(FAQ).json()["version"] == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "/v1/releases", {"name": ""}, 400),
        ("post", "/v1/releases", {"name": "x", "extra": 1}, 400),
        ("post", "/v1/releases", [], 400),
        ("get", "/v1/releases/999", None, 404),
        ("get", "/v1/releases/0", None, 400),
        ("post", "/v1/releases/{id}/entries", {"type": "poem", "slug": "x"}, 400),
        ("post", "/v1/releases/{id}/entries", {"type": "faq", "slug": "Not A Slug"}, 400),
        ("post", "/v1/releases/{id}/entries", {"type": "faq", "slug": "no-such-faq"}, 404),
        ("post", "/v1/releases/{id}/entries", {"type": "faq", "slug": "ketamine-addiction-faq"}, 409),
        ("delete", "/v1/releases/{id}/entries/faq/no-such-faq", None, 404),
        ("patch", "/v1/releases/{id}", {"name": "a\nb"}, 400),
        ("post", "/v1/releases/999/publish", None, 404),
    ],
)
def test_bad_input_is_a_problem(
    client: Client, tokens: dict[str, str], method: str, path: str, body: Any, status: int
) -> None:
    release, _old = release_of_both(client, tokens)
    kwargs: dict[str, Any] = {"headers": bearer(tokens["admin"])}
    if body is not None:
        kwargs["json"] = body
    response = getattr(client, method)(path.format(id=release), **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_removing_and_deleting(client: Client, tokens: dict[str, str]) -> None:
    release, _old = release_of_both(client, tokens)
    removed = client.delete(
        f"/v1/releases/{release}/entries/faq/ketamine-addiction-faq", headers=bearer(tokens["editor"])
    )
    assert removed.status_code == 200 and [e["slug"] for e in removed.json()["entries"]] == [
        "is-ketamine-therapy-addictive"
    ]
    assert client.delete(f"/v1/releases/{release}", headers=bearer(tokens["editor"])).status_code == 204
    assert client.get(f"/v1/releases/{release}", headers=bearer(tokens["reader"])).status_code == 404
    # The drafts stay.
    assert (
        client.get(FAQ + "/draft", headers=bearer(tokens["reader"])).json()["items"][0]["answer"]
        == NEW_ANSWER
    )


@pytest.mark.anyio
async def test_two_concurrent_publishes_one_wins(settings: Settings, tokens: dict[str, str]) -> None:
    with TestClient(create_app(settings)) as client:
        release, _old = release_of_both(client, tokens)
    async with AsyncTestClient(create_app(settings)) as client:
        responses = await asyncio.gather(
            *(
                client.post(f"/v1/releases/{release}/publish", headers=bearer(tokens["publisher"]))
                for _ in range(2)
            )
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        loser = next(r for r in responses if r.status_code == 409)
        assert "published already" in loser.json()["detail"]
        assert (await client.get(ARTICLE)).json()["version"] == 2
