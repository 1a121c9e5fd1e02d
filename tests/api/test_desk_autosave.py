"""Autosave, a save kept across an ended session, conflicts and FAQ ids, through the app (issue 21)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient
from msgspec.structs import replace

from api.desk.account import edit_target, safe_next
from api.desk.forms import entry_ids, item_of, plain, slugify, state_of
from api.desk.labels_autosave import EN, ES
from api.desk.saving import clinic_time, language_in
from api.settings import Settings
from content import model
from content.db import create_engine, desk_sessions
from content.library import DEFAULT_LIBRARY, load_library
from tests.conftest import bearer

FAQ = "/desk/faqs/ketamine-addiction-faq"
API = "/v1/faqs/ketamine-addiction-faq/draft"


def _session(client: TestClient, token: str) -> str:  # type: ignore[type-arg]
    client.cookies.clear()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/desk/signin").text)[1]  # type: ignore[index]
    assert client.post("/desk/signin", data={"csrf": csrf, "token": token}).status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/desk").text)[1]  # type: ignore[index]


def _form(client: TestClient, tokens: dict[str, str], locale: str = "en") -> dict[str, str]:  # type: ignore[type-arg]
    """The edit form of the FAQ's draft, as the page would post it."""
    page = client.get(f"{FAQ}/draft/edit" + ("?locale=es" if locale == "es" else "")).text
    etag = re.search(r'name="etag" value="([^"]+)"', page)[1]  # type: ignore[index]
    found = client.get(API, params={"locale": locale}, headers=bearer(tokens["reader"])).json()
    del found["draft"]
    state = state_of(msgspec.convert(found, model.FaqSet))
    form = {k: v for k, v in state.items() if isinstance(v, str)}
    for i, e in enumerate(state["entries"]):
        form |= {f"e{i}-id": e["id"], f"e{i}-question": e["question"], f"e{i}-answer": e["answer"]}
    return form | {"count": str(len(state["entries"])), "etag": etag, "kind": "faq"}


def _expire(settings: Settings) -> None:
    async def expire() -> None:
        engine = create_engine(settings.db_url)
        async with engine.begin() as conn:
            await conn.execute(
                desk_sessions.update().values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
            )
        await engine.dispose()

    asyncio.run(expire())


def test_autosave_saves_refuses_at_fields_and_meets_a_newer_draft(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
) -> None:
    csrf = _session(client, tokens["editor"])
    client.post(f"{FAQ}/draft/start", data={"csrf": csrf})
    form = _form(client, tokens) | {"csrf": csrf}
    saved = client.post(f"{FAQ}/draft/autosave", data=form | {"summary": "Autosaved summary."})
    assert saved.status_code == 200 and saved.headers["cache-control"] == "private, no-store"
    body = saved.json()
    assert body["saved"] is True and body["etag"] != form["etag"]
    assert re.fullmatch(r"Saved at \d\d:\d\d", body["message"])
    assert client.get(API, headers=bearer(tokens["reader"])).json()["summary"] == "Autosaved summary."
    assert "Autosaved summary." in client.get(f"{FAQ}/draft/email.html").text

    blank = client.post(f"{FAQ}/draft/autosave", data=form | {"etag": body["etag"], "e0-question": ""})
    assert blank.json() == {
        "saved": False,
        "problems": {"e0-question": "Write something here."},
        "message": "Not saved yet: please fix 1 problems. Your text is still here.",
    }
    stale = client.post(f"{FAQ}/draft/autosave", data=form | {"summary": "Mine, from an old read."})
    assert stale.status_code == 409
    conflict = stale.json()
    assert conflict["saved"] is False and conflict["etag"] == body["etag"]
    assert "Their saved draft" in conflict["conflict"] and "Your text" in conflict["conflict"]
    assert "Autosaved summary." in conflict["conflict"] and "Mine, from an old read." in conflict["conflict"]
    # The page form says the same, and "Keep my text" then saves over theirs with their revision.
    page = client.post(
        f"{FAQ}/draft/edit", data=form | {"action": "save", "summary": "Mine, from an old read."}
    )
    assert page.status_code == 409 and "Keep my text" in page.text and "Take theirs" in page.text
    assert f'name="etag" value="{body["etag"]}"' in page.text


def test_a_save_after_the_session_ended_is_kept_and_saved_after_sign_in(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
    settings: Settings,
) -> None:
    csrf = _session(client, tokens["editor"])
    client.post(f"{FAQ}/draft/start?locale=es", data={"csrf": csrf})
    form = _form(client, tokens, "es") | {"csrf": csrf, "action": "save", "summary": 'Línea "uno" y dos.'}
    _expire(settings)
    auto = client.post(f"{FAQ}/draft/autosave?locale=es", data=form)
    assert auto.status_code == 401 and auto.json()["signIn"] is True and auto.json()["csrf"]
    refused = client.post(f"{FAQ}/draft/edit?locale=es", data=form, follow_redirects=False)
    assert refused.status_code == 401 and EN["signin_replay"] in refused.text
    assert 'name="summary" value="Línea &#34;uno&#34; y dos."' in refused.text
    assert f'name="next" value="{FAQ}/draft/edit?locale=es"' in refused.text
    signin_csrf = re.search(r'name="csrf" value="([^"]+)"', refused.text)[1]  # type: ignore[index]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', refused.text))
    assert fields["csrf"] == signin_csrf and "token" not in fields
    replay = {k: v.replace("&#34;", '"') for k, v in fields.items()} | {"token": tokens["editor"]}
    done = client.post("/desk/signin", data=replay, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{FAQ}/draft?locale=es&done=saved"
    draft = client.get(API, params={"locale": "es"}, headers=bearer(tokens["reader"])).json()
    assert draft["summary"] == 'Línea "uno" y dos.'

    # Replayed over a newer draft: the conflict view, with every word typed.
    _expire(settings)
    again = client.post(f"{FAQ}/draft/edit?locale=es", data=form | {"summary": "Otra vez."})
    signin_csrf = re.search(r'name="csrf" value="([^"]+)"', again.text)[1]  # type: ignore[index]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', again.text))
    conflict = client.post("/desk/signin", data=fields | {"csrf": signin_csrf, "token": tokens["editor"]})
    assert (
        conflict.status_code == 409 and "Their saved draft" in conflict.text and "Otra vez." in conflict.text
    )
    assert "Sign out" in conflict.text  # signed in on the way


def test_the_sign_in_link_keeps_the_translation(client: TestClient) -> None:  # type: ignore[type-arg]
    page = client.get(f"{FAQ}?locale=es").text
    assert 'href="/desk/signin?next=%2Fdesk%2Ffaqs%2Fketamine-addiction-faq%3Flocale%3Des"' in page


def test_faq_ids_come_from_questions_and_existing_ids_stay() -> None:
    assert slugify("¿Qué pasa cuando termina mi tratamiento?") == "que-pasa-cuando-termina-mi-tratamiento"
    assert entry_ids(["kept", "", ""], ["Kept?", "Is it safe?", "Is it safe?"]) == [
        "kept",
        "is-it-safe",
        "is-it-safe-2",
    ]
    assert entry_ids(["", ""], ["¿?", "Is it safe?"]) == ["question", "is-it-safe"]
    assert plain("Expected `str` of length <= 200") == "Keep this to 200 characters or fewer."
    assert plain("Expected `str` of length >= 1", ES) == "Escriba algo aquí."


def test_every_bundled_faq_and_comparison_round_trips_exactly() -> None:
    for item in load_library(DEFAULT_LIBRARY).items:
        if isinstance(item, model.Article):
            continue
        again, errors = item_of(item.kind, state_of(item))
        # The review is the desk's own record, not a form field; everything else comes back exactly.
        assert errors == {} and again == replace(item, review=None), item.slug


@pytest.mark.parametrize(
    ("target", "found"),
    [
        ("/desk/faqs/x/draft/edit?locale=es", ("faq", "x", "es")),
        ("/desk/articles/y/draft/edit", ("article", "y", "en")),
        ("/desk/articles/y/draft", None),
        ("/desk/nothing/y/draft/edit", None),
    ],
)
def test_only_an_edit_form_is_replayed(target: str, found: Any) -> None:
    assert edit_target(safe_next(target)) == found


def test_times_and_languages_as_the_clinic_reads_them() -> None:
    noon = dt.datetime(2026, 7, 1, 12, 5, tzinfo=dt.UTC)
    assert clinic_time(noon, "America/Chicago") == "07:05"
    assert clinic_time(noon, "Nowhere/Else") == "12:05"
    assert language_in("es", "en") == "Spanish" and language_in("es", "es") == "español"


def test_a_new_faq_gets_ids_from_its_questions(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    csrf = _session(client, tokens["editor"])
    form = {
        "csrf": csrf,
        "kind": "faq",
        "action": "save",
        "slug": "sleep-faq",
        "locale": "en",
        "title": "Sleep",
        "summary": "Sleep and ketamine.",
        "count": "2",
        "e0-id": "",
        "e0-question": "Will I sleep well?",
        "e0-answer": "Usually.",
        "e1-id": "",
        "e1-question": "Will I sleep well?!",
        "e1-answer": "Ask us.",
    }
    created = client.post("/desk/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    made = client.get("/v1/faqs/sleep-faq/draft", headers=bearer(tokens["reader"])).json()
    assert [e["id"] for e in made["items"]] == ["will-i-sleep-well", "will-i-sleep-well-2"]


def test_a_new_item_posted_after_the_session_ended_is_created_after_sign_in(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
    settings: Settings,
) -> None:
    csrf = _session(client, tokens["editor"])
    form = {
        "csrf": csrf,
        "kind": "article",
        "action": "save",
        "slug": "late-article",
        "locale": "en",
        "title": "Written late",
        "summary": "Typed while the session ended.",
        "body": "A paragraph.",
    }
    _expire(settings)
    refused = client.post("/desk/new", data=form, follow_redirects=False)
    assert refused.status_code == 401 and 'name="title" value="Written late"' in refused.text
    signin_csrf = re.search(r'name="csrf" value="([^"]+)"', refused.text)[1]  # type: ignore[index]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', refused.text))
    done = client.post("/desk/signin", data=fields | {"csrf": signin_csrf, "token": tokens["editor"]})
    assert done.status_code == 200 and "Written late" in done.text
    made = client.get("/v1/articles/late-article/draft", headers=bearer(tokens["reader"])).json()
    assert made["summary"] == "Typed while the session ended."


def test_a_kept_form_is_saved_only_for_someone_who_may_edit(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
    settings: Settings,
) -> None:
    """Signing in with a reader's token signs in; the kept form is not saved nor an item created."""
    csrf = _session(client, tokens["editor"])
    client.post(f"{FAQ}/draft/start", data={"csrf": csrf})
    before = client.get(API, headers=bearer(tokens["reader"])).json()
    form = _form(client, tokens) | {"csrf": csrf, "action": "save", "summary": "Changed by a reader."}
    _expire(settings)
    refused = client.post(f"{FAQ}/draft/edit", data=form, follow_redirects=False)
    assert refused.status_code == 401
    signin_csrf = re.search(r'name="csrf" value="([^"]+)"', refused.text)[1]  # type: ignore[index]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', refused.text))
    done = client.post(
        "/desk/signin",
        data=fields | {"csrf": signin_csrf, "token": tokens["reader"]},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get(API, headers=bearer(tokens["reader"])).json()["summary"] == before["summary"]
    new = {"kind": "article", "action": "save", "slug": "reader-made", "title": "T", "summary": "S"}
    client.cookies.clear()
    signin_csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/desk/signin").text)[1]  # type: ignore[index]
    made = client.post(
        "/desk/signin",
        data=new | {"csrf": signin_csrf, "token": tokens["reader"], "next": "/desk/new", "replay": "1"},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/desk/new")
    assert client.get("/v1/articles/reader-made/draft", headers=bearer(tokens["reader"])).status_code == 404


@pytest.mark.parametrize(
    "target",
    [
        "/desk\r\nX-Evil: 1",
        "/desk/../../v1/articles",
        "//evil.example/desk",
        "/desk\\evil",
        "/desktop",
        "https://e.x",
    ],
)
def test_unsafe_return_addresses_go_to_the_library(target: str) -> None:
    assert safe_next(target) == "/desk"
