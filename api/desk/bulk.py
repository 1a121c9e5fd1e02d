"""Bulk archive from the library: a confirmation page that lists the items and says what archiving
does, then each item archived on its own; the page reports which were and which were refused, why."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, Response, post

from api.deps import EditorialDep, ReaderDep
from api.desk.drafts import actor
from api.desk.picks import parse_refs, summaries
from api.desk.web import PagesDep, desk_opts, ref_key
from api.reader import today
from content import model
from content.errors import Conflict, ContentError, Gone, NotFound
from content.locales import DEFAULT_LOCALE


def refusal(exc: ContentError, ref: model.ItemRef, titles: dict[str, str]) -> tuple[str, str]:
    """Why one item was not archived: a label key, and the titles of the items that include it
    (the service names them by kind and slug: "… is embedded by article 'x' in es; …")."""
    if isinstance(exc, Conflict):
        named = re.findall(r"(article|faq|comparison) '([a-z0-9-]+)'", exc.detail.partition("embedded by")[2])
        found = [
            titles.get(ref_key(model.ItemRef(type=kind, slug=slug, locale=ref.locale)), slug)
            for kind, slug in named
        ]
        return "bulk_refused_embedded", ", ".join(found)
    if isinstance(exc, NotFound | Gone):
        return "bulk_refused_gone", ""
    return "bulk_refused_other", exc.detail


class BulkController(Controller):
    """Archive the library's selection (publisher)."""

    @post("/archive", **desk_opts("publisher"), status_code=200)
    async def archive(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        reader: ReaderDep,
        editorial: EditorialDep,
    ) -> Response[Any]:
        """Without ``confirm``: what will happen to which items. With it: archive each, report each."""
        form = await request.form()
        refs = parse_refs([str(v) for v in form.getall("selected", [])])
        titles = {ref_key(s): s.title for s in await summaries(reader, withdrawn_ok=True)}
        title = {ref_key(r): titles.get(ref_key(r), r.slug) for r in refs}
        done: list[model.ItemRef] = []
        refused: list[tuple[model.ItemRef, str, str]] = []
        confirmed = form.get("confirm") == "yes" and bool(refs)
        if confirmed:
            name = (await actor(request))[0]
            for ref in refs:
                try:
                    await editorial.archive(ref.type, ref.slug, name, ref.locale or DEFAULT_LOCALE)
                    done.append(ref)
                except ContentError as exc:
                    refused.append((ref, *refusal(exc, ref, titles)))
        return await pages.render(
            request,
            "bulk_archive.html.j2",
            refs=refs,
            keys=[ref_key(r) for r in refs],
            title=title,
            confirmed=confirmed,
            done=done,
            refused=refused,
            day=today(),
            status_code=200 if refs else 400,
        )
