"""Email exports for the API: resolve embeds, render once per document and ESP, keep the bytes."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from typing import Literal

from api.caching import Encoded
from api.documents import Document, Documents
from content import model
from exporters.email import Digest, EmailOptions, EmailParts, build_eml, render_digest, render_email
from exporters.email.render import Esp

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
        self._cache: OrderedDict[tuple[str, str], dict[EmailFormat, Encoded]] = OrderedDict()
        self.renders = 0

    async def get(self, document: Document, esp: Esp, fmt: EmailFormat) -> Encoded:
        key = (document.encoded.etag, esp)
        formats = self._cache.get(key)
        self.documents.metrics.cache_lookup("emails", formats is not None)
        if formats is None:
            options = replace(self.options, esp=esp)
            item = document.value
            parts = render_email(item, self.documents.brand, options, await self.documents.embeds(item))
            formats = encode_formats(parts, self.documents.brand, item)
            self.renders += 1
            self._cache[key] = formats
            if len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return formats[fmt]

    def digest(self, items: list[model.Published], subject: str, intro: str, esp: Esp) -> Encoded:
        """A newsletter in the email JSON shape; built per request, never cached."""
        options = replace(self.options, esp=esp)
        parts = render_digest(Digest(subject, intro, items), self.documents.brand, options)
        return Encoded.of(email_document(parts, "digest", None, None))


def email_document(parts: EmailParts, kind: str, slug: str | None, version: int | None) -> EmailDocument:
    return EmailDocument(
        type=kind,
        slug=slug,
        version=version,
        subject=parts.subject,
        preheader=parts.preheader,
        html=parts.html,
        text=parts.text,
    )


def encode_formats(
    parts: EmailParts, brand: model.Brand, item: model.Published
) -> dict[EmailFormat, Encoded]:
    """Every file form of one rendered email; the .eml is dated by the version's publication."""
    return {
        "json": Encoded.of(email_document(parts, item.kind, item.slug, item.version)),
        "html": Encoded.of(parts.html.encode(), MEDIA_TYPES["html"]),
        "txt": Encoded.of(parts.text.encode(), MEDIA_TYPES["txt"]),
        "eml": Encoded.of(build_eml(parts, brand, item.published_at), MEDIA_TYPES["eml"]),
    }
