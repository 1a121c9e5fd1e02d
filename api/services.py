"""What the app and the CLI both need, built in one place: reader, editorial, exports."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from api.caching import public
from api.egress import EgressPolicy
from api.exports import Exports
from api.metrics import Metrics
from api.reader import Reader
from api.render_cache import RenderCache, render_cache_for
from api.settings import Settings, clinic_time_zone
from api.single_flight import SingleFlight
from api.webhooks import Deliverer, Webhooks, outbox
from content.accounts import Sessions, Tokens
from content.audit import AuditLog
from content.changes import Change
from content.communications import Communications
from content.database import Database
from content.editorial import Editorial
from content.library import load_brand
from content.media import MediaLibrary
from content.store import Store


@dataclass(frozen=True)
class Services:
    reader: Reader
    editorial: Editorial
    deliverer: Deliverer
    webhooks: Webhooks
    egress: EgressPolicy
    exports: Exports
    settings: Settings
    tokens: Tokens
    sessions: Sessions
    audit: AuditLog
    communications: Communications
    media: MediaLibrary


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    latest_ttl: float | None = None,
    metrics: Metrics | None = None,
    on_change: Callable[[Change], None] = lambda change: None,
) -> AsyncIterator[Services]:
    """Connect to the store and load the brand; the connection pool is closed on exit.

    Editorial reports each change it commits to the reader, which drops its lookups and then
    calls ``on_change`` (the app's stored responses).
    """
    database = Database(
        settings.db_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    cache = render_cache_for(settings, database)
    metrics = metrics or Metrics()
    try:
        store = database.store(serve_unreviewed=settings.serve_unreviewed)
        reader = _reader(settings, store, metrics, latest_ttl)
        reader.public_url = settings.base_url
        reader.listen(on_change)
        exports = _exports(settings, reader, cache, metrics)
        try:
            services = _services(settings, database, store, reader, exports)
            exports.media = services.media  # handouts carry the pictures' originals to the workers
            # FOLIO_OVERDUE=withdraw: the review-date check purges what it withdraws.
            services.editorial.review_dates.withdraw_overdue = reader.withdraw_overdue
            yield services
        finally:
            await asyncio.to_thread(exports.close)
    finally:
        await cache.close()
        await database.close()


def _reader(settings: Settings, store: Store, metrics: Metrics, latest_ttl: float | None) -> Reader:
    reader = Reader(
        store,
        load_brand(Path(settings.library_dir) / "brand.yaml"),
        max_entries=settings.cache_entries,
        latest_ttl=settings.latest_ttl if latest_ttl is None else latest_ttl,
        metrics=metrics,
        cache_control=public(
            settings.cache_max_age, settings.cache_stale_while_revalidate, settings.cache_stale_if_error
        ),
        flights=SingleFlight(),
    )
    reader.withdraw_overdue = store.withdraw_overdue = settings.overdue == "withdraw"
    return reader


def _exports(settings: Settings, reader: Reader, cache: RenderCache, metrics: Metrics) -> Exports:
    return Exports(
        reader,
        cache,
        metrics,
        public_url=settings.base_url,
        default_paper=settings.paper or None,
        utm_source=settings.utm_source,
        utm_medium=settings.utm_medium,
        unsubscribe=(settings.unsubscribe_url, settings.unsubscribe_mailto),
        workers=settings.pdf_workers,
        queue_limit=settings.pdf_queue,
        timeout=settings.pdf_timeout_seconds,
        renders_per_worker=settings.pdf_renders_per_worker,
        niceness=settings.pdf_niceness,
    )


def _services(
    settings: Settings, database: Database, store: Store, reader: Reader, exports: Exports
) -> Services:
    """Editorial writes through the store the reader reads; webhooks share the database's pool."""
    egress = EgressPolicy(settings.webhook_networks)
    return Services(
        reader=reader,
        editorial=Editorial(
            store,
            max_grade=settings.max_grade,
            publisher_not_reviewer=settings.publisher_not_reviewer,
            outbox=outbox,
            on_change=reader.changed,
            time_zone=clinic_time_zone(settings, reader.brand),
            desk_url=settings.public_url,
        ),
        deliverer=Deliverer.from_database(
            database,
            poll_seconds=settings.webhook_poll_seconds,
            backoff_base=settings.webhook_backoff_seconds,
            timeout=settings.webhook_timeout_seconds,
            egress=egress,
        ),
        webhooks=Webhooks.from_database(
            database, grace=dt.timedelta(hours=settings.webhook_secret_grace_hours)
        ),
        egress=egress,
        exports=exports,
        settings=settings,
        tokens=database.tokens,
        sessions=database.sessions,
        audit=database.audit,
        communications=database.communications,
        media=MediaLibrary.from_database(
            database, max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels
        ),
    )
