"""The app factory: every controller, dependency and plugin in plain sight."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.types import ASGIApp
from sqlalchemy.exc import SQLAlchemyError

from api.auth import provide_principal
from api.chart import Chart
from api.controllers.admin import AdminController
from api.controllers.cds_hooks import CdsHooksController
from api.controllers.exports import ExportController
from api.controllers.fhir import FhirController
from api.controllers.health import HealthController
from api.controllers.infobutton import InfobuttonController
from api.controllers.items import ITEM_ROUTERS, FaqItemController
from api.controllers.media import media_router
from api.controllers.releases import ReleaseController
from api.controllers.schedules import ScheduleController
from api.controllers.search import SearchController
from api.conventions import http_conventions
from api.desk import desk_router, unrouted_desk_pages
from api.egress import EgressPolicy
from api.exports import Exports
from api.locales import provide_wanted
from api.metrics import Metrics
from api.observability import LayeredLitestar, Observe
from api.openapi import API_VERSION, HEADERS, PARAMETERS, document_http
from api.problems import ProblemRequest, handle_exception
from api.reader import Reader
from api.reference import ReferencePage, assets_router
from api.response_store import ResponseStore
from api.scheduler import Scheduler
from api.services import Services, open_services
from api.settings import Settings
from api.webhook_docs import WEBHOOKS
from content.editorial import Editorial

log = logging.getLogger("folio.app")

# Body bytes the response store keeps per process, beside FOLIO_CACHE_ENTRIES answers.
RESPONSE_STORE_BYTES = 64 * 2**20


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    metrics = Metrics()
    # The store of published answers, made when Litestar builds its layers (``outer_layers``).
    responses: list[ResponseStore] = []

    def services() -> Services:
        found: Services = app.state.services
        return found

    app = LayeredLitestar(
        outer=outer_layers(settings, metrics, responses),
        route_handlers=[
            *ITEM_ROUTERS,
            FaqItemController,
            AdminController,
            SearchController,
            ExportController,
            HealthController,
            FhirController,
            InfobuttonController,
            CdsHooksController,
            ScheduleController,
            ReleaseController,
            assets_router(),
            desk_router(settings.media_max_bytes),
            media_router(settings.media_max_bytes),
        ],
        dependencies=dependencies(services, settings, metrics),
        lifespan=[lifespan(settings, metrics, responses)],
        exception_handlers={Exception: unrouted_desk_pages(handle_exception)},
        request_class=ProblemRequest,
        plugins=[ProblemDetailsPlugin()],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
        debug=False,
    )
    document_http([h for route in app.routes for h in getattr(route, "route_handlers", [])])
    return app


def lifespan(
    settings: Settings, metrics: Metrics, responses: list[ResponseStore]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """Open the services for the app's lifetime and run the webhook deliveries beside it."""

    @asynccontextmanager
    async def opened(app: Litestar) -> AsyncIterator[None]:
        # Every change Editorial reports in this process drops the stored answers.
        async with open_services(settings, metrics=metrics, on_change=responses[0].changed) as services:
            app.state.services = services
            app.state.reader = services.reader
            app.state.exports = services.exports
            # Guards get no dependency injection: the token and session checks find theirs here.
            app.state.tokens = services.tokens
            app.state.sessions = services.sessions
            try:
                await services.webhooks.built_in(settings.purge_varnish)  # the Varnish purgers (api.purge)
            except SQLAlchemyError:  # a schema behind this code: /ready says so; `folio migrate`
                log.exception("the Varnish purgers could not be registered")
            app.state.media = services.media
            worker = asyncio.create_task(services.deliverer.run(), name="webhook-deliveries")
            runner = asyncio.create_task(scheduler(services, settings).run(), name="scheduler")
            try:
                yield
            finally:
                metrics.flush()  # what this worker counted since its last write
                for task in (worker, runner):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    return opened


def scheduler(services: Services, settings: Settings) -> Scheduler:
    """Schedules and review dates run beside the server (api.scheduler)."""
    editorial = services.editorial
    return Scheduler(editorial.schedules, editorial.review_dates, poll_seconds=settings.schedule_poll_seconds)


def outer_layers(
    settings: Settings, metrics: Metrics, responses: list[ResponseStore]
) -> Callable[[Litestar, ASGIApp], ASGIApp]:
    """HEAD, Allow and Vary as clients and CDNs expect them (api.conventions); outside that, the
    published reads kept as they were sent (api.response_store, appended to ``responses``),
    answered without routing; outside both, request ids, CORS, metrics and the access log: one
    ASGI layer around everything Litestar does per request (routing, exception handling), stored
    answers included."""

    def outer(app: Litestar, handler: ASGIApp) -> ASGIApp:
        stored = ResponseStore(
            http_conventions(app, handler), metrics, settings.cache_entries, RESPONSE_STORE_BYTES
        )
        responses.append(stored)
        return Observe(stored, metrics, settings.cors_origins)

    return outer


def dependencies(
    services: Callable[[], Services], settings: Settings, metrics: Metrics
) -> dict[str, Provide]:
    """What handlers may ask for by name; ``services`` answers once the lifespan has opened them.

    Providers take no arguments: Litestar then has nothing to parse or validate per request
    (a `state: State` parameter costs a State object and a signature check on every read).
    """

    def provide_reader() -> Reader:
        return services().reader

    def provide_exports() -> Exports:
        return services().exports

    def provide_editorial() -> Editorial:
        return services().editorial

    def provide_egress() -> EgressPolicy:
        return services().egress

    def provide_chart() -> Chart:
        return Chart(services().reader, services().exports, settings)

    return {
        "reader": Provide(provide_reader, sync_to_thread=False),
        "editorial": Provide(provide_editorial, sync_to_thread=False),
        "egress": Provide(provide_egress, sync_to_thread=False),
        "chart": Provide(provide_chart, sync_to_thread=False),
        "exports": Provide(provide_exports, sync_to_thread=False),
        "tokens": Provide(lambda: services().tokens, sync_to_thread=False),
        "sessions": Provide(lambda: services().sessions, sync_to_thread=False),
        "audit_log": Provide(lambda: services().audit, sync_to_thread=False),
        "communications": Provide(lambda: services().communications, sync_to_thread=False),
        "webhooks": Provide(lambda: services().webhooks, sync_to_thread=False),
        "principal": Provide(provide_principal, sync_to_thread=False),
        "wanted": Provide(provide_wanted, sync_to_thread=False),
        "metrics": Provide(lambda: metrics, sync_to_thread=False),
        "settings": Provide(lambda: settings, sync_to_thread=False),
        "media": Provide(lambda: services().media, sync_to_thread=False),
    }


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Folio",
        version=API_VERSION,
        summary="Versioned patient-education content as JSON, PDF handouts and email copy.",
        path="/docs",
        render_plugins=[ReferencePage(path="/"), JsonRenderPlugin(path="/openapi.json")],
        use_handler_docstrings=True,
        webhooks=WEBHOOKS,
        components=Components(
            headers=dict(HEADERS),
            parameters=dict(PARAMETERS),
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="`folio token create --name NAME --role ROLE`; roles: reader < editor "
                    "< reviewer < publisher < admin, each including the ones before it.",
                )
            },
        ),
    )
