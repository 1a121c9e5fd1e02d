"""Release previews: each draft of a release as the bundle it will publish as, for every channel.

As ``api.desk.previews`` does for one draft, with one difference: an embed that is in the
release shows its release draft (with the version number it will get), not the published
version, so the preview is what every channel shows once the release is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from msgspec.structs import replace

from api.reader import Reader, today
from content import model
from content.bundle import Bundle, make_bundle
from content.editorial import Draft
from content.errors import ContentError
from content.locales import DEFAULT_LOCALE
from content.render import published
from content.store import content_hash, embedded_refs

Key = tuple[str, str, str]  # kind, slug, locale


def _as_published(draft: Draft) -> tuple[model.Content, model.VersionInfo]:
    """The draft's content without its review, and the version record publishing would give it."""
    review = draft.content.review or model.UNREVIEWED
    item = replace(draft.content, review=None)
    info = model.VersionInfo(
        version=draft.info.based_on_version + 1,
        # The draft's last edit, not now: the same draft previews as the same bytes (ETag, HEAD).
        published_at=draft.info.updated_at,
        author=draft.info.updated_by,
        note="Release preview",
        content_hash=content_hash(item),
        review=review,
    )
    return item, info


async def release_bundle(reader: Reader, draft: Draft, release: Mapping[Key, Draft]) -> Bundle:
    """The bundle ``draft`` publishes as within ``release`` (every draft of it, by key)."""
    day = today()
    item, info = _as_published(draft)
    archived = await reader.archived(item.locale)
    pins: list[model.ItemRef] = []
    embeds: list[model.Published] = []
    locales = tuple(dict.fromkeys((item.locale, DEFAULT_LOCALE)))
    for kind, slug in embedded_refs(item):
        value = await _embed(reader, kind, slug, locales, release, day, archived)
        if value is None:
            continue  # neither published nor in the release: shown without it, as a draft preview
        pins.append(model.ItemRef(type=kind, slug=slug, version=value.version, locale=value.locale))
        embeds.append(value)
    value = published(item, info, reader.brand, day, pins, archived)
    return make_bundle(value, embeds, reader.brand)


async def _embed(
    reader: Reader,
    kind: model.Kind,
    slug: str,
    locales: tuple[str, ...],
    release: Mapping[Key, Draft],
    day: dt.date,
    archived: frozenset[tuple[str, str]],
) -> model.Published | None:
    """The release's draft of an embed in the first locale it has; else the published version."""
    for locale in locales:
        if (found := release.get((kind, slug, locale))) is not None:
            content, info = _as_published(found)
            return published(content, info, reader.brand, day, (), archived)
    try:
        return (await reader.document(kind, slug, locales=locales)).value
    except ContentError:
        return None
