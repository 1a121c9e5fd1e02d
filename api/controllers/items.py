"""Read routes for articles, FAQ sets and comparisons: latest, versions, history, diff, lists.

The three resources share their shape, so one function builds a controller per kind; each gets
its own precise response types and operation ids in the OpenAPI spec.
"""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import Parameter, QueryParameter

from api.caching import Encoded, send
from api.controllers.drafts import draft_controller
from api.controllers.handouts import send_handout
from api.controllers.params import (
    SLUG_PATTERN,
    CursorParam,
    EspParam,
    NumberParam,
    PaperParam,
    SizeParam,
    SlugParam,
    VersionParam,
)
from api.conventions import next_link
from api.deps import DocumentsDep, EmailsDep, HandoutsDep
from api.documents import today
from api.emails import EmailDocument, EmailFormat
from api.problems import HANDOUT_PROBLEMS, READ_PROBLEMS
from content import model
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


class FaqItemDocument(model.Wire, kw_only=True):
    """One question and answer of a FAQ set, at a given version of the set."""

    faq: str
    version: int
    item: model.FaqItem


def in_language(response: Response[Any], item: model.Content) -> Response[Any]:
    """Content responses say which locale they are in."""
    response.headers["Content-Language"] = item.locale
    return response


def item_controller(
    kind: model.Kind, plural: str, name: str, content: type[Any], published: type[Any]
) -> type[Controller]:
    """A controller serving one kind of item under ``/v1/{plural}``."""

    class ItemController(draft_controller(kind, plural, name, content)):  # type: ignore[misc]
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
            documents: DocumentsDep,
            limit: Annotated[int, Parameter(ge=1, le=100, description="Page size.")] = 20,
            cursor: CursorParam = None,
            tag: Annotated[str | None, Parameter(pattern=SLUG_PATTERN, max_length=60)] = None,
            locale: Annotated[str | None, Parameter(pattern=r"^[a-z]{2}(?:-[A-Z]{2})?$")] = None,
        ) -> Response[ItemList]:
            """Summaries of published items ordered by slug, filtered by tag and locale."""
            page = await documents.store.list_items(kind, limit=limit, cursor=cursor, tag=tag, locale=locale)
            day = today()
            for summary in page.items:
                summary.review.status = summary.review.status_on(day)
            body = ItemList(items=page.items, next_cursor=page.next_cursor)
            response = send(request, Encoded.of(body), documents.cache_control)
            if page.next_cursor:
                response.headers["Link"] = next_link(request, page.next_cursor)
            return response

        @get(
            "/{slug:str}",
            operation_id=f"get{name}",
            summary=f"Get a published {kind}",
            responses=READ_PROBLEMS,
        )
        async def get_item(
            self,
            request: Request[Any, Any, Any],
            documents: DocumentsDep,
            slug: SlugParam,
            version: VersionParam = None,
        ) -> Response[published]:  # type: ignore[valid-type]
            """The latest published version, or the one named by ``version``."""
            document = await documents.get(kind, slug, version)
            return in_language(send(request, document.encoded, documents.cache_control), document.value)

        @get(
            "/{slug:str}/versions",
            operation_id=f"list{name}Versions",
            summary="Version history",
            responses=READ_PROBLEMS,
        )
        async def list_versions(
            self,
            request: Request[Any, Any, Any],
            documents: DocumentsDep,
            slug: SlugParam,
        ) -> Response[VersionList]:
            """Every published version with its author, note, hash and review, newest first."""
            history = await documents.store.history(kind, slug)
            body = VersionList(type=kind, slug=slug, versions=history)
            return send(request, Encoded.of(body), documents.cache_control)

        @get(
            "/{slug:str}/versions/{number:int}",
            operation_id=f"get{name}Version",
            summary="One version",
            responses=READ_PROBLEMS,
        )
        async def get_version(
            self,
            request: Request[Any, Any, Any],
            documents: DocumentsDep,
            slug: SlugParam,
            number: NumberParam,
        ) -> Response[published]:  # type: ignore[valid-type]
            """A published version by number; it never changes."""
            document = await documents.get(kind, slug, number)
            return in_language(send(request, document.encoded, documents.cache_control), document.value)

        @get(
            "/{slug:str}/diff",
            operation_id=f"diff{name}Versions",
            summary="Compare two versions",
            responses=READ_PROBLEMS,
        )
        async def diff(
            self,
            request: Request[Any, Any, Any],
            documents: DocumentsDep,
            slug: SlugParam,
            from_version: Annotated[
                int, QueryParameter(name="from", ge=1, le=MAX_VERSION, description="The older version.")
            ],
            to_version: Annotated[
                int, QueryParameter(name="to", ge=1, le=MAX_VERSION, description="The newer version.")
            ],
        ) -> Response[Diff]:
            """Fields, blocks, FAQ entries or rows added, removed and changed between versions."""
            before = await documents.store.get(kind, slug, from_version)
            after = await documents.store.get(kind, slug, to_version)
            body = diff_items(before.content, after.content, from_version, to_version)
            return send(request, Encoded.of(body), documents.cache_control)

        @get(
            "/{slug:str}/email", operation_id=f"get{name}Email", summary="Email copy", responses=READ_PROBLEMS
        )
        async def email(
            self,
            request: Request[Any, Any, Any],
            documents: DocumentsDep,
            emails: EmailsDep,
            slug: SlugParam,
            version: VersionParam = None,
            esp: EspParam = "none",
        ) -> Response[EmailDocument]:
            """Subject, preheader, HTML and plain text, with the chosen service's merge tags."""
            document = await documents.get(kind, slug, version)
            return send(request, await emails.get(document, esp, "json"), documents.cache_control)

        @get(
            [f"/{{slug:str}}/email.{fmt}" for fmt in ("html", "txt", "eml")],
            # One handler, three paths: getArticleEmailHtml, getArticleEmailTxt, getArticleEmailEml.
            operation_id=lambda _handler, _method, parts: f"get{name}Email{str(parts[-1])[6:].title()}",
            summary="Email copy as a file: email.html, email.txt or email.eml",
            responses=READ_PROBLEMS,
            media_type="application/octet-stream",
        )
        async def email_file(
            self,
            request: Request[Any, Any, Any],
            documents: DocumentsDep,
            emails: EmailsDep,
            slug: SlugParam,
            version: VersionParam = None,
            esp: EspParam = "none",
        ) -> Response[bytes]:
            """``.eml`` is a draft message (X-Unsent: 1) that mail clients open for sending."""
            fmt: EmailFormat = request.url.path.rsplit(".", 1)[1]  # type: ignore[assignment]
            document = await documents.get(kind, slug, version)
            response = send(request, await emails.get(document, esp, fmt), documents.cache_control)
            if fmt == "eml":
                filename = f"{slug}-v{document.value.version}.eml"
                response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response

        @get(
            "/{slug:str}/handout.pdf",
            operation_id=f"get{name}Handout",
            summary="Printable PDF handout",
            responses=READ_PROBLEMS | HANDOUT_PROBLEMS,
            media_type="application/pdf",
        )
        async def handout(
            self,
            request: Request[Any, Any, Any],
            handouts: HandoutsDep,
            slug: SlugParam,
            version: VersionParam = None,
            paper: PaperParam = None,
            size: SizeParam = "standard",
        ) -> Response[bytes]:
            """Names its version, review and print date on every page; ``size=large`` for low vision."""
            documents = handouts.documents  # one dependency: resolving several costs a task group
            document = await documents.get(kind, slug, version)
            filename = f"{slug}-v{document.value.version}.pdf"
            return await send_handout(
                request, handouts, [document], paper, size, filename, documents.cache_control
            )

    ItemController.__name__ = ItemController.__qualname__ = f"{name}Controller"
    return ItemController


ArticleController = item_controller("article", "articles", "Article", model.Article, model.PublishedArticle)
FaqController = item_controller("faq", "faqs", "Faq", model.FaqSet, model.PublishedFaqSet)
ComparisonController = item_controller(
    "comparison", "comparisons", "Comparison", model.Comparison, model.PublishedComparison
)


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
        documents: DocumentsDep,
        slug: SlugParam,
        item_id: Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=120)],
        version: VersionParam = None,
    ) -> Response[FaqItemDocument]:
        """A single question and answer, addressable by its stable id."""
        document = await documents.get("faq", slug, version)
        entries = document.value.items  # type: ignore[union-attr]
        entry = next((e for e in entries if e.id == item_id), None)
        if entry is None:
            raise NotFound(f"FAQ {slug!r} version {document.value.version} has no item {item_id!r}.")
        body = FaqItemDocument(faq=slug, version=document.value.version, item=entry)
        return in_language(send(request, Encoded.of(body), documents.cache_control), document.value)
