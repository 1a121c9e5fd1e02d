"""Editorial desk pages for writing: new items, drafts started, edited, previewed and discarded."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

import exporters
from api.controllers.params import SlugParam
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.diffs import rows
from api.desk.drafts import actor, form_etag, latest_number, page_html
from api.desk.forms import State, blank, item_of, state_from_form, state_of, subjects
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.previews import preview_bundle
from api.desk.saving import clinic_time, fragment, keep_form, language_in, save_form, sides
from api.desk.web import (
    DeskLocale,
    Pages,
    PagesDep,
    desk_opts,
    headers,
    in_locale,
    item_url,
    kind_of,
    per_kind,
    redirect,
)
from content import model
from content.diff import diff_items
from content.drafts import Draft
from content.editorial import Editorial
from content.errors import Conflict, InvalidInput
from content.locales import DEFAULT_LOCALE, canonical
from content.options import DEFAULT_ESP


async def edit_page(
    request: Request[Any, Any, Any],
    pages: Pages,
    kind: model.Kind,
    slug: str | None,
    state: State,
    etag: str,
    *,
    errors: dict[str, str] | None = None,
    preview: str | None = None,
    theirs: Draft | None = None,
    item: model.Content | None = None,
    status_code: int = 200,
) -> Response[Any]:
    locale = canonical(state["locale"] or DEFAULT_LOCALE) if slug else DEFAULT_LOCALE
    return await pages.render(
        request,
        "edit.html.j2",
        kind=kind,
        slug=slug,
        state=state,
        columns=subjects(state) or ["", ""],
        etag=etag,
        errors=errors or {},
        preview=preview,
        action=item_url(kind, slug, "/draft/edit", locale) if slug else "/desk/new",
        language_label=language_in(state["locale"] or DEFAULT_LOCALE, ui_language(request)),
        status_code=status_code,
        **conflict_context(request, kind, slug, state, theirs, item),
        **in_locale(locale),
    )


def conflict_context(
    request: Request[Any, Any, Any],
    kind: model.Kind,
    slug: str | None,
    state: State,
    theirs: Draft | None,
    item: model.Content | None,
) -> dict[str, Any]:
    """What the edit page and autosave show of a conflict: their draft and your text, side by side."""
    if theirs is None or item is None or slug is None:
        return {"conflict": None, "sides": [], "take_url": ""}
    words = catalog(ui_language(request))
    return {
        "conflict": rows(diff_items(theirs.content, item, 0, 0)),
        "sides": sides(kind, theirs, state, words),
        "take_url": item_url(kind, slug, "/draft/edit", theirs.locale),
    }


async def save_and_show(
    request: Request[Any, Any, Any],
    pages: Pages,
    editorial: Editorial,
    kind: model.Kind,
    slug: str,
    locale: str,
    form: Any,
) -> Response[Any]:
    """Save from the form (a Save, or one replayed after signing in): the draft page, or the form
    again with its problems or beside their newer draft. Nothing typed is lost."""
    words = catalog(ui_language(request))
    result = await save_form(editorial, kind, slug, locale, form, (await actor(request))[0], words)
    if result.draft is not None:
        return redirect(item_url(kind, slug, "/draft", locale), "saved")
    if result.theirs is not None:
        # The form now carries their revision: "Keep my text" replaces theirs with this text.
        etag = result.theirs.etag.strip('"')
        return await edit_page(
            request,
            pages,
            kind,
            slug,
            result.state,
            etag,
            theirs=result.theirs,
            item=result.item,
            status_code=409,
        )
    return await edit_page(
        request, pages, kind, slug, result.state, form_etag(form), errors=result.errors, status_code=400
    )


def kind_in(form: Any) -> model.Kind:
    kind_name = str(form.get("kind", ""))
    if kind_name not in model.KIND_SPECS:
        raise InvalidInput("kind", "Choose a kind.")
    kind: model.Kind = kind_name
    return kind


async def create_and_show(
    request: Request[Any, Any, Any], pages: Pages, editorial: Editorial, form: Any
) -> Response[Any]:
    """Creates the item the New item form describes (or one replayed after signing in): its draft
    page, or the form again with its problems and every word typed."""
    kind = kind_in(form)
    state = state_from_form(kind, form)
    if str(form.get("action", "")) != "save":  # an add, move or preview replayed: the form as it was
        return await edit_page(request, pages, kind, None, state, "")
    item, errors = item_of(kind, state, catalog(ui_language(request)))
    if item is None:
        return await edit_page(request, pages, kind, None, state, "", errors=errors, status_code=400)
    try:
        draft = await editorial.create(item, (await actor(request))[0])
    except (InvalidInput, Conflict) as exc:
        field = exc.field if isinstance(exc, InvalidInput) else "slug"
        return await edit_page(
            request, pages, kind, None, state, "", errors={field: exc.detail}, status_code=400
        )
    return redirect(item_url(kind, draft.slug, "/draft", draft.locale), "created")


class EditingController(Controller):
    """Writing: each route states the API role it needs."""

    @get("/new", **desk_opts("editor"))
    async def new_form(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        kind: Annotated[model.Kind, Parameter()] = "article",
    ) -> Response[Any]:
        """A new item of any kind, as a draft."""
        return await edit_page(request, pages, kind, None, blank(kind), "")

    @post("/new", **keep_form("editor"), status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
    ) -> Response[Any]:
        """Creates the item with its first draft (nothing is public yet)."""
        form = await request.form()
        kind = kind_in(form)
        state = state_from_form(kind, form)
        action = str(form.get("action", ""))
        if action == "save":
            return await create_and_show(request, pages, editorial, form)
        if action != "preview":
            return await edit_page(request, pages, kind, None, state, "")
        item, errors = item_of(kind, state, catalog(ui_language(request)))
        preview = None
        if item is not None:
            preview = await page_html(reader, exports, item, 0, (await actor(request))[0])
        return await edit_page(
            request,
            pages,
            kind,
            None,
            state,
            "",
            errors=errors,
            preview=preview,
            status_code=400 if errors else 200,
        )

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
        pages: PagesDep,
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as a form: Markdown for articles, rows for FAQ sets and comparisons."""
        kind = kind_of(request)
        draft = await editorial.get(kind, slug, canonical(locale))
        return await edit_page(request, pages, kind, slug, state_of(draft.content), draft.etag.strip('"'))

    @post(per_kind("/draft/edit"), **keep_form("editor"), status_code=200)
    async def edit(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
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
        etag = form_etag(form)
        action = str(form.get("action", ""))
        if action not in ("save", "preview"):
            return await edit_page(request, pages, kind, slug, state, etag)
        if action == "preview":
            item, errors = item_of(kind, state, catalog(ui_language(request)))
            preview = None
            if item is not None:
                latest = await latest_number(reader, kind, slug, locale)
                preview = await page_html(reader, exports, item, latest, (await actor(request))[0])
            return await edit_page(
                request,
                pages,
                kind,
                slug,
                state,
                etag,
                errors=errors,
                preview=preview,
                status_code=400 if errors else 200,
            )
        return await save_and_show(request, pages, editorial, kind, slug, locale, form)

    @post(per_kind("/draft/autosave"), **keep_form("editor"), status_code=200)
    async def autosave(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Saves as Save does (the same revision guard), answering JSON for the page's script."""
        kind, locale = kind_of(request), canonical(locale)
        words = catalog(ui_language(request))
        form = await request.form()
        result = await save_form(editorial, kind, slug, locale, form, (await actor(request))[0], words)
        body: dict[str, Any] = {"saved": result.draft is not None}
        status = 200
        if result.draft is not None:
            at = result.draft.info.updated_at
            shown = clinic_time(at, editorial.schedules.zone.key)
            body |= {
                "etag": result.draft.etag.strip('"'),
                "savedAt": at.isoformat(),
                "message": words["autosave_saved_at"].format(time=shown),
            }
        elif result.theirs is not None:
            status = 409
            context = conflict_context(request, kind, slug, result.state, result.theirs, result.item)
            body |= {
                "etag": result.theirs.etag.strip('"'),
                "conflict": fragment("_conflict.html.j2", request, context),
                "message": words["autosave_conflict"],
            }
        else:
            body |= {
                "problems": result.errors,
                "message": words["autosave_problems"].format(count=len(result.errors)),
            }
        return Response(
            msgspec.json.encode(body),
            media_type="application/json",
            status_code=status,
            headers={"Cache-Control": "private, no-store"},
        )

    @get(per_kind("/draft/email.html"), **desk_opts("reader"))
    async def email_html(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft's email HTML alone (the editor's live preview frames it); private."""
        draft = await editorial.get(kind_of(request), slug, canonical(locale))
        bundle = await preview_bundle(
            reader, draft.content, draft.info.based_on_version, draft.info.updated_by
        )
        html = exporters.render("email", "html", [bundle], exports.email_options(DEFAULT_ESP))
        return Response(html, media_type="text/html", headers=headers(private=True))

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
        words = catalog(ui_language(request))
        item, errors = item_of(kind, state, words)
        html = None
        if item is not None:
            latest = await latest_number(reader, kind, item.slug, item.locale)
            html = await page_html(reader, exports, item, latest, (await actor(request))[0])
        body = {
            "html": html,
            "problems": [f"{words.get(k.split('-')[-1], k)}: {v}" for k, v in errors.items()],
        }
        return Response(
            msgspec.json.encode(body),
            media_type="application/json",
            headers={"Cache-Control": "private, no-store"},
        )
