"""The one place errors become RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from api.exports import Busy
from content.errors import Conflict, ContentError, Gone, InvalidInput, LibraryError, NotFound, Stale

log = logging.getLogger("folio.api")
PROBLEM_JSON = "application/problem+json"
_MISSING = re.compile(r"Missing required (\w+) parameter '([^']+)'")


class FieldError(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: str
    detail: str
    source: str | None = None  # "query", "path", "body", "header"


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=Problem, media_type=PROBLEM_JSON, description=description)


# Documented on every read route; the schema is the one body every error shares.
HANDOUT_PROBLEMS = {
    503: _spec("Handout rendering is at capacity or timed out; see Retry-After."),
}
READ_PROBLEMS = {
    400: _spec("A parameter is invalid; `errors` names it."),
    404: _spec("No such item, version or entry."),
    410: _spec("The item was archived."),
}
WRITE_PROBLEMS = READ_PROBLEMS | {
    401: _spec("No valid bearer token."),
    403: _spec("The token's role may not do this."),
    409: _spec("The item's state does not allow it (exists, not reviewed, ...)."),
    412: _spec("If-Match names an ETag that is no longer current."),
    413: _spec("The body is over the size limit."),
    428: _spec("If-Match is required."),
}


_DOMAIN_STATUS: tuple[tuple[type[ContentError], int], ...] = (
    (NotFound, 404),
    (Gone, 410),
    (Conflict, 409),
    (Stale, 412),
    (InvalidInput, 400),
    (LibraryError, 422),
)


def problem(
    status: int, detail: str, *, errors: list[FieldError] | None = None, path: str = ""
) -> Response[bytes]:
    body = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=path or None,
        errors=errors or [],
    )
    return Response(msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON)


def _wire_name(request: Request[Any, Any, Any], key: str) -> str:
    """Litestar reports a parameter by its Python name; clients know its alias (``from``)."""
    try:
        definition = request.route_handler.parsed_fn_signature.parameters[key].kwarg_definition
    except (AttributeError, KeyError):
        return key
    return getattr(definition, "name", None) or key


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Map every exception to one problem-details shape."""
    path = request.url.path
    if isinstance(exc, ContentError):
        status = next(code for cls, code in _DOMAIN_STATUS if isinstance(exc, cls))
        errors = [FieldError(name=exc.field, detail=exc.detail)] if isinstance(exc, InvalidInput) else []
        return problem(status, exc.detail, errors=errors, path=path)
    if isinstance(exc, ValidationException):
        errors = [
            FieldError(
                name=_wire_name(request, str(e.get("key") or "body")),
                detail=str(e.get("message")),
                source=str(getattr(e.get("source"), "value", e.get("source")) or "body"),
            )
            for e in (exc.extra if isinstance(exc.extra, list) else [])
        ]
        if not errors and (missing := _MISSING.search(exc.detail)):
            source, name = missing.groups()
            errors = [FieldError(name=name, detail="This parameter is required.", source=source)]
        detail = "; ".join(f"Invalid {e.source} field '{e.name}': {e.detail}" for e in errors)
        return problem(400, detail or exc.detail, errors=errors, path=path)
    if isinstance(exc, Busy):
        response = problem(503, exc.detail, path=path)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, HTTPException):
        response = problem(exc.status_code, exc.detail, path=path)
        response.headers.update(exc.headers or {})
        return response
    log.exception("unhandled error on %s %s", request.method, path)
    return problem(500, "An unexpected error occurred; it has been logged.", path=path)
