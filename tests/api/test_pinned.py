"""A version is the same in every channel forever: embeds are pinned when it is published.

Publishing an embedded FAQ (through the API or `folio sync`) gives the article that embeds it
a new version at once; the old article version keeps printing, mailing and showing the old
answer.
"""

import email
import email.policy
import io
from pathlib import Path
from typing import Any

import msgspec
import pypdf
import pytest
import yaml
from litestar.testing import TestClient

from api.app import create_app
from api.cli import main
from api.settings import Settings
from tests.conftest import DISPLAY_NAMES, bearer

ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
PAGE = "/articles/is-ketamine-therapy-addictive"
FAQ = "/v1/faqs/ketamine-addiction-faq"
NEW_ANSWER = "Reviewed new wording: no, prescribed doses do not make the body dependent."

Client = TestClient[Any]


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(body)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def publish_new_answer(client: Client, tokens: dict[str, str]) -> str:
    """FAQ v2 through the API, its first answer replaced; returns the old answer."""
    started = client.post(FAQ + "/draft", headers=bearer(tokens["editor"]))
    draft = started.json()
    old = draft["items"][0]["answer"]
    draft["items"][0]["answer"] = NEW_ANSWER
    body = {k: v for k, v in draft.items() if k not in ("draft", "review")}
    saved = client.put(
        FAQ + "/draft", json=body, headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]})
    )
    assert saved.status_code == 200, saved.text
    reviewed = client.post(
        FAQ + "/draft/review",
        json={"nextReviewOn": "2027-10-01"},
        headers=bearer(tokens["reviewer"], **{"If-Match": saved.headers["etag"]}),
    )
    done = client.post(
        FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": reviewed.headers["etag"]})
    )
    assert done.status_code == 200 and done.json()["version"] == 2
    return str(old)


def every_channel(client: Client, query: str = "") -> dict[str, str]:
    """What a patient, a member of staff and marketing would read of the article."""
    return {
        "json": client.get(ARTICLE + (query + "&" if query else "?") + "include=embeds").text,
        "page": client.get(PAGE + query).text,
        "handout": pdf_text(client.get(ARTICLE + "/handout.pdf" + query).content),
        "email": client.get(ARTICLE + "/email.txt" + query).text,
        "eml": client.get(ARTICLE + "/email.eml" + query).text,
    }


def assert_old_and_new(client: Client, old: str) -> None:
    latest = client.get(ARTICLE).json()
    assert latest["version"] == 2
    assert {"type": "faq", "slug": "ketamine-addiction-faq", "version": 2, "locale": "en"} in latest["embeds"]
    for channel, text in every_channel(client).items():
        assert flat(NEW_ANSWER) in flat(text), channel
        assert flat(old) not in flat(text), channel
    for channel, text in every_channel(client, "?version=1").items():
        assert flat(old) in flat(text), channel
        assert flat(NEW_ANSWER) not in flat(text), channel
    history = client.get(ARTICLE + "/versions").json()["versions"]
    assert history[0]["note"] == "Embedded faq 'ketamine-addiction-faq' updated to version 2"
    # The article was synced from a file: unreviewed, and a refresh claims no review either.
    assert all(v["review"]["status"] == "unreviewed" for v in history)
    diff = client.get(ARTICLE + "/diff?from=1&to=2").json()
    assert not diff["identical"] and [f["field"] for f in diff["fields"]] == ["embeds"]


def test_publishing_through_the_api_refreshes_the_article_at_once(
    client: Client, tokens: dict[str, str]
) -> None:
    every_channel(client)  # warm every cache with version 1
    old = publish_new_answer(client, tokens)
    assert_old_and_new(client, old)
    handout = pdf_text(client.get(ARTICLE + "/handout.pdf").content)
    assert "Version 2 · Sample: not reviewed" in handout  # the article's own version
    assert "From “Ketamine therapy and addiction — common questions”, version 2" in handout
    old_handout = pdf_text(client.get(ARTICLE + "/handout.pdf?version=1").content)
    assert "Version 1 · Sample: not reviewed" in old_handout and "common questions”, version 1" in old_handout
    eml = client.get(ARTICLE + "/email.eml").content
    message = email.message_from_bytes(eml, policy=email.policy.default)
    assert message["X-Folio-Version"] == "2"
    embeds = "comparison/medical-vs-recreational-ketamine@1, faq/ketamine-addiction-faq@2"
    assert message["X-Folio-Embeds"].strip() == embeds  # folded after the colon: it is long


def test_publishing_through_sync_refreshes_the_article(
    settings: Settings, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = msgspec.structs.replace(settings, latest_ttl=0)
    path = library / "faqs" / "ketamine-addiction-faq.yaml"
    with TestClient(create_app(fast)) as client:
        every_channel(client)
        data = yaml.safe_load(path.read_text())
        old = data["items"][0]["answer"]
        data["items"][0]["answer"] = NEW_ANSWER
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        monkeypatch.setenv("FOLIO_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("FOLIO_LIBRARY_DIR", str(library))
        assert main(["sync"]) == 0
        assert_old_and_new(client, " ".join(old.split()))


def test_reviewer_display_name_is_printed_never_the_token_name(
    client: Client, tokens: dict[str, str]
) -> None:
    publish_new_answer(client, tokens)
    faq = client.get(FAQ).json()
    assert faq["review"]["reviewedBy"] == DISPLAY_NAMES["reviewer"]
    handout = pdf_text(client.get(FAQ + "/handout.pdf").content)
    page = client.get("/faqs/ketamine-addiction-faq").text
    mail = client.get(FAQ + "/email.txt").text
    for text in (handout, page, mail):
        assert DISPLAY_NAMES["reviewer"] in text and "by reviewer" not in text


def test_archiving_an_embedded_item_is_refused_and_exports_keep_working(
    client: Client, tokens: dict[str, str]
) -> None:
    refused = client.delete(FAQ, headers=bearer(tokens["publisher"]))
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "article 'is-ketamine-therapy-addictive'" in refused.json()["detail"]
    assert client.get(FAQ).status_code == 200
    for path in (ARTICLE + "/handout.pdf", ARTICLE + "/email", ARTICLE + "/email.eml", PAGE):
        assert client.get(path).status_code == 200, path


def test_related_links_to_archived_items_are_left_out(client: Client, tokens: dict[str, str]) -> None:
    related = {(r["type"], r["slug"]) for r in client.get(ARTICLE).json()["related"]}
    assert ("article", "ketamine-withdrawal") in related
    assert (
        client.delete("/v1/articles/ketamine-withdrawal", headers=bearer(tokens["publisher"])).status_code
        == 204
    )
    after = client.get(ARTICLE).json()
    assert ("article", "ketamine-withdrawal") not in {(r["type"], r["slug"]) for r in after["related"]}
    assert "/articles/ketamine-withdrawal" not in client.get(PAGE).text


def test_include_embeds_returns_the_pinned_versions_in_one_request(
    client: Client, tokens: dict[str, str]
) -> None:
    publish_new_answer(client, tokens)
    old = client.get(ARTICLE + "?version=1&include=embeds").json()
    assert [(i["type"], i["slug"], i["version"]) for i in old["included"]] == [
        ("comparison", "medical-vs-recreational-ketamine", 1),
        ("faq", "ketamine-addiction-faq", 1),
    ]
    new = client.get(ARTICLE + "?include=embeds").json()
    faq = next(i for i in new["included"] if i["type"] == "faq")
    assert faq["version"] == 2 and faq["items"][0]["answer"] == NEW_ANSWER
    assert client.get(ARTICLE + "?include=everything").status_code == 400
