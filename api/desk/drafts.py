"""Editorial desk pages: the review queue, and drafts with their previews and diff.

Writing is in ``api.desk.editing``, sign-off and publishing in ``api.desk.publishing``; each
route states the API role it needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from msgspec.structs import replace

import exporters
from api.controllers.params import EspParam, PaperParam, SizeParam, SlugParam
from api.deps import EditorialDep, ExportsDep, ReaderDep
from api.desk.diffs import rows
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.messages import plain
from api.desk.picks import summaries
from api.desk.previews import preview_bundle
from api.desk.queues import waiting_for
from api.desk.sharing import share_panel
from api.desk.web import (
    DeskLocale,
    Pages,
    PagesDep,
    current,
    desk_opts,
    file,
    headers,
    in_locale,
    item_url,
    kind_of,
    per_kind,
)
from api.exports import Exports
from api.reader import Reader, today
from content import model
from content.diff import diff_items
from content.editorial import Draft, Editorial
from content.errors import ContentError
from content.locales import DEFAULT_LOCALE, canonical
from content.options import DEFAULT_ESP, DEFAULT_SIZE
from exporters.web import PageOptions


async def actor(request: Request[Any, Any, Any]) -> tuple[str, str]:
    """(token name, display name) of the signed-in person; guards ran before this."""
    session = await current(request)
    assert session is not None
    return session.token_name, session.display_name


async def latest_number(reader: Reader, kind: model.Kind, slug: SlugParam, locale: str) -> int:
    try:
        return (await reader.locate(kind, slug, locales=(locale,))).number
    except ContentError:
        return 0


async def page_html(reader: Reader, exports: Exports, item: model.Content, latest: int, author: str) -> str:
    bundle = await preview_bundle(reader, item, latest, author)
    options = PageOptions(exports.public_url, latest, today())
    # Rendered afresh, not through the export caches: drafts change with every keystroke.
    return exporters.render("web", "html", [bundle], options).decode()


async def handout_pdf(
    reader: Reader, exports: Exports, draft: Draft, paper: PaperParam = None, size: SizeParam = DEFAULT_SIZE
) -> bytes:
    """The draft as its handout PDF, as publishing it now would print."""
    bundle = await preview_bundle(reader, draft.content, draft.info.based_on_version, draft.info.updated_by)
    return (await exports.render("pdf", "pdf", [bundle], exports.handout_options(paper, size))).body


def form_etag(form: Any) -> str:
    return str(form.get("etag", "")).strip().strip('"')


async def draft_page(
    request: Request[Any, Any, Any],
    pages: Pages,
    editorial: Editorial,
    reader: Reader,
    kind: model.Kind,
    slug: SlugParam,
    locale: str,
    problem: str = "",
    status_code: int = 200,
    comment_error: str = "",
    comment_text: str = "",
) -> Response[Any]:
    draft = await editorial.get(kind, slug, locale)
    people, reviewers = await editorial.people(), await editorial.reviewers()
    based = draft.info.based_on_version
    diff_rows = None
    if based:
        stored = await reader.version(kind, slug, based, locale)
        # The review is what this page records, not a change an editor made: leave it out.
        published, drafted = replace(stored.content, review=None), replace(draft.content, review=None)
        diff_rows = rows(diff_items(published, drafted, based, based + 1))
    return await pages.render(
        request,
        "draft.html.j2",
        kind=kind,
        draft=draft,
        item=draft.content,
        based=based,
        rows=diff_rows,
        base=item_url(kind, slug),
        problem=plain(problem, ui_language(request)) if problem else problem,
        default_next=(today() + dt.timedelta(days=365)).isoformat(),
        min_next=(today() + dt.timedelta(days=1)).isoformat(),
        readability=draft.info.readability,
        # Four eyes: who edited it (none of them may sign it off), and who may instead.
        editors=[people.get(name, name) for name in draft.info.edited_by],
        signers=[shown for name, shown in reviewers.items() if name not in draft.info.edited_by],
        # Unpublished releases this draft may join (content.releases).
        releases=[r for r in await editorial.releases.summaries() if r.published_at is None],
        # Comments of this draft cycle (content.comments), and a refused one back at its field.
        comments=await editorial.comments.of(kind, slug, locale),
        comment_error=comment_error,
        comment_text=comment_text,
        share=await share_panel(request, editorial, kind, slug, locale),  # preview links (api.desk.share)
        status_code=status_code,
        **in_locale(locale),
    )


class DraftController(Controller):
    """The review queue and drafts with their previews."""

    @get("/review", **desk_opts("reader"))
    async def queue(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
    ) -> Response[Any]:
        """What waits for this person (api.desk.queues), then for everyone: drafts waiting, published
        translations never reviewed, and published items whose review is due or overdue."""
        day = today()
        due = [s for s in await summaries(reader, True) if s.review.status_on(day) in ("due", "overdue")]
        due.sort(key=lambda s: s.review.next_review_on or day)
        waiting = await editorial.waiting()
        return await pages.render(
            request,
            "queue.html.j2",
            mine=await waiting_for(editorial, await current(request), waiting),
            drafts=waiting,
            unreviewed=await editorial.unreviewed(),
            due=due,
            day=day,
        )

    @get(per_kind("/draft"), **desk_opts("reader"))
    async def draft(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft beside the published version: the diff, previews, sign-off and publish."""
        kind = kind_of(request)
        return await draft_page(request, pages, editorial, reader, kind, slug, canonical(locale))

    @get(per_kind("/draft/page"), **desk_opts("reader"))
    async def preview_page(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as its patient page."""
        draft = await editorial.get(kind_of(request), slug, canonical(locale))
        html = await page_html(
            reader, exports, draft.content, draft.info.based_on_version, draft.info.updated_by
        )
        return Response(html, media_type="text/html", headers=headers(private=True))

    @get(per_kind("/draft/handout.pdf"), **desk_opts("reader"))
    async def preview_handout(
        self,
        request: Request[Any, Any, Any],
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        paper: PaperParam = None,
        size: SizeParam = DEFAULT_SIZE,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as its handout PDF."""
        draft = await editorial.get(kind_of(request), slug, canonical(locale))
        body = await handout_pdf(reader, exports, draft, paper, size)
        return file(body, "application/pdf", f"{slug}-draft.pdf", inline=True)

    @get(per_kind("/draft/email"), **desk_opts("reader"))
    async def preview_email(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        exports: ExportsDep,
        slug: SlugParam,
        esp: EspParam = DEFAULT_ESP,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The draft as its email, at 600 and 375 px."""
        kind = kind_of(request)
        locale = canonical(locale)
        draft = await editorial.get(kind, slug, locale)
        bundle = await preview_bundle(
            reader, draft.content, draft.info.based_on_version, draft.info.updated_by
        )
        document = msgspec.json.decode(
            exporters.render("email", "json", [bundle], exports.email_options(esp))
        )
        base = item_url(kind, slug)
        return await pages.render(
            request,
            "email.html.j2",
            title=catalog(ui_language(request))["draft_title"].format(title=draft.content.title),
            email=document,
            esp=esp,
            action=base + "/draft/email",
            versions=[],
            version=None,
            downloads=[],
            back=(
                item_url(kind, slug, "/draft", locale),
                catalog(ui_language(request))["draft_title"].format(title=draft.content.title),
            ),
            **in_locale(locale),
        )
