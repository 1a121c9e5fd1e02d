"""Media routes: upload and list images (editors), and serve their variants (public, immutable).

Uploads are ``multipart/form-data`` with a ``file`` part, as a browser form sends them; the
type is read from the bytes by Pillow (``content.media``), never from the file name or the
declared type, and neither is ever stored or echoed. Variants are made in the render workers
(``Exports.run``), never on the event loop, and kept in the database for every replica.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Annotated, Any, cast

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter

from api.auth import BEARER_SECURITY, requires
from api.caching import NO_STORE, Encoded, etag_matches, send, strong_etag, tagged
from api.deps import ExportsDep, MediaDep, PrincipalDep
from api.problems import PROBLEM_JSON, READ_PROBLEMS, WRITE_PROBLEMS, FieldError, Problem, problem
from api.response_store import store_until
from content import model
from content.cache_tags import media_tag
from content.errors import NotFound
from content.media import MEDIA_TYPES, Asset, MediaRefused, Variant, make_variant, variants

IMMUTABLE = "public, max-age=31536000, immutable"
HASH_PATTERN = r"^[0-9a-f]{64}$"
_FILE_NAME = re.compile(r"^([1-9][0-9]{0,5})\.(png|jpeg|webp)$")
# Multipart framing around the file: boundaries, part headers, a long file name.
_FORM_OVERHEAD = 64 * 1024
# Variants up to this size are kept by the response store (api.response_store), beside the JSON
# reads it keeps; larger ones are read from the database (a CDN in front keeps them all).
_KEPT_BYTES = 256 * 1024


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, media_type=PROBLEM_JSON, description=description, generate_examples=False
    )


UPLOAD_PROBLEMS = WRITE_PROBLEMS | {
    400: _spec("No `file` part in the form; `errors` names it."),
    413: _spec("The file is over FOLIO_MEDIA_MAX_BYTES, or the image over FOLIO_MEDIA_MAX_PIXELS pixels."),
    415: _spec("The file is not a PNG, JPEG or WebP image (SVG is refused), whatever its name or type says."),
    422: _spec("The image is truncated or damaged."),
}
FILE_PROBLEMS = {404: _spec("No such asset, or it has no variant of that width and format.")}


@dataclass
class MediaForm:
    """The upload form: one ``file`` part (its file name and declared type are ignored)."""

    file: UploadFile


class MediaUse(model.Wire, kw_only=True):
    """An item whose draft or latest version shows the image."""

    type: model.Kind
    slug: str
    locale: str


class MediaItem(Asset, kw_only=True):
    """An asset and the variants served for it (URLs relative to the public URL)."""

    variants: list[Variant]


class MediaDetail(MediaItem, kw_only=True):
    """An asset, its variants, and the items that show it."""

    used_in: list[MediaUse]


class MediaList(model.Wire, kw_only=True):
    media: list[MediaItem]


def _item(asset: Asset) -> MediaItem:
    listed = variants(asset.hash, asset.format, asset.width, asset.height)
    return MediaItem(**{f: getattr(asset, f) for f in Asset.__struct_fields__}, variants=listed)


def _private(request: Request[Any, Any, Any], body: object, status: int = 200) -> Response[Any]:
    response = send(request, Encoded.of(body), NO_STORE)
    response.status_code = status
    return response


class MediaController(Controller):
    path = "/v1/media"
    tags = ["media"]
    guards = [requires("editor")]
    security = BEARER_SECURITY

    @post(
        "/",
        operation_id="uploadMedia",
        summary="Upload an image",
        responses=UPLOAD_PROBLEMS
        | {200: ResponseSpec(MediaItem, description="Those bytes were uploaded before: the same asset.")},
        status_code=201,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[MediaForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        media: MediaDep,
        principal: PrincipalDep,
    ) -> Response[MediaItem]:
        """A PNG, JPEG or WebP, re-encoded with every bit of metadata (EXIF, GPS, XMP, comments)
        stripped and turned upright; named by the SHA-256 of the stored bytes. 201 when new,
        200 with the same asset when those bytes were uploaded before."""
        body = await data.file.read()
        try:
            asset, created = await media.put(body, principal.name)
        except MediaRefused as refused:
            error = FieldError(name=refused.field, detail=refused.detail, source="body")
            return problem(refused.status, refused.detail, errors=[error], path=request.url.path)
        response = _private(request, _item(asset), 201 if created else 200)
        response.headers["Location"] = f"/v1/media/{asset.hash}"
        return response

    @get("/", operation_id="listMedia", summary="List images", responses=WRITE_PROBLEMS)
    async def list_media(self, request: Request[Any, Any, Any], media: MediaDep) -> Response[MediaList]:
        """Every image, newest first, with its variants."""
        return _private(request, MediaList(media=[_item(a) for a in await media.all()]))

    @get("/{hash:str}", operation_id="getMedia", summary="One image", responses=WRITE_PROBLEMS)
    async def detail(
        self,
        request: Request[Any, Any, Any],
        media: MediaDep,
        hash: Annotated[str, Parameter(pattern=HASH_PATTERN)],
    ) -> Response[MediaDetail]:
        """Its metadata, its variants, and the items whose draft or latest version shows it."""
        asset = await media.get(hash)
        if asset is None:
            raise NotFound(f"No image {hash}.")
        used = await media.usage(hash)
        uses = [MediaUse(type=cast(model.Kind, k), slug=s, locale=loc) for k, s, loc in used]
        item = _item(asset)
        fields = {f: getattr(item, f) for f in MediaItem.__struct_fields__}
        return _private(request, MediaDetail(**fields, used_in=uses))


class MediaFilesController(Controller):
    path = "/media"
    tags = ["media"]

    @get(
        "/{hash:str}/{file:str}",
        operation_id="getMediaFile",
        summary="An image variant",
        responses=READ_PROBLEMS | FILE_PROBLEMS,
        media_type="image/webp",
    )
    async def file(
        self,
        request: Request[Any, Any, Any],
        media: MediaDep,
        exports: ExportsDep,
        hash: Annotated[str, Parameter(description="The asset's SHA-256.")],
        file: Annotated[str, Parameter(description="`{width}.{format}`, as the asset's variants list.")],
    ) -> Response[bytes]:
        """The image at one of its listed widths, in WebP or its own format, made once and kept.
        Immutable: cached for a year, a strong ETag, 304 on If-None-Match; HEAD has no body."""
        named = _FILE_NAME.match(file)
        body = None
        if named and re.match(HASH_PATTERN, hash):
            width, fmt = int(named[1]), named[2]
            body = await media.variant(hash, width, fmt, lambda o, w, f: exports.run(make_variant, o, w, f))
        if body is None or named is None:
            raise NotFound("No such image, or no variant of that width and format.")
        if len(body) <= _KEPT_BYTES:  # immutable: kept in memory while the store has room
            store_until(request.scope, time.monotonic() + 86400)
        etag = strong_etag(body)
        headers = {"Cache-Control": IMMUTABLE, "ETag": etag, "X-Content-Type-Options": "nosniff"}
        if etag_matches(request.headers.get("if-none-match"), etag):
            return tagged(Response(b"", status_code=304, headers=headers), [media_tag(hash)])
        return tagged(Response(body, media_type=MEDIA_TYPES[named[2]], headers=headers), [media_tag(hash)])


def media_router(max_bytes: int) -> Router:
    """The media routes; an upload may be FOLIO_MEDIA_MAX_BYTES plus the form's framing (other
    routes keep FOLIO_MAX_BODY_BYTES). A larger body is refused with 413 before it is read whole."""
    return Router(
        path="/",
        route_handlers=[MediaController, MediaFilesController],
        request_max_body_size=max_bytes + _FORM_OVERHEAD,
    )
