"""The desk's media library: upload images, see each one's size, where it is used and with what alt text.

Alt text belongs to the image block that shows an asset (and to its translation), never to the
asset, so the library lists the alt texts each asset is used with. The Markdown to insert an
asset is shown for each one; the editor's "Insert image" control writes the same Markdown.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile

from api.deps import EditorialDep, MediaDep, ReaderDep
from api.desk.drafts import actor
from api.desk.i18n import ui_language
from api.desk.labels import ALT_GUIDANCE, LABELS, catalog
from api.desk.web import DeskLocale, PagesDep, desk_opts, in_locale, item_url, redirect
from api.problems import _DOMAIN_STATUS
from api.reader import Reader
from content import model
from content.editorial import Editorial
from content.errors import ContentError, NotFound
from content.locales import DEFAULT_LOCALE, canonical
from content.media import Asset, MediaLibrary, variants

THUMBNAIL = 320  # the variant width the grid and the picker show
FORM_OVERHEAD = 64 * 1024  # an upload form's framing and fields besides the image


@dataclass
class Use:
    """One translation that shows an asset, with the alt texts its image blocks give it."""

    kind: str
    slug: str
    locale: str
    title: str
    url: str
    alts: list[str] = field(default_factory=list)
    decorative: bool = False


@dataclass
class Card:
    asset: Asset
    thumbnail: str
    uses: list[Use]

    @property
    def markdown(self) -> str:
        return image_markdown(self.asset.hash)


def image_markdown(asset_hash: str, alt: str = "") -> str:
    """The image block as the desk writes it in an article's Markdown."""
    return f':::image {asset_hash} "{alt or LABELS["media_alt_placeholder"]}"\n:::'


def thumbnail(asset: Asset) -> str:
    """The URL of the asset's 320 px variant (or its smallest, for an image narrower than that)."""
    found = variants(asset.hash, asset.format, asset.width, asset.height)
    exact = [v for v in found if v.width == THUMBNAIL and v.format == asset.format]
    return (exact or sorted(found, key=lambda v: (v.width, v.format != asset.format)))[0].url


def images_in(value: Any, asset_hash: str) -> list[dict[str, Any]]:
    """Every image block (as builtins) inside an item that shows this asset."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        media = value.get("media")
        media_hash = media.get("hash") if isinstance(media, dict) else media
        if value.get("type") == "image" and media_hash == asset_hash:
            found.append(value)
        for one in value.values():
            found += images_in(one, asset_hash)
    elif isinstance(value, list):
        for one in value:
            found += images_in(one, asset_hash)
    return found


async def content_of(
    editorial: Editorial, reader: Reader, kind: model.Kind, slug: str, locale: str
) -> model.Content | None:
    """The translation as editors see it now: its draft, or else its latest version."""
    with contextlib.suppress(NotFound):
        return (await editorial.get(kind, slug, locale)).content
    with contextlib.suppress(ContentError):
        document = await reader.document(kind, slug, locales=(locale,))
        content: model.Content = document.value
        return content
    return None


async def uses_of(media: MediaLibrary, editorial: Editorial, reader: Reader, asset_hash: str) -> list[Use]:
    uses = []
    for kind, slug, locale in await media.usage(asset_hash):
        if kind not in model.KIND_SPECS:
            continue
        content = await content_of(editorial, reader, kind, slug, locale)
        use = Use(kind, slug, locale, content.title if content else slug, item_url(kind, slug, "", locale))
        for block in images_in(msgspec.to_builtins(content), asset_hash) if content else []:
            if block.get("decorative"):
                use.decorative = True
            elif block.get("alt") and block["alt"] not in use.alts:
                use.alts.append(str(block["alt"]))
        uses.append(use)
    return uses


async def cards(media: MediaLibrary, editorial: Editorial, reader: Reader) -> list[Card]:
    return [
        Card(asset, thumbnail(asset), await uses_of(media, editorial, reader, asset.hash))
        for asset in await media.all()
    ]


def size(n: int) -> str:
    """Bytes as people read them."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def refusal(exc: ContentError) -> tuple[int, str]:
    """A refused image's status and plain-language reason, for the upload field."""
    status = getattr(exc, "status", None)  # MediaRefused: 413, 415 or 422
    if not isinstance(status, int):
        status = next((code for kind, code in _DOMAIN_STATUS if isinstance(exc, kind)), 400)
    return status, exc.detail


class MediaController(Controller):
    """/desk/media: the library page, its upload form, and the picker the editor's control loads."""

    @get("/media", **desk_opts("editor"))
    async def library(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        media: MediaDep,
        editorial: EditorialDep,
        reader: ReaderDep,
    ) -> Response[Any]:
        """Every asset, newest first, with its thumbnail, size, uses and Markdown."""
        return await pages.render(
            request, "media.html.j2", cards=await cards(media, editorial, reader), size=size, error=""
        )

    @post("/media", **desk_opts("editor"), status_code=303)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        media: MediaDep,
        editorial: EditorialDep,
        reader: ReaderDep,
    ) -> Response[Any]:
        """Stores the chosen file; a refused image comes back to the form with the reason."""
        form = await request.form()
        upload = form.get("file")
        status, error = 400, catalog(ui_language(request))["media_no_file"]
        if isinstance(upload, UploadFile):
            data = await upload.read()
            if data:
                try:
                    _, created = await media.put(data, (await actor(request))[0])
                except ContentError as exc:
                    status, error = refusal(exc)
                else:
                    return redirect("/desk/media", "uploaded" if created else "uploaded_again")
        return await pages.render(
            request,
            "media.html.j2",
            status_code=status,
            cards=await cards(media, editorial, reader),
            size=size,
            error=error,
        )

    @get("/media/choose", **desk_opts("editor"))
    async def choose(
        self,
        request: Request[Any, Any, Any],
        pages: PagesDep,
        media: MediaDep,
        locale: DeskLocale = DEFAULT_LOCALE,
    ) -> Response[Any]:
        """The editor's image picker (HTML the edit page's script shows): assets, alt text, guidance."""
        assets = [(asset, thumbnail(asset)) for asset in await media.all()]
        guidance = ALT_GUIDANCE.get(canonical(locale).split("-")[0], "")
        return await pages.render(
            request, "media_choose.html.j2", assets=assets, guidance=guidance, **in_locale(locale)
        )
