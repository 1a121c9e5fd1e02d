"""The desk's sessions, CSRF and roles, through the app (the browser suite drives the pages)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import sqlalchemy as sa
from litestar.testing import TestClient

from api.settings import Settings
from content.accounts import ROLES, Tokens, allows
from content.db import create_engine, desk_sessions

SLUG = "no-such-item"  # a route past its guard answers 404 for it; one stopped by the guard, 403
# Every desk route and the API role it needs (None: public), as the API's own routes need them.
EXPECTED_ROLES: dict[str, str | None] = {
    "GET /desk": None,
    "GET /desk/packet": None,
    "GET /desk/packet.pdf": None,
    "GET /desk/digest": None,
    # The packet kept in this browser (issue 21): anyone, with the sign-in form's double-submit token
    "POST /desk/packet/add": None,
    "POST /desk/packet/up": None,
    "POST /desk/packet/down": None,
    "POST /desk/packet/remove": None,
    "POST /desk/packet/clear": None,
    "POST /desk/packet/choices": None,
    "POST /desk/packet/download": None,
    "POST /desk/archive": "publisher",
    "GET /desk/signin": None,
    "POST /desk/signin": None,
    "POST /desk/signout": "reader",
    "GET /desk/audit": "admin",
    "GET /desk/people": "admin",
    "POST /desk/people": "admin",
    "GET /desk/people/invited": "admin",
    "GET /desk/people/{name:str}/revoke": "admin",
    "POST /desk/people/{name:str}/revoke": "admin",
    "GET /desk/welcome/{code:str}": None,
    "POST /desk/welcome/{code:str}": None,
    "POST /desk/{plural}/{slug}/draft/comments": "editor",
    "GET /desk/review": "reader",
    "GET /desk/new": "editor",
    "POST /desk/new": "editor",
    "POST /desk/preview": "editor",
    "GET /desk/{plural}/{slug}": None,
    "GET /desk/{plural}/{slug}/print.pdf": None,
    "GET /desk/{plural}/{slug}/compare": None,
    "GET /desk/{plural}/{slug}/email": None,
    "GET /desk/{plural}/{slug}/email.*": None,
    "GET /desk/digest.*": None,
    "GET /desk/{plural}/{slug}/draft": "reader",
    "GET /desk/{plural}/{slug}/draft/page": "reader",
    "GET /desk/{plural}/{slug}/draft/handout.pdf": "reader",
    "GET /desk/{plural}/{slug}/draft/email": "reader",
    "POST /desk/{plural}/{slug}/draft/start": "editor",
    "GET /desk/{plural}/{slug}/draft/edit": "editor",
    "POST /desk/{plural}/{slug}/draft/edit": "editor",
    "GET /desk/{plural}/{slug}/draft/discard": "editor",
    "POST /desk/{plural}/{slug}/draft/autosave": "editor",
    "GET /desk/{plural}/{slug}/draft/email.*": "reader",
    "POST /desk/{plural}/{slug}/draft/discard": "editor",
    "POST /desk/{plural}/{slug}/draft/review": "reviewer",
    "GET /desk/{plural}/{slug}/draft/publish": "publisher",
    "POST /desk/{plural}/{slug}/draft/publish": "publisher",
    "POST /desk/{plural}/{slug}/draft/schedule": "publisher",
    "GET /desk/{plural}/{slug}/versions/{number}/restore": "publisher",
    "POST /desk/{plural}/{slug}/versions/{number}/restore": "publisher",
    "GET /desk/{plural}/{slug}/archive": "publisher",
    "POST /desk/{plural}/{slug}/archive": "publisher",
    "POST /desk/{plural}/{slug}/unarchive": "admin",
    # Releases (issue 23)
    "GET /desk/releases": "reader",
    "POST /desk/releases": "editor",
    "POST /desk/releases/add": "editor",
    "GET /desk/releases/{id}": "reader",
    "POST /desk/releases/{id}/remove": "editor",
    "POST /desk/releases/{id}/delete": "editor",
    "GET /desk/releases/{id}/publish": "publisher",
    "POST /desk/releases/{id}/publish": "publisher",
    "POST /desk/releases/{id}/schedule": "publisher",
    "GET /desk/releases/{id}/preview/{kind}/{slug}/page": "reader",
    "GET /desk/releases/{id}/preview/{kind}/{slug}/handout.pdf": "reader",
    "GET /desk/releases/{id}/preview/{kind}/{slug}/email": "reader",
    "GET /desk/media": "editor",
    "POST /desk/media": "editor",
    "GET /desk/media/choose": "editor",
    # Safe actions (issue 21): discarded drafts and Undo
    "GET /desk/discarded": "editor",
    "POST /desk/discarded/{id}/undo": "editor",
    # Preview links (issue 21): made by editors, opened by anyone holding one.
    "POST /desk/{plural}/{slug}/draft/share": "editor",
    "GET /desk/shared/{token:str}": None,
    "GET /desk/shared/{token:str}/handout.pdf": None,
    "POST /desk/language": None,
}


def _routes(client: TestClient) -> list[tuple[str, str, str | None]]:  # type: ignore[type-arg]
    """(method, concrete path, role) of every desk route, from the app itself."""
    found = []
    for route in client.app.routes:
        if not route.path.startswith("/desk") or route.path.startswith("/desk/static"):
            continue
        for method, handler in getattr(route, "route_handler_map", {}).items():
            if method in ("HEAD", "OPTIONS"):
                continue
            role = (
                handler[0].opt.get("desk_role")
                if isinstance(handler, tuple)
                else handler.opt.get("desk_role")
            )
            path = re.sub(r"\{slug:str\}", SLUG, route.path).replace("{number:int}", "1")
            path = (
                path.replace("{release_id:int}", "999")
                .replace("{discard_id:int}", "999")
                .replace("{kind:str}", "article")
            )
            found.append((method, path, role))
    return found


def _pattern(method: str, path: str) -> str:
    path = re.sub(r"^/desk/(articles|faqs|comparisons)/" + SLUG, "/desk/{plural}/{slug}", path)
    path = path.replace("/versions/1/", "/versions/{number}/")
    path = re.sub(r"^/desk/(releases|discarded)/999", r"/desk/\1/{id}", path)
    path = path.replace("/preview/article/" + SLUG, "/preview/{kind}/{slug}")
    path = re.sub(r"\.(html|txt|eml)$", ".*", path)
    return f"{method} {path}"


def _session(client: TestClient, token: str) -> str:  # type: ignore[type-arg]
    """Signs in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/desk/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
    response = client.post("/desk/signin", data={"csrf": csrf, "token": token}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/desk").text
    assert token not in page  # a token is never shown again
    return re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]


def test_every_desk_route_states_the_api_role(client: TestClient) -> None:  # type: ignore[type-arg]
    routes = {_pattern(m, p): role for m, p, role in _routes(client)}
    assert routes == EXPECTED_ROLES


def test_every_desk_route_honours_the_roles(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    for role in (None, *ROLES):
        csrf = _session(client, tokens[role]) if role else ""
        if role is None:
            client.cookies.clear()
            form = client.get("/desk/signin").text  # signed out: the double-submit token
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
        for method, path, needed in _routes(client):
            if path in ("/desk/signin", "/desk/signout") or path.startswith("/desk/welcome/"):
                continue  # the sign-in forms: their own CSRF cookie (tests/browser/test_desk_people.py)
            if method == "GET":
                response = client.get(path, follow_redirects=False)
            else:
                response = client.post(path, data={"csrf": csrf}, follow_redirects=False)
            where = f"{method} {path} as {role}"
            if needed is None or (role is not None and allows(role, needed)):
                assert response.status_code not in (401, 403), where
            elif role is None:
                assert response.status_code == (303 if method == "GET" else 401), where
                if method == "GET":
                    assert response.headers["location"].startswith("/desk/signin?next=")
            else:
                assert response.status_code == 403, where


def test_the_session_cookie(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    form = client.get("/desk/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)[1]  # type: ignore[index]
    bad = client.post("/desk/signin", data={"csrf": csrf, "token": "folio_wrong"})
    assert bad.status_code == 401 and "folio_wrong" not in bad.text
    signed = client.post(
        "/desk/signin",
        data={"csrf": csrf, "token": tokens["editor"], "next": "//evil.example"},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/desk?done=signed_in"
    cookie = next(
        v for k, v in signed.headers.multi_items() if k == "set-cookie" and v.startswith("folio_desk=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/desk" in cookie
    assert "Max-Age=28800" in cookie or "Max-Age=2879" in cookie
    assert tokens["editor"] not in signed.headers.get("location", "")
    page = client.get("/desk/review")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_sign_in_needs_the_forms_csrf_token(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    client.get("/desk/signin")
    response = client.post(
        "/desk/signin", data={"csrf": "forged", "token": tokens["admin"]}, follow_redirects=False
    )
    assert response.status_code == 403


def test_a_write_without_the_sessions_csrf_token_is_refused(
    client: TestClient,
    tokens: dict[str, str],  # type: ignore[type-arg]
) -> None:
    _session(client, tokens["admin"])
    for data in ({}, {"csrf": "forged"}):
        response = client.post("/desk/articles/ketamine-withdrawal/archive", data=data)
        assert response.status_code == 403
    assert client.get("/v1/articles/ketamine-withdrawal").status_code == 200  # not archived


def test_sign_out_revocation_and_expiry_end_a_session(
    client: TestClient,
    tokens: dict[str, str],
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    csrf = _session(client, tokens["reader"])
    assert client.post("/desk/signout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/desk/review", follow_redirects=False).status_code == 303

    _session(client, tokens["reviewer"])
    assert client.get("/desk/review").status_code == 200

    async def expire() -> None:
        engine = create_engine(settings.db_url)
        async with engine.begin() as conn:
            await conn.execute(
                desk_sessions.update().values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
            )
            stored = (await conn.execute(sa.select(desk_sessions.c.id_hash))).scalars().all()
        await engine.dispose()
        assert all(len(h) == 64 for h in stored)  # ids are stored hashed
        assert client.cookies.get("folio_desk") not in stored

    asyncio.run(expire())
    assert client.get("/desk/review", follow_redirects=False).status_code == 303

    _session(client, tokens["editor"])

    async def revoke() -> None:
        engine = create_engine(settings.db_url)
        await Tokens(engine).revoke("editor", "test")
        await engine.dispose()

    asyncio.run(revoke())
    assert client.get("/desk/review", follow_redirects=False).status_code == 303


def test_draft_previews_are_private(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    from tests.conftest import bearer

    client.post("/v1/articles/ketamine-withdrawal/draft", headers=bearer(tokens["editor"]))
    for path in ("/draft/page", "/draft/email", "/draft"):
        client.cookies.clear()
        assert (
            client.get("/desk/articles/ketamine-withdrawal" + path, follow_redirects=False).status_code == 303
        )
        _session(client, tokens["reader"])
        response = client.get("/desk/articles/ketamine-withdrawal" + path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-store"


def test_a_desk_user_edits_reviews_and_publishes_the_spanish_translation(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
) -> None:
    import msgspec

    from api.desk.forms import state_of
    from content import model
    from content.locales import DEFAULT_LOCALE
    from tests.conftest import bearer

    csrf = _session(client, tokens["admin"])
    base = "/desk/articles/ketamine-withdrawal"
    library = client.get("/desk").text
    assert f'href="{base}?locale=es" lang="es">Abstinencia de ketamina:' in library
    item = client.get(base + "?locale=es")
    assert item.status_code == 200
    assert '<h1 lang="es">Abstinencia de ketamina:' in item.text
    assert f'href="{base}" hreflang="en"' in item.text  # the English translation, one click away
    assert f'action="{base}/draft/start?locale=es"' in item.text

    started = client.post(f"{base}/draft/start?locale=es", data={"csrf": csrf}, follow_redirects=False)
    assert started.headers["location"] == f"{base}/draft/edit?locale=es&done=started"
    edit = client.get(f"{base}/draft/edit?locale=es").text
    etag = re.search(r'name="etag" value="([^"]+)"', edit)[1]  # type: ignore[index]
    draft = client.get(
        "/v1/articles/ketamine-withdrawal/draft?locale=es", headers=bearer(tokens["editor"])
    ).json()
    assert draft["locale"] == "es" and draft["draft"]["readability"]["fernandezHuerta"] is not None
    english = client.get("/v1/articles/ketamine-withdrawal").json()
    keep = {"type", "slug", "locale", "title", "summary", "tags", "related", "body"}
    state = state_of(msgspec.convert({k: v for k, v in draft.items() if k in keep}, model.Article))
    state["summary"] += " Hable con su equipo."
    form = {k: v for k, v in state.items() if isinstance(v, str)}
    saved = client.post(
        f"{base}/draft/edit?locale=es",
        data=form | {"csrf": csrf, "etag": etag, "action": "save", "locale": "en"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{base}/draft?locale=es&done=saved"
    page = client.get(f"{base}/draft?locale=es").text
    assert "Fernández-Huerta" in page and 'lang="es">Español</span>' in page
    # Four eyes: the admin edited it, so a reviewer signs it off.
    assert 'action="/desk/articles/ketamine-withdrawal/draft/review' not in page
    csrf = _session(client, tokens["reviewer"])
    page = client.get(f"{base}/draft?locale=es").text
    etag = re.search(r'name="etag" value="([^"]+)"', page)[1]  # type: ignore[index]
    reviewed = client.post(
        f"{base}/draft/review?locale=es",
        data={"csrf": csrf, "etag": etag, "next_review_on": "2030-01-01"},
        follow_redirects=False,
    )
    assert reviewed.status_code == 303
    csrf = _session(client, tokens["admin"])
    page = client.get(f"{base}/draft?locale=es").text
    etag = re.search(r'name="etag" value="([^"]+)"', page)[1]  # type: ignore[index]
    published = client.post(
        f"{base}/draft/publish?locale=es",
        data={"csrf": csrf, "etag": etag, "note": "Resumen más claro", "confirm": "1"},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text
    assert published.headers["location"] == f"{base}?locale=es&v=2&done=published"

    spanish = client.get("/v1/articles/ketamine-withdrawal?locale=es").json()
    assert spanish["version"] == 2 and spanish["summary"].endswith("Hable con su equipo.")
    assert spanish["locale"] == "es"
    # The English translation is untouched: its own versions, its own text.
    assert client.get("/v1/articles/ketamine-withdrawal").json() == english
    assert english["locale"] == DEFAULT_LOCALE
    history = client.get(f"{base}?locale=es").text
    assert f'href="{base}?version=1&amp;locale=es"' in history
    pdf = client.get(f"{base}/print.pdf?locale=es")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    both = "item=article/ketamine-withdrawal/es&item=faq/ketamine-addiction-faq"
    packet = client.get(f"/desk/packet.pdf?{both}")
    assert packet.status_code == 200 and packet.headers["content-type"] == "application/pdf"


def test_four_eyes_in_the_desk(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    """The author sees no sign-off button and who may sign; a forged sign-off is a 403; people by name."""
    import msgspec

    from api.desk.forms import state_of
    from content import model
    from tests.conftest import DISPLAY_NAMES, bearer

    base = "/desk/articles/ketamine-withdrawal"
    csrf = _session(client, tokens["publisher"])
    queue = client.get("/desk/review").text
    # Every published translation is unreviewed, English and Spanish alike, beside the drafts.
    unreviewed = queue.split('id="unreviewed"')[1].split('id="due"')[0]
    assert unreviewed.count('lang="es"') >= 4 and unreviewed.count("Not reviewed by a clinician") == 8
    client.post(f"{base}/draft/start", data={"csrf": csrf}, follow_redirects=False)
    edit = client.get(f"{base}/draft/edit").text
    etag = re.search(r'name="etag" value="([^"]+)"', edit)[1]  # type: ignore[index]
    draft = client.get("/v1/articles/ketamine-withdrawal/draft", headers=bearer(tokens["reader"])).json()
    keep = {"type", "slug", "locale", "title", "summary", "tags", "related", "body"}
    state = state_of(msgspec.convert({k: v for k, v in draft.items() if k in keep}, model.Article))
    state["summary"] += " Ask us."
    form = {k: v for k, v in state.items() if isinstance(v, str)}
    form |= {"csrf": csrf, "etag": etag, "action": "save"}
    saved = client.post(f"{base}/draft/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(f"{base}/draft").text
    assert f'action="{base}/draft/review"' not in page  # no sign-off form for the author
    assert "You edited this draft, so you may not sign it off" in page
    assert DISPLAY_NAMES["reviewer"] in page and f"Edited by {DISPLAY_NAMES['publisher']}" in page
    etag = re.search(r'name="etag" value="([^"]+)"', page)[1]  # type: ignore[index]
    forged = client.post(
        f"{base}/draft/review", data={"csrf": csrf, "etag": etag, "next_review_on": "2030-01-01"}
    )
    assert forged.status_code == 403 and "you edited this draft" in forged.text
    csrf = _session(client, tokens["reviewer"])
    page = client.get(f"{base}/draft").text
    assert f'action="{base}/draft/review"' in page
    signed = client.post(
        f"{base}/draft/review",
        data={"csrf": csrf, "etag": etag, "next_review_on": "2030-01-01"},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    # The desk names people, never tokens: the history's authors, the audit log's actors.
    _session(client, tokens["admin"])
    item = client.get(base).text
    assert "<td>Library files (folio sync)</td>" in item and "<td>library</td>" not in item
    audit = client.get("/desk/audit").text
    assert f"<td>{DISPLAY_NAMES['reviewer']}</td>" in audit and "<td>reviewer</td>" not in audit
