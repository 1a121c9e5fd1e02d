"""Email exports for the API: resolve embeds, render once per document and ESP, keep the bytes."""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

from api.caching import Encoded
from api.documents import Document, Documents
from content import model
from exporters.email import EmailOptions, EmailParts, Embeds, build_eml, render_email

EmailFormat = Literal["json", "html", "txt", "eml"]
MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html",  # Litestar adds "; charset=utf-8" to text types
    "txt": "text/plain",
    "eml": "message/rfc822",
}


class EmailDocument(model.Wire, kw_only=True):
    """Ready-to-send copy: paste ``html`` and ``text`` into the email service."""

    type: str  # the item's kind, or "digest"
    slug: str | None
    version: int | None
    subject: str
    preheader: str
    html: str
    text: str


class Emails:
    def __init__(self, documents: Documents, options: EmailOptions, max_entries: int = 512) -> None:
        self.documents = documents
        self.options = options
        self.max_entries = max_entries
        self._cache: OrderedDict[tuple[str, str], dict[str, Encoded]] = OrderedDict()
        self.renders = 0

    async def embeds(self, item: model.Published) -> Embeds:
        """The latest published versions of what an article embeds."""
        embeds = Embeds()
        if isinstance(item, model.Article):
            for block in item.body:
                if isinstance(block, model.ComparisonEmbed):
                    doc = await self.documents.get("comparison", block.slug)
                    embeds.comparisons[block.slug] = doc.value  # type: ignore[assignment]
                elif isinstance(block, model.FaqEmbed):
                    doc = await self.documents.get("faq", block.slug)
                    embeds.faqs[block.slug] = doc.value  # type: ignore[assignment]
        return embeds

    async def get(self, document: Document, esp: str, fmt: EmailFormat) -> Encoded:
        key = (document.encoded.etag, esp)
        if (formats := self._cache.get(key)) is None:
            options = EmailOptions(
                esp=esp,  # type: ignore[arg-type]
                public_url=self.options.public_url,
                utm_source=self.options.utm_source,
                utm_medium=self.options.utm_medium,
            )
            item = document.value
            parts = render_email(item, self.documents.brand, options, await self.embeds(item))
            formats = encode_formats(
                parts, self.documents.brand, item.kind, item.slug, item.version, item.published_at
            )
            self.renders += 1
            self._cache[key] = formats
            if len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return formats[fmt]


def encode_formats(
    parts: EmailParts, brand: model.Brand, kind: str, slug: str | None, version: int | None, date: object
) -> dict[str, Encoded]:
    body = EmailDocument(
        type=kind,
        slug=slug,
        version=version,
        subject=parts.subject,
        preheader=parts.preheader,
        html=parts.html,
        text=parts.text,
    )
    return {
        "json": Encoded.of(body),
        "html": Encoded.of(parts.html.encode(), MEDIA_TYPES["html"]),
        "txt": Encoded.of(parts.text.encode(), MEDIA_TYPES["txt"]),
        "eml": Encoded.of(build_eml(parts, brand, date), MEDIA_TYPES["eml"]),  # type: ignore[arg-type]
    }
