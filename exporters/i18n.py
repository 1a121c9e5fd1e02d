"""Every label a channel prints, per locale, from gettext catalogs.

``exporters/labels.py`` is the source: each key is a ``msgctxt`` and its English text the
``msgid``. ``locales/<locale>/LC_MESSAGES/folio.po`` translates them. The ``.po`` files are read
with Babel's ``read_po`` the first time a locale is rendered, not compiled to ``.mo``: there is no
build step to forget and no binary to keep in step with its source (a stale ``.mo`` would print
old words), and parsing some fifty messages costs about a millisecond once per process.

A message that is missing, fuzzy, or whose English ``msgid`` changed since it was translated
prints the English text: gettext's rule, so a channel never prints a stale translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from exporters.labels import CALLOUT, LABELS

CATALOGS = Path(__file__).parent / "locales"
DOMAIN = "folio"


def catalog_path(locale: str) -> Path:
    return CATALOGS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=32)
def catalog(locale: str) -> Catalog | None:
    """The locale's catalog (``es-MX`` falls back to ``es``), or None when it has none."""
    for tag in (locale, locale.split("-")[0]):
        path = catalog_path(tag)
        if path.is_file():
            with path.open("rb") as handle:
                return read_po(handle, locale=tag.replace("-", "_"), domain=DOMAIN)
    return None


def _translated(found: Catalog | None, msgid: str, key: str) -> str:
    message = found.get(msgid, context=key) if found is not None else None
    if message is None or message.fuzzy or not message.string or not isinstance(message.string, str):
        return msgid
    return message.string


@lru_cache(maxsize=32)
def labels(locale: str) -> Mapping[str, str]:
    """``LABELS`` in ``locale``."""
    found = catalog(locale)
    return {key: _translated(found, text, key) for key, text in LABELS.items()}


@lru_cache(maxsize=32)
def callouts(locale: str) -> Mapping[str, str]:
    """``CALLOUT`` (the callout tones' names) in ``locale``."""
    found = catalog(locale)
    return {tone: _translated(found, text, f"callout.{tone}") for tone, text in CALLOUT.items()}


def missing(locale: str) -> list[str]:
    """Keys the locale's catalog does not translate (a test holds this empty for every catalog)."""
    found = catalog(locale)
    keys = [(key, text) for key, text in LABELS.items()]
    keys += [(f"callout.{tone}", text) for tone, text in CALLOUT.items()]
    out = []
    for key, text in keys:
        message = found.get(text, context=key) if found is not None else None
        if message is None or message.fuzzy or not message.string:
            out.append(key)
    return out


def catalog_locales() -> list[str]:
    """Every locale with a catalog."""
    return sorted(path.name for path in CATALOGS.iterdir() if catalog_path(path.name).is_file())


def language_name(locale: str) -> str:
    """The language's name in itself: "español", "English"."""
    try:
        name = Locale.parse(locale.replace("-", "_")).display_name
    except (ValueError, UnknownLocaleError):
        return locale
    return name[:1].upper() + name[1:] if name else locale


def context(locale: str) -> dict[str, Any]:
    """What every template needs to print in ``locale``: its labels, callout names and the locale."""
    return {"labels": labels(locale), "callout_label": callouts(locale), "locale": locale}
