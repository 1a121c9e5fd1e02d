"""Published versions of the bundled library, built in memory for exporter tests."""

import datetime as dt

import pytest

from content import model, render
from content.library import load_library
from exporters.embeds import Embeds

TODAY = dt.date(2026, 11, 20)


def published(item: model.Content, version: int = 3, today: dt.date = TODAY) -> model.Published:
    info = model.VersionInfo(
        version=version,
        published_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        author="library",
        note="",
        content_hash="sha256:test",
        review=item.review,  # type: ignore[arg-type]
    )
    return render.published(item, info, load_library().brand, today)


@pytest.fixture(scope="session")
def library_items() -> dict[str, model.Published]:
    return {item.slug: published(item) for item in load_library().items}


@pytest.fixture(scope="session")
def brand() -> model.Brand:
    return load_library().brand


@pytest.fixture(scope="session")
def embeds(library_items: dict[str, model.Published]) -> Embeds:
    return Embeds(
        comparisons={"medical-vs-recreational-ketamine": library_items["medical-vs-recreational-ketamine"]},  # type: ignore[dict-item]
        faqs={"ketamine-addiction-faq": library_items["ketamine-addiction-faq"]},  # type: ignore[dict-item]
    )
