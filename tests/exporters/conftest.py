"""Bundles of the bundled library, built in memory for exporter tests."""

import datetime as dt

import pytest

from content import model, render
from content.bundle import Bundle, make_bundle
from content.library import load_library
from content.store import embedded_refs

TODAY = dt.date(2026, 11, 20)
# A reviewer account's sign-off, for outputs of a reviewed version (the library has none).
SIGNED = model.Review(
    reviewed_by="Ana Rivera",
    credentials="MD",
    reviewed_on=dt.date(2026, 11, 2),
    reviewed_at=dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC),
    reviewed_hash="sha256:test",
    next_review_on=dt.date(2027, 11, 2),
)


def published(
    item: model.Content,
    version: int = 3,
    today: dt.date = TODAY,
    pins: tuple[model.ItemRef, ...] = (),
    review: model.Review | None = None,
) -> model.Published:
    info = model.VersionInfo(
        version=version,
        published_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        author="library",
        note="",
        content_hash="sha256:test",
        review=review or item.review or model.UNREVIEWED,
    )
    return render.published(item, info, load_library().brand, today, pins)


def library_bundles(
    version: int = 3, today: dt.date = TODAY, locale: str = "en", review: model.Review | None = None
) -> dict[str, Bundle]:
    """Every library item in ``locale`` at ``version``, each article pinning the others at that version.

    As the library is, unreviewed; with ``review``, each as if a reviewer had signed it off.
    """
    lib = load_library()
    items = [item for item in lib.items if item.locale == locale]
    plain = {item.slug: published(item, version, today, review=review) for item in items}
    bundles = {}
    for item in items:
        pins = tuple(
            model.ItemRef(type=k, slug=s, version=version, locale=locale) for k, s in embedded_refs(item)
        )
        value = published(item, version, today, pins, review=review)
        bundles[item.slug] = make_bundle(value, [plain[p.slug] for p in pins], lib.brand)
    return bundles


@pytest.fixture(scope="session")
def bundles() -> dict[str, Bundle]:
    return library_bundles()


@pytest.fixture(scope="session")
def signed_bundles() -> dict[str, Bundle]:
    return library_bundles(review=SIGNED)


@pytest.fixture(scope="session")
def spanish_bundles() -> dict[str, Bundle]:
    return library_bundles(locale="es")


@pytest.fixture(scope="session")
def library_items(bundles: dict[str, Bundle]) -> dict[str, model.Published]:
    return {slug: b.item for slug, b in bundles.items()}


@pytest.fixture(scope="session")
def brand() -> model.Brand:
    return load_library().brand
