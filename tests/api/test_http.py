"""HTTP as clients and CDNs expect it: HEAD, Allow, Vary, Link, Content-Language, problem types."""

import datetime as dt
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import TestClient
from msgspec.structs import replace

from api.cli import OPENAPI_PATH
from api.settings import Settings
from content.media import prepare
from tests.conftest import bearer
from tests.content.test_media import image_bytes

Client = TestClient[Any]
SPEC = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
# Real values for every path parameter in the spec, so each GET route answers 200.
PATH_VALUES = {
    "{slug}": None,  # per kind, below
    "{number}": "1",
    "{item_id}": "physical-dependence",
    "{hook_id}": "1",
    "{name}": "admin",
    "{id}": "handout-1",  # a FHIR DocumentReference or Binary: version row 1 as a handout
    "{release_id}": "1",  # the release admin_client makes, holding the FAQ's draft
    "{kind}": "faq",
    "{schedule_id}": "1",  # the archive admin_client schedules
}
SLUGS = {
    "articles": "is-ketamine-therapy-addictive",
    "faqs": "ketamine-addiction-faq",
    "comparisons": "medical-vs-recreational-ketamine",
}
QUERIES = {
    "/v1/search": "?q=ketamine",
    "/v1/articles/{slug}/diff": "?from=1&to=1",
    "/fhir/Communication": "?about=DocumentReference/handout-1",
    "/infobutton": "?mainSearchCriteria.v.c=6130&mainSearchCriteria.v.cs=2.16.840.1.113883.6.88",
}


TEMPLATES: dict[str, str] = {}  # each route below: its path template in the spec


def _get_routes() -> list[str]:
    routes = []
    for template, item in SPEC["paths"].items():
        # A Communication's id is random: tests/api/test_fhir.py reads one it recorded.
        if "get" not in item or "draft" in template or template == "/fhir/Communication/{id}":
            continue
        path = template
        for plural, slug in SLUGS.items():
            if template.startswith((f"/v1/{plural}/", f"/{plural}/")):
                path = path.replace("{slug}", slug)
        if template.startswith("/v1/releases/"):
            path = path.replace("{slug}", SLUGS["faqs"])
        for name, value in PATH_VALUES.items():
            if value is not None:
                path = path.replace(name, value)
        query = next((q for t, q in QUERIES.items() if template.replace("faqs", "articles") == t), "")
        if template.endswith("/diff"):
            query = "?from=1&to=1"
        routes.append(path + query)
        TEMPLATES[path + query] = template
    return routes


# An image admin_client uploads, so /media/{hash}/{file} and /v1/media/{hash} answer 200: the
# encoding is deterministic, so its hash is known before the upload.
IMAGE = image_bytes(size=(400, 300))
PATH_VALUES["{hash}"] = hashlib.sha256(prepare(IMAGE, 2**24, 10**7)[0]).hexdigest()
PATH_VALUES["{file}"] = "320.webp"
GET_ROUTES = _get_routes()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The chart's routes (/fhir, /infobutton) answer whatever the library's review status."""
    return replace(settings, ehr_offer_unreviewed=True)


@pytest.fixture
def admin_client(client: Client, tokens: dict[str, str]) -> Client:
    client.headers.update(bearer(tokens["admin"]))
    hook = client.post("/v1/webhooks", json={"url": "https://hooks.example/folio"})
    assert hook.status_code == 201, hook.text
    image = client.post("/v1/media", files={"file": ("a.png", IMAGE, "image/png")})
    assert image.status_code == 201, image.text
    assert client.post(f"/v1/faqs/{SLUGS['faqs']}/draft").status_code == 201
    release = client.post("/v1/releases", json={"name": "Spring update"})
    assert release.status_code == 201, release.text
    entry = {"type": "faq", "slug": SLUGS["faqs"]}
    assert client.post(f"/v1/releases/{release.json()['id']}/entries", json=entry).status_code == 200
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat(timespec="seconds")
    archive = {"action": "archive", "type": "article", "slug": "ketamine-withdrawal", "at": at}
    assert client.post("/v1/schedules", json=archive).status_code == 201
    return client


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_head_answers_every_get_route_like_get(admin_client: Client) -> None:
    assert len(GET_ROUTES) >= 30
    for path in GET_ROUTES:
        if path.startswith("/metrics"):
            continue  # counters move between the two requests
        get = admin_client.get(path)
        head = admin_client.head(path)
        assert get.status_code == 200, (path, get.text)
        assert head.status_code == 200, path
        assert head.content == b"", path
        for name in (
            "content-type",
            "etag",
            "cache-control",
            "content-length",
            "vary",
            "link",
            "surrogate-key",
        ):
            assert head.headers.get(name) == get.headers.get(name), (path, name)
        # The spec says which answers carry cache tags, and it is true both ways.
        declared = SPEC["paths"][TEMPLATES[path]]["get"]["responses"]["200"].get("headers", {})
        assert ("Surrogate-Key" in declared) == ("surrogate-key" in get.headers), path
        assert ("Cache-Tag" in declared) == ("cache-tag" in get.headers), path


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("path", "allow"),
    [
        (ARTICLE, "GET, HEAD, DELETE, OPTIONS"),
        (ARTICLE + "/draft", "GET, HEAD, POST, PUT, DELETE, OPTIONS"),
        ("/v1/articles", "GET, HEAD, POST, OPTIONS"),
        ("/health", "GET, HEAD, OPTIONS"),
        ("/v1/handouts", "POST, OPTIONS"),
    ],
)
def test_allow_names_every_method_of_the_path(client: Client, path: str, allow: str) -> None:
    options = client.options(path)
    assert options.status_code == 204 and options.headers["allow"] == allow
    wrong = client.patch(path)
    assert wrong.status_code == 405 and wrong.headers["allow"] == allow
    assert wrong.json()["type"] == "about:blank" and wrong.json()["status"] == 405


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    "path", [ARTICLE, "/v1/articles", "/v1/faqs/ketamine-addiction-faq/versions", "/health"]
)
@pytest.mark.parametrize("origin", [None, "https://app.example.org"])
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_vary_names_accept_encoding_and_origin(
    client: Client, path: str, origin: str | None, encoding: str
) -> None:
    headers = {"Accept-Encoding": encoding} | ({"Origin": origin} if origin else {})
    response = client.get(path, headers=headers)
    vary = [v.strip() for v in response.headers["vary"].split(",")]
    assert "Accept-Encoding" in vary
    assert ("Origin" in vary) == bool(origin)
    revalidated = client.get(path, headers=headers | {"If-None-Match": response.headers["etag"]})
    assert revalidated.status_code == 304 and "Accept-Encoding" in revalidated.headers["vary"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pages_link_to_the_next_one(client: Client, tokens: dict[str, str]) -> None:
    first = client.get("/v1/articles?limit=1&locale=en")
    body = first.json()
    assert body["nextCursor"]
    link = first.headers["link"]
    target, rel = link.split(";")
    assert rel.strip() == 'rel="next"' and target.startswith("</v1/articles?") and target.endswith(">")
    assert parse_qs(urlsplit(target[1:-1]).query) == {
        "limit": ["1"],
        "locale": ["en"],
        "cursor": [body["nextCursor"]],
    }
    second = client.get(link[1 : link.index(">")])
    assert second.status_code == 200 and second.json()["items"] != body["items"]
    assert "link" not in second.headers and second.json()["nextCursor"] is None
    audit = client.get("/v1/audit?limit=1", headers=bearer(tokens["admin"]))
    assert audit.headers["link"].endswith('; rel="next"')


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_content_says_its_language(client: Client) -> None:
    for path in (
        ARTICLE,
        ARTICLE + "/versions/1",
        "/v1/faqs/ketamine-addiction-faq/items/physical-dependence",
    ):
        assert client.get(path).headers["content-language"] == "en", path


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/v1/articles/nope", 404),
        ("get", ARTICLE + "?version=0", 400),
        ("get", "/nowhere", 404),
        ("post", "/v1/articles", 401),
        ("delete", "/health", 405),
    ],
)
def test_problems_have_a_type(client: Client, method: str, path: str, status: int) -> None:
    response = client.request(method.upper(), path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "about:blank" and problem["status"] == status and problem["title"]
