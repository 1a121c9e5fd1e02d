"""Read routes for articles, FAQ sets and comparisons: latest, versions, history, diff, lists.

The three resources share their shape, so one function builds a controller per kind; each gets
its own precise response types and operation ids in the OpenAPI spec. Every read negotiates its
locale (``?locale=``, ``Accept-Language``) and says which it served (``Content-Language``).
"""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import Parameter, QueryParameter
from msgspec.structs import replace

from api.caching import Encoded, send
from api.controllers.drafts import draft_controller
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
from content.codes import parse_token
from content.diff import Diff, diff_items
from content.errors import NotFound
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
    locale: model.Locale = "en"
    fallback_from: model.Locale | None = None


class FaqItemDocument(model.Wire, kw_only=True):
    """One question and answer of a FAQ set, at a given version of the set."""

    faq: str
    version: int
    item: model.FaqItem
    locale: model.Locale = "en"
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
    return language_headers(send(request, encoded, reader.cache_control), [document.value.locale])


def item_controller(spec: model.KindSpec) -> type[Controller]:
    """A controller serving one kind of item under ``/v1/{plural}``."""
    kind, plural, name, published = spec.name, spec.plural, spec.title, spec.published

    class ItemController(draft_controller(spec)):  # type: ignore[misc]
        """Reads and writes of one kind; the write routes come from the editorial base."""

        path = f"/v1/{plural}"
        tags = [plural]

        @get(
            "/",
            operation_id=f"list{name}s",
            summary=f"List published {plural}",
            responses=READ_PROBLEMS,
        )
        async def list_items(
            self,
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
                kind,
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
            response = send(request, Encoded.of(body), reader.cache_control)
            if page.next_cursor:
                response.headers["Link"] = next_link(request, page.next_cursor)
            return language_headers(response, [s.locale for s in page.items] or [wanted.locale])

        @get(
            "/{slug:str}",
            operation_id=f"get{name}",
            summary=f"Get a published {kind}",
            responses=READ_PROBLEMS,
        )
        async def get_item(
            self,
            request: Request[Any, Any, Any],
            reader: ReaderDep,
            wanted: WantedDep,
            slug: SlugParam,
            version: VersionParam = None,
            include: IncludeParam = None,
        ) -> Response[published]:  # type: ignore[valid-type]
            """The latest published version, or the one named by ``version``, in the negotiated locale."""
            return await _read(request, reader, kind, slug, version, wanted.chain, include)

        @get(
            "/{slug:str}/versions",
            operation_id=f"list{name}Versions",
            summary="Version history",
            responses=READ_PROBLEMS,
        )
        async def list_versions(
            self,
            request: Request[Any, Any, Any],
            reader: ReaderDep,
            wanted: WantedDep,
            slug: SlugParam,
        ) -> Response[VersionList]:
            """Every published version of the negotiated translation, newest first."""
            locale = (await reader.locate(kind, slug, locales=wanted.chain)).locale
            history = await reader.history(kind, slug, locale)
            day = today()
            for info in history:
                info.review.status = info.review.status_on(day)
            fallback = wanted.locale if locale != wanted.locale else None
            body = VersionList(type=kind, slug=slug, versions=history, locale=locale, fallback_from=fallback)
            return language_headers(send(request, Encoded.of(body), reader.cache_control), [locale])

        @get(
            "/{slug:str}/versions/{number:int}",
            operation_id=f"get{name}Version",
            summary="One version",
            responses=READ_PROBLEMS,
        )
        async def get_version(
            self,
            request: Request[Any, Any, Any],
            reader: ReaderDep,
            wanted: WantedDep,
            slug: SlugParam,
            number: NumberParam,
            include: IncludeParam = None,
        ) -> Response[published]:  # type: ignore[valid-type]
            """A published version of the negotiated translation by number; it never changes."""
            return await _read(request, reader, kind, slug, number, wanted.chain, include)

        @get(
            "/{slug:str}/diff",
            operation_id=f"diff{name}Versions",
            summary="Compare two versions",
            responses=READ_PROBLEMS,
        )
        async def diff(
            self,
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
            locale = (await reader.locate(kind, slug, locales=wanted.chain)).locale
            before = await reader.version(kind, slug, from_version, locale)
            after = await reader.version(kind, slug, to_version, locale)
            day = today()
            # Each version's sign-off (or its absence) is part of what changed between them.
            contents = [
                replace(v.content, review=replace(v.info.review, status=v.info.review.status_on(day)))
                for v in (before, after)
            ]
            body = diff_items(
                contents[0], contents[1], from_version, to_version, pins=(before.pins, after.pins)
            )
            return language_headers(send(request, Encoded.of(body), reader.cache_control), [locale])

    ItemController.__name__ = ItemController.__qualname__ = f"{name}Controller"
    return ItemController


ITEM_CONTROLLERS = [item_controller(spec) for spec in model.KIND_SPECS.values()]


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
        entries = document.value.items  # type: ignore[union-attr]
        entry = next((e for e in entries if e.id == item_id), None)
        if entry is None:
            raise NotFound(f"FAQ {slug!r} version {document.value.version} has no item {item_id!r}.")
        value = document.value
        body = FaqItemDocument(
            faq=slug,
            version=value.version,
            item=entry,
            locale=value.locale,
            fallback_from=value.fallback_from,
        )
        store_until(request.scope, reader.fresh_until("faq", slug, version, wanted.chain, document))
        return language_headers(send(request, Encoded.of(body), reader.cache_control), [value.locale])
