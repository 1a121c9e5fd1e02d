"""Desk pages anyone may use: find, open and print; packets; email copy and digests; compare."""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import Parameter, QueryParameter
from msgspec.structs import replace

from api.controllers.params import EspParam, PaperParam, SizeParam, SlugParam
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.diffs import rows
from api.desk.web import (
    DeskLocale,
    PagesDep,
    desk_opts,
    file,
    in_locale,
    item_url,
    kind_of,
    per_kind,
    query,
    ref_key,
)
from api.exports import Exports
from api.reader import Reader, today
from content import model
from content.bundle import Bundle
from content.diff import diff_items
from content.errors import ContentError, Gone, InvalidInput
from content.locales import DEFAULT_LOCALE, canonical
from content.options import DEFAULT_ESP, DEFAULT_SIZE

EMAIL_FILES = ("html", "txt", "eml")
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
    return refs[:20]


async def bundle_of(exports: Exports, ref: model.ItemRef) -> Bundle:
    """The latest version of exactly the translation a desk reference names."""
    return await exports.bundle(ref.type, ref.slug, locales=(ref.locale or DEFAULT_LOCALE,))


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


async def email_document(
    exports: Exports, bundles: list[Bundle], options: Any, channel: str = "email"
) -> dict[str, Any]:
    rendered = await exports.render(channel, "json", bundles, options)
    document: dict[str, Any] = msgspec.json.decode(rendered.body)
    return document


class LibraryController(Controller):
    """Find, open, print, packets, email copy: public content needs no sign-in."""

    @get("/", **desk_opts())
    async def library(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        q: Text = "",
        type: Annotated[str, Parameter(max_length=20)] = "",  # a kind; empty for any
        tag: Annotated[str, Parameter(max_length=60)] = "",
        status: Annotated[str, Parameter(max_length=20)] = "",  # current, due, overdue; empty for any
    ) -> Response[Any]:
        """The library: search and filter by title, summary, text, tags, type and review status."""
        items = await summaries(reader, withdrawn_ok=True)
        if q.strip():
            hits: set[tuple[str, str, str]] = set()
            try:
                for locale in await locales_published(reader):
                    found = await reader.search(q, limit=200, locale=locale)
                    hits |= {(h.type, h.slug, h.locale) for h in found}
            except InvalidInput:
                pass
            items = [s for s in items if (s.type, s.slug, s.locale) in hits]
        day = today()
        all_tags = sorted({t for s in items for t in s.tags})
        items = [
            s
            for s in items
            if (not type or s.type == type)
            and (not tag or tag in s.tags)
            and (not status or s.review.status_on(day) == status)
        ]
        return await pages.render(
            request,
            "library.html.j2",
            items=items,
            q=q,
            type=type,
            tag=tag,
            status=status,
            tags=all_tags,
            day=day,
        )

    @get(per_kind(), **desk_opts())
    async def item(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        editorial: EditorialDep,
        slug: SlugParam,
        version: Annotated[int | None, Parameter(ge=1)] = None,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """An item: its review, handouts, email copy, history, compare, and what a role may do."""
        kind = kind_of(request)
        locale = canonical(locale)
        try:
            document = await reader.document(kind, slug, version, (locale,), withdrawn_ok=True)
        except Gone:
            return await pages.render(
                request, "archived.html.j2", kind=kind, slug=slug, status_code=410, **in_locale(locale)
            )
        history = await reader.history(kind, slug, locale)
        try:
            draft = await editorial.get(kind, slug, locale)
        except ContentError:
            draft = None
        return await pages.render(
            request,
            "item.html.j2",
            kind=kind,
            item=document.value,
            status=document.value.review.status_on(today()),
            history=history,
            latest=history[0].version,
            draft=draft,
            base=item_url(kind, slug),
            public_path=f"/{model.PLURALS[kind]}/{slug}",
            api_path=f"/v1/{model.PLURALS[kind]}/{slug}",
            translations=[t for t in document.value.translations if t != locale],
            ref=ref_key(model.ItemRef(type=kind, slug=slug, locale=locale)),
            **in_locale(locale),
        )

    @get(per_kind("/print.pdf"), **desk_opts())
    async def print_pdf(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        slug: SlugParam,
        version: Annotated[int | None, Parameter(ge=1)] = None,
        paper: PaperParam = None,
        size: SizeParam = DEFAULT_SIZE,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The handout shown in the browser's PDF viewer, to print from there."""
        bundle = await exports.bundle(
            kind_of(request), slug, version, (canonical(locale),), withdrawn_ok=True
        )
        rendered = await exports.render("pdf", "pdf", [bundle], exports.handout_options(paper, size))
        return file(
            rendered.body,
            rendered.media_type,
            f"{slug}-v{bundle.item.version}.pdf",
            inline=True,
            private=False,
        )

    @get(per_kind("/compare"), **desk_opts())
    async def compare(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        slug: SlugParam,
        a: Annotated[int, QueryParameter(name="from", ge=1)],
        b: Annotated[int, QueryParameter(name="to", ge=1)],
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Any two published versions of one translation side by side, word by word."""
        kind = kind_of(request)
        locale = canonical(locale)
        older = await reader.version(kind, slug, a, locale)
        newer = await reader.version(kind, slug, b, locale)
        # Each version's sign-off (or its absence) is part of what changed between them.
        before, after = (replace(v.content, review=v.info.review) for v in (older, newer))
        diff = diff_items(before, after, a, b, pins=(older.pins, newer.pins))
        return await pages.render(
            request,
            "compare.html.j2",
            kind=kind,
            item=newer.content,
            a=a,
            b=b,
            rows=rows(diff),
            base=item_url(kind, slug),
            history=await reader.history(kind, slug, locale),
            **in_locale(locale),
        )

    @get(per_kind("/email"), **desk_opts())
    async def email(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        version: Annotated[int | None, Parameter(ge=1)] = None,
        esp: EspParam = DEFAULT_ESP,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The email of any version at 600 and 375 px; copy its HTML or text; download it."""
        kind = kind_of(request)
        locale = canonical(locale)
        bundle = await exports.bundle(kind, slug, version, (locale,), withdrawn_ok=True)
        document = await email_document(exports, [bundle], exports.email_options(esp))
        history = await reader.history(kind, slug, locale)
        base = item_url(kind, slug)
        la = in_locale(locale)["la"]
        return await pages.render(
            request,
            "email.html.j2",
            title=bundle.item.title,
            email=document,
            esp=esp,
            action=base + "/email",
            versions=[v.version for v in history],
            version=bundle.item.version,
            downloads=[
                (fmt, f"{base}/email.{fmt}?version={bundle.item.version}&esp={esp}{la}")
                for fmt in EMAIL_FILES
            ],
            back=(base + f"?version={bundle.item.version}{la}", bundle.item.title),
            **in_locale(locale),
        )

    @get([path + f".{fmt}" for path in per_kind("/email") for fmt in EMAIL_FILES], **desk_opts())
    async def email_file(
        self,
        request: Request[Any, Any, Any],
        exports: ExportsDep,
        slug: SlugParam,
        version: Annotated[int | None, Parameter(ge=1)] = None,
        esp: EspParam = DEFAULT_ESP,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The email as a file to download."""
        fmt = request.url.path.rsplit(".", 1)[1]
        bundle = await exports.bundle(kind_of(request), slug, version, (canonical(locale),))
        rendered = await exports.render("email", fmt, [bundle], exports.email_options(esp))
        return file(rendered.body, rendered.media_type, f"{slug}-v{bundle.item.version}.{fmt}", private=False)

    @get("/packet", **desk_opts())
    async def packet(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        item: Refs = None,
        paper: PaperParam = None,
        size: SizeParam = DEFAULT_SIZE,
    ) -> Response[Any]:
        """Pick items, reorder them, download one PDF."""
        chosen = parse_refs(item)
        everything = await summaries(reader)
        by_key = {ref_key(s): s for s in everything}
        picked = [by_key[ref_key(r)] for r in chosen if ref_key(r) in by_key]
        keys = [ref_key(s) for s in picked]
        return await pages.render(
            request,
            "packet.html.j2",
            picked=picked,
            keys=keys,
            available=[s for s in everything if ref_key(s) not in keys],
            paper=paper or "",
            size=size,
            day=today(),
        )

    @get("/packet.pdf", **desk_opts())
    async def packet_pdf(
        self,
        exports: ExportsDep,
        item: Refs = None,
        paper: PaperParam = None,
        size: SizeParam = DEFAULT_SIZE,
    ) -> Response[Any]:
        """The packet as one PDF, with a contents page."""
        chosen = parse_refs(item)
        if not chosen:
            raise InvalidInput("item", "Add at least one item to the packet.")
        bundles = [await bundle_of(exports, r) for r in chosen]
        rendered = await exports.render("pdf", "pdf", bundles, exports.handout_options(paper, size))
        return file(
            rendered.body, rendered.media_type, f"handout-packet-{len(bundles)}-items.pdf", private=False
        )

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
        esp: EspParam = DEFAULT_ESP,
    ) -> Response[Any]:
        """A newsletter: subject, introduction and items; then preview, copy and download it."""
        chosen = parse_refs(item)
        everything = await summaries(reader)
        document = None
        problems = []
        if not subject.strip() and (intro or chosen):
            problems.append(("subject", "Give the digest a subject."))
        if not intro.strip() and (subject or chosen):
            problems.append(("intro", "Write a short introduction."))
        if not chosen and (subject or intro):
            problems.append(("items", "Pick at least one item."))
        params = {"subject": subject, "intro": intro, "item": [ref_key(r) for r in chosen], "esp": esp}
        if subject.strip() and intro.strip() and chosen:
            bundles = [await bundle_of(exports, r) for r in chosen]
            options = exports.digest_options(esp, subject.strip(), intro.strip())
            document = await email_document(exports, bundles, options, "digest")

        return await pages.render(
            request,
            "digest.html.j2",
            everything=everything,
            day=today(),
            chosen=[ref_key(r) for r in chosen],
            subject=subject,
            intro=intro,
            esp=esp,
            email=document,
            errors=dict(problems),
            downloads=[(fmt, f"/desk/digest.{fmt}" + query(**params)) for fmt in EMAIL_FILES],
            status_code=400 if problems else 200,
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
