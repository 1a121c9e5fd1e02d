"""The bundled library as bundles (each version with the versions it pins), in memory."""

from __future__ import annotations

import datetime as dt

from content import model
from content.bundle import Bundle, make_bundle
from content.library import load_library
from content.render import published
from content.store import embedded_refs


def library_bundles() -> dict[str, Bundle]:
    lib, today = load_library(), dt.date.today()
    english = [item for item in lib.items if item.locale == "en"]

    def version(item: model.Content, pins: tuple[model.ItemRef, ...] = ()) -> model.Published:
        info = model.VersionInfo(
            version=1,
            published_at=dt.datetime.now(dt.UTC),
            author="bench",
            note="",
            content_hash="sha256:bench",
            review=item.review,  # type: ignore[arg-type]
        )
        return published(item, info, lib.brand, today, pins)

    plain = {item.slug: version(item) for item in english}
    bundles = {}
    for item in english:
        pins = tuple(model.ItemRef(type=k, slug=s, version=1) for k, s in embedded_refs(item))
        bundles[item.slug] = make_bundle(version(item, pins), [plain[p.slug] for p in pins], lib.brand)
    return bundles
