"""Web channel: the patient-facing page of one version (accessible HTML with JSON-LD)."""

from exporters.channel import Channel, Format
from exporters.web.render import TEMPLATE_VERSION, TEMPLATES, PageOptions, render_page

CHANNEL = Channel(
    name="web",
    template_version=TEMPLATE_VERSION,
    formats={"html": Format("text/html", render_page)},
    templates=TEMPLATES,
    options=PageOptions,
)

__all__ = ["CHANNEL", "PageOptions", "render_page"]
