"""PDF channel: published versions in, printable handouts (WeasyPrint) out."""

from exporters.pdf.render import (
    TEMPLATE_VERSION,
    HandoutItem,
    HandoutOptions,
    handout_html,
    html_to_pdf,
    render_handout,
)

__all__ = [
    "TEMPLATE_VERSION",
    "HandoutItem",
    "HandoutOptions",
    "handout_html",
    "html_to_pdf",
    "render_handout",
]
