"""Cache tags: the short names a CDN files public responses under, and the ones a write purges.

Every public response names what it shows (``Surrogate-Key``, ``Cache-Tag``); a publishing
transaction purges the names of what it changed, once. The names (slugs and locales are already
``[a-z0-9-]``, so no escaping is needed):

- ``article:SLUG:LOCALE``: an item in one locale, on every response built from it (its JSON,
  versions, history, diff, handout, email, page) and on every response that embeds it;
- ``article:SLUG:LOCALE:vN``: one version of it (the one served, and each pinned embed);
- ``article:SLUG:es`` beside the English tag, when English stands in for a missing Spanish;
- ``articles:LOCALE``: a list of one kind in one locale; ``search:LOCALE``: search results;
- ``chart``: every answer to the chart (FHIR, Infobutton), which may list any item: every
  publishing transaction purges it;
- ``media:HASH``: an image variant (immutable: never purged, but kept by a cache that keeps only
  what Folio tagged);
- ``folio``: every tagged response, for a purge of everything (a brand or template change).

A publish purges the item tag of every item it gave a version (the FAQ and each article that
pins it), its kind's list and the search of its locale. Version tags are never purged (a version
never changes); they let an operator purge one by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from content import model
from content.changes import Change

ALL = "folio"
CHART = "chart"


def media_tag(asset_hash: str) -> str:
    return f"media:{asset_hash}"


def item_tag(kind: str, slug: str, locale: str) -> str:
    return f"{kind}:{slug}:{locale}"


def version_tag(kind: str, slug: str, locale: str, version: int) -> str:
    return f"{kind}:{slug}:{locale}:v{version}"


def list_tag(kind: str, locale: str) -> str:
    return f"{kind}s:{locale}"


def search_tag(locale: str) -> str:
    return f"search:{locale}"


def of_version(value: model.Published) -> list[str]:
    """The tags of a response built from ``value``: it, its version, every embed it pins."""
    tags = [
        item_tag(value.kind, value.slug, value.locale),
        version_tag(value.kind, value.slug, value.locale, value.version),
    ]
    if value.fallback_from:
        tags.append(item_tag(value.kind, value.slug, value.fallback_from))
    for ref in value.embeds:
        locale = ref.locale or value.locale
        tags.append(item_tag(ref.type, ref.slug, locale))
        if ref.version is not None:
            tags.append(version_tag(ref.type, ref.slug, locale, ref.version))
    return tags


def purged_by(changes: Sequence[Change]) -> list[str]:
    """The tags one publishing transaction purges: each changed item, its list, its search, and
    the chart's answers."""
    tags: list[str] = [CHART] if changes else []
    for change in changes:
        tags += [
            item_tag(change.kind, change.slug, change.locale),
            list_tag(change.kind, change.locale),
            search_tag(change.locale),
        ]
    return unique(tags)


def unique(tags: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(tags))
