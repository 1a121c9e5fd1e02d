"""Locales: which translation a reader gets (RFC 4647 lookup, then a fallback chain).

Pure functions; the API feeds them ``?locale=`` and ``Accept-Language``, the settings feed the
supported locales and the fallbacks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_LOCALE = "en"
# PostgreSQL text search configuration per language; others index with 'simple' (no stemming).
TEXT_SEARCH_CONFIGS = {"en": "english", "es": "spanish"}
_RANGE = re.compile(r"^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")


def search_config(locale: str) -> str:
    return TEXT_SEARCH_CONFIGS.get(locale.split("-")[0], "simple")


def canonical(tag: str) -> str:
    """``es-mx`` -> ``es-MX``: the form items are stored under."""
    language, _, region = tag.partition("-")
    return language.lower() + ("-" + region.upper() if region else "")


def parse_accept_language(header: str) -> list[str]:
    """Language ranges by preference (q descending, header order on ties); q=0 and junk dropped."""
    ranges: list[tuple[float, int, str]] = []
    for n, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or not _RANGE.match(tag):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, n, tag))
    return [tag for _, _, tag in sorted(ranges)]


def lookup(ranges: Sequence[str], supported: Sequence[str], default: str) -> str:
    """RFC 4647 §3.4 lookup: for each range in order, drop subtags from the end until one is supported."""
    available = {tag.lower(): tag for tag in supported}
    for language_range in ranges:
        if language_range == "*":
            continue
        subtags = language_range.lower().split("-")
        while subtags:
            found = available.get("-".join(subtags))
            if found is not None:
                return found
            subtags.pop()
            if subtags and len(subtags[-1]) == 1:  # never end on a singleton (x-, u-)
                subtags.pop()
    return default


@dataclass(frozen=True)
class Locales:
    """The locales the service serves and where each falls back to; the default comes last."""

    supported: tuple[str, ...] = (DEFAULT_LOCALE, "es")
    default: str = DEFAULT_LOCALE
    fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def chain(self, wanted: str) -> tuple[str, ...]:
        """``wanted``, its fallbacks, then the default; no repeats."""
        out: list[str] = []
        language = wanted.split("-")[0]
        for tag in (wanted, *self.fallbacks.get(wanted, ()), language, *self.fallbacks.get(language, ())):
            if tag not in out:
                out.append(tag)
        if self.default not in out:
            out.append(self.default)
        return tuple(out)

    def negotiate(self, explicit: str | None, accept_language: str | None) -> str:
        """The locale asked for: ``?locale=`` first, else the best Accept-Language match.

        An explicit locale nothing supports is kept as asked, so that the answer (in the
        default locale) says it is a fallback for it.
        """
        if explicit:
            found = lookup([explicit], self.supported, "")
            return found or canonical(explicit)
        return lookup(parse_accept_language(accept_language or ""), self.supported, self.default)

    @classmethod
    def parse(cls, supported: str, fallback: str, default: str = DEFAULT_LOCALE) -> Locales:
        """``"en,es"`` and ``"es:en,pt-BR:pt:en"`` (each locale, then where it falls back to)."""
        tags = tuple(canonical(t.strip()) for t in supported.split(",") if t.strip())
        chains: dict[str, tuple[str, ...]] = {}
        for rule in fallback.split(","):
            parts = [canonical(p.strip()) for p in rule.split(":") if p.strip()]
            if len(parts) >= 2:
                chains[parts[0]] = tuple(parts[1:])
        default = canonical(default)
        return cls(supported=tags if default in tags else (default, *tags), default=default, fallbacks=chains)
