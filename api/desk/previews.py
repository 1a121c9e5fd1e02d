"""Draft previews: a draft (or unsaved form) as the bundle it would publish as, for every channel.

The bundle is built with the next version number, today's date, a note saying it is a
preview, and the current latest version of everything it embeds: what publishing now would
pin. Previews are only served to signed-in people, privately and never stored by caches.
"""

from __future__ import annotations

import datetime as dt

from msgspec.structs import replace

from api.reader import Reader, today
from content import model
from content.bundle import Bundle, make_bundle
from content.errors import ContentError
from content.locales import DEFAULT_LOCALE
from content.render import published
from content.store import content_hash, embedded_refs


async def preview_bundle(reader: Reader, item: model.Content, latest_version: int, author: str) -> Bundle:
    """What publishing would show: the draft's sign-off if it has a current one, else the unreviewed mark."""
    day = today()
    review = item.review or model.UNREVIEWED
    item = replace(item, review=None)
    info = model.VersionInfo(
        version=latest_version + 1,
        published_at=dt.datetime.now(dt.UTC),
        author=author,
        note="Draft preview",
        content_hash=content_hash(item),
        review=review,
    )
    pins: list[model.ItemRef] = []
    embeds: list[model.Published] = []
    # As publishing pins them: the embed's translation in the item's locale, else the default's.
    locales = tuple(dict.fromkeys((item.locale, DEFAULT_LOCALE)))
    for kind, slug in embedded_refs(item):
        try:
            document = await reader.document(kind, slug, locales=locales)
        except ContentError:
            continue  # not published (yet): the preview shows the block without it
        value = document.value
        pins.append(model.ItemRef(type=kind, slug=slug, version=value.version, locale=value.locale))
        embeds.append(value)
    value = published(item, info, reader.brand, day, pins, await reader.archived(item.locale))
    return make_bundle(value, embeds, reader.brand)
