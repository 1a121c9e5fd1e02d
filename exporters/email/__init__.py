"""Email channel: a published version in, subject + preheader + HTML + plain text + .eml out."""

from exporters.email.render import (
    ESPS,
    Digest,
    EmailOptions,
    EmailParts,
    build_eml,
    render_digest,
    render_email,
)
from exporters.embeds import Embeds

__all__ = [
    "ESPS",
    "Digest",
    "EmailOptions",
    "EmailParts",
    "Embeds",
    "build_eml",
    "render_digest",
    "render_email",
]
