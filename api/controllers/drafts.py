"""Write routes for articles, FAQ sets and comparisons: drafts, review, publish, restore, archive.

Roles (each includes the ones before it): reader sees drafts; editor creates and edits them;
reviewer records reviews; publisher publishes, restores and archives; admin un-archives.
Each translation has its own draft and versions: routes take ``?locale=`` (default en), and a
translation is created like any item, with its ``locale`` in the body.

The handlers are plain functions written once; ``draft_routes(spec)`` makes one route of each per
kind of the registry (``model.KIND_SPECS``), with that kind's operation ids, summaries and types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace as dc_replace
from typing import Annotated, Any

from litestar import Request, Response, delete, get, post, put
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, Parameter
from msgspec import Meta, structs

from api.auth import BEARER_SECURITY, if_match, requires
from api.caching import NO_STORE, Encoded, send
from api.controllers.kinds import DRAFT_TYPES, ItemBody, ItemDocument, ItemDraft, spec_of
from api.controllers.params import NumberParam, SlugParam
from api.deps import EditorialDep, PrincipalDep, ReaderDep
from api.locales import LOCALE_PATTERN, WriteLocaleParam, language_headers
from api.problems import WRITE_PROBLEMS
from api.reader import Reader, today
from content import model
from content.accounts import Role
from content.editorial import Draft
from content.errors import InvalidInput
from content.locales import DEFAULT_LOCALE, canonical
from content.render import render_item


class ReviewInput(model.Wire, kw_only=True):
    """The reviewer is the token's person (name, credentials), the time now; the next review date yours."""

    next_review_on: dt.date


class PublishInput(model.Wire, kw_only=True):
    note: Annotated[str, Meta(max_length=1000, pattern=model.TEXT)] = ""
    # Why a draft that reads above the plain-language threshold (FOLIO_MAX_GRADE) may be
    # published anyway; recorded in the audit log. Not needed for a draft within it.
    override: Annotated[str, Meta(min_length=1, max_length=1000, pattern=model.TEXT)] | None = None


def protected(role: Role) -> dict[str, Any]:
    """Route options for a write: the role's guard, the bearer scheme and the problems it may answer."""
    return {"guards": [requires(role)], "security": BEARER_SECURITY, "responses": WRITE_PROBLEMS}


def draft_response(
    request: Request[Any, Any, Any], reader: Reader, draft: Draft, status: int = 200
) -> Response[Any]:
    """A draft as its editors read it (with HTML previews), never cached by anyone."""
    rendered = render_item(draft.content, reader.brand, today(), reader.public_url)
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


async def create(
    request: Request[Any, Any, Any],
    data: JSONBody[ItemBody],
    editorial: EditorialDep,
    reader: ReaderDep,
    principal: PrincipalDep,
) -> Response[ItemDraft]:
    """A new, unpublished item holding its first draft; nothing is public yet."""
    draft = await editorial.create(data, principal.name)
    response = draft_response(request, reader, draft, status=201)
    response.headers["Location"] = _draft_path(spec_of(request).plural, draft.slug, draft.locale)
    return response


async def start(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    editorial: EditorialDep,
    reader: ReaderDep,
    principal: PrincipalDep,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> Response[ItemDraft]:
    """A copy of the translation's latest version; never another locale's text (create it)."""
    draft = await editorial.start(spec_of(request).name, slug, principal.name, canonical(locale))
    return draft_response(request, reader, draft, 201)


async def read(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    editorial: EditorialDep,
    reader: ReaderDep,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> Response[ItemDraft]:
    """The draft with its ETag and reading level: send the ETag back as If-Match to change it."""
    draft = await editorial.get(spec_of(request).name, slug, canonical(locale))
    return draft_response(request, reader, draft)


async def replace(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    data: JSONBody[ItemBody],
    editorial: EditorialDep,
    reader: ReaderDep,
    principal: PrincipalDep,
    locale: Annotated[str | None, Parameter(pattern=LOCALE_PATTERN, description="As the body's.")] = None,
) -> Response[ItemDraft]:
    """The whole item, as read minus server-managed fields; its ``locale`` names the translation.

    Kept as Folio Desk keeps it: line breaks as LF, and the title, summary, handout questions,
    FAQ questions and answers, table cells, footnote and code names without spaces at their ends
    (a field of spaces alone is refused as empty)."""
    expected = if_match(request)
    _same_slug(data, slug)
    _same_locale(data, locale)
    draft = await editorial.replace(data, expected or "", principal.name)
    return draft_response(request, reader, draft)


async def discard(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    editorial: EditorialDep,
    principal: PrincipalDep,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> None:
    """An item that was never published is deleted with its draft; If-Match is honoured."""
    expected = if_match(request, required=False)
    await editorial.discard(spec_of(request).name, slug, expected, principal.name, canonical(locale))


async def review(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    data: JSONBody[ReviewInput],
    editorial: EditorialDep,
    reader: ReaderDep,
    principal: PrincipalDep,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> Response[ItemDraft]:
    """Signs off exactly the current draft (403 for anyone who edited it); an edit needs a new one."""
    expected = if_match(request) or ""
    kind = spec_of(request).name
    draft = await editorial.review(
        kind, slug, expected, principal.name, data.next_review_on, locale=canonical(locale)
    )
    return draft_response(request, reader, draft)


async def publish(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    editorial: EditorialDep,
    reader: ReaderDep,
    principal: PrincipalDep,
    data: JSONBody[PublishInput | None] = None,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> Response[ItemDocument]:
    """The draft becomes the next version; above FOLIO_MAX_GRADE it needs an ``override``."""
    expected = if_match(request) or ""
    kind, locale = spec_of(request).name, canonical(locale)
    note, override = (data.note, data.override) if data else ("", None)
    number = await editorial.publish(kind, slug, expected, principal.name, note, locale, override)
    return await _published(request, reader, kind, slug, number, locale)


async def restore(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    number: NumberParam,
    editorial: EditorialDep,
    reader: ReaderDep,
    principal: PrincipalDep,
    data: JSONBody[PublishInput | None] = None,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> Response[ItemDocument]:
    """History is never rewritten: the copy gets the next version number."""
    kind, locale = spec_of(request).name, canonical(locale)
    note = data.note if data else ""
    new = await editorial.restore(kind, slug, number, principal.name, note, locale)
    return await _published(request, reader, kind, slug, new, locale)


async def archive(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    editorial: EditorialDep,
    principal: PrincipalDep,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> None:
    """Lists omit the translation and readers fall back; with none left its URLs answer 410."""
    await editorial.archive(spec_of(request).name, slug, principal.name, canonical(locale))


async def unarchive(
    request: Request[Any, Any, Any],
    slug: SlugParam,
    editorial: EditorialDep,
    reader: ReaderDep,
    principal: PrincipalDep,
    locale: WriteLocaleParam = DEFAULT_LOCALE,
) -> Response[ItemDocument]:
    """Its latest version is public again."""
    kind, locale = spec_of(request).name, canonical(locale)
    await editorial.unarchive(kind, slug, principal.name, locale)
    return await _published(request, reader, kind, slug, None, locale)


# The write routes of every kind: (decorator, path, operation id, summary, role, status, handler);
# ``{name}`` is the kind's title (Article), ``{kind}`` its name (article).
_WRITES: list[tuple[type[HTTPRouteHandler], str, str, str, Role, int, Callable[..., Any]]] = [
    (post, "/", "create{name}", "Create a {kind} as a draft", "editor", 201, create),
    (
        post,
        "/{slug:str}/draft",
        "start{name}Draft",
        "Start a draft from the latest version",
        "editor",
        201,
        start,
    ),
    (get, "/{slug:str}/draft", "get{name}Draft", "Read the draft", "reader", 200, read),
    (put, "/{slug:str}/draft", "replace{name}Draft", "Replace the draft", "editor", 200, replace),
    (delete, "/{slug:str}/draft", "discard{name}Draft", "Discard the draft", "editor", 204, discard),
    (post, "/{slug:str}/draft/review", "review{name}Draft", "Record a review", "reviewer", 200, review),
    (post, "/{slug:str}/publish", "publish{name}", "Publish the reviewed draft", "publisher", 200, publish),
    (
        post,
        "/{slug:str}/versions/{number:int}/restore",
        "restore{name}Version",
        "Roll back: publish a copy of an old version",
        "publisher",
        200,
        restore,
    ),
    (delete, "/{slug:str}", "archive{name}", "Archive (public URLs answer 410)", "publisher", 204, archive),
    (
        post,
        "/{slug:str}/unarchive",
        "unarchive{name}",
        "Bring an archived item back",
        "admin",
        200,
        unarchive,
    ),
]


def draft_routes(spec: model.KindSpec) -> list[HTTPRouteHandler]:
    """The editorial routes of one kind, to mount under ``/v1/{plural}``."""
    return [
        decorator(
            path,
            operation_id=operation.format(name=spec.title),
            summary=summary.format(kind=spec.name),
            status_code=status,
            opt={"kind": spec.name},
            **protected(role),
        )(handler)
        for decorator, path, operation, summary, role, status, handler in _WRITES
    ]


async def _published(
    request: Request[Any, Any, Any],
    reader: Reader,
    kind: model.Kind,
    slug: str,
    number: int | None,
    locale: str = DEFAULT_LOCALE,
) -> Response[Any]:
    # The publisher's own write succeeded: answered even if it is withdrawn (an overdue restore).
    document = await reader.document(kind, slug, number, (locale,), withdrawn_ok=True)
    response = send(request, document.encoded, NO_STORE)
    query = "" if locale == DEFAULT_LOCALE else f"?locale={locale}"
    response.headers["Location"] = (
        f"{request.url.path.split('/' + slug)[0]}/{slug}/versions/{document.value.version}{query}"
    )
    return language_headers(response, [locale])
