"""Render handouts: Jinja2 + print CSS to HTML, WeasyPrint to a tagged PDF/UA-1 document.

Pure functions over published versions; slow (WeasyPrint is CPU-bound), so callers run
``render_handout`` in worker processes, never on an event loop.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import jinja2
import qrcode
import qrcode.image.svg
from markupsafe import Markup

from content import model
from content.render import canonical_url, resolve_link
from exporters.embeds import Embeds
from exporters.pdf.fetcher import ASSETS, SafeFetcher

# Part of every cached handout's key: bump it when templates or CSS change.
TEMPLATE_VERSION = "handout-1"
TEMPLATES = Path(__file__).parent / "templates"
CALLOUT_LABEL = {"info": "Good to know", "yes": "Yes", "no": "No", "warning": "Important"}
# Callout icons as SVG drawn here, so they never depend on an emoji font.
_ICON_MARKS = {
    "yes": ("#1e7d45", '<path d="M5 10.5l3.2 3.2L15 7" fill="none" stroke="#fff" stroke-width="2.4"/>'),
    "no": ("#b42318", '<path d="M6 6l8 8M14 6l-8 8" fill="none" stroke="#fff" stroke-width="2.4"/>'),
    "warning": (
        "#b7791f",
        '<path d="M10 4.5v7" stroke="#fff" stroke-width="2.6"/><circle cx="10" cy="15" r="1.5" fill="#fff"/>',
    ),
    "info": (
        "#5b6b7c",
        '<circle cx="10" cy="5.5" r="1.5" fill="#fff"/><path d="M10 9v7" stroke="#fff" stroke-width="2.6"/>',
    ),
}
ICONS = {
    tone: "data:image/svg+xml;base64,"
    + base64.b64encode(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20" width="20" height="20">'
        f'<circle cx="10" cy="10" r="10" fill="{colour}"/>{mark}</svg>'.encode()
    ).decode()
    for tone, (colour, mark) in _ICON_MARKS.items()
}


@dataclass(frozen=True)
class HandoutOptions:
    paper: Literal["a4", "letter"] = "a4"
    size: Literal["standard", "large"] = "standard"
    public_url: str = "http://127.0.0.1:8000"
    printed_on: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())


@dataclass(frozen=True)
class HandoutItem:
    item: model.Published
    embeds: Embeds = field(default_factory=Embeds)


def _long_date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _long_date
    env.filters["html"] = Markup  # only for fields content.markdown already sanitized
    return env


@lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """The QR code as an SVG path: vector, sharp at any print size, no raster work.

    A fixed mask skips qrcode's search over all eight (any mask gives a valid code), which
    was most of its cost; a version's code is reused for every paper and size.
    """
    code = qrcode.QRCode(box_size=4, border=2, mask_pattern=2, image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(url)
    return "data:image/svg+xml;base64," + base64.b64encode(code.make_image().to_string()).decode()


def handout_html(entries: list[HandoutItem], brand: model.Brand, options: HandoutOptions) -> str:
    """The HTML for one handout, or a packet with a contents page when there are several."""
    packet = len(entries) > 1
    first = entries[0].item
    title = "Patient information packet" if packet else first.title
    tags = sorted({t for e in entries for t in e.item.tags})
    context = {
        "entries": [
            {
                "item": e.item,
                "embeds": e.embeds,
                "url": canonical_url(options.public_url, e.item),
                "qr": qr_data_uri(canonical_url(options.public_url, e.item)),
                "overdue": e.item.review.status_on(options.printed_on) == "overdue",
                "link": lambda url: resolve_link(url, brand),
            }
            for e in entries
        ],
        "packet": packet,
        "title": title,
        "subject": "; ".join(e.item.title for e in entries) if packet else first.summary,
        "keywords": ", ".join(tags),
        "lang": first.locale,
        "created": min(e.item.published_at for e in entries).isoformat(),
        "modified": max(e.item.published_at for e in entries).isoformat(),
        "brand": brand,
        "options": options,
        "printed": _long_date(options.printed_on),
        "callout_label": CALLOUT_LABEL,
        "icons": ICONS,
        "appointment": resolve_link("brand:appointment", brand),
    }
    return _environment().get_template("handout.html.j2").render(context)


def html_to_pdf(html: str, fetcher: SafeFetcher | None = None) -> bytes:
    """HTML to a tagged PDF/UA-1 document, fetching only packaged assets."""
    from weasyprint import HTML  # imported in the worker process, where rendering happens

    document = HTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=fetcher or SafeFetcher())
    return document.write_pdf(  # type: ignore[no-any-return]
        pdf_variant="pdf/ua-1", pdf_tags=True, optimize_images=True, jpeg_quality=85, custom_metadata=True
    )


def render_handout(entries: list[HandoutItem], brand: model.Brand, options: HandoutOptions) -> bytes:
    """One handout, or a packet: the PDF bytes."""
    return html_to_pdf(handout_html(entries, brand, options))
