"""Fill an item's derived fields for readers: sanitized HTML, resolved links, review status."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence

import msgspec
from msgspec.structs import replace

from content import model
from content.markdown import inline_html


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


def render_block(block: model.BlockType, brand: model.Brand) -> model.BlockType:
    match block:
        case model.Heading() | model.Paragraph() | model.Callout():
            return replace(block, html=inline_html(block.text))
        case model.List(items=items):
            return replace(block, items=[replace(i, html=inline_html(i.text)) for i in items])
        case model.Cta(url=url):
            return replace(block, href=resolve_link(url, brand))
    return block


def render_item(item: model.Content, brand: model.Brand, today: dt.date) -> model.Content:
    """The item as readers get it: every derived field filled in."""
    review = item.review and replace(item.review, status=item.review.status_on(today))
    match item:
        case model.Article(body=body):
            return replace(item, review=review, body=[render_block(b, brand) for b in body])
        case model.FaqSet(items=entries):
            rendered = [replace(e, answer_html=inline_html(e.answer)) for e in entries]
            return replace(item, review=review, items=rendered)
        case model.Comparison(rows=rows, footnote=note):
            return replace(
                item,
                review=review,
                rows=[replace(r, values_html=[inline_html(v) for v in r.values]) for r in rows],
                footnote_html=inline_html(note) if note else "",
            )
    raise TypeError(f"unknown item {type(item).__name__}")


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_`]+")


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
) -> model.Published:
    """A stored version as readers get it: rendered, with its version record flattened in.

    Embed blocks name the version they pinned; related links to archived items are left out.
    It carries its reading level, the locales the item is published in, and, when it was
    served in place of a missing translation, the locale asked for.
    """
    from content.readability import measure  # it reads plain_text from this module
    rendered = render_item(item, brand, today)
    if isinstance(rendered, model.Article) and pins:
        pinned: dict[tuple[str, str], int | None] = {(p.type, p.slug): p.version for p in pins}
        body = [
            replace(b, version=pinned.get((b.type, b.slug))) if isinstance(b, model.Embed) else b
            for b in rendered.body
        ]
        rendered = replace(rendered, body=body)
    related = [ref for ref in rendered.related if (ref.type, ref.slug) not in archived]
    fields = msgspec.structs.asdict(rendered) | msgspec.structs.asdict(info)
    del fields["review"]  # the version record's sign-off (or its absence), with its status
    fields["related"] = related
    return model.PUBLISHED_TYPES[item.kind](
        review=replace(info.review, status=info.review.status_on(today)),
        embeds=list(pins),
        readability=measure(item),
        translations=list(translations or (item.locale,)),
        fallback_from=fallback_from,
        **fields,
    )


def plain_text(item: model.Content) -> str:
    """The item's words as one text without Markdown punctuation, for the search index."""
    return plain(_words(item))


def plain(text: str) -> str:
    """Inline Markdown source without its punctuation: link text kept, emphasis marks dropped."""
    return _LINK.sub(r"\1", _EMPHASIS.sub("", text))


def block_words(block: model.BlockType) -> list[str]:
    """The words a block shows of its own (embeds show another item's), as Markdown source."""
    match block:
        case model.Heading(text=t) | model.Paragraph(text=t):
            return [t]
        case model.Callout(title=title, text=t):
            return [part for part in (title, t) if part]
        case model.List(items=items):
            return [i.text for i in items]
        case model.Cta(label=label):
            return [label]
    return []


def _words(item: model.Content) -> str:
    parts = [item.title, item.summary]
    match item:
        case model.Article(body=body):
            for block in body:
                parts.extend(block_words(block))
        case model.FaqSet(items=entries):
            for entry in entries:
                parts.extend([entry.question, entry.answer])
        case model.Comparison(subjects=subjects, rows=rows, footnote=note):
            parts.extend(subjects)
            for row in rows:
                parts.extend([row.factor, *row.values])
            parts.extend(filter(None, [note]))
    return "\n".join(parts)
