"""What the generated spec cannot infer from the handlers: HTTP headers and file media types.

Every handler's operation is built through ``operation_for(handler)``, so the spec says, on the
routes that use them: ``If-None-Match`` (every GET) and ``If-Match`` (guarded draft writes) request
headers; ``ETag``, ``Cache-Control``, ``Vary``, ``Location``, ``Link``, ``Content-Language`` and
``Retry-After`` response headers; a ``304``; and the real media type of each file route, binary
ones as ``format: binary``, so generated clients keep them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
)

from content import model

_STRING = Schema(type=OpenAPIType.STRING)
API_VERSION = "1.0.0"  # info.version of the spec; FHIR's CapabilityStatement says it too
_BINARY = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)


def _header(description: str, *, required: bool = True) -> OpenAPIHeader:
    return OpenAPIHeader(schema=_STRING, description=description, required=required)


# Declared once under components and referenced from each operation.
HEADERS = {
    "ETag": _header("Strong validator of this representation; send it back as If-None-Match or If-Match."),
    "Cache-Control": _header("`public, max-age=N` for published content; `private, no-store` for drafts."),
    "Vary": _header("Headers the response was negotiated on (Accept-Encoding, Origin).", required=False),
    "Location": _header("Where the created or published resource lives."),
    "Link": _header('RFC 8288 `<…>; rel="next"` to the next page, beside `nextCursor`.', required=False),
    "Content-Language": _header("The locale of the content."),
    "Retry-After": _header("Seconds to wait before trying again."),
    "Content-Disposition": _header("`attachment; filename=…` for file downloads.", required=False),
    "Surrogate-Key": _header(
        "Space-separated cache tags naming what this public answer shows (the item, its version, "
        "each pinned embed, the list or search it is): a CDN purges by them (README, Behind a CDN)."
    ),
    "Cache-Tag": _header("The same tags, comma-separated (Cloudflare's form)."),
}
# Public reads of published content: their answers (200 and 304) carry the cache tags.
TAGGED_PATHS = (
    "/v1/articles",
    "/v1/faqs",
    "/v1/comparisons",
    "/v1/search",
    "/articles/",
    "/faqs/",
    "/comparisons/",
)
PARAMETERS = {
    "IfNoneMatch": Parameter(
        name="If-None-Match",
        param_in=ParamType.HEADER,
        required=False,
        schema=_STRING,
        description="ETags you hold: 304 Not Modified if one is still current.",
    ),
    "IfMatch": Parameter(
        name="If-Match",
        param_in=ParamType.HEADER,
        required=True,
        schema=_STRING,
        description="The draft's ETag as you read it: 412 if it changed since, 428 if absent.",
    ),
    "IfMatchOptional": Parameter(
        name="If-Match",
        param_in=ParamType.HEADER,
        required=False,
        schema=_STRING,
        description="The draft's ETag as you read it; if sent and it changed since, 412.",
    ),
}


def _h(name: str) -> Reference:
    return Reference(ref=f"#/components/headers/{name}")


def _p(name: str) -> Reference:
    return Reference(ref=f"#/components/parameters/{name}")


# Route name suffixes (operation ids) and the file media type each serves.
FILE_MEDIA = {"EmailHtml": "text/html", "EmailTxt": "text/plain", "EmailEml": "message/rfc822"}
CONDITIONAL_WRITES = ("replace", "review", "publish")
LOCATED = ("create", "publish", "restore", "unarchive", "upload")
# Reads that send no ETag: the metrics change with every scrape.
UNVALIDATED = ("metrics",)
WRITES_WITH_ETAG = ("create", "start", "replace", "review", "publish", "restore", "unarchive")
PAGED = ("listArticles", "listFaqs", "listComparisons", "listAudit")
IN_A_LANGUAGE_SUFFIXES = ("Version", "Page", "Email", "EmailHtml", "EmailTxt", "EmailEml", "Handout")


@dataclass
class _FolioOperation(Operation):
    method: ClassVar[str] = "GET"

    def __post_init__(self) -> None:
        op = self.operation_id or ""
        params: list[Any] = list(self.parameters or [])
        responses = self.responses or {}
        ok_status = next((s for s in ("200", "201") if s in responses), None)
        ok = responses.get(ok_status) if ok_status else None
        headers: dict[str, Any] = {}
        if self.method == "GET" and op not in UNVALIDATED:
            params.append(_p("IfNoneMatch"))
            headers |= {name: _h(name) for name in ("ETag", "Cache-Control", "Vary")}
            if op in PAGED:
                headers["Link"] = _h("Link")
            if _is_content(op):
                headers["Content-Language"] = _h("Content-Language")
            if op.endswith(tuple(FILE_MEDIA)) or op.endswith("Handout"):
                headers["Content-Disposition"] = _h("Content-Disposition")
            not_modified: tuple[str, ...] = ("ETag", "Cache-Control", "Vary")
            if _is_tagged(op):
                headers |= {name: _h(name) for name in ("Surrogate-Key", "Cache-Tag")}
                not_modified += ("Surrogate-Key", "Cache-Tag")
            responses["304"] = OpenAPIResponse(
                description="Not Modified: the If-None-Match ETag is current.",
                headers={name: _h(name) for name in not_modified},
            )
        if op.startswith(CONDITIONAL_WRITES):
            params.append(_p("IfMatch"))
        if op.startswith("discard"):
            params.append(_p("IfMatchOptional"))
        if op.startswith(LOCATED) and ok is not None:
            headers["Location"] = _h("Location")
        if isinstance(ok, OpenAPIResponse):
            if op.startswith(WRITES_WITH_ETAG):
                headers["ETag"] = _h("ETag")  # a draft or published version, with the ETag to send next
            ok.headers = {**(ok.headers or {}), **headers}
            for suffix, media_type in FILE_MEDIA.items():
                if op.endswith(suffix):
                    binary = media_type == "message/rfc822"
                    ok.content = {media_type: OpenAPIMediaType(schema=_BINARY if binary else _STRING)}
            if ok.content and "application/pdf" in ok.content:
                ok.content = {"application/pdf": OpenAPIMediaType(schema=_BINARY)}
            if ok.content and "image/webp" in ok.content:  # a media variant, in any of its formats
                images = ("image/webp", "image/png", "image/jpeg")
                ok.content = {t: OpenAPIMediaType(schema=_BINARY) for t in images}
        busy = responses.get("503")
        if isinstance(busy, OpenAPIResponse):
            busy.headers = {**(busy.headers or {}), "Retry-After": _h("Retry-After")}
        self.parameters = params or None
        self.responses = responses


def _is_content(op: str) -> bool:
    """Reads of one item's content (not lists, history, files or drafts)."""
    if op == "getFaqItem":
        return True
    return op in ("buildHandoutPacket", "buildDigest") or (
        op.startswith("get")
        and (
            op.removeprefix("get") in ("Article", "Faq", "Comparison") or op.endswith(IN_A_LANGUAGE_SUFFIXES)
        )
    )


def _is_tagged(op: str) -> bool:
    """Public reads of published content (items, versions, lists, diffs, pages, handouts, emails,
    search, the chart's public reads, image variants): their answers, 200 and 304, carry the
    cache tags (``api.caching.tagged``)."""
    kinds = "|".join(spec.title for spec in model.KIND_SPECS.values())
    chart = ("fhirReadBinary", "fhirSearchDocuments", "fhirReadDocument", "infobutton")
    return op in ("search", "getMediaFile", *chart) or (
        re.fullmatch(f"(get|list|diff)({kinds})s?[A-Za-z]*", op) is not None and not op.endswith("Draft")
    )


@cache
def _operation_class(method: str) -> type[Operation]:
    return type(f"{method.title()}Operation", (_FolioOperation,), {"method": method})


def document_http(handlers: list[HTTPRouteHandler]) -> None:
    """Have each handler's operation declare the HTTP headers and media types it really uses."""
    for handler in handlers:
        [method] = handler.http_methods or {"GET"}
        handler.operation_class = _operation_class(method)
