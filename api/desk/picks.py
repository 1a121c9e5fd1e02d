"""What the library, packets and digests share: item references, the packet kept in a cookie,
the live items by title or by search rank, and the email a channel renders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from litestar import Request
from litestar.datastructures import Cookie
from litestar.params import Parameter

from api.desk.web import current, is_desk_path, ref_key, signin_token
from api.exports import Exports
from api.reader import Reader
from content import model
from content.bundle import Bundle
from content.errors import InvalidInput
from content.locales import DEFAULT_LOCALE
from content.options import DEFAULT_SIZE, PAPERS, SIZES

EMAIL_FILES = ("html", "txt", "eml")
PACKET_COOKIE = "folio_packet"
MAX_ITEMS = 20
_REF = re.compile(r"^(article|faq|comparison)/([a-z0-9]+(?:-[a-z0-9]+)*)(?:/([a-z]{2}(?:-[A-Z]{2})?))?$")
Refs = Annotated[list[str] | None, Parameter(required=False)]  # ?item=kind/slug[/locale], repeated
Text = Annotated[str, Parameter(max_length=2000)]


def parse_refs(values: list[str] | None) -> list[model.ItemRef]:
    """``kind/slug`` (English) or ``kind/slug/locale`` strings from a query, in order, each once."""
    refs: list[model.ItemRef] = []
    for value in values or []:
        match = _REF.match(value)
        if match is None:
            raise InvalidInput("item", f"{value!r} is not kind/slug or kind/slug/locale.")
        kind = next(spec.name for spec in model.KIND_SPECS.values() if spec.name == match[1])
        ref = model.ItemRef(type=kind, slug=match[2], locale=match[3] or DEFAULT_LOCALE)
        if ref not in refs:
            refs.append(ref)
    return refs[:MAX_ITEMS]


@dataclass
class Packet:
    """The packet a person is putting together: items in their order, and how to print them."""

    keys: list[str] = field(default_factory=list)  # ref_key of each item, in order
    paper: str = ""  # empty: the clinic's default paper
    size: str = DEFAULT_SIZE

    def add(self, keys: list[str]) -> None:
        for key in keys:
            if key not in self.keys and len(self.keys) < MAX_ITEMS:
                self.keys.append(key)

    def choose(self, paper: str | None, size: str | None) -> None:
        """Keeps the paper and print size a form sent; anything else leaves them as they were."""
        if paper in PAPERS:
            self.paper = paper
        if size in SIZES:
            self.size = size

    def move(self, key: str, step: int) -> None:
        if key in self.keys:
            at = self.keys.index(key)
            to = at + step
            if 0 <= to < len(self.keys):
                self.keys[at], self.keys[to] = self.keys[to], self.keys[at]

    def encoded(self) -> str:
        """The cookie's value: only characters a cookie carries unquoted."""
        return ".".join([self.paper, self.size, *(k.replace("/", ":") for k in self.keys)])


def read_packet(request: Request[Any, Any, Any]) -> Packet:
    """The packet in this browser's cookie, checked as any query is; nothing usable: empty."""
    parts = request.cookies.get(PACKET_COOKIE, "").split(".")
    packet = Packet()
    packet.choose(parts[0], parts[1] if len(parts) > 1 else None)
    try:
        refs = parse_refs([p.replace(":", "/") for p in parts[2:] if p])
    except InvalidInput:
        refs = []
    packet.keys = [ref_key(r) for r in refs]
    return packet


def packet_cookie(request: Request[Any, Any, Any], packet: Packet) -> Cookie:
    """Kept until cleared (a year at most): HttpOnly, SameSite=Strict, only sent to /desk."""
    empty = not packet.keys and not packet.paper and packet.size == DEFAULT_SIZE
    return Cookie(
        key=PACKET_COOKIE,
        value=packet.encoded() if not empty else "",
        path="/desk",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=0 if empty else 365 * 24 * 3600,
    )


async def form_token(request: Request[Any, Any, Any]) -> tuple[str, list[Cookie]]:
    """The CSRF token of forms anyone may post (packets): the session's, or else the sign-in
    form's double-submit cookie (``web.check_csrf``), set here when the browser has none."""
    session = await current(request)
    if session is not None:
        return session.csrf, []
    token, cookie = signin_token(request)
    return token, [cookie] if cookie else []


def safe_back(value: str, default: str) -> str:
    """Where a form returns to: a desk path of this site, never another site's."""
    return value if is_desk_path(value) else default


async def locales_published(reader: Reader) -> list[str]:
    """Every locale some live item is published in, the default first."""
    found = {tag for tags in (await reader.translations()).values() for tag in tags}
    return sorted(found | {DEFAULT_LOCALE}, key=lambda tag: (tag != DEFAULT_LOCALE, tag))


async def summaries(reader: Reader, withdrawn_ok: bool = False) -> list[model.ItemSummary]:
    """Every live published translation, by title (``withdrawn_ok``: also those withdrawn past
    their review date, which staff see to review them; never to hand out)."""
    found: list[model.ItemSummary] = []
    for locale in await locales_published(reader):
        for kind in model.KINDS:
            found += (
                await reader.list_items(kind, limit=500, locales=(locale,), withdrawn_ok=withdrawn_ok)
            ).items
    return sorted(found, key=lambda s: (s.title.lower(), s.locale))


async def ranked(
    reader: Reader, items: list[model.ItemSummary], q: str, locales: list[str]
) -> list[model.ItemSummary]:
    """``items`` that match ``q`` in any of ``locales``, best match first (the search's own rank)."""
    hits: list[tuple[float, int, str]] = []
    try:
        for locale in locales:
            found = await reader.search(q, limit=200, locale=locale)
            hits += [
                (-h.rank, n, ref_key(model.ItemRef(type=h.type, slug=h.slug, locale=h.locale)))
                for n, h in enumerate(found)
            ]
    except InvalidInput:  # no word to search for
        return []
    by_key = {ref_key(s): s for s in items}
    return [by_key[key] for _, _, key in sorted(hits) if key in by_key]


async def bundle_of(exports: Exports, ref: model.ItemRef) -> Bundle:
    """The latest version of exactly the translation a desk reference names."""
    return await exports.bundle(ref.type, ref.slug, locales=(ref.locale or DEFAULT_LOCALE,))


async def email_document(
    exports: Exports, bundles: list[Bundle], options: Any, channel: str = "email"
) -> dict[str, Any]:
    rendered = await exports.render(channel, "json", bundles, options)
    document: dict[str, Any] = msgspec.json.decode(rendered.body)
    return document


def placeholder_unsubscribe(exports: Exports) -> bool:
    """Whether the unsubscribe settings are still the ``.invalid`` placeholders that reach nobody."""
    url, mailto = exports.unsubscribe
    hosts = [urlsplit(url).hostname or "", mailto.rpartition("@")[2]]
    return any(host == "invalid" or host.endswith(".invalid") for host in hosts)
