"""Read routes for articles, FAQ sets and comparisons: latest, versions, history, diff, lists.

The three resources share their shape: the handlers are plain functions written once, and
``item_router(spec)`` mounts them with the write routes (api.controllers.drafts) for each kind of
the registry, each with its own response types and operation ids in the OpenAPI spec
(api.controllers.kinds). Every read negotiates its locale (``?locale=``, ``Accept-Language``) and
says which it served (``Content-Language``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, Router, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import Parameter, QueryParameter
from msgspec.structs import replace

from api.caching import Encoded, send, tagged
from api.controllers.drafts import draft_routes
from api.controllers.kinds import ItemDocument, kind_types, spec_of
from api.controllers.params import (
    SLUG_PATTERN,
    CursorParam,
    IncludeParam,
    NumberParam,
    SlugParam,
    VersionParam,
)
from api.conventions import next_link
from api.deps import ReaderDep, WantedDep
from api.locales import language_headers
from api.problems import READ_PROBLEMS
from api.reader import Reader, today
from api.response_store import store_until
from content import model
from content.cache_tags import item_tag, list_tag, of_version
from content.codes import parse_token
from content.diff import Diff, diff_items
from content.errors import NotFound
from content.locales import DEFAULT_LOCALE
from content.model import MAX_VERSION


class ItemList(model.Wire, kw_only=True):
    """A page of item summaries; pass ``nextCursor`` as ``cursor`` for the next page."""

    items: list[model.ItemSummary]
    next_cursor: str | None


class VersionList(model.Wire, kw_only=True):
    """An item's published versions, newest first."""

    type: model.Kind
    slug: str
    versions: list[model.VersionInfo]
    # Versions count per translation: this is the history of this locale's.
    locale: model.Locale = DEFAULT_LOCALE
    fallback_from: model.Locale | None = None


class FaqItemDocument(model.Wire, kw_only=True):
    """One question and answer of a FAQ set, at a given version of the set."""

    faq: str
    version: int
    item: model.FaqItem
    locale: model.Locale = DEFAULT_LOCALE
    fallback_from: model.Locale | None = None


async def _read(
    request: Request[Any, Any, Any],
    reader: Reader,
    kind: model.Kind,
    slug: str,
    version: int | None,
    locales: tuple[str, ...],
    include: str | None,
) -> Response[Any]:
    """A published version's stored bytes; the response store may keep the answer as long as it holds."""
    document = await reader.document(kind, slug, version, locales)
    encoded = await reader.with_embeds(document) if include == "embeds" else document.encoded
    store_until(request.scope, reader.fresh_until(kind, slug, version, locales, document))
    response = tagged(send(request, encoded, reader.cache_control), of_version(document.value))
    return language_headers(response, [document.value.locale])


async def list_items(
    request: Request[Any, Any, Any],
    reader: ReaderDep,
    wanted: WantedDep,
    limit: Annotated[int, Parameter(ge=1, le=100, description="Page size.")] = 20,
    cursor: CursorParam = None,
    tag: Annotated[str | None, Parameter(pattern=SLUG_PATTERN, max_length=60)] = None,
    code: Annotated[
        str | None,
        Parameter(
            max_length=200,
            pattern=r"^[^\x00-\x1f]*$",
            description="Only items carrying this clinical code: CODE, or SYSTEM|CODE with the "
            "system as its URI, OID or name (`rxnorm|6130`).",
        ),
    ] = None,
) -> Response[ItemList]:
    """Summaries by slug, filtered by tag or code; each item once, in the best locale it has."""
    page = await reader.list_items(
        spec_of(request).name,
        limit=limit,
        cursor=cursor,
        tag=tag,
        code=parse_token(code) if code is not None else None,
        locales=wanted.chain,
    )
    day = today()
    for summary in page.items:
        summary.review.status = summary.review.status_on(day)
    body = ItemList(items=page.items, next_cursor=page.next_cursor)
    kind = spec_of(request).name
    response = tagged(
        send(request, Encoded.of(body), reader.cache_control), [list_tag(kind, lc) for lc in wanted.chain]
    )
    if page.next_cursor:
        response.headers["Link"] = next_link(request, page.next_cursor)
    return language_headers(response, [s.locale for s in page.items] or [wanted.locale])


async def get_item(
    request: Request[Any, Any, Any],
    reader: ReaderDep,
    wanted: WantedDep,
    slug: SlugParam,
    version: VersionParam = None,
    include: IncludeParam = None,
) -> Response[ItemDocument]:
    """The latest published version, or the one named by ``version``, in the negotiated locale."""
    return await _read(request, reader, spec_of(request).name, slug, version, wanted.chain, include)


async def list_versions(
    request: Request[Any, Any, Any],
    reader: ReaderDep,
    wanted: WantedDep,
    slug: SlugParam,
) -> Response[VersionList]:
    """Every published version of the negotiated translation, newest first."""
    kind = spec_of(request).name
    locale = (await reader.locate(kind, slug, locales=wanted.chain)).locale
    history = await reader.history(kind, slug, locale)
    day = today()
    for info in history:
        info.review.status = info.review.status_on(day)
    fallback = wanted.locale if locale != wanted.locale else None
    body = VersionList(type=kind, slug=slug, versions=history, locale=locale, fallback_from=fallback)
    tags = [item_tag(kind, slug, locale), item_tag(kind, slug, wanted.locale)]
    return language_headers(tagged(send(request, Encoded.of(body), reader.cache_control), tags), [locale])


async def get_version(
    request: Request[Any, Any, Any],
    reader: ReaderDep,
    wanted: WantedDep,
    slug: SlugParam,
    number: NumberParam,
    include: IncludeParam = None,
) -> Response[ItemDocument]:
    """A published version of the negotiated translation by number; it never changes."""
    return await _read(request, reader, spec_of(request).name, slug, number, wanted.chain, include)


async def diff(
    request: Request[Any, Any, Any],
    reader: ReaderDep,
    wanted: WantedDep,
    slug: SlugParam,
    from_version: Annotated[
        int, QueryParameter(name="from", ge=1, le=MAX_VERSION, description="The older version.")
    ],
    to_version: Annotated[
        int, QueryParameter(name="to", ge=1, le=MAX_VERSION, description="The newer version.")
    ],
) -> Response[Diff]:
    """Fields, blocks, FAQ entries or rows changed between two versions of one translation."""
    kind = spec_of(request).name
    locale = (await reader.locate(kind, slug, locales=wanted.chain)).locale
    before = await reader.version(kind, slug, from_version, locale)
    after = await reader.version(kind, slug, to_version, locale)
    day = today()
    # Each version's sign-off (or its absence) is part of what changed between them.
    contents = [
        replace(v.content, review=replace(v.info.review, status=v.info.review.status_on(day)))
        for v in (before, after)
    ]
    body = diff_items(contents[0], contents[1], from_version, to_version, pins=(before.pins, after.pins))
    tags = [item_tag(kind, slug, locale), item_tag(kind, slug, wanted.locale)]
    return language_headers(tagged(send(request, Encoded.of(body), reader.cache_control), tags), [locale])


# The read routes of every kind: (path, operation id, summary, handler); ``{name}`` is the kind's
# title (Article), ``{kind}`` its name (article), ``{plural}`` its URL segment (articles).
_READS: list[tuple[str, str, str, Callable[..., Any]]] = [
    ("/", "list{name}s", "List published {plural}", list_items),
    ("/{slug:str}", "get{name}", "Get a published {kind}", get_item),
    ("/{slug:str}/versions", "list{name}Versions", "Version history", list_versions),
    ("/{slug:str}/versions/{number:int}", "get{name}Version", "One version", get_version),
    ("/{slug:str}/diff", "diff{name}Versions", "Compare two versions", diff),
]


def read_routes(spec: model.KindSpec) -> list[HTTPRouteHandler]:
    """The read routes of one kind, to mount under ``/v1/{plural}``."""
    return [
        get(
            path,
            operation_id=operation.format(name=spec.title),
            summary=summary.format(kind=spec.name, plural=spec.plural),
            responses=READ_PROBLEMS,
            opt={"kind": spec.name},
        )(handler)
        for path, operation, summary, handler in _READS
    ]


def item_router(spec: model.KindSpec) -> Router:
    """Everything under ``/v1/{plural}`` for one kind: its reads and its editorial writes."""
    return Router(
        path=f"/v1/{spec.plural}",
        tags=[spec.plural],
        route_handlers=[*draft_routes(spec), *read_routes(spec)],
        signature_namespace=kind_types(spec),
    )


ITEM_ROUTERS = [item_router(spec) for spec in model.KIND_SPECS.values()]


class FaqItemController(Controller):
    path = "/v1/faqs/{slug:str}/items"
    tags = ["faqs"]

    @get(
        "/{item_id:str}",
        operation_id="getFaqItem",
        summary="One FAQ entry",
        responses=READ_PROBLEMS,
    )
    async def get_faq_item(
        self,
        request: Request[Any, Any, Any],
        reader: ReaderDep,
        wanted: WantedDep,
        slug: SlugParam,
        item_id: Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=120)],
        version: VersionParam = None,
    ) -> Response[FaqItemDocument]:
        """A single question and answer, addressable by its stable id (the same in every locale)."""
        document = await reader.document("faq", slug, version, wanted.chain)
        value = document.value
        assert isinstance(value, model.PublishedFaqSet)  # reader.document("faq", ...) reads FAQ sets
        entry = next((e for e in value.items if e.id == item_id), None)
        if entry is None:
            raise NotFound(f"FAQ {slug!r} version {value.version} has no item {item_id!r}.")
        body = FaqItemDocument(
            faq=slug,
            version=value.version,
            item=entry,
            locale=value.locale,
            fallback_from=value.fallback_from,
        )
        store_until(request.scope, reader.fresh_until("faq", slug, version, wanted.chain, document))
        response = tagged(send(request, Encoded.of(body), reader.cache_control), of_version(value))
        return language_headers(response, [value.locale])
