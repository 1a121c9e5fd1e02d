"""Desk pages for releases: the list, one release with its drafts' review state, diffs and
previews, adding a draft from its draft page, and publishing with a confirmation first.

Each route states the API role it needs, as ``api.controllers.releases`` does.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

import exporters
from api.controllers.params import EspParam, IdParam, PaperParam, SizeParam, SlugParam
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.diffs import rows
from api.desk.drafts import actor
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.messages import plain
from api.desk.web import DeskLocale, Pages, PagesDep, desk_opts, file, headers, in_locale, item_url, redirect
from api.desk.words import long_date
from api.reader import today
from api.release_previews import Key, release_bundle
from content import model
from content.editorial import Draft, Editorial
from content.errors import Conflict, InvalidInput, NotFound
from content.locales import DEFAULT_LOCALE, canonical
from content.options import DEFAULT_ESP, DEFAULT_SIZE
from exporters.web import PageOptions

KindParam = Annotated[model.Kind, Parameter(description="The kind of item.")]
PREVIEW = "/releases/{release_id:int}/preview/{kind:str}/{slug:str}"


def release_url(release_id: int, suffix: str = "") -> str:
    return f"/desk/releases/{release_id}{suffix}"


async def release_page(
    request: Request[Any, Any, Any],
    pages: Pages,
    editorial: Editorial,
    release_id: int,
    template: str = "release.html.j2",
    problem: str = "",
    status_code: int = 200,
) -> Response[Any]:
    release = await editorial.releases.get(release_id)
    return await pages.render(
        request,
        template,
        release=release,
        diffs={(e.type, e.slug, e.locale): rows(e.diff) if e.diff else None for e in release.entries},
        base=release_url(release_id),
        problem=plain(problem, ui_language(request)) if problem else problem,
        status_code=status_code,
    )


async def _release_drafts(editorial: Editorial, release_id: int, key: Key) -> tuple[Draft, dict[Key, Draft]]:
    """The entry's draft and every draft of the release (NotFound if the entry is not in it)."""
    release = await editorial.releases.get(release_id)
    found: dict[Key, Draft] = {}
    for e in release.entries:
        if e.draft_revision is not None:
            found[(e.type, e.slug, e.locale)] = await editorial.get(e.type, e.slug, e.locale)
    if key not in found:
        raise NotFound(f"Release {release_id} has no draft of {key[0]} {key[1]!r} ({key[2]}).")
    return found[key], found


def _form_key(form: Any) -> tuple[model.Kind, str, str]:
    """The (kind, slug, locale) a form names, checked as the API checks them."""
    try:
        kind = msgspec.convert(str(form.get("kind", "")), model.Kind)
        slug = msgspec.convert(str(form.get("slug", "")), model.Slug)
        locale = canonical(msgspec.convert(str(form.get("locale", DEFAULT_LOCALE)), model.Locale))
    except msgspec.ValidationError as exc:
        raise InvalidInput("kind", f"Not an item of the library: {exc}") from exc
    return kind, slug, locale


class ReleaseDeskController(Controller):
    """Releases in the desk."""

    @get("/releases", **desk_opts("reader"))
    async def index(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep
    ) -> Response[Any]:
        """Every release, unpublished first; editors create one here."""
        return await pages.render(request, "releases.html.j2", releases=await editorial.releases.summaries())

    @post("/releases", **desk_opts("editor"), status_code=303)
    async def create(self, request: Request[Any, Any, Any], editorial: EditorialDep) -> Response[Any]:
        form = await request.form()
        name = " ".join(str(form.get("name", "")).split())[:200]
        if not name:
            raise InvalidInput("name", "Give the release a name.")
        release = await editorial.releases.create(name, (await actor(request))[0])
        return redirect(release_url(release.id), "release_created")

    @post("/releases/add", **desk_opts("editor"), status_code=303)
    async def add(self, request: Request[Any, Any, Any], editorial: EditorialDep) -> Response[Any]:
        """From a draft page: the draft joins the release chosen."""
        form = await request.form()
        kind, slug, locale = _form_key(form)
        try:
            release_id = int(str(form.get("release", "")))
        except ValueError as exc:
            raise InvalidInput("release", "Choose a release.") from exc
        await editorial.releases.add(release_id, kind, slug, locale, (await actor(request))[0])
        return redirect(item_url(kind, slug, "/draft", locale), "release_added")

    @get("/releases/{release_id:int}", **desk_opts("reader"))
    async def show(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep, release_id: IdParam
    ) -> Response[Any]:
        """Its drafts with their review state and diffs, previews, and the publish button."""
        return await release_page(request, pages, editorial, release_id)

    @post("/releases/{release_id:int}/remove", **desk_opts("editor"), status_code=303)
    async def remove(
        self, request: Request[Any, Any, Any], editorial: EditorialDep, release_id: IdParam
    ) -> Response[Any]:
        kind, slug, locale = _form_key(await request.form())
        await editorial.releases.remove(release_id, kind, slug, locale, (await actor(request))[0])
        return redirect(release_url(release_id), "release_removed")

    @post("/releases/{release_id:int}/delete", **desk_opts("editor"), status_code=303)
    async def delete(
        self, request: Request[Any, Any, Any], editorial: EditorialDep, release_id: IdParam
    ) -> Response[Any]:
        await editorial.releases.delete(release_id, (await actor(request))[0])
        return redirect("/desk/releases", "release_deleted")

    @get("/releases/{release_id:int}/publish", **desk_opts("publisher"))
    async def confirm(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep, release_id: IdParam
    ) -> Response[Any]:
        """What publishing does, named before it is done."""
        return await release_page(request, pages, editorial, release_id, "release_publish.html.j2")

    @post("/releases/{release_id:int}/publish", **desk_opts("publisher"), status_code=303)
    async def publish(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep, release_id: IdParam
    ) -> Response[Any]:
        """All drafts or none; a refusal shows the release again with the reason."""
        try:
            await editorial.publish_release(release_id, (await actor(request))[0])
        except Conflict as exc:
            return await release_page(
                request, pages, editorial, release_id, problem=exc.detail, status_code=409
            )
        return redirect(release_url(release_id), "release_published")

    @post("/releases/{release_id:int}/schedule", **desk_opts("publisher"), status_code=303)
    async def schedule(
        self, request: Request[Any, Any, Any], pages: PagesDep, editorial: EditorialDep, release_id: IdParam
    ) -> Response[Any]:
        """Schedules the publish of the release at a time in the clinic's time zone: its drafts
        must all be reviewed by then, or nothing is published and the schedule fails."""
        form = await request.form()
        at, note = str(form.get("at", ""))[:40], str(form.get("note", ""))[:1000]
        release = await editorial.releases.get(release_id)
        try:
            if release.published_at is not None:
                raise Conflict(f"Release {release_id} was published already.")
            made = await editorial.schedules.create_release(release_id, at, (await actor(request))[0], note)
        except (InvalidInput, Conflict) as exc:
            return await release_page(
                request, pages, editorial, release_id, problem=exc.detail, status_code=400
            )
        shown = long_date(made.at_local, ui_language(request), ZoneInfo(made.time_zone))
        return redirect(release_url(release_id) + "?" + urlencode({"d": shown}), "release_scheduled")

    @get(PREVIEW + "/page", **desk_opts("reader"))
    async def preview_page(
        self,
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        release_id: IdParam,
        kind: KindParam,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The patient page as it will be once the release is published."""
        draft, drafts = await _release_drafts(editorial, release_id, (kind, slug, canonical(locale)))
        bundle = await release_bundle(reader, draft, drafts)
        options = PageOptions(exports.public_url, draft.info.based_on_version, today())
        html = exporters.render("web", "html", [bundle], options).decode()
        return Response(html, media_type="text/html", headers=headers(private=True))

    @get(PREVIEW + "/handout.pdf", **desk_opts("reader"))
    async def preview_handout(
        self,
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        release_id: IdParam,
        kind: KindParam,
        slug: SlugParam,
        paper: PaperParam = None,
        size: SizeParam = DEFAULT_SIZE,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The handout as it will print once the release is published."""
        draft, drafts = await _release_drafts(editorial, release_id, (kind, slug, canonical(locale)))
        bundle = await release_bundle(reader, draft, drafts)
        rendered = await exports.render("pdf", "pdf", [bundle], exports.handout_options(paper, size))
        return file(rendered.body, rendered.media_type, f"{slug}-release-{release_id}.pdf", inline=True)

    @get(PREVIEW + "/email", **desk_opts("reader"))
    async def preview_email(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        release_id: IdParam,
        kind: KindParam,
        slug: SlugParam,
        esp: EspParam = DEFAULT_ESP,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The email as it will be once the release is published, at 600 and 375 px."""
        locale = canonical(locale)
        draft, drafts = await _release_drafts(editorial, release_id, (kind, slug, locale))
        bundle = await release_bundle(reader, draft, drafts)
        document = msgspec.json.decode(
            exporters.render("email", "json", [bundle], exports.email_options(esp))
        )
        release = await editorial.releases.get(release_id)
        return await pages.render(
            request,
            "email.html.j2",
            title=draft.content.title,
            email=document,
            esp=esp,
            action=release_url(release_id, f"/preview/{kind}/{slug}/email"),
            versions=[],
            version=None,
            downloads=[],
            back=(
                release_url(release_id),
                catalog(ui_language(request))["release_title"].format(name=release.name),
            ),
            **in_locale(locale),
        )
