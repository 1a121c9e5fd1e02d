"""Settings: one frozen Struct, read from FOLIO_* environment variables."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import msgspec
import sqlalchemy as sa
from msgspec import Meta

from api.egress import Network, parse_networks
from content.brand import Brand
from content.library import DEFAULT_LIBRARY
from content.options import Paper
from content.schedules import zone_of

# Driverless URL schemes and the async driver Folio runs them with.
_ASYNC_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: str = "var"
    # Empty means the embedded SQLite store under data_dir.
    database_url: str = ""
    # Database connections per server process: kept open, opened beyond that under load, and
    # seconds a request waits for one before it gets 503 with Retry-After. On PostgreSQL each
    # process also keeps pdf_workers connections for render locks; README has the arithmetic.
    db_pool_size: Annotated[int, Meta(ge=1)] = 5
    db_pool_overflow: Annotated[int, Meta(ge=0)] = 5
    db_pool_timeout_seconds: Annotated[float, Meta(gt=0)] = 5.0
    cors_origins: list[str] = []
    library_dir: str = str(DEFAULT_LIBRARY)
    # Where readers reach this server; QR codes and links in exports point here. Empty: the
    # address the server listens on (so a QR code printed from `make run` opens a real page).
    public_url: str = ""
    # Seconds shared caches and browsers may reuse published content before revalidating.
    cache_max_age: int = 60
    # Encoded published versions kept in memory.
    cache_entries: int = 2048
    # Seconds a replica may keep answering with the version it last found to be the latest;
    # a publish made elsewhere is served everywhere within this bound. 0 looks it up every time.
    latest_ttl: float = 1.0
    max_body_bytes: int = 1_048_576
    # Webhooks: how often the outbox is polled, the first retry delay (doubling), send timeout.
    webhook_poll_seconds: float = 2.0
    webhook_backoff_seconds: float = 5.0
    webhook_timeout_seconds: float = 10.0
    # Networks webhooks may be delivered to although they are not public (comma-separated
    # CIDRs, e.g. 10.20.0.0/16 for a receiver inside the clinic's network). Default: none.
    webhook_allow: list[str] = []
    # Hours a webhook secret replaced by a rotation keeps signing deliveries beside the new one.
    webhook_secret_grace_hours: Annotated[float, Meta(ge=0)] = 24.0
    # Handouts: default paper, render processes, queued renders before 503, seconds per render,
    # renders before a worker process is replaced, how much lower the workers' CPU priority is
    # (nice(2): reads come first on a small machine; 0 where renders have cores of their own).
    paper: Paper | Literal[""] = ""  # empty: the paper of brand.yaml's country
    pdf_workers: int = 2
    pdf_queue: int = 16
    pdf_timeout_seconds: float = 60.0
    pdf_renders_per_worker: int = 50
    pdf_niceness: Annotated[int, Meta(ge=0, le=19)] = 10
    # UTM parameters added to http(s) links in email exports.
    utm_source: str = "folio"
    utm_medium: str = "email"
    # Where readers unsubscribe: the link in esp=none email and every .eml's List-Unsubscribe
    # (RFC 2369) with one-click POST (RFC 8058). Set both to what your mailing list answers; the
    # defaults are reserved .invalid names that reach nobody, never the clinic's care inbox.
    unsubscribe_url: Annotated[str, Meta(pattern=r"^https://[^\s<>,]+$")] = (
        "https://example.invalid/unsubscribe"
    )
    unsubscribe_mailto: Annotated[str, Meta(pattern=r"^[^@\s<>?,]+@[^@\s<>?,]+$")] = (
        "unsubscribe@example.invalid"
    )
    # Locales readers may ask for (the first is never needed: en is always served), and where
    # each falls back when an item has no translation: "es:en,pt-BR:pt:en". en comes last.
    locales: str = "en,es"
    fallback: str = "es:en"
    # Plain language: publishing a draft that reads above this US school grade (Flesch-Kincaid
    # for English; the equivalent Fernández-Huerta score for Spanish) needs an override note.
    max_grade: float = 8.0
    # The chart (Infobutton, FHIR, CDS Hooks): only reviewed versions are offered unless this is
    # true; then unreviewed ones are offered too, each marked as such (api.chart.offered_to_chart).
    ehr_offer_unreviewed: bool = False
    # Days a record of what a patient was given (FHIR Communication) is kept; older ones are
    # deleted. The default is six years, the HIPAA documentation retention period; set it to
    # what your records policy and state law require.
    communication_retention_days: Annotated[int, Meta(ge=1, le=36500)] = 2190
    # Four eyes: nobody who edited a draft may sign it off (always). With this on, the publisher
    # must not be the reviewer who signed it off either.
    publisher_not_reviewer: bool = False
    # Whether versions no reviewer has signed off are served to readers (marked "not reviewed by
    # a clinician" in every channel). Off: public reads and lists leave them out (404).
    serve_unreviewed: bool = True
    # Schedules and review dates: the clinic's IANA time zone (times entered without an offset
    # are in it), how often due schedules are looked for (seconds), and what patients get once
    # an item's review date has passed: "keep" (with "Review overdue" printed) or "withdraw"
    # (its page, handout, email and JSON answer 410 Gone until a new signed version is published).
    # Empty: brand.yaml's timeZone, else UTC (clinic_time_zone resolves it once, at start).
    time_zone: str = ""
    schedule_poll_seconds: Annotated[float, Meta(gt=0)] = 5.0
    overdue: Literal["keep", "withdraw"] = "keep"
    # A CDN in front: seconds it may serve published content past max-age while it revalidates,
    # and while Folio answers errors or is down (Cache-Control stale-while-revalidate and
    # stale-if-error, RFC 5861). Drafts and private answers never carry them.
    cache_stale_while_revalidate: Annotated[int, Meta(ge=0)] = 30
    cache_stale_if_error: Annotated[int, Meta(ge=0)] = 86400
    # Varnish caches to purge by tag (xkey) after each publish: http://HOST:PORT, comma-separated.
    purge_varnish: list[Annotated[str, Meta(pattern=r"^https?://[^\s,/]+/?$")]] = []
    # Uploaded images (POST /v1/media): the largest file in bytes, and the most pixels (width
    # times height) an image may decode to; Pillow's decompression-bomb guard is set from the latter.
    media_max_bytes: Annotated[int, Meta(ge=1)] = 10 * 2**20
    # At most Pillow's own default guard, which the render workers that make variants keep.
    media_max_pixels: Annotated[int, Meta(ge=1, le=89_478_485)] = 40_000_000

    @property
    def base_url(self) -> str:
        """The public URL, or the address this server listens on."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    @property
    def data_path(self) -> Path:
        """The data folder, absolute; an empty FOLIO_DATA_DIR means the default, never the cwd."""
        return Path(self.data_dir or "var").resolve()

    @property
    def loopback_warning(self) -> str | None:
        """What to tell a person printing handouts when QR codes would open only on this computer."""
        host = urlsplit(self.base_url).hostname or ""
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host.endswith(".localhost")
        if not loopback:
            return None
        return (
            f"FOLIO_PUBLIC_URL is not set to a public address: QR codes and links in handouts and emails "
            f"point to {self.base_url}, which only this computer can open. Set FOLIO_PUBLIC_URL to the "
            "address patients reach Folio at."
        )

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL; the common driverless forms get the async driver Folio uses."""
        if not self.database_url:
            return f"sqlite+aiosqlite:///{self.data_path / 'folio.db'}"
        scheme, sep, rest = self.database_url.partition("://")
        driver = _ASYNC_DRIVERS.get(scheme.lower()) if sep else None
        if driver is None and scheme.lower() not in _ASYNC_DRIVERS.values():
            raise ValueError(
                f"FOLIO_DATABASE_URL {_shown(self.database_url)!r} is not a database Folio supports; use "
                "postgresql://USER[:PASSWORD]@HOST[:PORT]/DB, sqlite:///PATH, or leave it empty "
                "for SQLite in FOLIO_DATA_DIR"
            )
        url = f"{driver}://{rest}" if driver else self.database_url
        # A relative SQLite path lives in the data folder, not wherever the command ran.
        parsed = sa.make_url(url)
        path = parsed.database or ""
        in_cwd = path not in ("", ":memory:") and not Path(path).is_absolute()
        if parsed.get_backend_name() == "sqlite" and in_cwd:
            url = parsed.set(database=str(self.data_path / path)).render_as_string(False)
        return url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read FOLIO_<FIELD> variables; lists are comma-separated. Bad values raise."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.__struct_fields__:
            raw = environ.get(f"FOLIO_{name.upper()}")
            if raw is None:
                continue
            listed = name in ("cors_origins", "webhook_allow", "purge_varnish")
            values[name] = [v.strip() for v in raw.split(",") if v.strip()] if listed else raw
        try:
            settings = msgspec.convert(values, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise ValueError(f"invalid FOLIO_* setting: {exc}") from None
        settings.db_url  # noqa: B018 - a bad database URL is refused here, before anything runs
        return settings

    def __post_init__(self) -> None:
        parse_networks(self.webhook_allow)  # a bad CIDR is refused when the settings are made
        if self.time_zone:
            zone_of(self.time_zone)  # and so is a time zone that does not exist

    @property
    def webhook_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.webhook_allow)


def clinic_time_zone(settings: Settings, brand: Brand) -> str:
    """The one time zone the desk shows times in and schedules read: FOLIO_TIME_ZONE when set,
    else brand.yaml's timeZone, else UTC."""
    return settings.time_zone or brand.time_zone or "UTC"


def _shown(url: str) -> str:
    """The URL for a message, without its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url if "@" not in url else "<unparsable URL>"
