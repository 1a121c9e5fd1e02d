"""Signing in and out, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import Parameter

from api.deps import AuditLogDep, EditorialDep, SessionsDep
from api.desk.editing import create_and_show, save_and_show
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.web import (
    SIGNIN_COOKIE,
    PagesDep,
    current,
    desk_opts,
    environment,
    headers,
    is_desk_path,
    redirect,
    session_cookie,
    signin_token,
)
from api.desk.words import clinic_zone, rendering
from content import model
from content.accounts import TTL, allows
from content.locales import DEFAULT_LOCALE, canonical

HOURS = int(TTL.total_seconds() // 3600)
_SIGNIN_FIELDS = ("csrf", "token", "next", "replay")


def safe_next(target: str) -> str:
    """Only a desk path (``api.desk.web.is_desk_path``), else the library."""
    return target if is_desk_path(target) else "/desk"


def edit_target(target: str) -> tuple[model.Kind, str, str] | None:
    """(kind, slug, locale) when ``target`` is a draft's edit form: a save there can be replayed."""
    parts = urlsplit(target)
    path = parts.path.strip("/").split("/")
    if len(path) != 5 or path[0] != "desk" or path[1] not in model.BY_PLURAL or path[3:] != ["draft", "edit"]:
        return None
    locale = parse_qs(parts.query).get("locale", [DEFAULT_LOCALE])[0]
    try:
        return model.BY_PLURAL[path[1]].name, path[2], canonical(locale)
    except ValueError:
        return None


def json_answer(body: dict[str, Any], status: int, cookies: list[Cookie] | None = None) -> Response[Any]:
    return Response(
        msgspec.json.encode(body),
        media_type="application/json",
        status_code=status,
        headers={"Cache-Control": "private, no-store"},
        cookies=cookies or [],
    )


def session_ended(request: Request[Any, Any, Any]) -> Response[Any] | None:
    """A save refused for want of a session, answered so that nothing typed is lost: the script's
    autosave gets JSON (and the sign-in form's CSRF token); a posted form gets the sign-in page
    carrying every field typed, which signing in then saves. None for any other request."""
    path = request.url.path
    if request.method != "POST" or not (
        path.endswith(("/draft/autosave", "/draft/edit")) or path == "/desk/new"
    ):
        return None
    token, cookie = signin_token(request)
    words = catalog(ui_language(request))
    if path.endswith("/autosave"):
        body = {"saved": False, "signIn": True, "csrf": token, "message": words["autosave_signin"]}
        return json_answer(body, 401, [cookie] if cookie else None)
    typed = request.state.get("typed_form", []) if "typed_form" in request.state else []
    target = path + (f"?{request.url.query}" if request.url.query else "")
    with rendering(ui_language(request), clinic_zone(request)):
        body_html = (
            environment()
            .get_template("signin.html.j2")
            .render(
                request_path=request.url.path,
                request_target=target,
                here=safe_next(target),
                session=None,
                csrf="",
                can=lambda role: False,
                flash="",
                labels=words,
                ui_lang=ui_language(request),
                signin_csrf=token,
                next=safe_next(target),
                error="",
                hours=HOURS,
                replay=[(k, v) for k, v in typed if k not in _SIGNIN_FIELDS],
            )
        )
    return Response(
        body_html,
        status_code=401,
        media_type="text/html",
        headers=headers(True),
        cookies=[cookie] if cookie else [],
    )


class AccountController(Controller):
    @get("/signin", **desk_opts())
    async def signin_form(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        next: Annotated[str, Parameter(max_length=500)] = "/desk",
    ) -> Response[Any]:
        """Paste an API token once; the desk keeps a session."""
        token, cookie = signin_token(request)
        return await pages.render(
            request,
            "signin.html.j2",
            signin_csrf=token,
            next=safe_next(next),
            error="",
            hours=HOURS,
            replay=[],
            cookies=[cookie] if cookie else None,
        )

    @post("/signin", **desk_opts(), status_code=303)
    async def signin(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        sessions: SessionsDep,
        editorial: EditorialDep,
    ) -> Response[Any]:
        """Checks the token once and opens a session; the token itself is not kept. A sign-in that
        carries a save refused when the session ended (``session_ended``) performs that save."""
        form = await request.form()
        as_json = "application/json" in request.headers.get("accept", "")
        opened = await sessions.open(str(form.get("token", "")).strip())
        target = safe_next(str(form.get("next", "/desk")))
        words = catalog(ui_language(request))
        if opened is None:
            if as_json:
                return json_answer({"signedIn": False, "message": words["bad_token"]}, 401)
            token, _ = signin_token(request)
            return await pages.render(
                request,
                "signin.html.j2",
                signin_csrf=token,
                next=target,
                error=words["bad_token"],
                hours=HOURS,
                replay=[(k, v) for k, v in form.multi_items() if k not in _SIGNIN_FIELDS],
                status_code=401,
            )
        session_id, session = opened
        cookies = [
            session_cookie(request, session_id, session.expires_at),
            Cookie(key=SIGNIN_COOKIE, value="", path="/desk", max_age=0, httponly=True, samesite="strict"),
        ]
        if as_json:
            return json_answer({"signedIn": True, "csrf": session.csrf}, 200, cookies)
        response = redirect(target, "signed_in")
        # Only someone who may edit gets their kept form saved; anyone else is just signed in.
        if form.get("replay") == "1" and allows(session.role, "editor"):
            request.state.desk_session = session  # this request now acts as the person signed in
            if (where := edit_target(target)) is not None:
                response = await save_and_show(request, pages, editorial, *where, form)
            elif target == "/desk/new":
                response = await create_and_show(request, pages, editorial, form)
        response.cookies.extend(cookies)
        return response

    @post("/signout", **desk_opts("reader"), status_code=303)
    async def signout(self, request: Request[Any, Any, Any], sessions: SessionsDep) -> Response[Any]:
        """Ends the session here and in the store."""
        session_id = request.cookies.get("folio_desk", "")
        await sessions.close(session_id)
        response = redirect("/desk", "signed_out")
        response.cookies.append(session_cookie(request, "", None))
        return response

    @get("/audit", **desk_opts("admin"))
    async def audit(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        audit_log: AuditLogDep,
        cursor: Annotated[str | None, Parameter(max_length=500)] = None,
        type: Annotated[str, Parameter(max_length=20)] = "",  # a kind; empty for any
        slug: Annotated[str, Parameter(max_length=120)] = "",
        actor: Annotated[str, Parameter(max_length=200)] = "",
        action: Annotated[str, Parameter(max_length=40)] = "",
    ) -> Response[Any]:
        """Every write, newest first, filtered by item, actor and action."""
        found = await audit_log.page(
            limit=50,
            cursor=cursor,
            kind=type or None,
            slug=slug or None,
            actor=actor or None,
            action=action or None,
        )
        assert await current(request) is not None
        return await pages.render(
            request,
            "audit.html.j2",
            entries=found.entries,
            next_cursor=found.next_cursor,
            filters={"type": type, "slug": slug, "actor": actor, "action": action},
            actions=[
                "create",
                "start_draft",
                "update_draft",
                "discard_draft",
                "undo_discard",
                "review",
                "publish",
                "restore",
                "archive",
                "unarchive",
                "sync",
                "create_token",
                "revoke_token",
                "invite_used",
                "comment",
            ],
        )
