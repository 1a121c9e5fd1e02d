"""Safe actions through the app (issue 21): nothing acts without the confirmation form, refusals
are plain words, and the API's discard keeps a copy the desk can bring back."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from api.desk.confirming import too_hard
from api.desk.labels import catalog
from api.desk.labels_safe import EN
from content import model
from tests.conftest import bearer

ARTICLE = "/desk/articles/ketamine-withdrawal"
API = "/v1/articles/ketamine-withdrawal"


def _session(client: TestClient[Litestar], token: str) -> str:
    """Signs in through the form; the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/desk/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
    assert client.post("/desk/signin", data={"csrf": csrf, "token": token}).status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/desk").text)[1]  # type: ignore[index]


def test_an_action_posted_without_its_confirmation_only_asks(
    client: TestClient[Litestar], tokens: dict[str, str]
) -> None:
    csrf = _session(client, tokens["admin"])
    asked = client.post(f"{ARTICLE}/archive", data={"csrf": csrf}, follow_redirects=False)
    assert asked.status_code == 200 and "stop being available to patients" in asked.text
    assert 'name="confirm" value="1"' in asked.text
    assert client.get(API).status_code == 200  # not archived
    done = client.post(f"{ARTICLE}/archive", data={"csrf": csrf, "confirm": "1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{ARTICLE}?done=archived"
    assert client.get(API).status_code == 410


def test_a_restore_that_changes_nothing_is_refused_in_plain_words(
    client: TestClient[Litestar], tokens: dict[str, str]
) -> None:
    csrf = _session(client, tokens["publisher"])
    item = client.get(ARTICLE).text
    assert "/versions/1/restore" not in item  # only version 1: nothing to restore
    refused = client.post(f"{ARTICLE}/versions/1/restore", data={"csrf": csrf, "confirm": "1"})
    assert refused.status_code == 409
    assert EN["refuse_restore_same"].format(version=1) in refused.text
    assert "Something went wrong" not in refused.text and "(409)" not in refused.text
    missing = client.get(f"{ARTICLE}/versions/9/restore")
    assert EN["refuse_restore_missing"].format(version=9) in missing.text
    assert client.get(API).json()["version"] == 1


def test_the_apis_discard_keeps_a_copy_the_desk_brings_back(
    client: TestClient[Litestar], tokens: dict[str, str]
) -> None:
    editor = bearer(tokens["editor"])
    started = client.post(f"{API}/draft", headers=editor)
    assert started.status_code == 201
    assert client.delete(f"{API}/draft", headers=editor).status_code == 204
    csrf = _session(client, tokens["editor"])
    listed = client.get("/desk/discarded").text
    assert started.json()["title"] in listed
    undo = re.search(r'action="(/desk/discarded/\d+/undo)"', listed)[1]  # type: ignore[index]
    back = client.post(undo, data={"csrf": csrf}, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == f"{ARTICLE}/draft?done=undone"
    assert client.get(f"{API}/draft", headers=editor).json()["body"] == started.json()["body"]
    again = client.post(undo, data={"csrf": csrf})
    assert again.status_code == 409 and "was brought back already" in again.text


def test_discarding_a_never_published_item_offers_undo_in_the_library(
    client: TestClient[Litestar],
    tokens: dict[str, str],
) -> None:
    editor = bearer(tokens["editor"])
    client.post(f"{API}/draft", headers=editor)
    copy = client.get(f"{API}/draft", headers=editor).json()
    client.delete(f"{API}/draft", headers=editor)
    item = {k: v for k, v in copy.items() if k != "draft"} | {
        "slug": "a-new-leaflet",
        "title": "A new leaflet",
    }
    assert client.post("/v1/articles", json=item, headers=editor).status_code == 201, item
    csrf = _session(client, tokens["editor"])
    asked = client.get("/desk/articles/a-new-leaflet/draft/discard").text
    assert EN["confirm_discard_what_new"].format(title="A new leaflet", language="English") in asked
    etag = re.search(r'name="etag" value="([^"]+)"', asked)[1]  # type: ignore[index]
    gone = client.post(
        "/desk/articles/a-new-leaflet/draft/discard",
        data={"csrf": csrf, "etag": etag, "confirm": "1"},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert re.fullmatch(r"/desk\?undo=\d+&done=discarded", gone.headers["location"])
    assert client.get("/v1/articles/a-new-leaflet/draft", headers=editor).status_code == 404
    library = client.get(gone.headers["location"]).text
    assert EN["done_discarded"] in library
    undo = re.search(r'action="(/desk/discarded/\d+/undo)"', library)[1]  # type: ignore[index]
    assert client.post(undo, data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/v1/articles/a-new-leaflet/draft", headers=editor).json()["title"] == "A new leaflet"


def test_the_reading_level_refusal_is_plain_words_in_both_languages() -> None:
    hard = model.Readability(locale="en", words=300, sentences=10, flesch_kincaid_grade=11.4)
    easy = model.Readability(locale="en", words=300, sentences=10, flesch_kincaid_grade=6.0)
    spanish = model.Readability(locale="es", words=300, sentences=10, fernandez_huerta=48.0)
    english, spanish_words = catalog("en"), catalog("es")
    said = too_hard(english, hard, 8)
    assert said == (
        "This draft reads at grade 11.4; the clinic's limit is 8. Simplify it, or write in "
        "“Why it may read harder” why that is right for this text."
    )
    assert "override" not in said and "FOLIO_MAX_GRADE" not in said
    assert too_hard(english, easy, 8) == "" and too_hard(english, hard, None) == ""
    assert too_hard(spanish_words, spanish, 8).startswith(
        "Este borrador obtiene 48 en la escala Fernández-Huerta"
    )
    assert "«Por qué puede ser más difícil de leer»" in too_hard(spanish_words, spanish, 8)
