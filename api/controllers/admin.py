"""Admin routes: the audit log, API tokens and webhooks."""

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.params import JSONBody, Parameter
from msgspec import Meta, structs

from api.auth import BEARER_SECURITY, requires
from api.caching import NO_STORE, Encoded, send
from api.controllers.params import SLUG_PATTERN, CursorParam, IdParam, line
from api.conventions import next_link
from api.deps import AuditLogDep, EgressDep, PrincipalDep, TokensDep, WebhooksDep
from api.egress import Refused
from api.problems import WRITE_PROBLEMS
from api.webhooks import EVENTS, Delivery, Event, Webhook
from content import model
from content.accounts import Role, TokenInfo
from content.audit import AuditPage
from content.changes import OPT_IN_EVENTS
from content.errors import InvalidInput


class WebhookInput(model.Wire, kw_only=True):
    url: Annotated[str, Meta(pattern=r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$(?!\n)", max_length=2000)]
    # Every event but those asked for by name: ``cache.purge`` (a CDN's purger, api.purge) and
    # ``queue.entered`` (content.queues).
    events: Annotated[list[Event], Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: [e for e in EVENTS if e not in OPT_IN_EVENTS]
    )


class NewWebhook(Webhook, kw_only=True):
    """The signing secret (whsec_...) is shown in this response only."""

    secret: str


class NewSecret(model.Wire, kw_only=True):
    """A rotated webhook's new signing secret, shown in this response only."""

    id: int
    secret: str
    # Until then deliveries carry a signature with the replaced secret too; after it, not.
    previous_valid_until: dt.datetime


class TokenInput(model.Wire, kw_only=True):
    name: Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$")]
    # The person it stands for, with credentials: printed as the reviewer on handouts and pages.
    display_name: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
    # Printed after the name on what this person signs off ("MD", "RN, CDE"): honorificSuffix.
    credentials: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")] | None = (
        None
    )
    role: Role


class NewToken(TokenInfo, kw_only=True):
    """The token is shown in this response only; only its hash is stored."""

    token: str


class TokenList(model.Wire, kw_only=True):
    tokens: list[TokenInfo]


class WebhookList(model.Wire, kw_only=True):
    webhooks: list[Webhook]


class DeliveryList(model.Wire, kw_only=True):
    deliveries: list[Delivery]


def private(request: Request[Any, Any, Any], body: object) -> Response[Any]:
    return send(request, Encoded.of(body), NO_STORE)


class AdminController(Controller):
    path = "/v1"
    tags = ["admin"]
    guards = [requires("admin")]
    security = BEARER_SECURITY

    @get("/audit", operation_id="listAudit", summary="The audit log", responses=WRITE_PROBLEMS)
    async def audit(
        self,
        request: Request[Any, Any, Any],
        audit_log: AuditLogDep,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        cursor: CursorParam = None,
        type: Annotated[model.Kind | None, Parameter(description="Only this kind of item.")] = None,
        slug: Annotated[str | None, Parameter(pattern=SLUG_PATTERN, max_length=120)] = None,
        actor: Annotated[str | None, line(200)] = None,
        action: Annotated[str | None, line(40)] = None,
    ) -> Response[AuditPage]:
        """Every write, newest first: who, what, when, item, version, hashes before and after."""
        page = await audit_log.page(
            limit=limit, cursor=cursor, kind=type, slug=slug, actor=actor, action=action
        )
        response = private(request, page)
        if page.next_cursor:
            response.headers["Link"] = next_link(request, page.next_cursor)
        return response

    @post("/tokens", operation_id="createToken", summary="Create an API token", responses=WRITE_PROBLEMS)
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TokenInput],
        tokens: TokensDep,
        principal: PrincipalDep,
    ) -> Response[NewToken]:
        """Returns the token once."""
        info, token = await tokens.create(
            data.name,
            data.role,
            principal.name,
            display_name=data.display_name,
            credentials=data.credentials,
        )
        response = private(request, NewToken(**_fields(info), token=token))
        response.status_code = 201
        return response

    @get("/tokens", operation_id="listTokens", summary="List API tokens", responses=WRITE_PROBLEMS)
    async def list_tokens(self, request: Request[Any, Any, Any], tokens: TokensDep) -> Response[TokenList]:
        """Names, roles and dates; never the tokens."""
        return private(request, TokenList(tokens=await tokens.all()))

    @delete(
        "/tokens/{name:str}",
        operation_id="revokeToken",
        summary="Revoke a token",
        responses=WRITE_PROBLEMS,
        status_code=204,
    )
    async def revoke(
        self,
        name: Annotated[str, line(100)],
        tokens: TokensDep,
        principal: PrincipalDep,
    ) -> None:
        """It stops working at once."""
        await tokens.revoke(name, principal.name)

    @post("/webhooks", operation_id="createWebhook", summary="Register a webhook", responses=WRITE_PROBLEMS)
    async def create_webhook(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[WebhookInput],
        webhooks: WebhooksDep,
        egress: EgressDep,
        principal: PrincipalDep,
    ) -> Response[NewWebhook]:
        """Deliveries follow the Standard Webhooks specification (www.standardwebhooks.com): the
        body is {type, timestamp, data}; webhook-id (the idempotency key, the same on every
        retry), webhook-timestamp and webhook-signature (v1,base64 HMAC-SHA256 of
        "id.timestamp.body" under the whsec_ secret returned here once).

        The URL must reach a public address (or a network FOLIO_WEBHOOK_ALLOW names): loopback,
        private, link-local, metadata and similar addresses are refused here and at every delivery.
        """
        try:
            await egress.admit(data.url)
        except Refused as exc:
            raise InvalidInput("$.url", f"Webhooks are not delivered there: {exc.reason}.") from None
        hook, secret = await webhooks.add(data.url, sorted(set(data.events)), principal.name)
        response = private(request, NewWebhook(**_fields(hook), secret=secret))
        response.status_code = 201
        return response

    @post(
        "/webhooks/{hook_id:int}/secret",
        operation_id="rotateWebhookSecret",
        summary="Rotate a webhook's secret",
        responses=WRITE_PROBLEMS,
    )
    async def rotate_secret(
        self,
        request: Request[Any, Any, Any],
        hook_id: IdParam,
        webhooks: WebhooksDep,
        principal: PrincipalDep,
    ) -> Response[NewSecret]:
        """Returns a new secret once. The replaced one keeps signing beside it (two signatures in
        webhook-signature) until previousValidUntil (FOLIO_WEBHOOK_SECRET_GRACE_HOURS, 24 h)."""
        secret, until = await webhooks.rotate(hook_id, principal.name)
        response = private(request, NewSecret(id=hook_id, secret=secret, previous_valid_until=until))
        response.status_code = 201
        return response

    @get("/webhooks", operation_id="listWebhooks", summary="List webhooks", responses=WRITE_PROBLEMS)
    async def webhooks(self, request: Request[Any, Any, Any], webhooks: WebhooksDep) -> Response[WebhookList]:
        """Registered receivers, without their secrets."""
        return private(request, WebhookList(webhooks=await webhooks.all()))

    @delete(
        "/webhooks/{hook_id:int}",
        operation_id="deleteWebhook",
        summary="Remove a webhook",
        responses=WRITE_PROBLEMS,
        status_code=204,
    )
    async def remove_webhook(self, hook_id: IdParam, webhooks: WebhooksDep, principal: PrincipalDep) -> None:
        """Its pending deliveries are abandoned."""
        await webhooks.remove(hook_id, principal.name)

    @get(
        "/webhooks/{hook_id:int}/deliveries",
        operation_id="listDeliveries",
        summary="Delivery log",
        responses=WRITE_PROBLEMS,
    )
    async def deliveries(
        self,
        request: Request[Any, Any, Any],
        hook_id: IdParam,
        webhooks: WebhooksDep,
    ) -> Response[DeliveryList]:
        """Newest first, with attempts, last status and error."""
        return private(request, DeliveryList(deliveries=await webhooks.deliveries(hook_id)))


def _fields(struct: Any) -> dict[str, Any]:
    return structs.asdict(struct)
