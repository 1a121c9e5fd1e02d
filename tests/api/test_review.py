"""Reviews are sign-offs by reviewer accounts: marks on unreviewed content, four eyes, files."""

import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import msgspec
import pypdf
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.cli import main
from api.settings import Settings
from tests.conftest import DISPLAY_NAMES, bearer

Client = TestClient[Any]
WITHDRAWAL = "/v1/articles/ketamine-withdrawal"
FAQ = "/v1/faqs/ketamine-addiction-faq"
ITEMS = [
    WITHDRAWAL,
    "/v1/articles/is-ketamine-therapy-addictive",
    FAQ,
    "/v1/comparisons/medical-vs-recreational-ketamine",
]
MARKS = {"en": "Sample: not reviewed by a clinician", "es": "Muestra: sin revisión de un profesional clínico"}
CLAIMS = ("Reviewed", "Revisado", "lastReviewed", "Clinical review team", "Equipo de revisión clínica")


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(body)).pages)


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_data(self, data: str) -> None:
        if self._in:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in = False


def json_ld(html: str) -> dict[str, Any]:
    parser = _Scripts()
    parser.feed(html)
    [data] = [json.loads(s) for s in parser.scripts]
    return data  # type: ignore[no-any-return]


def reviewer(client: Client, tokens: dict[str, str], name: str = "ana") -> str:
    """A reviewer account for Ana Rivera, MD: her token."""
    made = client.post(
        "/v1/tokens",
        json={"name": name, "displayName": "Ana Rivera", "credentials": "MD", "role": "reviewer"},
        headers=bearer(tokens["admin"]),
    )
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def sign_off(client: Client, token: str, path: str, etag: str, query: str = "") -> Any:
    return client.post(
        f"{path}/draft/review{query}",
        json={"nextReviewOn": (dt.date.today() + dt.timedelta(days=300)).isoformat()},
        headers=bearer(token, **{"If-Match": etag}),
    )


def edited_draft(client: Client, token: str, path: str) -> tuple[dict[str, Any], str]:
    """A draft started and changed by ``token``'s account: its body and ETag."""
    started = client.post(path + "/draft", headers=bearer(token))
    assert started.status_code == 201, started.text
    body = {k: v for k, v in started.json().items() if k not in ("draft", "review")}
    body["summary"] = body["summary"] + " Ask us anything."
    saved = client.put(
        path + "/draft", json=body, headers=bearer(token, **{"If-Match": started.headers["etag"]})
    )
    assert saved.status_code == 200, saved.text
    return saved.json(), saved.headers["etag"]


def every_output(client: Client, path: str, locale: str) -> dict[str, str]:
    query = f"?locale={locale}"
    return {
        "json": client.get(path + query).text,
        "page": client.get(path.removeprefix("/v1") + query).text,
        "handout": pdf_text(client.get(path + "/handout.pdf" + query).content),
        "email.html": client.get(path + "/email.html" + query).text,
        "email.txt": client.get(path + "/email.txt" + query).text,
    }


@pytest.mark.parametrize("locale", ["en", "es"])
def test_no_bundled_item_claims_a_review_and_each_is_marked(client: Client, locale: str) -> None:
    for path in ITEMS:
        outputs = every_output(client, path, locale)
        assert json.loads(outputs["json"])["review"]["status"] == "unreviewed"
        for channel, text in outputs.items():
            for claim in CLAIMS:
                assert claim not in text, (path, channel, claim)
            if channel != "json":
                assert MARKS[locale] in " ".join(text.split()), (path, channel)


def test_a_reviewer_signs_off_and_the_translation_stays_marked(
    client: Client, tokens: dict[str, str]
) -> None:
    ana = reviewer(client, tokens)
    started = client.post(WITHDRAWAL + "/draft", headers=bearer(tokens["publisher"]))
    signed = sign_off(client, ana, WITHDRAWAL, started.headers["etag"])
    assert signed.status_code == 200, signed.text
    assert signed.json()["review"]["reviewedBy"] == "Ana Rivera" and signed.json()["draft"]["reviewCurrent"]
    done = client.post(
        WITHDRAWAL + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]})
    )
    assert done.status_code == 200, done.text
    review = done.json()["review"]
    assert (review["status"], review["reviewedBy"], review["credentials"]) == ("current", "Ana Rivera", "MD")
    assert review["reviewedHash"] == done.json()["contentHash"]
    handout = pdf_text(client.get(WITHDRAWAL + "/handout.pdf").content)
    assert re.search(r"Version 2 · Reviewed \w+ \d+, \d{4} by Ana Rivera, MD · Printed", handout), handout[
        :300
    ]
    assert "not reviewed" not in handout
    page = client.get("/articles/ketamine-withdrawal").text
    data = json_ld(page)
    assert data["reviewedBy"] == {"@type": "Person", "name": "Ana Rivera", "honorificSuffix": "MD"}
    assert data["lastReviewed"] == dt.date.today().isoformat() and MARKS["en"] not in page
    mail = client.get(WITHDRAWAL + "/email.txt").text
    assert "by Ana Rivera, MD." in " ".join(mail.split()) and MARKS["en"] not in mail
    # The Spanish translation is reviewed on its own: still marked, still claiming nothing.
    spanish = every_output(client, WITHDRAWAL, "es")
    assert json.loads(spanish["json"])["review"]["status"] == "unreviewed"
    assert MARKS["es"] in spanish["handout"] and "Ana Rivera" not in spanish["handout"]
    # The sign-off is in the audit log, under the account's name, with the hash it covered.
    entries = client.get("/v1/audit?action=review", headers=bearer(tokens["admin"])).json()["entries"]
    assert entries[0]["actor"] == "ana" and "Ana Rivera, MD" in entries[0]["detail"]
    assert entries[0]["hashAfter"] == review["reviewedHash"]


def test_nobody_signs_off_a_draft_they_edited(client: Client, tokens: dict[str, str]) -> None:
    _, etag = edited_draft(client, tokens["publisher"], FAQ)
    refused = sign_off(client, tokens["publisher"], FAQ, etag)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert "you edited this draft" in problem["detail"] and DISPLAY_NAMES["publisher"] in problem["detail"]
    # A second account's sign-off works, and the publisher may then publish it (the default).
    signed = sign_off(client, tokens["reviewer"], FAQ, etag)
    assert signed.status_code == 200, signed.text
    assert signed.json()["draft"]["editedBy"] == ["publisher"]
    done = client.post(
        FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]})
    )
    assert done.status_code == 200 and done.json()["review"]["reviewedBy"] == DISPLAY_NAMES["reviewer"]


def test_a_setting_keeps_the_reviewer_from_publishing(settings: Settings, tokens: dict[str, str]) -> None:
    strict = msgspec.structs.replace(settings, publisher_not_reviewer=True)
    with TestClient(create_app(strict)) as client:
        _, etag = edited_draft(client, tokens["editor"], FAQ)
        signed = sign_off(client, tokens["publisher"], FAQ, etag)
        assert signed.status_code == 200, signed.text
        own = client.post(
            FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]})
        )
        assert own.status_code == 403 and "another publisher" in own.json()["detail"]
        other = client.post(
            FAQ + "/publish", headers=bearer(tokens["admin"], **{"If-Match": signed.headers["etag"]})
        )
        assert other.status_code == 200, other.text


def test_restores_keep_a_review_only_of_the_content_it_covered(
    client: Client, tokens: dict[str, str]
) -> None:
    _, etag = edited_draft(client, tokens["editor"], FAQ)
    signed = sign_off(client, tokens["reviewer"], FAQ, etag)
    client.post(FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]}))
    diff = client.get(FAQ + "/diff?from=1&to=2").json()  # the sign-off is part of what changed
    review = next(f for f in diff["fields"] if f["field"] == "review")
    assert review["before"]["status"] == "unreviewed"
    assert review["after"]["reviewedBy"] == DISPLAY_NAMES["reviewer"]
    publisher = bearer(tokens["publisher"])
    back = client.post(FAQ + "/versions/1/restore", headers=publisher)
    assert back.status_code == 200 and back.json()["version"] == 3
    assert back.json()["review"]["status"] == "unreviewed"  # version 1 came from a file
    again = client.post(FAQ + "/versions/2/restore", headers=publisher)
    assert again.status_code == 200 and again.json()["version"] == 4
    assert again.json()["review"]["reviewedBy"] == DISPLAY_NAMES["reviewer"]  # the same content


def test_a_library_file_cannot_sync_a_review(
    settings: Settings, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = library / "faqs" / "ketamine-addiction-faq.yaml"
    path.write_text(path.read_text().replace("review:\n", "review:\n  reviewedBy: Dr Typed Intoafile\n"))
    path.write_text(path.read_text().replace("title: Ketamine therapy", "title: Changed ketamine therapy"))
    monkeypatch.setenv("FOLIO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FOLIO_LIBRARY_DIR", str(library))
    assert main(["sync"]) != 0
    with TestClient(create_app(settings)) as client:
        versions = client.get(FAQ + "/versions").json()["versions"]
        assert len(versions) == 1 and versions[0]["review"]["status"] == "unreviewed"
        assert all("Typed" not in json.dumps(v) for v in versions)


def test_an_operator_may_refuse_to_serve_unreviewed_content(
    settings: Settings, tokens: dict[str, str]
) -> None:
    strict = msgspec.structs.replace(settings, serve_unreviewed=False)
    with TestClient(create_app(strict)) as client:
        refused = client.get(FAQ)
        assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json"
        assert "not been reviewed by a clinician" in refused.json()["detail"]
        assert client.get("/faqs/ketamine-addiction-faq").status_code == 404
        assert client.get("/v1/faqs").json()["items"] == []
        assert client.get("/v1/search?q=ketamine").json()["results"] == []
        _, etag = edited_draft(client, tokens["editor"], FAQ)
        signed = sign_off(client, tokens["reviewer"], FAQ, etag)
        done = client.post(
            FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]})
        )
        assert done.status_code == 200, done.text
        assert client.get(FAQ).json()["version"] == 2
        assert [s["slug"] for s in client.get("/v1/faqs").json()["items"]] == ["ketamine-addiction-faq"]


def test_a_twenty_word_draft_is_too_short_to_grade_and_publishes(
    client: Client, tokens: dict[str, str]
) -> None:
    words = "Subdissociative pharmacological administration attenuates psychotomimetic phenomenology."
    body = {
        "slug": "short-note",
        "title": "Public title",
        "summary": "Public summary.",
        "body": [{"type": "paragraph", "text": words}],
    }
    created = client.post("/v1/articles", json=body, headers=bearer(tokens["editor"]))
    assert created.status_code == 201, created.text
    figures = created.json()["draft"]["readability"]
    assert figures["tooShortToGrade"] and figures["words"] < figures["minimumWords"] == 100
    assert figures["fleschKincaidGrade"] is None and figures["smog"] is None
    signed = sign_off(client, tokens["reviewer"], "/v1/articles/short-note", created.headers["etag"])
    done = client.post(
        "/v1/articles/short-note/publish",
        headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]}),
    )
    assert done.status_code == 200, done.text  # no override needed: the gate does not apply
    assert done.json()["readability"]["tooShortToGrade"]
    audit = client.get("/v1/audit?action=override_readability", headers=bearer(tokens["admin"])).json()
    assert audit["entries"] == []


@pytest.mark.parametrize("locale", ["en", "es"])
def test_bundled_articles_report_a_grade_per_section(client: Client, locale: str) -> None:
    grade = "fleschKincaidGrade" if locale == "en" else "fernandezHuerta"
    for path in ITEMS[:2]:
        doc = client.get(f"{path}?locale={locale}").json()
        figures = doc["readability"]
        assert not figures["tooShortToGrade"] and figures[grade] is not None
        headings = [b["text"] for b in doc["body"] if b["type"] == "heading"]
        sections = figures["sections"]
        assert [s["title"] for s in sections] == [doc["title"], *headings]
        assert all(s[grade] is not None for s in sections if s["sentences"])
        assert any(not s["indicative"] for s in sections) and any(s["indicative"] for s in sections)


def test_an_embed_refresh_keeps_the_sign_off_of_the_unchanged_article(
    client: Client, tokens: dict[str, str]
) -> None:
    article = ITEMS[1]  # embeds the FAQ
    started = client.post(article + "/draft", headers=bearer(tokens["publisher"]))
    signed = sign_off(client, tokens["reviewer"], article, started.headers["etag"])
    done = client.post(
        article + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]})
    )
    assert done.status_code == 200 and done.json()["review"]["status"] == "current"
    _, etag = edited_draft(client, tokens["editor"], FAQ)
    faq = sign_off(client, tokens["reviewer"], FAQ, etag)
    client.post(FAQ + "/publish", headers=bearer(tokens["publisher"], **{"If-Match": faq.headers["etag"]}))
    refreshed = client.get(article).json()
    assert refreshed["version"] == 3 and refreshed["note"].startswith("Embedded faq")
    assert refreshed["review"]["reviewedBy"] == DISPLAY_NAMES["reviewer"]
    assert refreshed["review"]["reviewedHash"] == refreshed["contentHash"]
