"""People in the desk (admin): accounts listed, invited with a one-time sign-in link, revoked.

The link and the token of an invitation are shown once: the POST hands them to the result page
in a cookie that only that page reads (path ``/desk/people/invited``, HttpOnly, five minutes)
and clears as it shows them, so a reload (or the back button) shows them no more, and they never
sit in a URL or the browser's history. ``/desk/welcome/{code}`` is the link itself: it names who
it signs in, and signs in only on its button (a POST), so link scanners spend nothing.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import Parameter

from api.deps import EditorialDep, SessionsDep
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.web import (
    COOKIE,
    SIGNIN_COOKIE,
    Pages,
    PagesDep,
    current,
    desk_opts,
    redirect,
    session_cookie,
    signin_token,
)
from content.accounts import ROLES, Role, TokenInfo, Tokens
from content.errors import Conflict, NotFound
from content.invites import Invite

INVITED_COOKIE = "folio_desk_invited"
INVITED_PATH = "/desk/people/invited"
ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CodeParam = Annotated[str, Parameter(max_length=100)]
NameParam = Annotated[str, Parameter(max_length=100)]


def derived(display_name: str, taken: set[str]) -> str:
    """An account name from a display name ("Ana Rivera, MD" -> "ana-rivera-md"), not in ``taken``."""
    ascii_only = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")[:90] or "person"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def checked_text(value: str, labels: dict[str, str], *, required: bool) -> tuple[str, str]:
    """(the trimmed text, the error to show at its field or "")."""
    text = value.strip()
    if not text:
        return text, labels["invite_missing_name"] if required else ""
    if len(text) > 200 or CONTROL.search(text):
        return text, labels["invite_bad_text"]
    return text, ""


def invite_errors(form: dict[str, str], labels: dict[str, str], taken: set[str]) -> dict[str, str]:
    """What is wrong with the invite form, by field name."""
    errors = {}
    for field, required in (("display_name", True), ("credentials", False)):
        if error := checked_text(form[field], labels, required=required)[1]:
            errors[field] = error
    if form["role"] not in ROLES:
        errors["role"] = labels["invite_bad_role"]
    account = form["account"]
    if account and not ACCOUNT.match(account):
        errors["account"] = labels["invite_bad_account"]
    elif account in taken:
        errors["account"] = labels["invite_taken"].format(name=account)
    return errors


def packed(info: TokenInfo, token: str, code: str) -> str:
    shown = {"name": info.name, "person": info.display_name, "token": token, "code": code}
    return base64.urlsafe_b64encode(json.dumps(shown).encode()).decode()


def unpacked(value: str) -> dict[str, str] | None:
    try:
        shown = json.loads(base64.urlsafe_b64decode(value.encode()))
    except ValueError:
        return None
    return shown if isinstance(shown, dict) and {"name", "person", "token", "code"} <= set(shown) else None


def invited_cookie(request: Request[Any, Any, Any], value: str) -> Cookie:
    return Cookie(
        key=INVITED_COOKIE,
        value=value,
        path=INVITED_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=300 if value else 0,
    )


def gone_message(invite: Invite | None, labels: dict[str, str]) -> tuple[int, str]:
    """Why a link signs nobody in: (404 for a code never issued, 410 for a spent one; the words)."""
    if invite is None:
        return 404, labels["welcome_unknown"]
    return 410, labels["welcome_" + invite.state]


async def account(tokens: Tokens, name: str) -> TokenInfo:
    found = next((t for t in await tokens.all() if t.name == name), None)
    if found is None:
        raise NotFound(f"No account named {name!r}.")
    return found


class PeopleController(Controller):
    """Accounts: the list, invitations and their one-time links, revoking."""

    @get("/people", **desk_opts("admin"))
    async def people(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep
    ) -> Response[Any]:
        """Every account, and the invite form."""
        return await self._people(request, pages, editorial.tokens, {}, {"role": "editor"})

    async def _people(
        self,
        request: Request[Any, Any, Any],
        pages: Pages,
        tokens: Tokens,
        errors: dict[str, str],
        values: dict[str, str],
        status_code: int = 200,
    ) -> Response[Any]:
        return await pages.render(
            request,
            "people.html.j2",
            accounts=await tokens.all(),
            errors=errors,
            values={"display_name": "", "credentials": "", "account": "", "role": "editor"} | values,
            status_code=status_code,
        )

    @post("/people", **desk_opts("admin"), status_code=303)
    async def invite(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep
    ) -> Response[Any]:
        """A new account with its token and one-time link, shown on the next page only."""
        labels = catalog(ui_language(request))
        raw = await request.form()
        form = {k: str(raw.get(k, "")).strip() for k in ("display_name", "credentials", "role", "account")}
        taken = {t.name for t in await editorial.tokens.all()}
        errors = invite_errors(form, labels, taken)
        if errors:
            return await self._people(request, pages, editorial.tokens, errors, form, 400)
        session = await current(request)
        assert session is not None
        name = form["account"] or derived(form["display_name"], taken)
        role: Role = next(r for r in ROLES if r == form["role"])
        try:
            info, token, code = await editorial.invites.invite(
                name,
                role,
                session.token_name,
                display_name=form["display_name"],
                credentials=form["credentials"] or None,
            )
        except Conflict:  # another admin took the name a moment ago
            errors = {"account": labels["invite_taken"].format(name=name)}
            return await self._people(request, pages, editorial.tokens, errors, form, 409)
        response = redirect(INVITED_PATH)
        response.cookies.append(invited_cookie(request, packed(info, token, code)))
        return response

    @get("/people/invited", **desk_opts("admin"))
    async def invited(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep
    ) -> Response[Any]:
        """The link and token of the invitation just made, this once; after that, that they were."""
        shown = unpacked(request.cookies.get(INVITED_COOKIE, ""))
        link = str(request.base_url).rstrip("/") + f"/desk/welcome/{shown['code']}" if shown else ""
        return await pages.render(
            request,
            "invited.html.j2",
            shown=shown,
            link=link,
            invite=await editorial.invites.find(shown["code"]) if shown else None,
            cookies=[invited_cookie(request, "")],
        )

    @get("/people/{name:str}/revoke", **desk_opts("admin"))
    async def confirm_revoke(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep, name: NameParam
    ) -> Response[Any]:
        """Asks first, naming the person and what revoking does."""
        return await self._revoke_page(request, pages, editorial.tokens, name)

    async def _revoke_page(
        self, request: Request[Any, Any, Any], pages: Pages, tokens: Tokens, name: str, status_code: int = 200
    ) -> Response[Any]:
        labels = catalog(ui_language(request))
        found = await account(tokens, name)
        session = await current(request)
        refusal = ""
        if session is not None and session.token_name == name:
            refusal, status_code = labels["revoke_self"], 403
        elif found.revoked_at is not None:
            refusal, status_code = labels["revoke_already"], 409
        return await pages.render(
            request, "revoke.html.j2", account=found, refusal=refusal, status_code=status_code
        )

    @post("/people/{name:str}/revoke", **desk_opts("admin"), status_code=303)
    async def revoke(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep, name: NameParam
    ) -> Response[Any]:
        """Revokes the account: its token, sessions and unused links stop working at once."""
        session = await current(request)
        found = await account(editorial.tokens, name)
        if session is None or session.token_name == name or found.revoked_at is not None:
            return await self._revoke_page(request, pages, editorial.tokens, name)
        assert session is not None
        try:
            await editorial.tokens.revoke(name, session.token_name)
        except NotFound:  # revoked by another admin in between
            return await self._revoke_page(request, pages, editorial.tokens, name)
        return redirect("/desk/people", "revoked")

    @get("/welcome/{code:str}", **desk_opts())
    async def welcome(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep, code: CodeParam
    ) -> Response[Any]:
        """Who the link signs in, and the button that does; or why it no longer works."""
        invite = await editorial.invites.find(code)
        if invite is None or invite.state != "valid":
            status, message = gone_message(invite, catalog(ui_language(request)))
            return await pages.render(
                request, "welcome.html.j2", invite=None, message=message, status_code=status
            )
        token, cookie = signin_token(request)
        return await pages.render(
            request,
            "welcome.html.j2",
            invite=invite,
            message="",
            signin_csrf=token,
            cookies=[cookie] if cookie else None,
        )

    @post("/welcome/{code:str}", **desk_opts(), status_code=303)
    async def use(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        sessions: SessionsDep,
        code: CodeParam,
    ) -> Response[Any]:
        """Spends the link once and opens a desk session (ending any other this browser had);
        nothing opens for a spent link."""
        links = editorial.invites
        opened = await links.use(code)
        if opened is None:
            status, message = gone_message(await links.find(code), catalog(ui_language(request)))
            return await pages.render(
                request, "welcome.html.j2", invite=None, message=message, status_code=status
            )
        session_id, session = opened
        if earlier := request.cookies.get(COOKIE):
            await sessions.close(earlier)
        response = redirect("/desk/review", "welcome")
        response.cookies.append(session_cookie(request, session_id, session.expires_at))
        response.cookies.append(
            Cookie(key=SIGNIN_COOKIE, value="", path="/desk", max_age=0, httponly=True, samesite="strict")
        )
        return response
