"""Render email copy from published versions: table-based HTML with inlined CSS, and plain text.

Pure functions: everything they need (the version, the items it embeds, the brand) is passed in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import css_inline
import jinja2
from markupsafe import Markup

from content import model
from content.markdown import allowed_link
from content.render import canonical_url, resolve_link
from exporters.embeds import Embeds

TEMPLATE_VERSION = "email-1"
WIDTH = 72
ESPS = ("mailchimp", "sendgrid", "postmark", "none")
Esp = Literal["mailchimp", "sendgrid", "postmark", "none"]

# Merge tags for the reader's first name and the unsubscribe link, in each service's syntax.
MERGE_TAGS: dict[str, tuple[str, str]] = {
    "mailchimp": ("*|FNAME|*", "*|UNSUB|*"),
    "sendgrid": ("{{first_name}}", "{{{unsubscribe}}}"),
    "postmark": ("{{first_name}}", "{{{ pm:unsubscribe }}}"),
}
CALLOUT_LABEL = {"info": "Good to know", "yes": "Yes", "no": "No", "warning": "Important"}
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class EmailOptions:
    esp: Esp = "none"
    public_url: str = "http://127.0.0.1:8000"  # where readers read items on the web
    utm_source: str = "folio"
    utm_medium: str = "email"


@dataclass(frozen=True)
class EmailParts:
    subject: str
    preheader: str
    html: str
    text: str
    headers: dict[str, str]  # X-Folio-* headers naming the version(s)
    message_key: str  # stable per content + options: the Message-ID's local part


@dataclass(frozen=True)
class Digest:
    subject: str
    intro: str
    items: list[model.Published]


@dataclass(frozen=True)
class Card:
    item: model.Published
    url: str


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = lambda d: f"{d.day} {d:%B %Y}"
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


def _merge(options: EmailOptions, brand: model.Brand) -> tuple[str, str]:
    if options.esp in MERGE_TAGS:
        return MERGE_TAGS[options.esp]
    return "", f"mailto:{brand.email or ''}?subject=Unsubscribe"


def _preheader(summary: str) -> str:
    return summary if len(summary) <= 140 else summary[:137].rsplit(" ", 1)[0] + "…"


def render_email(
    item: model.Published, brand: model.Brand, options: EmailOptions, embeds: Embeds | None = None
) -> EmailParts:
    """Email copy for one published version."""
    embeds = embeds or Embeds()
    campaign = item.slug
    first_name, unsubscribe = _merge(options, brand)
    context = {
        "item": item,
        "brand": brand,
        "embeds": embeds,
        "subject": item.title,
        "preheader": _preheader(item.summary),
        "first_name": first_name,
        "unsubscribe": unsubscribe,
        "callout_label": CALLOUT_LABEL,
        "link": lambda url: with_utm(resolve_link(url, brand), campaign, options),
        "rich": lambda html: _tag_links(html, campaign, options),
        "read_online": with_utm(canonical_url(options.public_url, item), campaign, options),
    }
    html = _inliner().inline(_environment().get_template("item.html.j2").render(context))
    text = render_text(item, brand, embeds, first_name=first_name, unsubscribe=unsubscribe)
    key_source = f"{item.content_hash}|{options.esp}|{TEMPLATE_VERSION}|{brand}"
    return EmailParts(
        subject=item.title,
        preheader=context["preheader"],  # type: ignore[arg-type]
        html=html,
        text=text,
        headers={
            "X-Folio-Item": f"{item.kind}/{item.slug}",
            "X-Folio-Version": str(item.version),
            "X-Folio-Reviewed": item.review.reviewed_on.isoformat(),
        },
        message_key=hashlib.sha256(key_source.encode()).hexdigest()[:24],
    )


def render_digest(digest: Digest, brand: model.Brand, options: EmailOptions) -> EmailParts:
    """A newsletter: an intro and a card per item with its summary and a link."""
    campaign = "digest"
    first_name, unsubscribe = _merge(options, brand)
    cards = [
        Card(item, with_utm(canonical_url(options.public_url, item), campaign, options))
        for item in digest.items
    ]
    preheader = _preheader(digest.intro)
    context = {
        "brand": brand,
        "subject": digest.subject,
        "preheader": preheader,
        "intro": digest.intro,
        "cards": cards,
        "first_name": first_name,
        "unsubscribe": unsubscribe,
        "locale": digest.items[0].locale,
    }
    html = _inliner().inline(_environment().get_template("digest.html.j2").render(context))
    lines = [_greeting(first_name), "", *_wrap(digest.intro), ""]
    for card in cards:
        lines += [card.item.title.upper(), *_wrap(card.item.summary), f"Read it: {card.url}", ""]
    lines += _footer_text(brand, unsubscribe, None)
    versions = ", ".join(f"{i.kind}/{i.slug}@{i.version}" for i in digest.items)
    key_source = f"{digest}|{options.esp}|{TEMPLATE_VERSION}|{brand}"
    return EmailParts(
        subject=digest.subject,
        preheader=preheader,
        html=html,
        text="\n".join(lines).rstrip() + "\n",
        headers={"X-Folio-Items": versions},
        message_key=hashlib.sha256(key_source.encode()).hexdigest()[:24],
    )


def build_eml(parts: EmailParts, brand: model.Brand, date: dt.datetime) -> bytes:
    """A draft message: multipart/alternative (text, then HTML), CRLF line ends, X-Unsent: 1."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = parts.subject
    sender = brand.email or "no-reply@invalid"
    message["From"] = f'"{brand.clinic_name}" <{sender}>'
    message["Date"] = format_datetime(date)
    message["Message-ID"] = f"<{parts.message_key}@{sender.rpartition('@')[2]}>"
    message["X-Unsent"] = "1"
    for name, value in parts.headers.items():
        message[name] = value
    message.set_content(parts.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(parts.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.set_boundary(f"folio-{parts.message_key}")  # same bytes on every render and replica
    return message.as_bytes()


# --- plain text ------------------------------------------------------------------------------

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MARKS = re.compile(r"(\*\*|__|\*|_|`)")


def plain(text: str) -> str:
    """Inline Markdown to reading text: emphasis dropped, links as 'label (URL)'."""
    def link(m: re.Match[str]) -> str:  # a target that is no allowed link is not shown at all
        return f"{m.group(1)} ({m.group(2)})" if allowed_link(m.group(2)) else m.group(1)

    return _MARKS.sub("", _LINK.sub(link, text))


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
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
    return lines


def _greeting(first_name: str) -> str:
    return f"Hello {first_name}," if first_name else "Hello,"


def render_text(
    item: model.Published, brand: model.Brand, embeds: Embeds, *, first_name: str, unsubscribe: str
) -> str:
    lines = [_greeting(first_name), "", item.title.upper(), "=" * min(len(item.title), WIDTH), ""]
    lines += [*_wrap(item.summary), ""]
    match item:
        case model.Article(body=body):
            for block in body:
                lines += [*_block_text(block, brand, embeds), ""]
        case model.FaqSet():
            lines += _faq_text(item.items)
        case model.Comparison():
            lines += _comparison_text(item)
    lines += _footer_text(brand, unsubscribe, item)
    return "\n".join(lines).rstrip() + "\n"


def _block_text(block: model.BlockType, brand: model.Brand, embeds: Embeds) -> list[str]:
    match block:
        case model.Heading(text=text, level=level):
            title = plain(text)
            return [
                title.upper() if level == 2 else title,
                ("-" if level == 2 else "~") * min(len(title), WIDTH),
            ]
        case model.Paragraph(text=text):
            return _wrap(text)
        case model.List(style=style, items=items):
            out: list[str] = []
            for n, entry in enumerate(items, 1):
                bullet = {"bullet": "  * ", "check": "  [x] ", "numbered": f"  {n}. "}[style]
                out += _wrap(entry.text, indent=" " * len(bullet), first=bullet)
            return out
        case model.Callout(tone=tone, title=title, text=text):
            head = f"[{CALLOUT_LABEL[tone].upper()}]" + (f" {title}" if title else "")
            return ["  " + head, *_wrap(text, indent="  | ")]
        case model.ComparisonEmbed(slug=slug) if slug in embeds.comparisons:
            return _comparison_text(embeds.comparisons[slug])
        case model.FaqEmbed() if block.slug in embeds.faqs:
            return _faq_text(embeds.faq_entries(block))
        case model.Cta(label=label, url=url):
            return [f">> {label}: {resolve_link(url, brand)}"]
    return []


def _faq_text(entries: list[model.FaqItem]) -> list[str]:
    out: list[str] = []
    for entry in entries:
        out += _wrap(entry.question, indent="   ", first="Q: ")
        out += _wrap(entry.answer, indent="   ", first="A: ")
        out.append("")
    return out


def _comparison_text(table: model.Comparison) -> list[str]:
    """Each factor, then each subject's value, the values aligned in one column."""
    label_width = min(max(len(s) for s in table.subjects) + 2, 30)
    out = [table.title.upper(), ""]
    for row in table.rows:
        out.append(row.factor)
        for subject, value in zip(table.subjects, row.values, strict=True):
            label = f"  {subject}:".ljust(label_width + 3)
            out += _wrap(value, indent=" " * len(label), first=label)
        out.append("")
    if table.footnote:
        out += _wrap(table.footnote)
    return out


def _footer_text(brand: model.Brand, unsubscribe: str, item: model.Published | None) -> list[str]:
    lines = ["-" * WIDTH]
    if item is not None:
        reviewed = f"{item.review.reviewed_on.day} {item.review.reviewed_on:%B %Y}"
        lines += _wrap(f"Version {item.version} · Reviewed {reviewed} by {item.review.reviewed_by}")
    lines += [brand.clinic_name, f"Phone: {brand.phone}"]
    if brand.address:
        lines.append(brand.address)
    lines += ["", *_wrap(brand.disclaimer), "", f"Unsubscribe: {unsubscribe}"]
    return lines
