"""Email channels: one version's copy, or a digest of several; HTML, plain text, JSON and .eml."""

from exporters.channel import Channel, Format
from exporters.email import render as r
from exporters.email.render import (
    ESPS,
    DigestOptions,
    EmailDocument,
    EmailOptions,
    EmailParts,
    Esp,
    build_eml,
    digest_parts,
    email_parts,
)

# Litestar adds "; charset=utf-8" to the text types.
CHANNEL = Channel(
    name="email",
    template_version=r.TEMPLATE_VERSION,
    formats={
        "json": Format("application/json", r.item_json),
        "html": Format("text/html", r.item_html),
        "txt": Format("text/plain", r.item_txt),
        "eml": Format("message/rfc822", r.item_eml),
    },
    options=EmailOptions,
    templates=r.TEMPLATES,
    suffixes=("html.j2", "txt.j2"),
)
DIGEST = Channel(
    name="digest",
    template_version=r.TEMPLATE_VERSION,
    formats={
        "json": Format("application/json", r.digest_json),
        "html": Format("text/html", r.digest_html),
        "txt": Format("text/plain", r.digest_txt),
        "eml": Format("message/rfc822", r.digest_eml),
    },
    options=DigestOptions,
    many=True,
)

__all__ = [
    "CHANNEL",
    "DIGEST",
    "ESPS",
    "DigestOptions",
    "EmailDocument",
    "EmailOptions",
    "EmailParts",
    "Esp",
    "build_eml",
    "digest_parts",
    "email_parts",
]
