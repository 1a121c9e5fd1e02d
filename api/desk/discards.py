"""Discarding a draft (after a confirmation) and bringing it back: Undo, for 30 days.

The discarded copy is kept by ``content.discards``; the message after a discard carries its id,
so the page it lands on offers "Undo" right there, and /desk/discarded lists every recent one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.controllers.params import SlugParam
from api.deps import EditorialDep, ReaderDep
from api.desk.confirming import confirm_page, language_in, words
from api.desk.drafts import actor, form_etag, latest_number
from api.desk.web import DeskLocale, Pages, PagesDep, desk_opts, item_url, kind_of, per_kind, redirect
from content import model
from content.editorial import Editorial
from content.errors import ContentError, NotFound, Stale
from content.locales import DEFAULT_LOCALE, canonical


async def discard_confirm(
    request: Request[Any, Any, Any],
    pages: Pages,
    editorial: Editorial,
    key: tuple[model.Kind, str, str],
    etag: str,
    problem: str = "",
) -> Response[Any]:
    """``Discard the draft of “title”; you can undo this for 30 days``, or why it cannot be."""
    kind, slug, locale = key
    labels = words(request)
    try:
        draft = await editorial.get(kind, slug, locale)
    except NotFound:
        return await confirm_page(
            request, pages, locale, heading=labels["discard_draft"], cancel="/desk/review",
            back_to=labels["queue"], problem=labels["refuse_no_draft"], status_code=409,
        )  # fmt: skip
    title, back = draft.content.title, item_url(kind, slug, "/draft", locale)
    etag = etag or draft.etag.strip('"')
    if not problem and etag != draft.etag.strip('"'):
        problem = labels["refuse_changed"]
    what = "confirm_discard_what" if draft.info.based_on_version else "confirm_discard_what_new"
    return await confirm_page(
        request,
        pages,
        locale,
        heading=labels["confirm_discard_title"].format(title=title),
        what=labels[what].format(title=title, language=language_in(locale, labels)),
        button=labels["confirm_discard_button"],
        action=item_url(kind, slug, "/draft/discard", locale),
        cancel=back,
        back_to=labels["draft_title"].format(title=title),
        problem=problem,
        hidden={"etag": etag},
        danger=True,
        status_code=409 if problem else 200,
    )


async def undo_refusal(editorial: Editorial, labels: dict[str, str], discard_id: int) -> str:
    """Why the discard ``discard_id`` cannot be undone, in plain words."""
    try:
        kept = await editorial.discards.get(discard_id)
    except NotFound:
        return labels["refuse_undo_gone"]
    if kept.restored_at is not None:
        key = "refuse_undo_done"
    elif kept.undo_until < dt.datetime.now(dt.UTC):
        key = "refuse_undo_old"
    else:
        try:
            await editorial.get(kept.kind, kept.slug, kept.locale)
            key = "refuse_undo_draft"
        except ContentError:
            key = "refuse_undo_archived"
    return labels[key].format(title=kept.title)


async def discarded_page(
    request: Request[Any, Any, Any],
    pages: Pages,
    editorial: Editorial,
    problem: str = "",
    status_code: int = 200,
) -> Response[Any]:
    return await pages.render(
        request,
        "discarded.html.j2",
        discards=await editorial.discards.recent(),
        problem=problem,
        status_code=status_code,
    )


class DiscardController(Controller):
    """Discard a draft after a confirmation, and undo it; editors."""

    @get(per_kind("/draft/discard"), **desk_opts("editor"))
    async def discard_confirm(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
        etag: Annotated[str, Parameter(max_length=100)] = "",
    ) -> Response[Any]:
        """What discarding does, and that it can be undone for 30 days."""
        key = (kind_of(request), slug, canonical(locale))
        return await discard_confirm(request, pages, editorial, key, etag.strip('"'))

    @post(per_kind("/draft/discard"), **desk_opts("editor"), status_code=303)
    async def discard(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Deletes the draft (and a translation never published), keeping a copy to undo from."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        etag = form_etag(form)
        if form.get("confirm") != "1":
            return await discard_confirm(request, pages, editorial, (kind, slug, locale), etag)
        try:
            kept = await editorial.discard(kind, slug, etag or None, (await actor(request))[0], locale)
        except (Stale, NotFound):
            return await discard_confirm(request, pages, editorial, (kind, slug, locale), etag)
        latest = await latest_number(reader, kind, slug, locale)
        where = item_url(kind, slug, "", locale, undo=kept) if latest else f"/desk?undo={kept}"
        return redirect(where, "discarded")

    @get("/discarded", **desk_opts("editor"))
    async def discarded(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep
    ) -> Response[Any]:
        """Drafts discarded in the last 30 days, newest first, each with Undo."""
        return await discarded_page(request, pages, editorial)

    @post("/discarded/{discard_id:int}/undo", **desk_opts("editor"), status_code=303)
    async def undo(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        discard_id: Annotated[int, Parameter(ge=1)],
    ) -> Response[Any]:
        """The discarded draft becomes the draft again; a reviewer signs it off again."""
        try:
            back = await editorial.discards.undo(discard_id, (await actor(request))[0])
        except ContentError:
            problem = await undo_refusal(editorial, words(request), discard_id)
            return await discarded_page(request, pages, editorial, problem, 409)
        return redirect(item_url(back.kind, back.slug, "/draft", back.locale), "undone")
