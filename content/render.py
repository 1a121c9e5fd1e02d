"""Fill an item's derived fields for readers: sanitized HTML, resolved links, review status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import msgspec
from msgspec.structs import replace

from content import model
from content.inline import plain
from content.readability import measure


def resolve_link(url: str, brand: model.Brand) -> str:
    """Turn a ``brand:`` link into the clinic's real one; other links pass through."""
    match url:
        case "brand:appointment":
            return brand.appointment_url
        case "brand:website":
            return brand.website_url
        case "brand:phone":
            return "tel:" + "".join(ch for ch in brand.phone if ch.isdigit() or ch == "+")
    return url


def canonical_url(public_url: str, item: model.Published) -> str:
    """Where readers find exactly this version on the web, in its locale whatever theirs is."""
    path = f"{public_url.rstrip('/')}/{model.PLURALS[item.kind]}/{item.slug}"
    return f"{path}?version={item.version}&locale={item.locale}"


def render_item(
    item: model.Content, brand: model.Brand, today: dt.date, public_url: str = ""
) -> model.Content:
    """The item as readers get it: every derived field filled in, by the kind and its blocks.

    A media library path (a picture's variants) becomes an absolute URL under ``public_url``.
    """
    review = item.review and replace(item.review, status=item.review.status_on(today))
    base = public_url.rstrip("/")

    def link(url: str) -> str:
        return base + url if url.startswith(model.MEDIA_PATH) else resolve_link(url, brand)

    return replace(item.rendered(link), review=review)


def published(
    item: model.Content,
    info: model.VersionInfo,
    brand: model.Brand,
    today: dt.date,
    pins: Sequence[model.ItemRef] = (),
    archived: Collection[tuple[str, str]] = frozenset(),
    *,
    translations: Sequence[str] = (),
    fallback_from: str | None = None,
    measured: bool = True,
    public_url: str = "",
) -> model.Published:
    """A stored version as readers get it: rendered, with its version record flattened in.

    Embed blocks name the version they pinned; related links to archived items are left out.
    It carries its reading level, the locales the item is published in, and, when it was
    served in place of a missing translation, the locale asked for. ``measured=False`` leaves
    the reading level out (None) for a reader that measures only when it sends JSON.
    """

    rendered = render_item(item, brand, today, public_url)
    if isinstance(rendered, model.Article) and pins:
        pinned: dict[tuple[str, str], int | None] = {(p.type, p.slug): p.version for p in pins}
        body = [
            b if (ref := b.embeds()) is None else replace(b, version=pinned.get(ref)) for b in rendered.body
        ]
        rendered = replace(rendered, body=body)
    related = [ref for ref in rendered.related if (ref.type, ref.slug) not in archived]
    fields = msgspec.structs.asdict(rendered) | msgspec.structs.asdict(info)
    del fields["review"]  # the version record's sign-off (or its absence), with its status
    fields["related"] = related
    return model.PUBLISHED_TYPES[item.kind](
        review=replace(info.review, status=info.review.status_on(today)),
        embeds=list(pins),
        readability=measure(item) if measured else None,
        translations=list(translations or (item.locale,)),
        fallback_from=fallback_from,
        **fields,
    )


def plain_text(item: model.Content) -> str:
    """The item's words as one text without Markdown punctuation, for the search index."""
    return plain("\n".join(item.words()))
