"""The draft page's share panel: the link just made (``?shared=TOKEN``), or why none was."""

from __future__ import annotations

from typing import Any

from litestar import Request

from content import model
from content.editorial import Editorial
from content.share_links import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS, BadLink, ShareLinks


def share_links(editorial: Editorial) -> ShareLinks:
    return ShareLinks.of(editorial)


def shared_path(token: str) -> str:
    return f"/desk/shared/{token}"


async def share_panel(
    request: Request[Any, Any, Any], editorial: Editorial, kind: model.Kind, slug: str, locale: str
) -> dict[str, Any]:
    """What ``_share.html.j2`` shows: the form's limits, and the link made for this draft if any."""
    params = request.query_params
    panel: dict[str, Any] = {
        "days": DEFAULT_DAYS,
        "min": MIN_DAYS,
        "max": MAX_DAYS,
        "error": params.get("share_error") == "days",
        "link": None,
        "url": "",
    }
    token = params.get("shared", "")
    if token:
        try:
            link = await share_links(editorial).check(token)
        except BadLink:
            return panel
        if (link.kind, link.slug, link.locale) == (kind, slug, locale) and not link.expired():
            panel |= {"link": link, "url": str(request.base_url).rstrip("/") + shared_path(token)}
    return panel
