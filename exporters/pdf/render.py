"""Render handouts: Jinja2 + print CSS to HTML, WeasyPrint to a tagged PDF/UA-1 document.

Pure functions over bundles; slow (WeasyPrint is CPU-bound), so the API runs ``render_pdf``
in worker processes, never on an event loop. WeasyPrint is imported only when a PDF is made.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import jinja2
import msgspec
import qrcode
import qrcode.image.svg
from markupsafe import Markup

from content import model
from content.bundle import Bundle
from content.options import DEFAULT_SIZE, Paper, Size
from content.render import canonical_url, resolve_link
from exporters import i18n
from exporters.labels import long_date
from exporters.pdf.paths import ASSETS, TEMPLATES
from exporters.templating import environment

if TYPE_CHECKING:
    from exporters.pdf.fetcher import SafeFetcher

TEMPLATE_VERSION = "handout-7"
# Callout icons as SVG drawn here, so they never depend on an emoji font.
_ICON_MARKS = {
    "yes": ("#1e7d45", '<path d="M5 10.5l3.2 3.2L15 7" fill="none" stroke="#fff" stroke-width="2.4"/>'),
    # A "no" is an answer, often a reassuring one: a blue dash, never a red cross.
    "no": ("#1f5f8b", '<path d="M5.5 10h9" fill="none" stroke="#fff" stroke-width="2.6"/>'),
    "warning": (
        "#b42318",
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
    # None: the paper of the clinic's country (``Brand.paper``: Letter in the US, else mostly A4).
    paper: Paper | None = None
    size: Size = DEFAULT_SIZE
    public_url: str = "http://127.0.0.1:8000"
    printed_on: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    # The originals of the pictures the bundles show, by content hash: added by the export
    # service on a cache miss (after the cache key is made: the bundles' hashes name them).
    media: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return environment(TEMPLATES)


@lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """The QR code as an SVG path: vector, sharp at any print size, no raster work.

    A fixed mask skips qrcode's search over all eight (any mask gives a valid code), which
    was most of its cost; a version's code is reused for every paper and size.
    """
    code = qrcode.QRCode(box_size=4, border=2, mask_pattern=2, image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(url)
    return "data:image/svg+xml;base64," + base64.b64encode(code.make_image().to_string()).decode()


def url_text(url: str) -> Markup:
    """A URL as printed: it may break only after ``/``, ``.`` or ``?``, never at a hyphen.

    Each run between those characters is kept whole (``white-space: nowrap``), with a ``<wbr>``
    after it, so a line never ends in "appoint-" or "ketamine-" and nothing looks hyphenated.
    """
    runs = [run for run in re.split(r"(?<=[/.?])", url) if run]
    return Markup("<wbr>").join(Markup('<span class="nobr">{}</span>').format(run) for run in runs)


def questions(bundle: Bundle, labels: Mapping[str, str]) -> list[str]:
    """ "Questions to ask your care team": the item's own list, else its FAQ questions, else the
    catalog's general ones (about the visit, never clinical)."""
    item = bundle.item
    if item.questions is not msgspec.UNSET:
        return list(item.questions)
    match item:
        case model.FaqSet(items=entries):
            return [entry.question for entry in entries]
        case model.Article(body=body):
            found = [
                entry.question
                for block in body
                if isinstance(block, model.FaqEmbed)
                for entry in bundle.faq_entries(block)
            ]
            if found:
                return found
    return [labels["ask_1"], labels["ask_2"], labels["ask_3"]]


def handout_html(bundles: Sequence[Bundle], options: HandoutOptions) -> str:
    """The HTML for one handout, or a packet with a contents page when there are several.

    In a packet, an item printed in full is printed once: an article that embeds the same
    version refers to it instead of repeating it.
    """
    packet = len(bundles) > 1
    first = bundles[0].item
    locale = first.locale  # a packet prints its labels in its first item's locale
    brand = bundles[0].brand.in_locale(locale)
    standalone = {(b.item.kind, b.item.slug, b.item.version): f"item-{n}" for n, b in enumerate(bundles, 1)}
    entries = []
    for n, bundle in enumerate(bundles, 1):
        url = canonical_url(options.public_url, bundle.item)
        entries.append(
            {
                "n": n,
                "item": bundle.item,
                "bundle": bundle,
                "url": url,
                "qr": qr_data_uri(url),
                "overdue": bundle.item.review.status_on(options.printed_on) == "overdue",
                "questions": questions(bundle, i18n.labels(locale)),
                # Embeds printed in full elsewhere in this packet: where to refer the reader.
                "elsewhere": {
                    (kind, slug): anchor
                    for (kind, slug, version), anchor in standalone.items()
                    if packet
                    and anchor != f"item-{n}"
                    and bundle.embeds.get((kind, slug), None) is not None
                    and bundle.embeds[(kind, slug)].version == version
                },
            }
        )
    tags = sorted({t for b in bundles for t in b.item.tags})
    labels = i18n.labels(locale)
    context = i18n.context(locale, brand) | {
        "entries": entries,
        "packet": packet,
        "title": labels["packet_title"] if packet else first.title,
        "subject": "; ".join(b.item.title for b in bundles) if packet else first.summary,
        "keywords": i18n.keywords(tags, locale),
        "lang": first.locale,
        "created": min(b.item.published_at for b in bundles).isoformat(),
        "modified": max(b.item.published_at for b in bundles).isoformat(),
        "brand": brand,
        "options": options,
        "paper": options.paper or brand.paper,
        "printed": long_date(options.printed_on, locale, brand.country),
        "url_text": url_text,
        "icons": ICONS,
        "link": lambda url: resolve_link(url, brand),
        "appointment": resolve_link("brand:appointment", brand),
    }
    return _whole_compounds(_environment().get_template("handout.html.j2").render(context))


_TEXT_NODE = re.compile(r">([^<]+)<")
_COMPOUND = re.compile(r"\w+(?:-\w+)+")


def _whole_compounds(html: str) -> str:
    """Keep words joined by a hyphen on one line ("post-traumatic", "is-ketamine-therapy").

    Hyphenation is off, but a line may still break after a word's own hyphen, which reads
    exactly like hyphenation; in the body's text (never its markup or styles) each such word is
    kept whole instead.
    """
    head, sep, body = html.partition("<body")

    def keep(node: re.Match[str]) -> str:
        return ">" + _COMPOUND.sub(r'<span class="nobr">\g<0></span>', node[1]) + "<"

    return head + sep + _TEXT_NODE.sub(keep, body)


def html_to_pdf(html: str, fetcher: SafeFetcher | None = None) -> bytes:
    """HTML to a tagged PDF/UA-1 document, fetching only packaged assets."""
    from weasyprint import HTML  # imported in the worker process, where rendering happens

    from exporters.pdf.fetcher import SafeFetcher

    document = HTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=fetcher or SafeFetcher())
    pdf: bytes = document.write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True, optimize_images=True, jpeg_quality=85, custom_metadata=True
    )
    return pdf


def render_pdf(bundles: Sequence[Bundle], options: HandoutOptions) -> bytes:
    """One handout, or a packet: the PDF bytes."""
    from exporters.pdf.fetcher import SafeFetcher

    return html_to_pdf(handout_html(bundles, options), SafeFetcher(options.media))


def media_used(bundles: Sequence[Bundle]) -> list[str]:
    """The content hashes of every picture the bundles show, embeds included, in order."""
    items = [item for b in bundles for item in (b.item, *b.embeds.values())]
    found = [
        h for item in items if isinstance(item, model.Article) for b in item.body if (h := b.media_used())
    ]
    return list(dict.fromkeys(found))
