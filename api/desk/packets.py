"""Packets, kept in this browser until cleared, and digests, ordered by the person making them.

Anyone may build a packet, signed in or not: the packet lives in a cookie (``picks.Packet``) and
every change is a POST carrying a CSRF token (the session's, or the sign-in form's double-submit
cookie when nobody is signed in). After a move or a removal the page puts the keyboard focus back
on the moved item's button, or its neighbour's.
"""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import Parameter

from api.caching import NO_STORE
from api.controllers.params import EspParam, PaperParam
from api.deps import ExportsDep, ReaderDep
from api.desk.picks import (
    EMAIL_FILES,
    Packet,
    Refs,
    Text,
    bundle_of,
    email_document,
    form_token,
    packet_cookie,
    parse_refs,
    placeholder_unsubscribe,
    read_packet,
    safe_back,
    summaries,
)
from api.desk.web import PagesDep, desk_opts, file, query, ref_key
from api.reader import today
from content.errors import InvalidInput
from content.options import DEFAULT_ESP, DEFAULT_SIZE, Paper, Size

PACKET = "/desk/packet"
CHANGES = ("add", "up", "down", "remove", "clear", "choices", "download")
Key = Annotated[str, Parameter(max_length=200)]
OptSize = Annotated[Size | None, Parameter(description="standard or large; absent: the packet's own.")]


def _after(location: str, cookie: Cookie, **params: str) -> Response[str]:
    """303 to ``location`` with ``params`` added (a message to announce, where focus goes)."""
    pairs = urlencode({k: v for k, v in params.items() if v})
    if pairs:
        location += ("&" if "?" in location else "?") + pairs
    return Response(
        "", status_code=303, headers={"Location": location, "Cache-Control": NO_STORE}, cookies=[cookie]
    )


def _change(packet: Packet, change: str, keys: list[str]) -> dict[str, str]:
    """Applies one change; returns where the page should go and what it should say."""
    key = keys[0] if keys else ""
    if change in ("up", "down"):
        packet.move(key, -1 if change == "up" else 1)
        return {"focus": key, "on": change, "done": "packet_moved"}
    if change == "remove" and key in packet.keys:
        at = packet.keys.index(key)
        packet.keys.remove(key)
        neighbour = packet.keys[min(at, len(packet.keys) - 1)] if packet.keys else ""
        return {"focus": neighbour, "on": "remove", "done": "packet_removed"}
    if change == "clear":
        packet.keys.clear()
        packet.paper, packet.size = "", DEFAULT_SIZE
        return {"done": "packet_cleared"}
    if change == "add":
        packet.add(keys)
        return {"added": key if len(keys) == 1 else "", "done": "packet_added" if keys else "packet_nothing"}
    return {"done": "packet_choices_kept"} if change == "choices" else {}


class PacketController(Controller):
    """The packet page, its changes, its PDF; the digest page and its files."""

    @get("/packet", **desk_opts())
    async def packet(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        item: Refs = None,
        paper: PaperParam = None,
        size: OptSize = None,
        focus: Key = "",
        on: Annotated[str, Parameter(max_length=10)] = "",
    ) -> Response[Any]:
        """Put items in order, choose paper and print size, download one PDF."""
        packet = read_packet(request)
        if item or paper or size:  # an old link: ?item=…&paper=… adds to the packet kept here
            packet.add([ref_key(r) for r in parse_refs(item)])
            packet.choose(paper, size)
            return _after(PACKET, packet_cookie(request, packet))
        everything = await summaries(reader)
        by_key = {ref_key(s): s for s in everything}
        picked = [by_key[k] for k in packet.keys if k in by_key]
        keys = [ref_key(s) for s in picked]
        token, cookies = await form_token(request)
        return await pages.render(
            request,
            "packet.html.j2",
            picked=picked,
            keys=keys,
            available=[s for s in everything if ref_key(s) not in keys],
            paper=packet.paper,
            size=packet.size,
            focus=focus,
            on=on,
            packet_csrf=token,
            cookies=cookies,
            day=today(),
        )

    @post([f"/packet/{change}" for change in CHANGES], **desk_opts(), status_code=303)
    async def change(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """Add (one item, or the library's selection), move, remove, clear, keep the choices,
        or keep them and download; the paper and print size a form sends are kept each time."""
        form = await request.form()
        change = request.url.path.rsplit("/", 1)[1]
        keys = [ref_key(r) for r in parse_refs([str(v) for v in form.getall("item", [])])]
        selection = change == "add" and not keys  # the library's ticked items: show them in the packet
        if selection:
            keys = [ref_key(r) for r in parse_refs([str(v) for v in form.getall("selected", [])])]
        packet = read_packet(request)
        packet.choose(str(form.get("paper", "")), str(form.get("size", "")))
        said = _change(packet, change, keys)
        cookie = packet_cookie(request, packet)
        if change == "download":
            return _after(PACKET + ".pdf", cookie)
        back = PACKET
        if change == "add" and not (selection and keys):
            back = safe_back(str(form.get("back", "")), PACKET)
        return _after(back, cookie, **said)

    @get("/packet.pdf", **desk_opts())
    async def packet_pdf(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        item: Refs = None,
        paper: PaperParam = None,
        size: OptSize = None,
    ) -> Response[Any]:
        """The packet as one PDF, with a contents page: the items and choices named, else those kept."""
        kept = read_packet(request)
        chosen = parse_refs(item) if item else parse_refs(kept.keys)
        if not chosen:
            raise InvalidInput("item", "Add at least one item to the packet.")
        bundles = [await bundle_of(exports, r) for r in chosen]
        options = exports.handout_options(
            paper or cast(Paper | None, kept.paper or None), size or cast(Size, kept.size)
        )
        rendered = await exports.render("pdf", "pdf", bundles, options)
        # From the packet cookie, the same address gives another PDF per person: never cached.
        name = f"handout-packet-{len(bundles)}-items.pdf"
        return file(rendered.body, rendered.media_type, name, private=not item)

    @get("/digest", **desk_opts())
    async def digest(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        exports: ExportsDep,
        subject: Annotated[str, Parameter(max_length=200)] = "",
        intro: Text = "",
        item: Refs = None,
        order: Refs = None,
        up: Key = "",
        down: Key = "",
        preview: Annotated[str, Parameter(max_length=10)] = "",
        esp: EspParam = DEFAULT_ESP,
    ) -> Response[Any]:
        """A newsletter: subject, introduction and items in the order chosen; preview, copy, download."""
        ticked = [ref_key(r) for r in parse_refs(item)]
        chosen = [k for k in (ref_key(r) for r in parse_refs(order)) if k in ticked]
        chosen += [k for k in ticked if k not in chosen]
        ordered = Packet(keys=chosen)
        if up or down:
            ordered.move(up or down, -1 if up else 1)
        missing = {"subject": not subject.strip(), "intro": not intro.strip(), "items": not chosen}
        problems = [(name, "digest_need_" + name) for name, gap in missing.items() if gap]
        document = None
        if not problems:
            bundles = [await bundle_of(exports, r) for r in parse_refs(chosen)]
            options = exports.digest_options(esp, subject.strip(), intro.strip())
            document = await email_document(exports, bundles, options, "digest")
        everything = await summaries(reader)
        by_key = {ref_key(s): s for s in everything}
        params = {"subject": subject, "intro": intro, "item": chosen, "esp": esp}
        shown = dict(problems) if preview else {}
        return await pages.render(
            request,
            "digest.html.j2",
            everything=everything,
            day=today(),
            chosen=chosen,
            picked=[by_key[k] for k in chosen if k in by_key],
            moved=(up or down, "up" if up else "down"),
            subject=subject,
            intro=intro,
            esp=esp,
            email=document,
            errors=shown,
            unsubscribe=exports.unsubscribe if placeholder_unsubscribe(exports) else None,
            downloads=[(fmt, f"/desk/digest.{fmt}" + query(**params)) for fmt in EMAIL_FILES],
            status_code=400 if shown else 200,
        )

    @get([f"/digest.{fmt}" for fmt in EMAIL_FILES], **desk_opts())
    async def digest_file(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        subject: Annotated[str, Parameter(min_length=1, max_length=200)],
        intro: Annotated[str, Parameter(min_length=1, max_length=2000)],
        item: Refs = None,
        esp: EspParam = DEFAULT_ESP,
    ) -> Response[Any]:
        """The digest as a file to download."""
        fmt = request.url.path.rsplit(".", 1)[1]
        chosen = parse_refs(item)
        if not chosen:
            raise InvalidInput("item", "Pick at least one item.")
        bundles = [await bundle_of(exports, r) for r in chosen]
        rendered = await exports.render("digest", fmt, bundles, exports.digest_options(esp, subject, intro))
        return file(rendered.body, rendered.media_type, f"digest.{fmt}", private=False)
