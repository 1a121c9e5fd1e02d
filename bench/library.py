"""The bundled library as published versions, in memory, for in-process benchmarks."""

from __future__ import annotations

import datetime as dt

from content import model
from content.library import load_library
from content.render import published
from exporters.embeds import Embeds


def published_library() -> tuple[model.Brand, dict[str, model.Published], Embeds]:
    lib, today = load_library(), dt.date.today()
    items = {
        item.slug: published(
            item,
            model.VersionInfo(
                version=1,
                published_at=dt.datetime.now(dt.UTC),
                author="bench",
                note="",
                content_hash="sha256:bench",
                review=item.review,  # type: ignore[arg-type]
            ),
            lib.brand,
            today,
        )
        for item in lib.items
    }
    embeds = Embeds(
        comparisons={"medical-vs-recreational-ketamine": items["medical-vs-recreational-ketamine"]},  # type: ignore[dict-item]
        faqs={"ketamine-addiction-faq": items["ketamine-addiction-faq"]},  # type: ignore[dict-item]
    )
    return lib.brand, items, embeds
