"""``queue.entered``: a receiver that asks for it hears when a draft enters the review queue, when
a sign-off puts it in the publish queue, and when a comment waits for its editors; signed as
Standard Webhooks and shaped as the OpenAPI document's webhooks section says. Receivers that did
not ask for it by name never get it."""

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import msgspec
import pytest
from litestar.testing import TestClient
from standardwebhooks import Webhook as StandardWebhook

from api.app import create_app
from api.settings import Settings
from tests.api.test_editorial import NEW
from tests.api.test_webhooks import Receiver, fast
from tests.conftest import bearer

PATH = "/v1/articles/" + NEW["slug"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def desk_comment(client: TestClient[Any], token: str, text: str) -> None:
    """Signs in to the desk with ``token`` and comments on the new article's draft."""
    form = client.get("/desk/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    client.post("/desk/signin", data={"csrf": csrf.group(1), "token": token, "next": "/desk"})
    page = client.get(f"/desk/articles/{NEW['slug']}/draft").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    done = client.post(
        f"/desk/articles/{NEW['slug']}/draft/comments",
        data={"csrf": csrf.group(1), "comment": text},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def test_queue_entered_on_create_sign_off_and_comment(
    settings: Settings, tokens: dict[str, str], receiver: Receiver
) -> None:
    admin = bearer(tokens["admin"])
    with TestClient(
        create_app(msgspec.structs.replace(fast(settings), public_url="https://folio.example"))
    ) as client:
        subscribed = client.post(
            "/v1/webhooks", json={"url": receiver.url, "events": ["queue.entered"]}, headers=admin
        )
        assert subscribed.status_code == 201
        receiver.secret = subscribed.json()["secret"]
        default = client.post("/v1/webhooks", json={"url": receiver.url + "/all"}, headers=admin).json()
        assert "queue.entered" not in default["events"] and "published" in default["events"]

        created = client.post("/v1/articles", json=NEW, headers=bearer(tokens["editor"]))
        assert created.status_code == 201, created.text
        body = {k: v for k, v in created.json().items() if k not in ("draft", "review")}
        body["summary"] = "Autosaved once more."  # still waiting for review: no second event
        saved = client.put(
            PATH + "/draft",
            json=body,
            headers=bearer(tokens["editor"], **{"If-Match": created.headers["etag"]}),
        )
        assert saved.status_code == 200
        signed = client.post(
            PATH + "/draft/review",
            json={"nextReviewOn": "2030-01-15"},
            headers=bearer(tokens["reviewer"], **{"If-Match": saved.headers["etag"]}),
        )
        assert signed.status_code == 200, signed.text
        desk_comment(client, tokens["reviewer"], "Say which day.")
        receiver.wait_for(3)
        spec = client.get("/docs/openapi.json").json()
        sent_to_default = client.get(f"/v1/webhooks/{default['id']}/deliveries", headers=admin).json()
    assert sent_to_default["deliveries"] == []
    assert [h["event"] for h in receiver.hits] == ["queue.entered"] * 3
    for hit in receiver.hits:
        StandardWebhook(receiver.secret).verify(hit["raw"], hit["headers"])  # raises if not
        documented = spec["webhooks"]["queue.entered"]["post"]
        jsonschema.validate(hit["body"], documented["requestBody"]["content"]["application/json"]["schema"])
    url = f"https://folio.example/desk/articles/{NEW['slug']}/draft"
    common = {"kind": "article", "slug": NEW["slug"], "locale": "en", "title": NEW["title"], "url": url}
    assert [h["data"] for h in receiver.hits] == [
        {"queue": "review", "by": "Dr Editor Rivera, MD"} | common,
        {"queue": "publish", "by": "Dr Reviewer Rivera, MD"} | common,
        {"queue": "comments", "by": "Dr Reviewer Rivera, MD"} | common,
    ]
    schema = spec["webhooks"]["queue.entered"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    with pytest.raises(jsonschema.ValidationError):  # the schema is no blank cheque
        jsonschema.validate(receiver.hits[0]["body"] | {"data": {"queue": "lunch"}}, schema)
