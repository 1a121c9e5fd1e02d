"""Every read endpoint, with its 200, 304, 400 and 404 paths, through the real app."""

from typing import Any

import pytest
from litestar.testing import TestClient

Client = TestClient[Any]
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"


def assert_problem(response: Any, status: int, name: str | None = None) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if name is not None:
        assert [e["name"] for e in body["errors"]] == [name]
        assert name in body["detail"]
    return body


def test_article_has_typed_blocks_embeds_review_and_version(client: Client) -> None:
    response = client.get(ARTICLE)
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
    doc = response.json()
    assert doc["type"] == "article" and doc["version"] == 1
    assert doc["contentHash"].startswith("sha256:") and doc["author"] == "library"
    # Synced from a file: no sign-off, only the review its file asks for by a day.
    assert doc["review"] == {
        "reviewedBy": None,
        "credentials": None,
        "reviewedOn": None,
        "reviewedAt": None,
        "reviewedHash": None,
        "nextReviewOn": "2027-11-02",
        "status": "unreviewed",
    }
    types = {block["type"] for block in doc["body"]}
    assert types == {"paragraph", "heading", "callout", "list", "comparison", "faq", "cta"}
    # Each embed names the exact version it pinned when this version was published.
    assert {"type": "comparison", "slug": "medical-vs-recreational-ketamine", "version": 1} in doc["body"]
    assert {"type": "faq", "slug": "ketamine-addiction-faq", "items": [], "version": 1} in doc["body"]
    assert doc["embeds"] == [
        {"type": "comparison", "slug": "medical-vs-recreational-ketamine", "version": 1, "locale": "en"},
        {"type": "faq", "slug": "ketamine-addiction-faq", "version": 1, "locale": "en"},
    ]
    assert doc["included"] == []
    cta = next(b for b in doc["body"] if b["type"] == "cta")
    assert cta["url"] == "brand:appointment"
    assert cta["href"] == "https://clinic.example.org/appointments"
    bold = next(b for b in doc["body"] if b["type"] == "paragraph" and "**" in b["text"])
    assert "<strong>" in bold["html"] and "**" not in bold["html"]
    checks = next(b for b in doc["body"] if b["type"] == "list" and b["style"] == "check")
    assert all(item["html"] for item in checks["items"])


@pytest.mark.parametrize(
    "path",
    [
        ARTICLE,
        ARTICLE + "?version=1",
        ARTICLE + "/versions",
        ARTICLE + "/versions/1",
        ARTICLE + "/diff?from=1&to=1",
        "/v1/articles",
        "/v1/faqs?tag=faq",
        "/v1/comparisons",
        "/v1/faqs/ketamine-addiction-faq",
        "/v1/faqs/ketamine-addiction-faq/items/dissociation",
        "/v1/comparisons/medical-vs-recreational-ketamine",
        "/v1/search?q=ketamine",
        "/health",
    ],
)
def test_every_get_has_a_strong_etag_and_answers_304(client: Client, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_weak_and_listed_validators_match(client: Client) -> None:
    etag = client.get(ARTICLE).headers["etag"]
    assert client.get(ARTICLE, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get(ARTICLE, headers={"If-None-Match": "*"}).status_code == 304


def test_published_version_is_encoded_once(client: Client) -> None:
    reader = client.app.state.reader
    client.get(ARTICLE)
    encodes = reader.encodes
    for _ in range(5):
        assert client.get(ARTICLE).status_code == 200
        assert client.get(ARTICLE + "/versions/1").status_code == 200
    assert reader.encodes == encodes


def test_faq_and_comparison_documents(client: Client) -> None:
    faq = client.get("/v1/faqs/ketamine-addiction-faq").json()
    assert faq["type"] == "faq" and len(faq["items"]) >= 6
    assert all(item["id"] and item["question"] and item["answerHtml"] for item in faq["items"])
    entry = client.get("/v1/faqs/ketamine-addiction-faq/items/long-term-safety").json()
    assert entry["faq"] == "ketamine-addiction-faq" and entry["version"] == 1
    assert entry["item"]["id"] == "long-term-safety"
    table = client.get("/v1/comparisons/medical-vs-recreational-ketamine").json()
    assert table["subjects"] == ["Medical ketamine therapy", "Recreational ketamine use"]
    assert all(len(row["values"]) == 2 == len(row["valuesHtml"]) for row in table["rows"])
    # The table's own footnote is not confused with the version's change note.
    assert table["footnote"].startswith("Treatment has a far lower risk of addiction")
    assert table["footnoteHtml"] and table["note"] == "Synced from the library"


def test_lists_paginate_and_filter(client: Client) -> None:
    first = client.get("/v1/articles?limit=1").json()
    assert len(first["items"]) == 1 and first["nextCursor"]
    summary = first["items"][0]
    assert set(summary) == {
        "type",
        "slug",
        "locale",
        "title",
        "summary",
        "tags",
        "version",
        "publishedAt",
        "review",
        "fallbackFrom",
    }
    assert summary["review"]["status"] == "unreviewed"
    second = client.get(f"/v1/articles?limit=1&cursor={first['nextCursor']}").json()
    assert second["nextCursor"] is None
    assert {first["items"][0]["slug"], second["items"][0]["slug"]} == {
        "is-ketamine-therapy-addictive",
        "ketamine-withdrawal",
    }
    assert [i["slug"] for i in client.get("/v1/articles?tag=withdrawal").json()["items"]] == [
        "ketamine-withdrawal"
    ]
    # No German translations: each item is listed in English, saying it stands in for German.
    german = client.get("/v1/articles?locale=de")
    assert german.headers["content-language"] == "en"
    assert {(i["locale"], i["fallbackFrom"]) for i in german.json()["items"]} == {("en", "de")}


def test_search_endpoint(client: Client) -> None:
    body = client.get("/v1/search?q=withdrawal&type=article").json()
    assert body["query"] == "withdrawal"
    assert body["results"][0]["slug"] == "ketamine-withdrawal"
    assert all(r["type"] == "article" for r in body["results"])
    assert "<mark>" in body["results"][0]["snippetHtml"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/articles?limit=-1", "limit"),
        ("/v1/articles?limit=1000", "limit"),
        ("/v1/articles?limit=ten", "limit"),
        ("/v1/articles?cursor=not-a-cursor", "cursor"),
        ("/v1/articles?tag=Not%20A%20Tag", "tag"),
        (ARTICLE + "?version=abc", "version"),
        (ARTICLE + "?version=0", "version"),
        (ARTICLE + "/versions/0", "number"),
        (ARTICLE + "/diff?from=1", "to"),
        (ARTICLE + "/diff?from=x&to=1", "from"),
        ("/v1/articles/Bad_Slug", "slug"),
        ("/v1/search?q=", "q"),
        ("/v1/search?q=%21%21", "q"),
        ("/v1/search?q=x&type=video", "type"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client: Client, path: str, name: str) -> None:
    assert_problem(client.get(path), 400, name)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles/no-such-thing",
        ARTICLE + "?version=2",
        ARTICLE + "/versions/2",
        ARTICLE + "/diff?from=1&to=2",
        "/v1/articles/no-such-thing/versions",
        "/v1/faqs/ketamine-addiction-faq/items/no-such-question",
        "/v1/faqs/is-ketamine-therapy-addictive",
        "/v1/unknown-resource",
    ],
)
def test_unknown_things_are_404(client: Client, path: str) -> None:
    assert_problem(client.get(path), 404)


def test_wrong_method_is_a_problem_too(client: Client) -> None:
    assert_problem(client.patch(ARTICLE), 405)


def test_cors(client: Client) -> None:
    response = client.get(ARTICLE, headers={"Origin": "https://app.example.org"})
    assert response.headers["access-control-allow-origin"] == "https://app.example.org"
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    other = client.get(ARTICLE, headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in other.headers


def test_gzip_is_its_own_representation(client: Client) -> None:
    plain = client.get(ARTICLE, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = client.get(ARTICLE, headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding, Accept-Language"
    assert zipped.json() == plain.json()  # httpx decompressed it
    assert zipped.headers["etag"] != plain.headers["etag"]
    refused = client.get(ARTICLE, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    for etag in (plain.headers["etag"], zipped.headers["etag"]):
        again = client.get(ARTICLE, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
        assert again.status_code == 304
