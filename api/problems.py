"""The one place errors become RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
import traceback
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from api.exports import Busy
from content.db import StoreUnavailable
from content.errors import (
    Conflict,
    ContentError,
    Forbidden,
    Gone,
    InvalidInput,
    LibraryError,
    NotFound,
    Stale,
)
from content.model import SINGLE_LINE, TEXT

log = logging.getLogger("folio.api")
PROBLEM_JSON = "application/problem+json"
_MISSING = re.compile(r"Missing required (\w+) parameter '([^']+)'")


class FieldError(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: str
    detail: str
    source: str | None = None  # "query", "path", "body", "header"


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    # Always sent (RFC 9457 §3.1.1): "about:blank" says the status code and title are the meaning.
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, media_type=PROBLEM_JSON, description=description, generate_examples=False
    )


# Documented on every read route; the schema is the one body every error shares.
HANDOUT_PROBLEMS = {
    503: _spec(
        "Handout rendering is at capacity or timed out, or the database was out of reach; see Retry-After."
    ),
}
READ_PROBLEMS = {
    400: _spec("A parameter is invalid; `errors` names it."),
    404: _spec("No such item, version or entry."),
    410: _spec("The item was archived."),
    503: _spec(
        "The database was out of reach for a moment (a dropped connection, every connection busy); "
        "nothing half-done was kept. Retry after Retry-After seconds; a write sends its If-Match again."
    ),
}
WRITE_PROBLEMS = READ_PROBLEMS | {
    401: _spec("No valid bearer token."),
    403: _spec("The token's role may not do this, or its holder may not (four eyes: `detail` says why)."),
    409: _spec("The item's state does not allow it (exists, not reviewed, ...)."),
    412: _spec("If-Match names an ETag that is no longer current."),
    413: _spec("The body is over the size limit."),
    428: _spec("If-Match is required."),
}


_DOMAIN_STATUS: tuple[tuple[type[ContentError], int], ...] = (
    (NotFound, 404),
    (Gone, 410),
    (Conflict, 409),
    (Forbidden, 403),
    (Stale, 412),
    (InvalidInput, 400),
    (LibraryError, 422),
)


# Health-IT routes answer errors in their standard's shape: FHIR and CDS Hooks an OperationOutcome.
_OPERATION_OUTCOME_PATHS = ("/fhir/", "/cds-services")


def problem(
    status: int, detail: str, *, errors: list[FieldError] | None = None, path: str = ""
) -> Response[bytes]:
    if path.startswith(_OPERATION_OUTCOME_PATHS) or path == "/fhir":
        from api.fhir import outcome

        named = "; ".join(f"{e.name}: {e.detail}" for e in errors or [] if e.detail not in detail)
        return outcome(status, f"{detail} ({named})" if named else detail)
    body = Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=path or None,
        errors=errors or [],
    )
    return Response(msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON)


# What a field's pattern means, said the way a client can act on it.
_PATTERN_MEANING = {
    SINGLE_LINE: "must be a single line without control characters",
    TEXT: "must not contain NUL or other control characters",
}
_AT = re.compile(r" - at `(\$[^`]*)`$")


def _friendly(message: str) -> str:
    for pattern, meaning in _PATTERN_MEANING.items():
        if repr(pattern) in message or pattern in message:
            return meaning
    return message


def _wire_name(request: Request[Any, Any, Any], key: str, source: str, message: str) -> str:
    """Body fields as JSON paths (``$.title``); parameters by the name clients send (``from``)."""
    if source == "body":
        at = _AT.search(message)
        if at:
            return at.group(1)
        return "$" if key in ("", "data", "body") else "$." + key.removeprefix("data.")
    try:
        definition = request.route_handler.parsed_fn_signature.parameters[key].kwarg_definition
    except (AttributeError, KeyError):
        return key
    return getattr(definition, "name", None) or key


def _while_decoding_body(exc: BaseException) -> bool:
    """Too deep JSON or bad UTF-8 raise from msgspec, under Litestar's decode_json, not as DecodeError."""
    return any(
        frame.f_code.co_name == "decode_json" and "litestar" in frame.f_code.co_filename
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Map every exception to one problem-details shape."""
    path = request.url.path
    if isinstance(exc, ContentError):
        status = next(code for cls, code in _DOMAIN_STATUS if isinstance(exc, cls))
        errors = [FieldError(name=exc.field, detail=exc.detail)] if isinstance(exc, InvalidInput) else []
        return problem(status, exc.detail, errors=errors, path=path)
    if isinstance(exc, ValidationException):
        errors = []
        for e in exc.extra if isinstance(exc.extra, list) else []:
            source = str(getattr(e.get("source"), "value", e.get("source")) or "body")
            message = str(e.get("message"))
            name = _wire_name(request, str(e.get("key") or ""), source, message)
            errors.append(FieldError(name=name, detail=_friendly(_AT.sub("", message)), source=source))
        if not errors and (missing := _MISSING.search(exc.detail)):
            source, name = missing.groups()
            errors = [FieldError(name=name, detail="This parameter is required.", source=source)]
        detail = "; ".join(f"Invalid {e.source} field '{e.name}': {e.detail}" for e in errors)
        return problem(400, detail or exc.detail, errors=errors, path=path)
    if isinstance(exc, (RecursionError, UnicodeDecodeError)) and _while_decoding_body(exc):
        what = "nested too deeply" if isinstance(exc, RecursionError) else "not valid UTF-8"
        error = FieldError(name="$", detail=f"The JSON body is {what}.", source="body")
        return problem(400, f"The JSON body is {what}.", errors=[error], path=path)
    if isinstance(exc, Busy):
        response = problem(503, exc.detail, path=path)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if (unavailable := StoreUnavailable.of(exc)) is not None:
        # A dropped connection or a full pool: nothing half-done stays (a transaction commits
        # whole or not at all), and the client's retry, with its If-Match, is safe.
        log.warning("%s %s: %s", request.method, path, unavailable)
        response = problem(503, unavailable.detail, path=path)
        response.headers["Retry-After"] = "1"
        return response
    if isinstance(exc, HTTPException):
        response = problem(exc.status_code, exc.detail, path=path)
        response.headers.update(exc.headers or {})
        return response
    log.exception("unhandled error on %s %s", request.method, path)
    return problem(500, "An unexpected error occurred; it has been logged.", path=path)
