"""Render the web page of a version: what a patient sees after scanning a handout's QR code.

Mobile-first, accessible HTML with its CSS inlined (no external asset of any kind), and
schema.org JSON-LD describing it as a reviewed medical page for patients.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import msgspec
from markupsafe import Markup

from content import model
from content.bundle import Bundle
from content.options import PAPERS, SIZES
from content.render import canonical_url, resolve_link
from exporters import i18n
from exporters.templating import environment

TEMPLATE_VERSION = "page-7"
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class PageOptions:
    public_url: str = "http://127.0.0.1:8000"
    latest_version: int = 0  # the item's latest version: an older one links to it
    today: dt.date | None = None  # review status is as of this day


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return environment(TEMPLATES)


def page_path(item: model.Published | model.ItemRef | model.Ref) -> str:
    kind = item.kind if isinstance(item, model.Item) else item.type
    return f"/{model.PLURALS[kind]}/{item.slug}"


def json_ld(item: model.Published, options: PageOptions, brand: model.Brand) -> Markup:
    """schema.org MedicalWebPage, escaped so that no text can close the script element."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": item.title,
        "headline": item.title,
        "description": item.summary,
        "url": canonical_url(options.public_url, item),
        "inLanguage": item.locale,
        "version": str(item.version),
        "datePublished": item.published_at.isoformat(),
        "audience": {"@type": "PeopleAudience", "audienceType": "Patient"},
        "keywords": i18n.keywords(item.tags, item.locale),
        "publisher": {"@type": "MedicalClinic", "name": brand.clinic_name, "telephone": brand.phone},
    }
    review = item.review
    if review.signed and review.reviewed_on is not None:  # never a review nobody signed off
        data["lastReviewed"] = review.reviewed_on.isoformat()
        data["reviewedBy"] = {"@type": "Person", "name": review.reviewed_by}
        if review.credentials:
            data["reviewedBy"]["honorificSuffix"] = review.credentials
    text = msgspec.json.encode(data).decode()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_page(bundles: Sequence[Bundle], options: PageOptions) -> bytes:
    bundle = bundles[0]
    item, brand = bundle.item, bundle.brand.in_locale(bundle.item.locale)
    today = options.today or dt.datetime.now(dt.UTC).date()
    base = page_path(item)
    api = f"/v1/{model.PLURALS[item.kind]}/{item.slug}"
    lang = f"locale={item.locale}"
    context = i18n.context(item.locale, brand) | {
        "item": item,
        "bundle": bundle,
        "brand": brand,
        "options": options,
        "status": item.review.status_on(today),
        "latest": options.latest_version if options.latest_version > item.version else None,
        "latest_url": f"{base}?{lang}",
        "canonical": canonical_url(options.public_url, item),
        "json_url": f"{api}?version={item.version}&{lang}",
        # Every other locale it is published in, by its own name: hreflang links, head and body.
        "translations": [
            (tag, i18n.language_name(tag), f"{base}?locale={tag}")
            for tag in item.translations
            if tag != item.locale
        ],
        "handouts": [
            (paper, size, f"{api}/handout.pdf?version={item.version}&paper={paper}&size={size}&{lang}")
            for paper in PAPERS
            for size in SIZES
        ],
        "page_path": page_path,
        # Related reading opens in the reader's language (an item without it falls back itself).
        "related_url": lambda ref: f"{page_path(ref)}?{lang}",
        "link": lambda url: resolve_link(url, brand),
        "json_ld": json_ld(item, options, brand),
    }
    return _environment().get_template("page.html.j2").render(context).encode()
