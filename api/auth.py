"""Bearer tokens with roles, as route guards; and the If-Match precondition for writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from content.accounts import Role, Tokens, allows

BEARER = {"WWW-Authenticate": 'Bearer realm="folio"'}
# OpenAPI: write routes name the scheme declared in api.app.openapi_config.
BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


@dataclass(frozen=True, slots=True)
class Principal:
    name: str  # the token's name: audit entries and version authors
    role: Role
    display_name: str  # the person: printed as reviewer on what patients read


def requires(role: Role, *others: Role) -> Guard:
    """A guard admitting tokens of ``role`` (or of one of ``others``) or above; 401 without a valid
    token, 403 below it. System roles (``ehr``) admit only themselves."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        scheme, _space, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("This needs a bearer token.", headers=BEARER)
        tokens: Tokens = connection.app.state.tokens  # guards get no injection (api.app's lifespan)
        found = await tokens.authenticate(token.strip())
        if found is None:
            raise NotAuthorizedException("The token is unknown or revoked.", headers=BEARER)
        principal = Principal(*found)
        if not any(allows(principal.role, r) for r in (role, *others)):
            needed = " or ".join((role, *others))
            raise PermissionDeniedException(f"This needs the {needed} role; the token has {principal.role}.")
        connection.state.principal = principal

    return guard


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal: Principal = request.state.principal  # set by the route's guard
    return principal


def if_match(request: Request[Any, Any, Any], *, required: bool = True) -> str | None:
    """The revision the client read: 428 when a write names none, the bare token otherwise."""
    value = request.headers.get("if-match")
    if value is None:
        if required:
            raise HTTPException(
                status_code=428,
                detail="Send If-Match with the ETag you read, so no one else's edit is overwritten.",
            )
        return None
    return value.strip().removeprefix("W/").strip('"')
