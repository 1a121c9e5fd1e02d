"""Signing in and out, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import Parameter

from api.deps import AuditLogDep, SessionsDep
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.web import SIGNIN_COOKIE, PagesDep, current, desk_opts, redirect, session_cookie, signin_token
from content.accounts import TTL


def safe_next(target: str) -> str:
    """Only a desk path: never another site (//evil.example) or a scheme."""
    return target if target.startswith("/desk") and "//" not in target and "\\" not in target else "/desk"


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
            hours=int(TTL.total_seconds() // 3600),
            cookies=[cookie] if cookie else None,
        )

    @post("/signin", **desk_opts(), status_code=303)
    async def signin(
        self, request: Request[Any, Any, Any], pages: PagesDep, sessions: SessionsDep
    ) -> Response[Any]:
        """Checks the token once and opens a session; the token itself is not kept."""
        form = await request.form()
        opened = await sessions.open(str(form.get("token", "")).strip())
        target = safe_next(str(form.get("next", "/desk")))
        if opened is None:
            token, _ = signin_token(request)
            return await pages.render(
                request,
                "signin.html.j2",
                signin_csrf=token,
                next=target,
                error=catalog(ui_language(request))["bad_token"],
                hours=int(TTL.total_seconds() // 3600),
                status_code=401,
            )
        session_id, session = opened
        response = redirect(target, "signed_in")
        response.cookies.append(session_cookie(request, session_id, session.expires_at))
        response.cookies.append(
            Cookie(key=SIGNIN_COOKIE, value="", path="/desk", max_age=0, httponly=True, samesite="strict")
        )
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
