"""Desk pages anyone may use: find, open and print; packets; email copy and digests; compare."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import Parameter, QueryParameter
from msgspec.structs import replace

from api.controllers.params import EspParam, PaperParam, SizeParam, SlugParam
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.diffs import rows
from api.desk.picks import (
    EMAIL_FILES,
    email_document,
    form_token,
    locales_published,
    placeholder_unsubscribe,
    ranked,
    read_packet,
    summaries,
)
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
from api.reader import today
from content import model
from content.diff import diff_items
from content.errors import ContentError, Gone
from content.locales import DEFAULT_LOCALE, canonical
from content.options import DEFAULT_ESP, DEFAULT_SIZE

Text = Annotated[str, Parameter(max_length=2000)]
Lang = Annotated[str, Parameter(max_length=20)]


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
        lang: Lang = "",  # a locale; empty for any
        added: Annotated[str, Parameter(max_length=200)] = "",  # just added to the packet: focus it
    ) -> Response[Any]:
        """The library: search (best match first) and filter by type, tag, review status, language."""
        items = await summaries(reader, withdrawn_ok=True)
        locales = await locales_published(reader)
        if q.strip():
            items = await ranked(reader, items, q, [lang] if lang in locales else locales)
        day = today()
        all_tags = sorted({t for s in items for t in s.tags})
        items = [
            s
            for s in items
            if (not type or s.type == type)
            and (not tag or tag in s.tags)
            and (not status or s.review.status_on(day) == status)
            and (not lang or s.locale == lang)
        ]
        token, cookies = await form_token(request)
        here = request.url.path + query(q=q, type=type, tag=tag, status=status, lang=lang)
        return await pages.render(
            request,
            "library.html.j2",
            items=items,
            q=q,
            type=type,
            tag=tag,
            status=status,
            lang=lang,
            locales=locales,
            tags=all_tags,
            day=day,
            in_packet=read_packet(request).keys,
            added=added,
            back=here,
            packet_csrf=token,
            cookies=cookies,
            searching=bool(q or type or tag or status or lang or added),
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
        added: Annotated[str, Parameter(max_length=200)] = "",  # just added to the packet: focus it
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
        token, cookies = await form_token(request)
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
            packet_csrf=token,
            cookies=cookies,
            added=added,
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
            unsubscribe=exports.unsubscribe if placeholder_unsubscribe(exports) else None,
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
