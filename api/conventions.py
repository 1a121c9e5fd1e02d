"""HTTP semantics every route shares, as one pure ASGI layer outside routing and CORS.

- ``HEAD`` is answered as ``GET`` with the same status and headers and no body (RFC 9110 §9.3.2).
- ``Allow`` (on ``OPTIONS`` and ``405``) lists every method of the path: Litestar builds it per
  controller, and several controllers share a path (reads and drafts of ``/v1/articles/{slug}``).
- ``Vary`` names ``Accept-Encoding`` on every negotiated read, merged with CORS's ``Origin``,
  which Litestar's CORS layer would otherwise write over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import MethodNotAllowedException, NotFoundException

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(app: Litestar, path: str) -> str | None:
    """Every method the path answers, or None when no route has that path."""
    try:
        # No route has this method, so routing fails naming all the node's methods.
        app.asgi_router.handle_routing(path, "ALLOW")
    except MethodNotAllowedException as exc:
        methods = {m.strip().upper() for m in (exc.headers or {}).get("allow", "").split(",") if m.strip()}
    except NotFoundException:
        return None
    else:  # an ASGI mount (static files) answers every method itself
        return None
    if "GET" in methods:
        methods.add("HEAD")
    methods.add("OPTIONS")
    return ", ".join(m for m in _ORDER if m in methods)


def http_conventions(app: Litestar, inner: ASGIApp) -> ASGIApp:
    """Wrap ``inner`` (the app's handler stack) with HEAD, Allow and Vary handling."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await inner(scope, receive, send)
            return
        method = scope["method"]
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        read = method in ("GET", "HEAD")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                if "allow" in headers:
                    allow = allowed_methods(app, scope["path"])
                    if allow:
                        headers["allow"] = allow
                if read and "etag" in headers:
                    pdf = headers.get("content-type", "").startswith("application/pdf")
                    _vary(headers, negotiated=not pdf)
            elif message["type"] == "http.response.body" and head:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await inner(scope, receive, send_wrapper)

    return handle


def _vary(headers: MutableScopeHeaders, *, negotiated: bool) -> None:
    names: list[str] = []
    for value in headers.getall("vary", []):
        names.extend(n.strip() for n in value.split(",") if n.strip())
    if negotiated:
        names.append("Accept-Encoding")
    merged = list(dict.fromkeys(n.title() if n != "*" else n for n in names))
    if merged:
        del headers["vary"]
        headers["Vary"] = ", ".join(merged)


def next_link(request: Request[Any, Any, Any], cursor: str) -> str:
    """An RFC 8288 ``Link`` to the next page: this request's URL with ``cursor`` replaced."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"] + [("cursor", cursor)]
    return f'<{request.url.path}?{urlencode(query)}>; rel="next"'
