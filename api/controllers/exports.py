"""Every export route in one place: handouts and packets, email copy and digests, web pages.

Each route builds bundles (a version with the versions it pins and the brand) and asks the
export service for one channel's format. The ETag is known before anything renders, so a
conditional request is answered 304 at the cost of a lookup. Every route negotiates the locale
like the JSON reads; the bundle (and so the ETag) is the translation served.
"""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, Parameter
from msgspec import Meta

from api.caching import NO_STORE, etag_matches, tagged
from api.controllers.params import EspParam, PaperParam, SizeParam, SlugParam, VersionParam
from api.deps import ExportsDep, ReaderDep, WantedDep
from api.exports import Exports
from api.locales import Wanted, language_headers
from api.problems import HANDOUT_PROBLEMS, READ_PROBLEMS
from api.reader import Reader
from api.response_store import store_until
from content import model
from content.bundle import Bundle
from content.cache_tags import of_version
from content.locales import DEFAULT_LOCALE
from content.options import DEFAULT_ESP, DEFAULT_SIZE, Esp, Paper, Size
from exporters.email import EmailDocument


def _kind(request: Request[Any, Any, Any]) -> model.Kind:
    """The kind a per-kind path names: /v1/{plural}/... or /{plural}/..."""
    parts = request.url.path.split("/")
    return model.BY_PLURAL[parts[2] if parts[1] == "v1" else parts[1]].name


def _per_kind(template: str) -> list[str]:
    return [template.format(plural=spec.plural) for spec in model.KIND_SPECS.values()]


def _operation(verb: str, suffix: str = "") -> Any:
    """getArticleHandout, getFaqEmailHtml, ...: one operation id per kind (and file format)."""

    def name(_handler: Any, _method: Any, parts: list[Any]) -> str:
        spec = model.BY_PLURAL[str(parts[1] if str(parts[0]) == "v1" else parts[0])]
        fmt = "Email" + str(parts[-1]).rpartition(".")[2].title() if suffix == "file" else suffix
        return f"{verb}{spec.title}{fmt}"

    return name


async def _send(
    request: Request[Any, Any, Any],
    exports: Exports,
    channel: str,
    fmt: str,
    bundles: list[Bundle],
    options: Any,
    cache_control: str,
    filename: str | None = None,
) -> Response[Any]:
    """The export, or 304 when the client has it: the ETag is computed before any render."""
    etag = exports.etag(channel, fmt, bundles, options)
    headers = {"ETag": etag, "Cache-Control": cache_control, "Content-Language": bundles[0].locale}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    served = [b.locale for b in bundles]
    tags = [tag for b in bundles for tag in of_version(b.item)] if cache_control != NO_STORE else []
    if etag_matches(request.headers.get("if-none-match"), etag):
        return language_headers(_tagged(Response(b"", status_code=304, headers=headers), tags), served)
    rendered = await exports.render(channel, fmt, bundles, options)
    response = Response(rendered.body, media_type=rendered.media_type, headers=headers)
    return language_headers(_tagged(response, tags), served)


def _tagged(response: Response[Any], tags: list[str]) -> Response[Any]:
    """Public exports name what they show; packets and digests (``NO_STORE``) name nothing."""
    return tagged(response, tags) if tags else response


async def _stored_bundle(
    request: Request[Any, Any, Any],
    reader: Reader,
    slug: str,
    version: int | None,
    wanted: Wanted,
    *,
    latest: bool = False,
) -> Bundle:
    """The bundle a per-kind GET renders; the response store may keep the answer as long as
    the reader would answer the same document (and, with ``latest``, the same latest version)."""
    kind = _kind(request)
    document = await reader.document(kind, slug, version, wanted.chain)
    bundle = await reader.bundle(document)
    until = reader.fresh_until(kind, slug, version, wanted.chain, document)
    if latest:
        until = min(until, reader.latest_until(kind, slug, bundle.locale))
    store_until(request.scope, until)
    return bundle


def _locales(ref: model.ItemRef, wanted: Wanted) -> tuple[str, ...]:
    """A packet or digest item's own locale first, when it names one, then the request's."""
    return tuple(dict.fromkeys(((ref.locale,) if ref.locale else ()) + wanted.chain))


class PacketInput(model.Wire, kw_only=True):
    """Up to 20 items in one PDF, in this order, after a contents page."""

    items: Annotated[list[model.ItemRef], Meta(min_length=1, max_length=20)]
    paper: Paper | None = None
    size: Size = DEFAULT_SIZE


class DigestInput(model.Wire, kw_only=True):
    """What goes into a newsletter: a subject, an intro and up to 20 items."""

    subject: model.Line
    intro: Annotated[str, Meta(min_length=1, max_length=2000, pattern=model.TEXT)]
    items: Annotated[list[model.ItemRef], Meta(min_length=1, max_length=20)]
    esp: Esp = DEFAULT_ESP


class ExportController(Controller):
    tags = ["exports"]

    @get(
        _per_kind("/v1/{plural}/{{slug:str}}/handout.pdf"),
        operation_id=_operation("get", "Handout"),
        summary="Printable PDF handout",
        responses=READ_PROBLEMS | HANDOUT_PROBLEMS,
        media_type="application/pdf",
    )
    async def handout(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        reader: ReaderDep,
        wanted: WantedDep,
        slug: SlugParam,
        version: VersionParam = None,
        paper: PaperParam = None,
        size: SizeParam = DEFAULT_SIZE,
    ) -> Response[bytes]:
        """Names its version (and each embedded section's), review and print date on every page."""
        # The print date is today's: the store keeps it no later than midnight, as the document.
        bundle = await _stored_bundle(request, reader, slug, version, wanted)
        suffix = "" if bundle.locale == DEFAULT_LOCALE else f"-{bundle.locale}"
        filename = f"{slug}-v{bundle.item.version}{suffix}.pdf"
        options = exports.handout_options(paper, size)
        return await _send(request, exports, "pdf", "pdf", [bundle], options, exports.cache_control, filename)

    @post(
        "/v1/handouts",
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
        exports: ExportsDep,
        wanted: WantedDep,
    ) -> Response[bytes]:
        """A contents page, then each item with a bookmark; an embedded item in the packet prints once."""
        bundles = [
            await exports.bundle(ref.type, ref.slug, ref.version, _locales(ref, wanted)) for ref in data.items
        ]
        options = exports.handout_options(data.paper, data.size)
        filename = f"handout-packet-{len(bundles)}-items.pdf"
        return await _send(request, exports, "pdf", "pdf", bundles, options, NO_STORE, filename)

    @get(
        _per_kind("/v1/{plural}/{{slug:str}}/email"),
        operation_id=_operation("get", "Email"),
        summary="Email copy",
        responses=READ_PROBLEMS,
    )
    async def email(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        reader: ReaderDep,
        wanted: WantedDep,
        slug: SlugParam,
        version: VersionParam = None,
        esp: EspParam = DEFAULT_ESP,
    ) -> Response[EmailDocument]:
        """Subject, preheader, HTML and plain text, with the chosen service's merge tags."""
        bundle = await _stored_bundle(request, reader, slug, version, wanted)
        options = exports.email_options(esp)
        return await _send(request, exports, "email", "json", [bundle], options, exports.cache_control)

    @get(
        [
            path + f".{fmt}"
            for path in _per_kind("/v1/{plural}/{{slug:str}}/email")
            for fmt in ("html", "txt", "eml")
        ],
        operation_id=_operation("get", "file"),
        summary="Email copy as a file: email.html, email.txt or email.eml",
        responses=READ_PROBLEMS,
        media_type="application/octet-stream",
    )
    async def email_file(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        reader: ReaderDep,
        wanted: WantedDep,
        slug: SlugParam,
        version: VersionParam = None,
        esp: EspParam = DEFAULT_ESP,
    ) -> Response[bytes]:
        """``.eml`` is a draft message (X-Unsent: 1) that mail clients open for sending."""
        fmt = request.url.path.rsplit(".", 1)[1]  # html, txt or eml: the route's paths
        bundle = await _stored_bundle(request, reader, slug, version, wanted)
        filename = f"{slug}-v{bundle.item.version}.eml" if fmt == "eml" else None
        options = exports.email_options(esp)
        return await _send(request, exports, "email", fmt, [bundle], options, exports.cache_control, filename)

    @post(
        "/v1/emails/digest", operation_id="buildDigest", summary="Build a newsletter", responses=READ_PROBLEMS
    )
    async def digest(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[DigestInput],
        exports: ExportsDep,
        wanted: WantedDep,
    ) -> Response[EmailDocument]:
        """An intro and a card per item with its summary and a link, in the email JSON shape."""
        bundles = [
            await exports.bundle(ref.type, ref.slug, ref.version, _locales(ref, wanted)) for ref in data.items
        ]
        options = exports.digest_options(data.esp, data.subject, data.intro)
        response = await _send(request, exports, "digest", "json", bundles, options, NO_STORE)
        return response

    @get(
        _per_kind("/{plural}/{{slug:str}}"),
        operation_id=_operation("get", "Page"),
        summary="The patient's web page of a version",
        responses=READ_PROBLEMS,
        media_type="text/html",
        include_in_schema=True,
    )
    async def page(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        reader: ReaderDep,
        wanted: WantedDep,
        slug: Annotated[str, Parameter(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)],
        version: VersionParam = None,
    ) -> Response[str]:
        """Where a handout's QR code and every "read online" link lead: that exact version."""
        # The page names the latest version: kept no longer than that lookup holds either.
        bundle = await _stored_bundle(request, reader, slug, version, wanted, latest=True)
        options = await exports.page_options(bundle)
        return await _send(request, exports, "web", "html", [bundle], options, exports.cache_control)
