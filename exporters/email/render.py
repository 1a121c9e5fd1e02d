"""Render email copy from bundles: table-based HTML with inlined CSS, plain text, .eml drafts.

Pure functions: everything they need (the version, the versions it pins, the brand) is in the
bundle. HTML and plain-text bodies are template pairs, one per block type and kind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import css_inline
import jinja2
import msgspec
from markupsafe import Markup

from content import model
from content.bundle import Bundle
from content.markdown import allowed_link
from content.options import DEFAULT_ESP  # re-exported: exporters.email and tests name it here
from content.options import ESPS as ESPS
from content.options import Esp as Esp
from content.render import canonical_url, resolve_link
from exporters import i18n
from exporters.email.colours import DARK_RAISED, DARK_SURFACE, LIGHT_SURFACE, readable
from exporters.templating import environment

TEMPLATE_VERSION = "email-6"
WIDTH = 72

# Each service's own unsubscribe tag; it expands to the reader's personal unsubscribe link.
UNSUBSCRIBE_TAGS: dict[str, str] = {
    "mailchimp": "*|UNSUB|*",
    "sendgrid": "{{{unsubscribe}}}",
    "postmark": "{{{ pm:unsubscribe }}}",
}
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class EmailOptions:
    esp: Esp = DEFAULT_ESP
    public_url: str = "http://127.0.0.1:8000"  # where readers read items on the web
    utm_source: str = "folio"
    utm_medium: str = "email"
    # esp=none: the body's unsubscribe link; every flavour: the .eml's List-Unsubscribe header.
    unsubscribe_url: str = "https://example.invalid/unsubscribe"
    unsubscribe_mailto: str = "unsubscribe@example.invalid"


@dataclass(frozen=True)
class DigestOptions(EmailOptions):
    subject: str = ""
    intro: str = ""


@dataclass(frozen=True)
class EmailParts:
    subject: str
    preheader: str
    html: str
    text: str
    headers: dict[str, str]  # X-Folio-* headers naming the version(s), List-Unsubscribe
    message_key: str  # stable per content + options: the Message-ID's local part
    date: dt.datetime  # the .eml's Date: when the newest version in it was published


class EmailDocument(model.Wire, kw_only=True):
    """Ready-to-send copy: paste ``html`` and ``text`` into the email service."""

    type: str  # the item's kind, or "digest"
    slug: str | None
    version: int | None
    subject: str
    preheader: str
    html: str
    text: str


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = environment(TEMPLATES)
    env.filters["wrap"] = wrap
    env.filters["plain"] = plain
    return env


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    # Remote stylesheets off; the <style data-css-inline="keep"> block (media queries) survives.
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


def with_utm(url: str, campaign: str, options: EmailOptions) -> str:
    """Tag http(s) links so marketing can attribute visits; other links pass through."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    query = dict(parse_qsl(parts.query))
    query.setdefault("utm_source", options.utm_source)
    query.setdefault("utm_medium", options.utm_medium)
    query.setdefault("utm_campaign", campaign)
    return urlunsplit(parts._replace(query=urlencode(query)))


_HREF = re.compile(r'href="([^"]+)"')


def _tag_links(html: str, campaign: str, options: EmailOptions) -> Markup:
    # The HTML was sanitized upstream; only the href values are rewritten.
    def tag(match: re.Match[str]) -> str:
        url = match.group(1).replace("&amp;", "&")
        return 'href="' + with_utm(url, campaign, options).replace("&", "&amp;") + '"'

    return Markup(_HREF.sub(tag, html))


def greeting(esp: str, brand: model.Brand, hello: str = "Hello") -> str:
    """The salutation with its fallback, in the service's syntax: "Hello Ana," or "Hello,".

    Mailchimp: conditional merge tags; SendGrid: Handlebars ``#if``/``else``; Postmark
    (Mustachio): a section with ``{{.}}`` and an inverted section, as each one documents.
    """
    hello = brand.greeting or hello
    alone = brand.greeting_without_name or hello
    match esp:
        case "mailchimp":
            return f"*|IF:FNAME|*{hello} *|FNAME|*,*|ELSE:|*{alone},*|END:IF|*"
        case "sendgrid":
            return f"{{{{#if first_name}}}}{hello} {{{{first_name}}}},{{{{else}}}}{alone},{{{{/if}}}}"
        case "postmark":
            return (
                f"{{{{#first_name}}}}{hello} {{{{.}}}},{{{{/first_name}}}}"
                f"{{{{^first_name}}}}{alone},{{{{/first_name}}}}"
            )
    return f"{alone},"


_RTL = frozenset({"ar", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})


def direction(locale: str) -> str:
    """The text direction of a locale's script, for the root element's ``dir``."""
    return "rtl" if locale.split("-")[0].lower() in _RTL else "ltr"


def unsubscribe_link(options: EmailOptions) -> str:
    return UNSUBSCRIBE_TAGS.get(options.esp, options.unsubscribe_url)


def list_unsubscribe(options: EmailOptions) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: an https link that takes a one-click POST, and a mailto."""
    mailto = f"mailto:{options.unsubscribe_mailto}?subject=unsubscribe"
    return {
        "List-Unsubscribe": f"<{options.unsubscribe_url}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def palette(brand: model.Brand) -> dict[str, str]:
    """Brand colours as text and button colours that keep AA contrast in light and dark mode."""
    return _palette(brand.primary_color, brand.accent_color)


@lru_cache(maxsize=16)
def _palette(primary: str, accent: str) -> dict[str, str]:
    on_white = readable(primary, LIGHT_SURFACE)
    return {
        "primary": readable(on_white, accent),  # links and h2 on white and on the accent
        "primary_dark": readable(primary, DARK_RAISED),  # the same in dark mode
        "button": on_white,  # white text on it
        "accent": accent,
    }


def _preheader(summary: str) -> str:
    return summary if len(summary) <= 140 else summary[:137].rsplit(" ", 1)[0] + "…"


def _render(name: str, context: dict[str, object]) -> tuple[str, str]:
    """The HTML (inlined) and plain-text bodies of a template pair."""
    env = _environment()
    html = _inliner().inline(env.get_template(f"{name}.html.j2").render(context))
    text = env.get_template(f"{name}.txt.j2").render(context)
    # Templates separate blocks with blank lines; never more than one in a row.
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines()))
    return html, text.strip("\n") + "\n"


def _common(brand: model.Brand, options: EmailOptions, campaign: str, locale: str) -> dict[str, object]:
    brand = brand.in_locale(locale)
    labels = i18n.labels(locale)
    return i18n.context(locale, brand) | {
        "brand": brand,
        "greeting": greeting(options.esp, brand, labels["hello"]),
        "unsubscribe": unsubscribe_link(options),
        "disclaimer": brand.email_disclaimer or labels["email_disclaimer"],
        "colours": palette(brand),
        "dark": {"surface": DARK_SURFACE, "raised": DARK_RAISED},
        "link": lambda url: with_utm(resolve_link(url, brand), campaign, options),
        "rich": lambda html: _tag_links(html, campaign, options),
        "width": WIDTH,
    }


def email_parts(bundle: Bundle, options: EmailOptions) -> EmailParts:
    """Email copy for one published version with the versions it pins."""
    item = bundle.item
    context = _common(bundle.brand, options, item.slug, item.locale) | {
        "item": item,
        "bundle": bundle,
        "subject": item.title,
        "preheader": _preheader(item.summary),
        "locale": item.locale,
        "direction": direction(item.locale),
        "read_online": with_utm(canonical_url(options.public_url, item), item.slug, options),
    }
    html, text = _render("item", context)
    headers = {
        "X-Folio-Item": f"{item.kind}/{item.slug}",
        "X-Folio-Version": str(item.version),
        "X-Folio-Review": (
            f"signed off {item.review.reviewed_on.isoformat()}"
            if item.review.signed and item.review.reviewed_on
            else "unreviewed"
        ),
        "Content-Language": item.locale,
    }
    if item.embeds:
        headers["X-Folio-Embeds"] = ", ".join(f"{r.type}/{r.slug}@{r.version}" for r in item.embeds)
    headers |= list_unsubscribe(options)
    return EmailParts(
        subject=item.title,
        preheader=_preheader(item.summary),
        html=html,
        text=text,
        headers=headers,
        message_key=_key(bundle.etag, options),
        date=item.published_at,
    )


def digest_parts(bundles: Sequence[Bundle], options: DigestOptions) -> EmailParts:
    """A newsletter: an intro and a card per item with its summary and a link."""
    campaign = "digest"
    cards = [
        {"item": b.item, "url": with_utm(canonical_url(options.public_url, b.item), campaign, options)}
        for b in bundles
    ]
    context = _common(bundles[0].brand, options, campaign, bundles[0].locale) | {
        "subject": options.subject,
        "preheader": _preheader(options.intro),
        "intro": options.intro,
        "cards": cards,
        "locale": bundles[0].locale,
        "direction": direction(bundles[0].locale),
    }
    html, text = _render("digest", context)
    return EmailParts(
        subject=options.subject,
        preheader=_preheader(options.intro),
        html=html,
        text=text,
        headers={"X-Folio-Items": ", ".join(f"{b.item.kind}/{b.item.slug}@{b.item.version}" for b in bundles)}
        | list_unsubscribe(options),
        message_key=_key("|".join(b.etag for b in bundles), options),
        date=max(b.item.published_at for b in bundles),
    )


def _key(source: str, options: EmailOptions) -> str:
    raw = msgspec.json.encode([source, options, TEMPLATE_VERSION])
    return hashlib.sha256(raw).hexdigest()[:24]


def build_eml(parts: EmailParts, brand: model.Brand) -> bytes:
    """A draft message: multipart/alternative (text, then HTML), CRLF line ends, X-Unsent: 1."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = parts.subject
    sender = brand.email or "no-reply@invalid"
    message["From"] = f'"{brand.clinic_name}" <{sender}>'
    message["Date"] = format_datetime(parts.date)
    message["Message-ID"] = f"<{parts.message_key}@{sender.rpartition('@')[2]}>"
    message["X-Unsent"] = "1"
    for name, value in parts.headers.items():
        if not name.lower().startswith("content-"):
            message[name] = value
    message.set_content(parts.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(parts.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for name, value in parts.headers.items():
        if name.lower().startswith("content-"):  # set_content replaces every Content-* header
            message[name] = value
    message.set_boundary(f"folio-{parts.message_key}")  # same bytes on every render and replica
    return message.as_bytes()


def document(parts: EmailParts, kind: str, slug: str | None, version: int | None) -> bytes:
    return msgspec.json.encode(
        EmailDocument(
            type=kind,
            slug=slug,
            version=version,
            subject=parts.subject,
            preheader=parts.preheader,
            html=parts.html,
            text=parts.text,
        )
    )


# --- the formats, as the channel registry calls them -------------------------------------------


def item_json(bundles: Sequence[Bundle], options: EmailOptions) -> bytes:
    item = bundles[0].item
    return document(email_parts(bundles[0], options), item.kind, item.slug, item.version)


def item_html(bundles: Sequence[Bundle], options: EmailOptions) -> bytes:
    return email_parts(bundles[0], options).html.encode()


def item_txt(bundles: Sequence[Bundle], options: EmailOptions) -> bytes:
    return email_parts(bundles[0], options).text.encode()


def item_eml(bundles: Sequence[Bundle], options: EmailOptions) -> bytes:
    return build_eml(email_parts(bundles[0], options), bundles[0].brand)


def digest_json(bundles: Sequence[Bundle], options: DigestOptions) -> bytes:
    return document(digest_parts(bundles, options), "digest", None, None)


def digest_html(bundles: Sequence[Bundle], options: DigestOptions) -> bytes:
    return digest_parts(bundles, options).html.encode()


def digest_txt(bundles: Sequence[Bundle], options: DigestOptions) -> bytes:
    return digest_parts(bundles, options).text.encode()


def digest_eml(bundles: Sequence[Bundle], options: DigestOptions) -> bytes:
    return build_eml(digest_parts(bundles, options), bundles[0].brand)


# --- plain text ------------------------------------------------------------------------------

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MARKS = re.compile(r"(\*\*|__|\*|_|`)")


def plain(text: str) -> str:
    """Inline Markdown to reading text: emphasis dropped, links as 'label (URL)'."""

    def link(m: re.Match[str]) -> str:  # a target that is no allowed link is not shown at all
        return f"{m.group(1)} ({m.group(2)})" if allowed_link(m.group(2)) else m.group(1)

    return _MARKS.sub("", _LINK.sub(link, text))


def wrap(text: str, indent: str = "", first: str | None = None) -> str:
    """Greedy word wrap at WIDTH; a word longer than a line (a URL) gets a line of its own.

    What textwrap does with long-word and hyphen breaking off, at a fraction of its cost.
    """
    lines: list[str] = []
    line = indent if first is None else first
    fresh = True  # nothing but the indent on this line yet
    for word in plain(text).split():
        if not fresh and len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line, fresh = indent, True
        line += word if fresh else " " + word
        fresh = False
    lines.append(line if not fresh else line.rstrip())
    return "\n".join(lines)
