"""Preview links: an editor makes one on the draft page; anyone with it reads the draft.

``/desk/shared/{token}`` is the draft's patient page with a banner saying what it is, and
``/desk/shared/{token}/handout.pdf`` its handout: no desk around them, nothing to change, never
indexed, cached, framed by others or named in a Referer. A link that is expired, changed or
whose draft is gone answers with a plain page saying so, never the content.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from markupsafe import Markup

from api.caching import NO_STORE
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.drafts import actor, handout_pdf, page_html
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.sharing import share_links
from api.desk.web import DeskLocale, desk_opts, environment, item_url, kind_of, per_kind, redirect
from api.desk.words import clinic_zone, rendering
from content.editorial import Draft, Editorial
from content.errors import InvalidInput, NotFound
from content.locales import DEFAULT_LOCALE, canonical
from content.share_links import BadLink, ShareLink, valid_days

Token = Annotated[str, Parameter(max_length=2000, description="A preview link's token.")]
# Only this page's own styles; nothing may frame it, follow it from a Referer or index it.
SHARED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)


def shared_headers() -> dict[str, str]:
    return {
        "Cache-Control": NO_STORE,
        "Content-Security-Policy": SHARED_CSP,
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def refused(request: Request[Any, Any, Any], why: str, status: int) -> Response[str]:
    """A plain page saying why there is nothing to show: ``shared_expired``, ``_invalid`` or ``_gone``."""
    lang = ui_language(request)
    with rendering(lang, clinic_zone(request)):
        body = (
            environment()
            .get_template("shared_refused.html.j2")
            .render(labels=catalog(lang), ui_lang=lang, why=why)
        )
    return Response(body, status_code=status, media_type="text/html", headers=shared_headers())


async def opened(
    request: Request[Any, Any, Any], editorial: Editorial, token: str
) -> tuple[ShareLink, Draft] | Response[str]:
    """The link and its draft as it is now, or the refusal page."""
    try:
        link = await share_links(editorial).check(token)
    except BadLink:
        return refused(request, "shared_invalid", 404)
    if link.expired():
        return refused(request, "shared_expired", 410)
    try:
        draft = await editorial.get(link.kind, link.slug, link.locale)
    except NotFound:
        return refused(request, "shared_gone", 410)
    if draft.info.based_on_version != link.based_on:  # published since, and a new draft begun
        return refused(request, "shared_gone", 410)
    if await share_links(editorial).outlived(link):  # discarded since, and a new draft begun
        return refused(request, "shared_gone", 410)
    return link, draft


def with_banner(request: Request[Any, Any, Any], html: str, link: ShareLink, token: str) -> str:
    """The patient page with ``noindex`` and, first in its body, what this preview is."""
    lang = ui_language(request)
    handout = f"/desk/shared/{token}/handout.pdf"
    with rendering(lang, clinic_zone(request)):
        banner = (
            environment()
            .get_template("_shared_banner.html.j2")
            .render(labels=catalog(lang), ui_lang=lang, link=link, handout=handout)
        )
    html = html.replace("<head>", '<head>\n<meta name="robots" content="noindex, nofollow">', 1)
    body = html.find("<body")
    at = html.find("<header", body)  # after the skip link, before the page's own header
    at = at if at >= 0 else html.find(">", body) + 1
    return html[:at] + str(Markup(banner)) + "\n" + html[at:]


class ShareController(Controller):
    """Preview links to drafts."""

    @post(per_kind("/draft/share"), **desk_opts("editor"))
    async def create(
        self, request: Request[Any, Any, Any], editorial: EditorialDep, locale: DeskLocale = DEFAULT_LOCALE
    ) -> Response[str]:
        """A new preview link; the draft page shows it, ready to copy."""
        kind, slug, locale = kind_of(request), request.path_params["slug"], canonical(locale)
        try:
            days = valid_days(str((await request.form()).get("days", "")))
        except InvalidInput:
            return redirect(item_url(kind, slug, "/draft", locale, share_error="days") + "#share")
        draft = await editorial.get(kind, slug, locale)
        _, token = await share_links(editorial).create(
            kind, slug, locale, draft.info.based_on_version, days, (await actor(request))[0]
        )
        return redirect(item_url(kind, slug, "/draft", locale, shared=token) + "#share")

    @get("/shared/{token:str}", **desk_opts())
    async def page(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        token: Token,
    ) -> Response[str]:
        """The draft's patient page as it is now, read-only, under a banner saying so."""
        found = await opened(request, editorial, token)
        if isinstance(found, Response):
            return found
        link, draft = found
        html = await page_html(
            reader, exports, draft.content, draft.info.based_on_version, draft.info.updated_by
        )
        return Response(
            with_banner(request, html, link, token), media_type="text/html", headers=shared_headers()
        )

    @get("/shared/{token:str}/handout.pdf", **desk_opts())
    async def handout(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        token: Token,
    ) -> Response[Any]:
        """The draft's handout PDF as it is now."""
        found = await opened(request, editorial, token)
        if isinstance(found, Response):
            return found
        _, draft = found
        body = await handout_pdf(reader, exports, draft)
        disposition = {"Content-Disposition": f'inline; filename="{draft.slug}-draft.pdf"'}
        return Response(body, media_type="application/pdf", headers=shared_headers() | disposition)
