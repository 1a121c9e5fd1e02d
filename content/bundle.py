"""A bundle is what a channel renders: a published version, the versions it pins, the brand.

It is built in one place (``make_bundle``) and carries one ETag over all its parts, so every
cache of rendered output keys on exactly what the output shows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import msgspec

from content import model


@dataclass(frozen=True, slots=True)
class Bundle:
    item: model.Published
    embeds: Mapping[tuple[str, str], model.Published]  # (kind, slug) -> the pinned version
    brand: model.Brand
    etag: str  # strong, over the item, every embed, the brand and the related titles
    related: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (kind, slug) -> title

    def related_title(self, ref: model.Ref) -> str:
        return self.related.get((ref.type, ref.slug), ref.slug.replace("-", " ").capitalize())

    @property
    def locale(self) -> str:
        return self.item.locale

    def embedded(self, block: model.Embed) -> model.Published | None:
        """The version of the embedded item this version pinned."""
        return self.embeds.get((block.type, block.slug))

    def faq_entries(self, block: model.FaqEmbed) -> list[model.FaqItem]:
        """The entries a FAQ block shows: the whole set, or the ids it lists, in its order."""
        faq = self.embedded(block)
        if not isinstance(faq, model.FaqSet):
            return []
        if not block.items:
            return list(faq.items)
        by_id = {entry.id: entry for entry in faq.items}
        return [by_id[i] for i in block.items if i in by_id]


def make_bundle(
    item: model.Published,
    embeds: Sequence[model.Published],
    brand: model.Brand,
    related: Mapping[tuple[str, str], str] | None = None,
) -> Bundle:
    """The one place bundles are made; ``embeds`` are the exact versions ``item.embeds`` names."""
    pinned = {(ref.type, ref.slug): ref.version for ref in item.embeds}
    found = {(e.kind, e.slug): e for e in embeds}
    for key, version in pinned.items():
        if key not in found or found[key].version != version:
            raise ValueError(f"bundle of {item.kind}/{item.slug} v{item.version} lacks {key} v{version}")
    digest = hashlib.blake2b(digest_size=16)
    related = dict(related or {})
    for part in (item, *(found[k] for k in pinned), brand, sorted(related.items())):
        digest.update(msgspec.json.encode(part))
        digest.update(b"\0")
    embedded: dict[tuple[str, str], model.Published] = {k: found[k] for k in pinned}
    return Bundle(item=item, embeds=embedded, brand=brand, etag=digest.hexdigest(), related=related)
