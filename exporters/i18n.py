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

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from content.model import Brand
from exporters.labels import CALLOUT, LABELS, TAGS

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


@lru_cache(maxsize=32)
def tags(locale: str) -> Mapping[str, str]:
    """``TAGS`` (tags as readers see them) in ``locale``."""
    found = catalog(locale)
    return {tag: _translated(found, text, f"tag.{tag}") for tag, text in TAGS.items()}


def keywords(item_tags: Sequence[str], locale: str) -> str:
    """Tags as keywords in the reader's language: JSON-LD ``keywords``, PDF keyword metadata."""
    names = tags(locale)
    return ", ".join(dict.fromkeys(names.get(tag, tag.replace("-", " ")) for tag in item_tags))


def callout_heading(tone_name: str, title: str | None) -> str:
    """What a callout's label line says: its own title, or else its tone's name, never both.

    "No: Not at prescribed doses" and "Important: The exception: ..." said one thing twice; a
    title already says what the callout is, and the icon's alternative text names the tone.
    """
    return title or tone_name


def missing(locale: str) -> list[str]:
    """Keys the locale's catalog does not translate (a test holds this empty for every catalog)."""
    found = catalog(locale)
    keys = [(key, text) for key, text in LABELS.items()]
    keys += [(f"callout.{tone}", text) for tone, text in CALLOUT.items()]
    keys += [(f"tag.{tag}", text) for tag, text in TAGS.items()]
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


def cta_label(brand: Brand | None, locale: str) -> str:
    """The one label of the clinic's appointment link: the brand's (``brand`` is already in
    ``locale``, see ``Brand.in_locale``), else the catalog's."""
    own = brand.cta_label if brand is not None else None
    return own or labels(locale)["book"]


def context(locale: str, brand: Brand | None = None) -> dict[str, Any]:
    """What every template needs to print in ``locale`` for the clinic ``brand`` (in that locale).

    Its labels, callout names, the one rule for a callout's label line, the appointment link's
    label, the locale and the clinic's country (dates follow both: "November 2, 2026" in the US,
    "2 November 2026" in GB).
    """
    names = callouts(locale)
    return {
        "labels": labels(locale),
        "callout_label": names,
        "callout_heading": lambda block: callout_heading(names[block.tone], block.title),
        "cta_label": cta_label(brand, locale),
        "locale": locale,
        "country": brand.country if brand is not None else "US",
    }
