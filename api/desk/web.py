"""The desk's Jinja environment, its sessions and role checks, and page responses."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import Parameter
from litestar.types import Guard
from markupsafe import Markup

from api.caching import NO_STORE
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.queues import waiting_for
from api.desk.words import CurrentLabels, DeskEnvironment, long_date, rendering
from api.locales import LOCALE_PATTERN
from content import codes, model
from content.accounts import ROLES, Role, Session, Sessions, allows
from content.editorial import Editorial
from content.locales import DEFAULT_LOCALE, canonical
from content.options import DEFAULT_ESP, DEFAULT_SIZE, ESPS, PAPERS, SIZES
from exporters.i18n import language_name

TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "folio_desk"
SIGNIN_COOKIE = "folio_desk_signin"  # double-submit CSRF token of the sign-in form
# Pages may load only this app's own styles, scripts and images; previews sit in srcdoc frames.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def query(**params: Any) -> str:
    """A query string from the non-empty parameters; lists repeat their key."""
    pairs = []
    for key, value in params.items():
        for one in value if isinstance(value, list | tuple) else [value]:
            if one not in (None, ""):
                pairs.append((key, str(one)))
    return ("?" + urlencode(pairs)) if pairs else ""


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = DeskEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = long_date
    env.filters["html"] = Markup  # only for HTML content.markdown or a channel produced
    env.globals.update(
        labels=CurrentLabels(),  # what macros imported without context see: the page's language
        kinds=model.KIND_SPECS,
        plurals=model.PLURALS,
        roles=ROLES,
        allows=allows,
        query=query,
        quote=quote,
        item_url=item_url,
        ref_key=ref_key,
        language=language_name,
        default_locale=DEFAULT_LOCALE,
        esps=sorted(ESPS, key=lambda esp: esp != DEFAULT_ESP),  # the default first, as the forms show it
        papers=PAPERS,
        sizes=SIZES,
        default_size=DEFAULT_SIZE,
        code_system_name=lambda uri: codes.BY_URI[uri].name,
    )
    return env


def kind_of(request: Request[Any, Any, Any]) -> model.Kind:
    """The kind a per-kind desk path names: /desk/{plural}/..."""
    return model.BY_PLURAL[request.url.path.split("/")[2]].name


def per_kind(suffix: str = "") -> list[str]:
    """Paths of one route for every kind, under the desk router's /desk."""
    return [f"/{spec.plural}/{{slug:str}}{suffix}" for spec in model.KIND_SPECS.values()]


# Which translation a desk page shows or changes (default en); forms and links carry it along.
DeskLocale = Annotated[str, Parameter(pattern=LOCALE_PATTERN, description="The translation.")]


_PLURALS: dict[str, str] = {name: plural for name, plural in model.PLURALS.items()}


def item_url(kind: str, slug: str, suffix: str = "", locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    """A desk path of one translation; the default locale's needs no ``?locale=``."""
    path = f"/desk/{_PLURALS[kind]}/{slug}{suffix}"
    return path + query(locale=None if locale == DEFAULT_LOCALE else canonical(locale), **params)


def ref_key(ref: model.ItemRef | model.ItemSummary) -> str:
    """How packets and digests name a translation: ``kind/slug``, or ``kind/slug/locale``."""
    locale = ref.locale or DEFAULT_LOCALE
    return f"{ref.type}/{ref.slug}" + ("" if locale == DEFAULT_LOCALE else f"/{locale}")


def in_locale(locale: str) -> dict[str, Any]:
    """Template context that keeps a page's links and forms on its translation."""
    locale = canonical(locale)
    other = locale != DEFAULT_LOCALE
    return {
        "loc": locale,
        "lq": f"?locale={locale}" if other else "",  # after a path
        "la": f"&locale={locale}" if other else "",  # after other parameters
        "locale_field": Markup(f'<input type="hidden" name="locale" value="{locale}">') if other else "",
    }


# --- sessions ---------------------------------------------------------------------------------


async def current(connection: ASGIConnection[Any, Any, Any, Any]) -> Session | None:
    """The signed-in session of this request, looked up once."""
    if "desk_session" not in connection.state:
        session_id = connection.cookies.get(COOKIE)
        sessions: Sessions = connection.app.state.sessions  # guards get no injection (api.app)
        connection.state.desk_session = await sessions.find(session_id) if session_id else None
    session: Session | None = connection.state.desk_session
    return session


def session_cookie(request: Request[Any, Any, Any], value: str, expires: dt.datetime | None) -> Cookie:
    """HttpOnly, SameSite=Strict, Secure under https, only sent to /desk."""
    return Cookie(
        key=COOKIE,
        value=value,
        path="/desk",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=max(int((expires - dt.datetime.now(dt.UTC)).total_seconds()), 0) if expires else 0,
    )


def signin_token(request: Request[Any, Any, Any]) -> tuple[str, Cookie | None]:
    """The sign-in form's CSRF token: the one in the cookie, or a new one with its cookie."""
    existing = request.cookies.get(SIGNIN_COOKIE)
    if existing:
        return existing, None
    token = secrets.token_urlsafe(24)
    cookie = Cookie(
        key=SIGNIN_COOKIE,
        value=token,
        path="/desk",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return token, cookie


def needs(role: Role) -> Guard:
    """The API's rule for a desk route: 401 without a session, 403 below ``role``."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        session = await current(connection)
        if session is None:
            raise NotAuthorizedException(catalog(ui_language(connection))["sign_in_to_continue"])
        if not allows(session.role, role):
            words = catalog(ui_language(connection))
            raise PermissionDeniedException(
                words["forbidden"].format(role=words["role_" + role], current=words["role_" + session.role])
            )

    return guard


def desk_opts(role: Role | None = None) -> dict[str, Any]:
    """Route options: out of the OpenAPI schema, the role's guard, the role kept for the tests."""
    opts: dict[str, Any] = {"include_in_schema": False, "opt": {"desk_role": role}}
    if role is not None:
        opts["guards"] = [needs(role)]
    return opts


async def check_csrf(request: Request[Any, Any, Any]) -> None:
    """Every desk POST carries the session's CSRF token (or, signed out, the sign-in form's:
    signing in and changing a packet; choosing a language needs none).

    The session is looked up first, so that an error page still shows who is signed in.
    """
    if request.cookies.get(COOKIE):
        await current(request)
    if request.method != "POST":
        return
    form = await request.form()
    sent = str(form.get("csrf", "")) or request.headers.get("x-csrf-token", "")
    signin_form = request.url.path == "/desk/signin" or request.url.path.startswith("/desk/welcome/")
    session = None if signin_form else await current(request)
    if session is not None:
        expected = session.csrf
    elif signin_form or request.url.path.startswith("/desk/packet/"):
        expected = request.cookies.get(SIGNIN_COOKIE, "")  # forms anyone may post: double-submit
    else:
        if request.url.path == "/desk/language":
            return  # signed out, choosing a language changes nothing but how the desk speaks
        expected = ""
    if not expected or not sent or not secrets.compare_digest(sent, expected):
        raise PermissionDeniedException(catalog(ui_language(request))["form_expired"])


# --- responses --------------------------------------------------------------------------------


def headers(private: bool) -> dict[str, str]:
    return {
        "Cache-Control": NO_STORE if private else "no-cache",
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def flash(request: Request[Any, Any, Any]) -> str:
    """The message a redirect after a POST asked for (?done=published&v=3), from the label table."""
    params = request.query_params
    template = catalog(ui_language(request)).get("done_" + params.get("done", ""), "")
    return template.format(version=params.get("v", ""), date=params.get("d", "")) if template else ""


@dataclass(frozen=True, slots=True)
class Pages:
    """Renders desk pages, with what every page shows besides its own content."""

    editorial: Editorial  # who is who: names shown for token names
    default_paper: str
    loopback_warning: str | None
    public_url: str = ""  # where the warning says QR codes point, in the desk's words

    async def render(
        self,
        request: Request[Any, Any, Any],
        template: str,
        *,
        status_code: int = 200,
        cookies: list[Cookie] | None = None,
        **context: Any,
    ) -> Response[str]:
        """A desk page; anything shown to a signed-in person is private and never stored."""
        session = await current(request)
        csrf = session.csrf if session else ""
        people = await self.editorial.people()
        lang = ui_language(request)
        mine = await waiting_for(self.editorial, session) if session else None
        with rendering(lang, self.editorial.schedules.zone):
            body = (
                environment()
                .get_template(template)
                .render(
                    request_path=request.url.path,
                    here=here(request),
                    # The page's path and query (?locale=es): where signing in comes back to.
                    request_target=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                    session=session,
                    csrf=csrf,
                    can=lambda role: session is not None and allows(session.role, role),
                    flash=flash(request),
                    # After a discard (?done=discarded&undo=7): the message offers Undo right there.
                    flash_undo=undo if (undo := request.query_params.get("undo", "")).isdigit() else "",
                    default_paper=self.default_paper,
                    loopback_warning=self.loopback_warning
                    and catalog(lang)["loopback_warning"].format(url=self.public_url),
                    person=lambda name: person(name, people, lang),
                    labels=catalog(lang),
                    ui_lang=lang,
                    queue_count=mine.count if mine else 0,
                    **(in_locale(DEFAULT_LOCALE) | context),
                )
            )
        return Response(
            body,
            media_type="text/html",
            status_code=status_code,
            headers=headers(private=session is not None or template != "library.html.j2"),
            cookies=cookies or [],
        )


PagesDep = NamedDependency[Pages]


def person(name: str, people: dict[str, str], language: str = "en") -> str:
    """Who an account name stands for, as staff know them: a display name, never a token's name."""
    if name in people:
        return people[name]
    return catalog(language).get("person_" + name, name)


def is_desk_path(target: str) -> bool:
    """A path of this site's desk, safe to redirect to: never another site (``//evil.example``),
    a scheme, a backslash, a ``..`` segment or a control character (a header split)."""
    path = target.split("?", 1)[0]
    return (
        (path == "/desk" or path.startswith("/desk/"))
        and "//" not in target
        and "\\" not in target
        and "/.." not in path
        and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    )


def here(request: Request[Any, Any, Any]) -> str:
    """This page's path and query, without the one-time message of a redirect (?done=...).

    A page answering a form's POST stands at the address of the page the form was on.
    """
    if request.method != "GET":
        came_from = urlsplit(request.headers.get("referer", ""))
        same_site = came_from.netloc == request.url.netloc and came_from.path.startswith("/desk")
        return (came_from.path + (f"?{came_from.query}" if came_from.query else "")) if same_site else "/desk"
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("done", "v", "d")]
    return request.url.path + (("?" + urlencode(kept)) if kept else "")


def redirect(location: str, done: str = "") -> Response[str]:
    """After a POST: 303 to the page that shows the result (with a message to announce)."""
    if done:
        location += ("&" if "?" in location else "?") + urlencode({"done": done})
    return Response("", status_code=303, headers={"Location": location, "Cache-Control": NO_STORE})


def file(
    body: bytes, media_type: str, filename: str, *, inline: bool = False, private: bool = True
) -> Response[bytes]:
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Cache-Control": NO_STORE if private else "public, max-age=60",
            "X-Content-Type-Options": "nosniff",
        },
    )
