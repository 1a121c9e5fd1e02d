"""The desk: /desk, the browser face for staff, marketing, reviewers, editors and publishers.

Server-rendered pages over the same services as the API, with the same roles; a server-side
session stands for the token a person signed in with. ``desk_router()`` is the one thing the
app factory registers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
)
from litestar.static_files import create_static_files_router

from api.deps import EditorialDep, ExportsDep, SettingsDep
from api.desk.account import AccountController, session_ended
from api.desk.bulk import BulkController
from api.desk.comments import CommentController
from api.desk.discards import DiscardController
from api.desk.drafts import DraftController
from api.desk.editing import EditingController
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.language import LanguageController
from api.desk.media import FORM_OVERHEAD, MediaController
from api.desk.messages import heading, plain
from api.desk.packets import PacketController
from api.desk.people import PeopleController
from api.desk.public import LibraryController
from api.desk.publishing import PublishingController
from api.desk.releases import ReleaseDeskController
from api.desk.share import ShareController
from api.desk.web import Pages, check_csrf, environment, headers, here
from api.desk.words import clinic_zone, rendering
from api.problems import _DOMAIN_STATUS
from content.accounts import allows
from content.errors import ContentError, InvalidInput

STATIC = Path(__file__).parent / "static"


def desk_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Errors as desk pages; a page that needs a session sends the person to sign in first."""
    if isinstance(exc, NotAuthorizedException) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Response("", status_code=303, headers={"Location": f"/desk/signin?next={quote(target)}"})
    if isinstance(exc, NotAuthorizedException) and (kept := session_ended(request)) is not None:
        return kept
    lang = ui_language(request)
    words = catalog(lang)
    status, detail = 500, words["msg_server"]
    if isinstance(exc, HTTPException):
        status, detail = exc.status_code, exc.detail
        extra = exc.extra if status == 400 and isinstance(exc.extra, list) else []
        detail = "; ".join(str(e.get("message", "")) for e in extra if isinstance(e, dict)) or detail
        detail = plain(str(detail), lang)
    elif isinstance(exc, ContentError):
        status = next((code for kind, code in _DOMAIN_STATUS if isinstance(exc, kind)), 400)
        detail = plain(exc.detail, lang)
        if isinstance(exc, InvalidInput) and detail == exc.detail:  # unknown: say which field
            detail = f"{words.get(exc.field, exc.field)}: {exc.detail}"
    else:
        request.logger.exception("desk error", exc_info=exc)
    session = request.state.get("desk_session") if "desk_session" in request.state else None
    with rendering(lang, clinic_zone(request)):
        body = (
            environment()
            .get_template("error.html.j2")
            .render(
                request_path=request.url.path,
                here=here(request),
                request_target=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
                session=session,
                csrf=session.csrf if session else "",
                can=lambda role: session is not None and allows(session.role, role),
                flash="",
                status=status,
                detail=detail,
                labels=words,
                ui_lang=lang,
                heading=heading(status, lang),
            )
        )
    return Response(body, status_code=status, media_type="text/html", headers=headers(True))


def unrouted_desk_pages(
    handler: Callable[[Request[Any, Any, Any], Exception], Response[Any]],
) -> Callable[[Request[Any, Any, Any], Exception], Response[Any]]:
    """The app's error handler, except that a /desk address matching no route gets a desk page."""

    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        path = request.url.path
        if (path == "/desk" or path.startswith("/desk/")) and isinstance(
            exc, NotFoundException | MethodNotAllowedException
        ):
            return desk_error(request, exc)
        return handler(request, exc)

    return handle


def provide_pages(editorial: EditorialDep, exports: ExportsDep, settings: SettingsDep) -> Pages:
    return Pages(editorial, exports.default_paper, settings.loopback_warning, settings.base_url)


def desk_router(media_max_bytes: int = 10 * 2**20) -> Router:
    """The desk; its media upload takes an image of up to ``media_max_bytes`` (FOLIO_MEDIA_MAX_BYTES)."""
    media = Router(
        path="/", route_handlers=[MediaController], request_max_body_size=media_max_bytes + FORM_OVERHEAD
    )
    return Router(
        path="/desk",
        route_handlers=[
            LibraryController,
            PacketController,
            BulkController,
            AccountController,
            LanguageController,
            DraftController,
            EditingController,
            PublishingController,
            DiscardController,
            ReleaseDeskController,
            PeopleController,
            CommentController,
            ShareController,
            media,
            create_static_files_router(path="/static", directories=[STATIC], include_in_schema=False),
        ],
        dependencies={"pages": Provide(provide_pages, sync_to_thread=False)},
        before_request=check_csrf,
        exception_handlers={Exception: desk_error},
        include_in_schema=False,
    )
