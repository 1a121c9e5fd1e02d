"""Choosing the desk's interface language: a form on every page, a cookie, back to the same page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import Cookie

from api.caching import NO_STORE
from api.desk.account import safe_next
from api.desk.i18n import LANG_COOKIE, UI_LANGUAGES
from api.desk.web import desk_opts

YEAR = 365 * 24 * 3600


class LanguageController(Controller):
    @post("/language", **desk_opts(), status_code=303)
    async def choose(self, request: Request[Any, Any, Any]) -> Response[str]:
        """Remembers ``lang`` (en or es) for a year and goes back to ``next``, its query kept."""
        form = await request.form()
        chosen = str(form.get("lang", ""))
        target = safe_next(str(form.get("next", "/desk")))
        response = Response("", status_code=303, headers={"Location": target, "Cache-Control": NO_STORE})
        if chosen in UI_LANGUAGES:
            response.cookies.append(
                Cookie(
                    key=LANG_COOKIE,
                    value=chosen,
                    path="/desk",
                    max_age=YEAR,
                    httponly=True,
                    samesite="lax",
                    secure=request.url.scheme == "https",
                )
            )
        return response
