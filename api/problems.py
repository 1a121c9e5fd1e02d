"""The one place errors become RFC 9457 problem details."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.enums import ParamType
from litestar.exceptions import ClientException, HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import ParameterKwarg
from litestar.plugins.problem_details import ProblemDetailsException

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
) -> Response[Any]:
    if path.startswith(_OPERATION_OUTCOME_PATHS) or path == "/fhir":
        from api.fhir import outcome

        named = "; ".join(f"{e.name}: {e.detail}" for e in errors or [] if e.detail not in detail)
        return outcome(status, f"{detail} ({named})" if named else detail)
    # The body as Litestar's problem-details plugin writes it (RFC 9457; `errors` an extension).
    return ProblemDetailsException(
        status_code=status,
        detail=detail,
        type_="about:blank",
        title=HTTPStatus(status).phrase,
        instance=path or None,
        extra={"errors": errors} if errors else None,
    ).to_response(None)  # type: ignore[arg-type]  # the request is not read


# What a field's pattern means, said the way a client can act on it.
_PATTERN_MEANING = {
    SINGLE_LINE: "must be a single line without control characters",
    TEXT: "must not contain NUL or other control characters",
}


def _friendly(message: str) -> str:
    """msgspec names the pattern a string failed; say what it means (the patterns are ours)."""
    for pattern, meaning in _PATTERN_MEANING.items():
        if repr(pattern) in message or pattern in message:
            return meaning
    return message


def _wire_name(request: Request[Any, Any, Any], key: str, source: str) -> str:
    """Body fields as JSON paths (``$.title``); parameters by the name clients send (``from``).

    ``key`` is the field's location as Litestar's ValidationException carries it (msgspec's
    error path with the handler's ``data`` argument taken off): ``body[2].title``, ``limit``.
    """
    if source == "body":
        return "$" if key in ("", "data", "body") else "$." + key.removeprefix("data.")
    try:
        definition = request.route_handler.parsed_fn_signature.parameters[key].kwarg_definition
    except (AttributeError, KeyError):
        return key
    return getattr(definition, "name", None) or key


def _missing(request: Request[Any, Any, Any], exc: ValidationException) -> list[FieldError]:
    """A required parameter that was not sent: Litestar chains the KeyError naming its alias."""
    if not isinstance(exc.__cause__, KeyError) or not exc.__cause__.args:
        return []
    alias = str(exc.__cause__.args[0])
    source = ParamType.QUERY.value
    signature = getattr(request.route_handler, "parsed_fn_signature", None)
    for parameter in signature.parameters.values() if signature else ():
        kwarg = parameter.kwarg_definition
        if isinstance(kwarg, ParameterKwarg) and alias in (kwarg.header, kwarg.cookie):
            source = (ParamType.HEADER if alias == kwarg.header else ParamType.COOKIE).value
    return [FieldError(name=alias, detail="This parameter is required.", source=source)]


class UndecodableBody(ClientException):
    """A JSON body msgspec could not read that is no DecodeError: nested too deeply, or not UTF-8."""

    def __init__(self, what: str) -> None:
        super().__init__(detail=f"The JSON body is {what}.")


class ProblemRequest(Request[Any, Any, Any]):
    """Litestar's Request, saying so when the body is too deep or not UTF-8 (msgspec raises
    RecursionError or UnicodeDecodeError there, which Litestar's ``decode_json`` lets through)."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise UndecodableBody("nested too deeply") from None
        except UnicodeDecodeError:
            raise UndecodableBody("not valid UTF-8") from None


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Map every exception to one problem-details shape."""
    path = request.url.path
    if isinstance(exc, ContentError):
        status = next(code for cls, code in _DOMAIN_STATUS if isinstance(exc, cls))
        errors = [FieldError(name=exc.field, detail=exc.detail)] if isinstance(exc, InvalidInput) else []
        return problem(status, exc.detail, errors=errors, path=path)
    if isinstance(exc, ValidationException):
        errors = []
        # Litestar's structured errors: {"key": msgspec's path, "source": ParamType or "body", "message"}.
        for e in exc.extra if isinstance(exc.extra, list) else []:
            source = str(getattr(e.get("source"), "value", e.get("source")) or "body")
            name = _wire_name(request, str(e.get("key") or ""), source)
            errors.append(FieldError(name=name, detail=_friendly(str(e.get("message"))), source=source))
        errors = errors or _missing(request, exc)
        detail = "; ".join(f"Invalid {e.source} field '{e.name}': {e.detail}" for e in errors)
        return problem(400, detail or exc.detail, errors=errors, path=path)
    if isinstance(exc, UndecodableBody):
        error = FieldError(name="$", detail=exc.detail, source="body")
        return problem(400, exc.detail, errors=[error], path=path)
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
