"""Editorial desk pages for writing: new items, drafts started, edited, previewed and discarded."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api.controllers.params import SlugParam
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.diffs import rows
from api.desk.drafts import actor, form_etag, latest_number, page_html
from api.desk.forms import State, blank, item_of, state_from_form, state_of, subjects
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.web import (
    DeskLocale,
    Pages,
    PagesDep,
    desk_opts,
    in_locale,
    item_url,
    kind_of,
    per_kind,
    redirect,
)
from content import model
from content.diff import diff_items
from content.errors import Conflict, InvalidInput, Stale
from content.locales import DEFAULT_LOCALE, canonical


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
    conflict: Any = None,
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
        conflict=conflict,
        action=item_url(kind, slug, "/draft/edit", locale) if slug else "/desk/new",
        status_code=status_code,
        **in_locale(locale),
    )


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

    @post("/new", **desk_opts("editor"), status_code=200)
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
        kind_name = str(form.get("kind", ""))
        if kind_name not in model.KIND_SPECS:
            raise InvalidInput("kind", "Choose a kind.")
        kind: model.Kind = kind_name
        state = state_from_form(kind, form)
        action = str(form.get("action", ""))
        if action not in ("save", "preview"):
            return await edit_page(request, pages, kind, None, state, "")
        item, errors = item_of(kind, state)
        preview = None
        if item is not None and action == "preview":
            preview = await page_html(reader, exports, item, 0, (await actor(request))[0])
        if item is None or action == "preview":
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
        try:
            draft = await editorial.create(item, (await actor(request))[0])
        except (InvalidInput, Conflict) as exc:
            field = exc.field if isinstance(exc, InvalidInput) else "slug"
            return await edit_page(
                request, pages, kind, None, state, "", errors={field: exc.detail}, status_code=400
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
        pages: PagesDep,
        editorial: EditorialDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as a form: Markdown for articles, rows for FAQ sets and comparisons."""
        kind = kind_of(request)
        draft = await editorial.get(kind, slug, canonical(locale))
        return await edit_page(request, pages, kind, slug, state_of(draft.content), draft.etag.strip('"'))

    @post(per_kind("/draft/edit"), **desk_opts("editor"), status_code=200)
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
        item, errors = item_of(kind, state)
        latest = await latest_number(reader, kind, slug, locale)
        if item is None or action == "preview":
            preview = None
            if item is not None:
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
        try:
            await editorial.replace(item, etag, (await actor(request))[0])
        except InvalidInput as exc:
            return await edit_page(
                request, pages, kind, slug, state, etag, errors={exc.field: exc.detail}, status_code=400
            )
        except Stale:
            theirs = await editorial.get(kind, slug, locale)
            conflict = rows(diff_items(theirs.content, item, 0, 0))
            # The form now carries their revision: saving again replaces theirs with this text.
            return await edit_page(
                request, pages, kind, slug, state, theirs.etag.strip('"'), conflict=conflict, status_code=409
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
            latest = await latest_number(reader, kind, item.slug, item.locale)
            html = await page_html(reader, exports, item, latest, (await actor(request))[0])
        body = {
            "html": html,
            "problems": [
                f"{catalog(ui_language(request)).get(k.split('-')[-1], k)}: {v}" for k, v in errors.items()
            ],
        }
        return Response(
            msgspec.json.encode(body),
            media_type="application/json",
            headers={"Cache-Control": "private, no-store"},
        )
