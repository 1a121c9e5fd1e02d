"""PDF channel: bundles in, printable handouts (WeasyPrint, in the worker pool) out."""

from exporters.channel import Channel, Format
from exporters.pdf.paths import TEMPLATES
from exporters.pdf.render import (
    TEMPLATE_VERSION,
    HandoutOptions,
    handout_html,
    html_to_pdf,
    render_pdf,
)

CHANNEL = Channel(
    name="pdf",
    template_version=TEMPLATE_VERSION,
    formats={"pdf": Format("application/pdf", render_pdf)},
    templates=TEMPLATES,
    options=HandoutOptions,
    pooled=True,
    many=True,
)

__all__ = ["CHANNEL", "HandoutOptions", "handout_html", "html_to_pdf", "render_pdf"]
