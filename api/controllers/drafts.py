"""Write routes for articles, FAQ sets and comparisons: drafts, review, publish, restore, archive.

Roles (each includes the ones before it): reader sees drafts; editor creates and edits them;
reviewer records reviews; publisher publishes, restores and archives; admin un-archives.
Each translation has its own draft and versions: routes take ``?locale=`` (default en), and a
translation is created like any item, with its ``locale`` in the body.
"""

import datetime as dt
from dataclasses import replace as dc_replace
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import JSONBody, Parameter
from msgspec import Meta, structs

from api.auth import BEARER_SECURITY, if_match, requires
from api.caching import NO_STORE, Encoded, send
from api.controllers.params import NumberParam, SlugParam
from api.deps import EditorialDep, PrincipalDep, ReaderDep
from api.locales import LOCALE_PATTERN, WriteLocaleParam, language_headers
from api.problems import WRITE_PROBLEMS
from api.reader import Reader, today
from content import model
from content.editorial import Draft, DraftInfo
from content.errors import InvalidInput
from content.locales import DEFAULT_LOCALE, canonical
from content.render import render_item
from content.tokens import Role


class ReviewInput(model.Wire, kw_only=True):
    """The reviewer is the token's person (name, credentials), the time now; the next review date yours."""

    next_review_on: dt.date


class PublishInput(model.Wire, kw_only=True):
    note: Annotated[str, Meta(max_length=1000, pattern=model.TEXT)] = ""
    # Why a draft that reads above the plain-language threshold (FOLIO_MAX_GRADE) may be
    # published anyway; recorded in the audit log. Not needed for a draft within it.
    override: Annotated[str, Meta(min_length=1, max_length=1000, pattern=model.TEXT)] | None = None


# The draft shape of each kind: the item plus the server's facts about the draft.
DRAFT_TYPES: dict[model.Kind, type[Any]] = {
    name: msgspec.defstruct(
        f"{spec.title}Draft", [("draft", DraftInfo)], bases=(spec.content,), kw_only=True, module=__name__
    )
    for name, spec in model.KIND_SPECS.items()
}


def protected(role: Role) -> dict[str, Any]:
    """Route options for a write: the role's guard, the bearer scheme and the problems it may answer."""
    return {"guards": [requires(role)], "security": BEARER_SECURITY, "responses": WRITE_PROBLEMS}


def draft_response(
    request: Request[Any, Any, Any], reader: Reader, draft: Draft, status: int = 200
) -> Response[Any]:
    """A draft as its editors read it (with HTML previews), never cached by anyone."""
    rendered = render_item(draft.content, reader.brand, today())
    body = DRAFT_TYPES[draft.kind](**structs.asdict(rendered), draft=draft.info)
    response = send(request, dc_replace(Encoded.of(body), gzipped=None, etag=draft.etag), NO_STORE)
    response.status_code = status if response.status_code == 200 else response.status_code
    response.headers["Content-Language"] = draft.locale
    return response


def _same_slug(item: model.Content, slug: str) -> None:
    if item.slug != slug:
        raise InvalidInput("$.slug", f"The body's slug {item.slug!r} is not the URL's {slug!r}.")


def _same_locale(item: model.Content, locale: str | None) -> None:
    if locale is not None and item.locale != canonical(locale):
        raise InvalidInput("$.locale", f"The body's locale {item.locale!r} is not the URL's {locale!r}.")


def _draft_path(plural: str, slug: str, locale: str) -> str:
    query = "" if locale == DEFAULT_LOCALE else f"?locale={locale}"
    return f"/v1/{plural}/{slug}/draft{query}"


def draft_controller(spec: model.KindSpec) -> type[Controller]:
    """The editorial routes of one kind of item under ``/v1/{plural}``."""
    kind, plural, name, content, published = spec.name, spec.plural, spec.title, spec.content, spec.published
    draft_type = DRAFT_TYPES[kind]

    class DraftController(Controller):
        path = f"/v1/{plural}"
        tags = [plural]

        @post(
            "/",
            operation_id=f"create{name}",
            summary=f"Create a {kind} as a draft",
            **protected("editor"),
            status_code=201,
        )
        async def create(
            self,
            request: Request[Any, Any, Any],
            data: JSONBody[content],  # type: ignore[valid-type]
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
        ) -> Response[draft_type]:  # type: ignore[valid-type]
            """A new, unpublished item holding its first draft; nothing is public yet."""
            draft = await editorial.create(data, principal.name)
            response = draft_response(request, reader, draft, status=201)
            response.headers["Location"] = _draft_path(plural, draft.slug, draft.locale)
            return response

        @post(
            "/{slug:str}/draft",
            operation_id=f"start{name}Draft",
            summary="Start a draft from the latest version",
            **protected("editor"),
            status_code=201,
        )
        async def start(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> Response[draft_type]:  # type: ignore[valid-type]
            """A copy of the translation's latest version; never another locale's text (create it)."""
            draft = await editorial.start(kind, slug, principal.name, canonical(locale))
            return draft_response(request, reader, draft, 201)

        @get(
            "/{slug:str}/draft",
            operation_id=f"get{name}Draft",
            summary="Read the draft",
            **protected("reader"),
        )
        async def read(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            editorial: EditorialDep,
            reader: ReaderDep,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> Response[draft_type]:  # type: ignore[valid-type]
            """The draft with its ETag and reading level: send the ETag back as If-Match to change it."""
            return draft_response(request, reader, await editorial.get(kind, slug, canonical(locale)))

        @put(
            "/{slug:str}/draft",
            operation_id=f"replace{name}Draft",
            summary="Replace the draft",
            **protected("editor"),
        )
        async def replace(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            data: JSONBody[content],  # type: ignore[valid-type]
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
            locale: Annotated[
                str | None, Parameter(pattern=LOCALE_PATTERN, description="As the body's.")
            ] = None,
        ) -> Response[draft_type]:  # type: ignore[valid-type]
            """The whole item, as read minus server-managed fields; its ``locale`` names the translation."""
            expected = if_match(request)
            _same_slug(data, slug)
            _same_locale(data, locale)
            draft = await editorial.replace(data, expected or "", principal.name)
            return draft_response(request, reader, draft)

        @delete(
            "/{slug:str}/draft",
            operation_id=f"discard{name}Draft",
            summary="Discard the draft",
            **protected("editor"),
            status_code=204,
        )
        async def discard(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            editorial: EditorialDep,
            principal: PrincipalDep,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> None:
            """An item that was never published is deleted with its draft; If-Match is honoured."""
            expected = if_match(request, required=False)
            await editorial.discard(kind, slug, expected, principal.name, canonical(locale))

        @post(
            "/{slug:str}/draft/review",
            operation_id=f"review{name}Draft",
            summary="Record a review",
            **protected("reviewer"),
            status_code=200,
        )
        async def review(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            data: JSONBody[ReviewInput],
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> Response[draft_type]:  # type: ignore[valid-type]
            """Signs off exactly the current draft (403 for anyone who edited it); an edit needs a new one."""
            expected = if_match(request) or ""
            draft = await editorial.review(
                kind, slug, expected, principal.name, data.next_review_on, locale=canonical(locale)
            )
            return draft_response(request, reader, draft)

        @post(
            "/{slug:str}/publish",
            operation_id=f"publish{name}",
            summary="Publish the reviewed draft",
            **protected("publisher"),
            status_code=200,
        )
        async def publish(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
            data: JSONBody[PublishInput | None] = None,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> Response[published]:  # type: ignore[valid-type]
            """The draft becomes the next version; above FOLIO_MAX_GRADE it needs an ``override``."""
            expected = if_match(request) or ""
            locale = canonical(locale)
            note, override = (data.note, data.override) if data else ("", None)
            number = await editorial.publish(kind, slug, expected, principal.name, note, locale, override)
            return await _published(request, reader, kind, slug, number, locale)

        @post(
            "/{slug:str}/versions/{number:int}/restore",
            operation_id=f"restore{name}Version",
            summary="Roll back: publish a copy of an old version",
            **protected("publisher"),
            status_code=200,
        )
        async def restore(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            number: NumberParam,
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
            data: JSONBody[PublishInput | None] = None,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> Response[published]:  # type: ignore[valid-type]
            """History is never rewritten: the copy gets the next version number."""
            locale = canonical(locale)
            note = data.note if data else ""
            new = await editorial.restore(kind, slug, number, principal.name, note, locale)
            return await _published(request, reader, kind, slug, new, locale)

        @delete(
            "/{slug:str}",
            operation_id=f"archive{name}",
            summary="Archive (public URLs answer 410)",
            **protected("publisher"),
            status_code=204,
        )
        async def archive(
            self,
            slug: SlugParam,
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> None:
            """Lists omit the translation and readers fall back; with none left its URLs answer 410."""
            await editorial.archive(kind, slug, principal.name, canonical(locale))

        @post(
            "/{slug:str}/unarchive",
            operation_id=f"unarchive{name}",
            summary="Bring an archived item back",
            **protected("admin"),
            status_code=200,
        )
        async def unarchive(
            self,
            request: Request[Any, Any, Any],
            slug: SlugParam,
            editorial: EditorialDep,
            reader: ReaderDep,
            principal: PrincipalDep,
            locale: WriteLocaleParam = DEFAULT_LOCALE,
        ) -> Response[published]:  # type: ignore[valid-type]
            """Its latest version is public again."""
            locale = canonical(locale)
            await editorial.unarchive(kind, slug, principal.name, locale)
            return await _published(request, reader, kind, slug, None, locale)

    DraftController.__name__ = DraftController.__qualname__ = f"{name}DraftController"
    return DraftController


async def _published(
    request: Request[Any, Any, Any],
    reader: Reader,
    kind: model.Kind,
    slug: str,
    number: int | None,
    locale: str = DEFAULT_LOCALE,
) -> Response[Any]:
    document = await reader.document(kind, slug, number, (locale,))
    response = send(request, document.encoded, NO_STORE)
    query = "" if locale == DEFAULT_LOCALE else f"?locale={locale}"
    response.headers["Location"] = (
        f"{request.url.path.split('/' + slug)[0]}/{slug}/versions/{document.value.version}{query}"
    )
    return language_headers(response, [locale])
