"""How desk templates speak: the reader's interface language and the clinic's time zone.

A page is rendered for one person: ``rendering`` sets their interface language and the clinic's
time zone for the length of one render, so macros imported without context, the ``date`` filter
and ``labels`` all speak the same language. ``DeskEnvironment`` makes ``labels.items`` the label
"items", never the dict method of that name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_datetime
from litestar import Request

from api.desk.labels import Catalog, catalog

UTC = ZoneInfo("UTC")
_language: ContextVar[str] = ContextVar("desk_language", default="en")
_zone: ContextVar[ZoneInfo] = ContextVar("desk_zone", default=UTC)


class CurrentLabels(Mapping[str, str]):
    """The labels of the language being rendered in (what macros imported without context see)."""

    def __getitem__(self, key: str) -> str:
        return catalog(_language.get())[key]

    def __iter__(self) -> Iterator[str]:
        return iter(catalog(_language.get()))

    def __len__(self) -> int:
        return len(catalog(_language.get()))


class DeskEnvironment(jinja2.Environment):
    """``labels.<key>`` and ``labels[key]`` read the label ``key``, even ``items``, ``keys`` or ``get``."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Catalog | CurrentLabels):
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Catalog | CurrentLabels):
            try:
                return obj[argument]
            except (KeyError, TypeError):
                return self.undefined(obj=obj, name=argument)
        return super().getitem(obj, argument)


@contextmanager
def rendering(language: str, zone: ZoneInfo) -> Iterator[None]:
    """Render in ``language`` with times in ``zone``, for the length of the ``with``."""
    language_token, zone_token = _language.set(language), _zone.set(zone)
    try:
        yield
    finally:
        _language.reset(language_token)
        _zone.reset(zone_token)


def long_date(
    value: dt.date | dt.datetime | None, language: str | None = None, zone: ZoneInfo | None = None
) -> str:
    """A date, or a time in the clinic's zone with the zone's abbreviation: 06 Dec 2026 14:05 CET.

    Spanish: 6 dic 2026 14:05 CET. A time without an offset is taken as UTC (the store's).
    """
    if value is None:
        return ""
    language = language or _language.get()
    if not isinstance(value, dt.datetime):
        return format_date(value, "d MMM y", locale="es") if language == "es" else f"{value:%d %b %Y}"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(zone or _zone.get())
    shown = (
        format_datetime(local, "d MMM y HH:mm", locale="es")
        if language == "es"
        else f"{local:%d %b %Y %H:%M}"
    )
    return f"{shown} {local.strftime('%Z')}"


def clinic_zone(request: Request[Any, Any, Any]) -> ZoneInfo:
    """The clinic's time zone (api.settings.clinic_time_zone), as the app's services have it."""
    services = getattr(request.app.state, "services", None)
    return services.editorial.schedules.zone if services is not None else UTC
