"""Editorial desk actions on published content: sign-off, publish, restore, archive, un-archive.

Publish, restore and archive ask first (``api.desk.confirming``): their GET routes show what will
happen, and their POST routes act only with the confirmation form's ``confirm=1``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.controllers.params import SlugParam
from api.deps import EditorialDep, ReaderDep
from api.desk.confirming import archive_confirm, publish_confirm, restore_confirm, words
from api.desk.drafts import actor, draft_page, form_etag
from api.desk.i18n import ui_language
from api.desk.web import (
    DeskLocale,
    PagesDep,
    desk_opts,
    item_url,
    kind_of,
    per_kind,
    redirect,
)
from api.desk.words import long_date
from content.errors import Conflict, ContentError, Forbidden, InvalidInput, NotFound, Stale
from content.locales import DEFAULT_LOCALE, canonical


class PublishingController(Controller):
    """Review and publishing: each route states the API role it needs."""

    @post(per_kind("/draft/review"), **desk_opts("reviewer"), status_code=303)
    async def review(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Signs off exactly the draft shown, with the next review date."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        name = (await actor(request))[0]
        try:
            next_on = msgspec.convert(str(form.get("next_review_on", "")), dt.date)
            await editorial.review(kind, slug, form_etag(form), name, next_on, locale=locale)
        except Forbidden as exc:
            return await draft_page(request, pages, editorial, reader, kind, slug, locale, exc.detail, 403)
        except (msgspec.ValidationError, InvalidInput, Stale) as exc:
            detail = getattr(exc, "detail", "Give the next review date as a day in the future.")
            if isinstance(exc, Stale):  # plain words, not the API's "fetch it again"
                detail = words(request)["refuse_changed"]
            return await draft_page(
                request,
                pages,
                editorial,
                reader,
                kind,
                slug,
                locale,
                detail,
                400 if not isinstance(exc, Stale) else 409,
            )
        return redirect(item_url(kind, slug, "/draft", locale, d=next_on.isoformat()), "reviewed")

    @get(per_kind("/draft/publish"), **desk_opts("publisher"))
    async def publish_confirm(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
        etag: Annotated[str, Parameter(max_length=100)] = "",
    ) -> Response[Any]:
        """What publishing this draft does: "Publish version N of “title” (language) to patients"."""
        key = (kind_of(request), slug, canonical(locale))
        return await publish_confirm(request, pages, editorial, key, {"etag": etag.strip('"')})

    @post(per_kind("/draft/publish"), **desk_opts("publisher"), status_code=303)
    async def publish(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The reviewed draft becomes the next version (after the confirmation); above the reading
        level, with an override."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        carried = {name: str(form.get(name, ""))[:1000] for name in ("note", "override")}
        carried["etag"] = form_etag(form)
        if form.get("confirm") != "1":
            return await publish_confirm(request, pages, editorial, (kind, slug, locale), carried)
        override = carried["override"].strip() or None
        try:
            number = await editorial.publish(
                kind, slug, carried["etag"], (await actor(request))[0], carried["note"], locale, override
            )
        except (Conflict, Stale, Forbidden, NotFound) as exc:
            return await publish_confirm(request, pages, editorial, (kind, slug, locale), carried, exc)
        return redirect(item_url(kind, slug, "", locale, v=number), "published")

    @post(per_kind("/draft/schedule"), **desk_opts("publisher"), status_code=303)
    async def schedule(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Schedules the publish of the draft as it is now, at a time in the clinic's time zone."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        at, note = str(form.get("at", ""))[:40], str(form.get("note", ""))[:1000]
        try:
            made = await editorial.schedules.create(
                "publish", kind, slug, locale, at, (await actor(request))[0], note
            )
        except (InvalidInput, NotFound) as exc:
            return await draft_page(request, pages, editorial, reader, kind, slug, locale, exc.detail, 400)
        shown = long_date(made.at_local, ui_language(request), ZoneInfo(made.time_zone))
        return redirect(item_url(kind, slug, "/draft", locale, d=shown), "scheduled")

    @get(per_kind("/versions/{number:int}/restore"), **desk_opts("publisher"))
    async def restore_confirm(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        slug: SlugParam,
        number: Annotated[int, Parameter(ge=1)],
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """What restoring does: "Restore version N of “title” as version M", or that it changes nothing."""
        return await restore_confirm(
            request, pages, reader, (kind_of(request), slug, canonical(locale)), number
        )

    @post(per_kind("/versions/{number:int}/restore"), **desk_opts("publisher"), status_code=303)
    async def restore(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        number: Annotated[int, Parameter(ge=1)],
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Publishes a copy of an old version of this translation as the next one (once confirmed)."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        note = str(form.get("note", ""))[:1000]
        if form.get("confirm") != "1":
            return await restore_confirm(request, pages, reader, (kind, slug, locale), number, note)
        try:
            new = await editorial.restore(kind, slug, number, (await actor(request))[0], note, locale)
        except (Conflict, NotFound):  # the same text as the latest (a stale page), or no such version
            return await restore_confirm(request, pages, reader, (kind, slug, locale), number, note, 409)
        return redirect(item_url(kind, slug, "", locale, v=new), "restored")

    @get(per_kind("/archive"), **desk_opts("publisher"))
    async def archive_confirm(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """What archiving does: its page, handout and email stop being available to patients."""
        key = (kind_of(request), slug, canonical(locale))
        return await archive_confirm(request, pages, editorial, reader, key)

    @post(per_kind("/archive"), **desk_opts("publisher"), status_code=303)
    async def archive(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Withdraws the translation (once confirmed); refused while a live item embeds it."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        if form.get("confirm") != "1":
            return await archive_confirm(request, pages, editorial, reader, (kind, slug, locale))
        try:
            await editorial.archive(kind, slug, (await actor(request))[0], locale)
        except ContentError:  # shown inside another item, or archived already
            return await archive_confirm(request, pages, editorial, reader, (kind, slug, locale), 409)
        return redirect(item_url(kind, slug, "", locale), "archived")

    @post(per_kind("/unarchive"), **desk_opts("admin"), status_code=303)
    async def unarchive(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Brings an archived translation back."""
        kind, locale = kind_of(request), canonical(locale)
        await editorial.unarchive(kind, slug, (await actor(request))[0], locale)
        return redirect(item_url(kind, slug, "", locale), "unarchived")
