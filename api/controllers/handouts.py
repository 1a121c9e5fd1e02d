"""PDF handouts: one item's, or a packet of several with a contents page."""

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, post
from litestar.params import JSONBody
from msgspec import Meta

from api.caching import NO_STORE, etag_matches
from api.deps import HandoutsDep
from api.documents import Document
from api.handouts import Handouts, Paper, Size
from api.problems import HANDOUT_PROBLEMS, READ_PROBLEMS
from content import model


async def send_handout(
    request: Request[Any, Any, Any],
    handouts: Handouts,
    docs: list[Document],
    paper: Paper | None,
    size: Size,
    filename: str,
    cache_control: str,
) -> Response[bytes]:
    """The PDF as a download; its ETag is known before rendering, so a 304 renders nothing."""
    paper = paper or handouts.default_paper
    etag = handouts.etag(docs, paper, size)
    headers = {
        "ETag": etag,
        "Cache-Control": cache_control,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)
    _, body = await handouts.pdf(docs, paper, size)
    return Response(body, media_type="application/pdf", headers=headers)


class PacketInput(model.Wire, kw_only=True):
    """Up to 20 items in one PDF, in this order, after a contents page."""

    items: Annotated[list[model.ItemRef], Meta(min_length=1, max_length=20)]
    paper: Literal["a4", "letter"] | None = None
    size: Literal["standard", "large"] = "standard"


class HandoutController(Controller):
    path = "/v1/handouts"
    tags = ["handouts"]

    @post(
        "/",
        operation_id="buildHandoutPacket",
        summary="A packet of handouts as one PDF",
        responses=READ_PROBLEMS | HANDOUT_PROBLEMS,
        media_type="application/pdf",
        status_code=200,
    )
    async def packet(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PacketInput],
        handouts: HandoutsDep,
    ) -> Response[bytes]:
        """A contents page, then each item with a bookmark of its own."""
        documents = handouts.documents
        docs = [await documents.get(ref.type, ref.slug, ref.version) for ref in data.items]
        filename = f"handout-packet-{len(docs)}-items.pdf"
        return await send_handout(request, handouts, docs, data.paper, data.size, filename, NO_STORE)
