"""Liveness for load balancers and humans."""

from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, get

from api.caching import NO_STORE, Encoded, send
from api.deps import DocumentsDep


class Health(msgspec.Struct, kw_only=True):
    status: Literal["ok"]
    database: Literal["ok"]


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get("/", operation_id="health", summary="Is the service up?")
    async def health(self, request: Request[Any, Any, Any], documents: DocumentsDep) -> Response[Health]:
        """Answers 200 when the service and its database respond."""
        await documents.store.ping()
        return send(request, Encoded.of(Health(status="ok", database="ok")), NO_STORE)
