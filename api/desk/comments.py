"""Comments on a draft, from its review view: anyone who works on drafts (editor and up)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post

from api.controllers.params import SlugParam
from api.deps import EditorialDep, ReaderDep
from api.desk.drafts import draft_page
from api.desk.i18n import ui_language
from api.desk.labels import catalog
from api.desk.web import DeskLocale, PagesDep, current, desk_opts, item_url, kind_of, per_kind, redirect
from content.comments import LONGEST, checked
from content.errors import InvalidInput
from content.locales import DEFAULT_LOCALE, canonical


def comment_problem(text: str, labels: dict[str, str]) -> str:
    """What is wrong with a comment, in the desk's words; "" when nothing is."""
    try:
        checked(text)
    except InvalidInput:
        stripped = text.strip()
        if not stripped:
            return labels["comment_empty"]
        if len(stripped) > LONGEST:
            return labels["comment_too_long"].format(count=len(stripped))
        return labels["comment_control"]
    return ""


class CommentController(Controller):
    @post(per_kind("/draft/comments"), **desk_opts("editor"), status_code=303)
    async def comment(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        editorial: EditorialDep,
        reader: ReaderDep,
        slug: SlugParam,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """Adds the comment (kept in the audit log too) and shows it in the review view."""
        kind, locale = kind_of(request), canonical(locale)
        text = str((await request.form()).get("comment", ""))
        problem = comment_problem(text, catalog(ui_language(request)))
        if problem:
            return await draft_page(
                request,
                pages,
                editorial,
                reader,
                kind,
                slug,
                locale,
                status_code=400,
                comment_error=problem,
                comment_text=text,
            )
        session = await current(request)
        assert session is not None
        await editorial.comments.add(kind, slug, session.token_name, text, locale)
        return redirect(item_url(kind, slug, "/draft", locale, done="commented") + "#comments")
