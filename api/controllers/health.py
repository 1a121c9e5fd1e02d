"""Operations: liveness, readiness and metrics."""

from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, get

from api.caching import NO_STORE, Encoded, send
from api.deps import MetricsDep, ReaderDep
from api.problems import problem
from content.migrations import head_revision


class Health(msgspec.Struct, kw_only=True):
    status: Literal["ok"]
    database: Literal["ok"]


class Ready(msgspec.Struct, kw_only=True):
    status: Literal["ready"]
    schema: str


class HealthController(Controller):
    path = "/"
    tags = ["operations"]

    @get("/health", operation_id="health", summary="Is the service up?")
    async def health(self, request: Request[Any, Any, Any], reader: ReaderDep) -> Response[Health]:
        """Answers 200 when the service and its database respond."""
        await reader.ping()
        return send(request, Encoded.of(Health(status="ok", database="ok")), NO_STORE)

    @get("/ready", operation_id="ready", summary="May this replica take traffic?")
    async def ready(self, request: Request[Any, Any, Any], reader: ReaderDep) -> Response[Ready]:
        """200 when the database answers and its schema is at the newest migration; 503 otherwise."""
        try:
            current = await reader.schema_revision()
        except Exception as exc:  # any database failure means "not ready", said plainly
            return problem(503, f"The database is unreachable: {type(exc).__name__}.", path="/ready")
        if current != head_revision():
            detail = f"The database schema is at {current}, not {head_revision()}: run `folio migrate`."
            return problem(503, detail, path="/ready")
        return send(request, Encoded.of(Ready(status="ready", schema=current or "")), NO_STORE)

    @get(
        "/metrics",
        operation_id="metrics",
        summary="Prometheus metrics",
        media_type="text/plain; version=0.0.4",
    )
    async def metrics(self, metrics: MetricsDep) -> Response[bytes]:
        """Requests, latency, render queue depth and cache hits and misses, for Prometheus."""
        return Response(
            metrics.exposition(), media_type="text/plain; version=0.0.4", headers={"Cache-Control": NO_STORE}
        )
