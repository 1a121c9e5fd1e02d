"""Editorial desk pages: the review queue, drafts with their previews and diff, editing, sign-off,
publishing, restoring and archiving. Each route states the API role it needs."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from msgspec.structs import replace

import exporters
from api.controllers.params import EspParam, PaperParam, SizeParam, SlugParam
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.diffs import rows
from api.desk.forms import State, blank, item_of, state_from_form, state_of, subjects
from api.desk.labels import LABELS
from api.desk.previews import preview_bundle
from api.desk.public import summaries
from api.desk.web import (
    DeskLocale,
    current,
    desk_opts,
    file,
    headers,
    in_locale,
    item_url,
    kind_of,
    page,
    per_kind,
    redirect,
)
from api.exports import Exports
from api.reader import Reader, today
from content import model
from content.diff import diff_items
from content.editorial import Editorial
from content.errors import Conflict, ContentError, Forbidden, InvalidInput, Stale
from content.locales import DEFAULT_LOCALE, canonical
from exporters.web import PageOptions


async def actor(request: Request[Any, Any, Any]) -> tuple[str, str]:
    """(token name, display name) of the signed-in person; guards ran before this."""
    session = await current(request)
    assert session is not None
    return session.token_name, session.display_name


async def _latest(reader: Reader, kind: model.Kind, slug: SlugParam, locale: str) -> int:
    try:
        return (await reader.locate(kind, slug, locales=(locale,))).number
    except ContentError:
        return 0


async def _page_html(reader: Reader, exports: Exports, item: model.Content, latest: int, author: str) -> str:
    bundle = await preview_bundle(reader, item, latest, author)
    options = PageOptions(exports.public_url, latest, today())
    # Rendered afresh, not through the export caches: drafts change with every keystroke.
    return exporters.render("web", "html", [bundle], options).decode()


def _etag(form: Any) -> str:
    return str(form.get("etag", "")).strip().strip('"')


class DraftController(Controller):
    @get("/review", **desk_opts("reader"))
    async def queue(
        self, request: Request[Any, Any, Any], editorial: EditorialDep, reader: ReaderDep
    ) -> Response[Any]:
        """Drafts waiting, and published items whose review is due or overdue; oldest first."""
        day = today()
        due = [s for s in await summaries(reader) if s.review.status_on(day) in ("due", "overdue")]
        due.sort(key=lambda s: s.review.next_review_on or day)
        return await page(
            request,
            "queue.html.j2",
            drafts=await editorial.waiting(),
            unreviewed=await editorial.unreviewed(),
            due=due,
            day=day,
        )

    @get(per_kind("/draft"), **desk_opts("reader"))
    async def draft(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft beside the published version: the diff, previews, sign-off and publish."""
        kind = kind_of(request)
        return await self._draft_page(request, editorial, reader, kind, slug, canonical(locale))

    async def _draft_page(
        self,
        request: Request[Any, Any, Any],
        editorial: Editorial,
        reader: Reader,
        kind: model.Kind,
        slug: SlugParam,
        locale: str,
        problem: str = "",
        status_code: int = 200,
    ) -> Response[Any]:
        draft = await editorial.get(kind, slug, locale)
        people, reviewers = await editorial.people(), await editorial.reviewers()
        based = draft.info.based_on_version
        diff_rows = None
        if based:
            stored = await reader.version(kind, slug, based, locale)
            # The review is what this page records, not a change an editor made: leave it out.
            published, drafted = replace(stored.content, review=None), replace(draft.content, review=None)
            diff_rows = rows(diff_items(published, drafted, based, based + 1))
        return await page(
            request,
            "draft.html.j2",
            kind=kind,
            draft=draft,
            item=draft.content,
            based=based,
            rows=diff_rows,
            base=item_url(kind, slug),
            problem=problem,
            default_next=(today() + dt.timedelta(days=365)).isoformat(),
            min_next=(today() + dt.timedelta(days=1)).isoformat(),
            readability=draft.info.readability,
            # Four eyes: who edited it (none of them may sign it off), and who may instead.
            editors=[people.get(name, name) for name in draft.info.edited_by],
            signers=[shown for name, shown in reviewers.items() if name not in draft.info.edited_by],
            status_code=status_code,
            **in_locale(locale),
        )

    @get(per_kind("/draft/page"), **desk_opts("reader"))
    async def preview_page(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as its patient page."""
        draft = await editorial.get(kind_of(request), slug, canonical(locale))
        html = await _page_html(
            reader, exports, draft.content, draft.info.based_on_version, draft.info.updated_by
        )
        return Response(html, media_type="text/html", headers=headers(private=True))

    @get(per_kind("/draft/handout.pdf"), **desk_opts("reader"))
    async def preview_handout(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        paper: PaperParam = None,
        size: SizeParam = "standard",
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as its handout PDF."""
        draft = await editorial.get(kind_of(request), slug, canonical(locale))
        bundle = await preview_bundle(
            reader, draft.content, draft.info.based_on_version, draft.info.updated_by
        )
        rendered = await exports.render("pdf", "pdf", [bundle], exports.handout_options(paper, size))
        return file(rendered.body, rendered.media_type, f"{slug}-draft.pdf", inline=True)

    @get(per_kind("/draft/email"), **desk_opts("reader"))
    async def preview_email(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        esp: EspParam = "none",
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as its email, at 600 and 375 px."""
        kind = kind_of(request)
        locale = canonical(locale)
        draft = await editorial.get(kind, slug, locale)
        bundle = await preview_bundle(
            reader, draft.content, draft.info.based_on_version, draft.info.updated_by
        )
        document = msgspec.json.decode(
            exporters.render("email", "json", [bundle], exports.email_options(esp))
        )
        base = item_url(kind, slug)
        return await page(
            request,
            "email.html.j2",
            title=LABELS["draft_title"].format(title=draft.content.title),
            email=document,
            esp=esp,
            action=base + "/draft/email",
            versions=[],
            version=None,
            downloads=[],
            back=(
                item_url(kind, slug, "/draft", locale),
                LABELS["draft_title"].format(title=draft.content.title),
            ),
            **in_locale(locale),
        )

    # --- writing ---------------------------------------------------------------------------

    @get("/new", **desk_opts("editor"))
    async def new_form(
        self, request: Request[Any, Any, Any], kind: Annotated[model.Kind, Parameter()] = "article"
    ) -> Response[Any]:
        """A new item of any kind, as a draft."""
        return await self._edit_page(request, kind, None, blank(kind), "")

    @post("/new", **desk_opts("editor"), status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
    ) -> Response[Any]:
        """Creates the item with its first draft (nothing is public yet)."""
        form = await request.form()
        kind_name = str(form.get("kind", ""))
        if kind_name not in model.KIND_SPECS:
            raise InvalidInput("kind", "Choose a kind.")
        kind: model.Kind = kind_name
        state = state_from_form(kind, form)
        action = str(form.get("action", ""))
        if action not in ("save", "preview"):
            return await self._edit_page(request, kind, None, state, "")
        item, errors = item_of(kind, state)
        preview = None
        if item is not None and action == "preview":
            preview = await _page_html(reader, exports, item, 0, (await actor(request))[0])
        if item is None or action == "preview":
            return await self._edit_page(
                request,
                kind,
                None,
                state,
                "",
                errors=errors,
                preview=preview,
                status_code=400 if errors else 200,
            )
        try:
            draft = await editorial.create(item, (await actor(request))[0])
        except (InvalidInput, Conflict) as exc:
            field = exc.field if isinstance(exc, InvalidInput) else "slug"
            return await self._edit_page(
                request, kind, None, state, "", errors={field: exc.detail}, status_code=400
            )
        return redirect(item_url(kind, draft.slug, "/draft", draft.locale), "created")

    @post(per_kind("/draft/start"), **desk_opts("editor"), status_code=303)
    async def start(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """A draft copied from the latest version of this translation."""
        kind, locale = kind_of(request), canonical(locale)
        with contextlib.suppress(Conflict):  # a draft exists already: edit that one
            await editorial.start(kind, slug, (await actor(request))[0], locale)
        return redirect(item_url(kind, slug, "/draft/edit", locale), "started")

    @get(per_kind("/draft/edit"), **desk_opts("editor"))
    async def edit_form(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as a form: Markdown for articles, rows for FAQ sets and comparisons."""
        kind = kind_of(request)
        draft = await editorial.get(kind, slug, canonical(locale))
        return await self._edit_page(request, kind, slug, state_of(draft.content), draft.etag.strip('"'))

    @post(per_kind("/draft/edit"), **desk_opts("editor"), status_code=200)
    async def edit(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Saves with the revision the form was read at; a conflict keeps every word typed."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        state = state_from_form(kind, form)
        state["slug"], state["locale"] = slug, locale  # the translation in the URL, not the form's
        etag = _etag(form)
        action = str(form.get("action", ""))
        if action not in ("save", "preview"):
            return await self._edit_page(request, kind, slug, state, etag)
        item, errors = item_of(kind, state)
        latest = await _latest(reader, kind, slug, locale)
        if item is None or action == "preview":
            preview = None
            if item is not None:
                preview = await _page_html(reader, exports, item, latest, (await actor(request))[0])
            return await self._edit_page(
                request,
                kind,
                slug,
                state,
                etag,
                errors=errors,
                preview=preview,
                status_code=400 if errors else 200,
            )
        try:
            await editorial.replace(item, etag, (await actor(request))[0])
        except InvalidInput as exc:
            return await self._edit_page(
                request, kind, slug, state, etag, errors={exc.field: exc.detail}, status_code=400
            )
        except Stale:
            theirs = await editorial.get(kind, slug, locale)
            conflict = rows(diff_items(theirs.content, item, 0, 0))
            # The form now carries their revision: saving again replaces theirs with this text.
            return await self._edit_page(
                request, kind, slug, state, theirs.etag.strip('"'), conflict=conflict, status_code=409
            )
        return redirect(item_url(kind, slug, "/draft", locale), "saved")

    @post("/preview", **desk_opts("editor"), status_code=200)
    async def live_preview(
        self, request: Request[Any, Any, Any], reader: ReaderDep, exports: ExportsDep
    ) -> Response[Any]:
        """The form's current text as the server renders its patient page (for the live preview)."""
        form = await request.form()
        kind_name = str(form.get("kind", ""))
        if kind_name not in model.KIND_SPECS:
            raise InvalidInput("kind", "Choose a kind.")
        kind: model.Kind = kind_name
        state = state_from_form(kind, form)
        if not state["slug"]:
            state["slug"] = "preview"
        item, errors = item_of(kind, state)
        html = None
        if item is not None:
            latest = await _latest(reader, kind, item.slug, item.locale)
            html = await _page_html(reader, exports, item, latest, (await actor(request))[0])
        body = {
            "html": html,
            "problems": [f"{LABELS.get(k.split('-')[-1], k)}: {v}" for k, v in errors.items()],
        }
        return Response(
            msgspec.json.encode(body),
            media_type="application/json",
            headers={"Cache-Control": "private, no-store"},
        )

    async def _edit_page(
        self,
        request: Request[Any, Any, Any],
        kind: model.Kind,
        slug: str | None,
        state: State,
        etag: str,
        *,
        errors: dict[str, str] | None = None,
        preview: str | None = None,
        conflict: Any = None,
        status_code: int = 200,
    ) -> Response[Any]:
        locale = canonical(state["locale"] or DEFAULT_LOCALE) if slug else DEFAULT_LOCALE
        return await page(
            request,
            "edit.html.j2",
            kind=kind,
            slug=slug,
            state=state,
            columns=subjects(state) or ["", ""],
            etag=etag,
            errors=errors or {},
            preview=preview,
            conflict=conflict,
            action=item_url(kind, slug, "/draft/edit", locale) if slug else "/desk/new",
            status_code=status_code,
            **in_locale(locale),
        )

    @post(per_kind("/draft/discard"), **desk_opts("editor"), status_code=303)
    async def discard(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Deletes the draft (and a translation never published)."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        await editorial.discard(kind, slug, _etag(form) or None, (await actor(request))[0], locale)
        latest = await _latest(reader, kind, slug, locale)
        return redirect(item_url(kind, slug, "", locale) if latest else "/desk", "discarded")

    # --- review and publishing -------------------------------------------------------------

    @post(per_kind("/draft/review"), **desk_opts("reviewer"), status_code=303)
    async def review(
        self,
        request: Request[Any, Any, Any],
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
            await editorial.review(kind, slug, _etag(form), name, next_on, locale=locale)
        except Forbidden as exc:
            return await self._draft_page(request, editorial, reader, kind, slug, locale, exc.detail, 403)
        except (msgspec.ValidationError, InvalidInput, Stale) as exc:
            detail = getattr(exc, "detail", "Give the next review date as a day in the future.")
            return await self._draft_page(
                request,
                editorial,
                reader,
                kind,
                slug,
                locale,
                detail,
                400 if not isinstance(exc, Stale) else 409,
            )
        return redirect(item_url(kind, slug, "/draft", locale, d=next_on.isoformat()), "reviewed")

    @post(per_kind("/draft/publish"), **desk_opts("publisher"), status_code=303)
    async def publish(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The reviewed draft becomes the next version; above the reading level, with an override."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        note = str(form.get("note", ""))[:1000]
        override = str(form.get("override", "")).strip()[:1000] or None
        try:
            number = await editorial.publish(
                kind, slug, _etag(form), (await actor(request))[0], note, locale, override
            )
        except (Conflict, Stale) as exc:
            return await self._draft_page(request, editorial, reader, kind, slug, locale, exc.detail, 409)
        except Forbidden as exc:
            return await self._draft_page(request, editorial, reader, kind, slug, locale, exc.detail, 403)
        return redirect(item_url(kind, slug, "", locale, v=number), "published")

    @post(per_kind("/versions/{number:int}/restore"), **desk_opts("publisher"), status_code=303)
    async def restore(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        number: Annotated[int, Parameter(ge=1)],
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Publishes a copy of an old version of this translation as the next one."""
        kind, locale = kind_of(request), canonical(locale)
        form = await request.form()
        note = str(form.get("note", ""))[:1000]
        new = await editorial.restore(kind, slug, number, (await actor(request))[0], note, locale)
        return redirect(item_url(kind, slug, "", locale, v=new), "restored")

    @post(per_kind("/archive"), **desk_opts("publisher"), status_code=303)
    async def archive(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Withdraws the translation; refused while a live item embeds it."""
        kind, locale = kind_of(request), canonical(locale)
        await editorial.archive(kind, slug, (await actor(request))[0], locale)
        return redirect(item_url(kind, slug, "", locale), "archived")

    @post(per_kind("/unarchive"), **desk_opts("admin"), status_code=303)
    async def unarchive(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Brings an archived translation back."""
        kind, locale = kind_of(request), canonical(locale)
        await editorial.unarchive(kind, slug, (await actor(request))[0], locale)
        return redirect(item_url(kind, slug, "", locale), "unarchived")
