"""Locale negotiation for reads: ``?locale=`` or ``Accept-Language``, and the headers that say so."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.settings import Settings
from content.locales import Locales

LOCALE_PATTERN = r"^[a-zA-Z]{2}(?:-[a-zA-Z]{2})?$"
LocaleQuery = Annotated[
    str | None,
    QueryParameter(
        name="locale",
        pattern=LOCALE_PATTERN,
        description="The locale to read in (`es`); overrides Accept-Language. A missing translation "
        "falls back along FOLIO_FALLBACK and the response says so (`Content-Language`, `fallbackFrom`).",
    ),
]
WriteLocaleParam = Annotated[
    str,
    QueryParameter(
        name="locale",
        pattern=LOCALE_PATTERN,
        description="The translation to write (`es`); the default locale if absent.",
    ),
]


@dataclass(frozen=True, slots=True)
class Wanted:
    """The locale a reader asked for and where to look, in order, when it is missing."""

    locale: str
    chain: tuple[str, ...]
    # The first locale of the chain Folio is configured for: what a search covers (a reader asking
    # for an unsupported locale searches, and is told they got, the one they fall back to).
    searched: str


@lru_cache(maxsize=8)
def configured(supported: str, fallback: str) -> Locales:
    return Locales.parse(supported, fallback)


def locales_of(settings: Settings) -> Locales:
    """The settings' locales and fallbacks (FOLIO_LOCALES, FOLIO_FALLBACK)."""
    return configured(settings.locales, settings.fallback)


def provide_wanted(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings], locale: LocaleQuery = None
) -> Wanted:
    """The negotiated locale: ``?locale=`` first, else the best Accept-Language match (RFC 4647)."""
    locales = locales_of(settings)
    wanted = locales.negotiate(locale, request.headers.get("accept-language"))
    chain = locales.chain(wanted)
    searched = next((tag for tag in chain if tag in locales.supported), locales.default)
    return Wanted(locale=wanted, chain=chain, searched=searched)


def language_headers(response: Response[Any], served: Iterable[str]) -> Response[Any]:
    """``Content-Language`` (what was served) and ``Vary: Accept-Language`` (it was negotiated)."""
    tags = list(dict.fromkeys(served))
    if tags:
        response.headers["Content-Language"] = ", ".join(tags)
    vary = response.headers.get("Vary")
    response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
    return response
