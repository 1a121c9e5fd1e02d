"""Images in the store: uploaded once, re-encoded without metadata, addressed by content hash.

An upload is decoded by Pillow (the real type from the bytes, never the name or the declared
type), turned upright by its EXIF orientation and encoded again from bare pixels, so no EXIF,
GPS, XMP, comment or text chunk survives; an ICC profile is converted to sRGB and dropped. The
encoding is deterministic: the same upload gives the same bytes, so the same hash. Assets and
their variants (smaller widths, WebP) live in the database, so replicas share them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import io
import struct
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

import sqlalchemy as sa
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from content.db import as_utc, drafts, items, media_assets, media_variants, retried, utcnow, versions
from content.errors import InvalidInput
from content.types import Wire

if TYPE_CHECKING:
    from content.database import Database

Format: TypeAlias = Literal["png", "jpeg", "webp"]
WIDTHS = (320, 640, 1280)
FORMATS: tuple[Format, ...] = ("png", "jpeg", "webp")
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
_JPEG_QUALITY = 88
_WEBP_QUALITY = 82


class Asset(Wire, kw_only=True):
    """An uploaded image: immutable, named by the SHA-256 of its stored (re-encoded) bytes."""

    hash: str
    format: Format
    width: int
    height: int
    bytes: int
    created_at: dt.datetime
    created_by: str


class Variant(Wire, kw_only=True):
    """One served rendition of an asset; ``url`` is relative (callers prefix the public URL)."""

    url: str
    width: int
    height: int
    format: Format


class MediaRefused(InvalidInput):
    """An upload that is no acceptable image; ``status`` is the HTTP status that fits
    (413 too large, 415 not PNG, JPEG or WebP, 422 damaged). ``field`` names the file."""

    def __init__(self, status: int, detail: str, field: str = "$.file") -> None:
        super().__init__(field, detail)
        self.status = status


def variants(asset_hash: str, fmt: str, width: int, height: int) -> list[Variant]:
    """The variants of an asset: each width of WIDTHS below its own, and its own width; in
    WebP, then in its own format (once, for a WebP asset)."""
    widths = [w for w in WIDTHS if w < width] + [width]
    formats = ["webp"] if fmt == "webp" else ["webp", fmt]
    return [
        Variant(
            url=f"/media/{asset_hash}/{w}.{f}",
            width=w,
            height=max(1, round(height * w / width)),
            format=cast(Format, f),
        )
        for f in formats
        for w in widths
    ]


# --- pure image work (uploads in a thread, variants in a render worker) -------------------------


def prepare(data: bytes, max_bytes: int, max_pixels: int) -> tuple[bytes, Format, int, int]:
    """The upload as stored: (bytes, format, width, height); raises MediaRefused."""
    if len(data) > max_bytes:
        raise MediaRefused(413, f"The image is {len(data)} bytes; the limit is {max_bytes} bytes.")
    if not data:
        raise MediaRefused(422, "The file is empty.")
    if _looks_like_svg(data):
        raise MediaRefused(
            415, "SVG images are not accepted (they can carry scripts); upload a PNG, JPEG or WebP."
        )
    image, fmt = _decode(data, max_pixels)
    try:
        image = _upright_srgb(image)  # reads the EXIF, which may be as hostile as the rest
        encoded = _encode(_bare(image, fmt), fmt)
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error):
        raise MediaRefused(422, "The image's metadata is damaged and it cannot be read.") from None
    return encoded, fmt, image.width, image.height


def make_variant(original: bytes, width: int, fmt: str) -> bytes:
    """A stored original scaled to ``width`` (never up) and encoded as ``fmt``; pure."""
    with Image.open(io.BytesIO(original)) as opened:
        opened.load()
        image = opened.copy()
    if width < image.width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return _encode(_bare(image, cast(Format, fmt)), cast(Format, fmt))


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _decode(data: bytes, max_pixels: int) -> tuple[Image.Image, Format]:
    # WeasyPrint, once imported, tells Pillow to pad truncated images (a process-wide switch):
    # an upload must be whole, so it is switched back before every decode of one.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # Pillow's guard (Image.MAX_IMAGE_PIXELS) refuses a bomb before its pixels are decoded.
        image = Image.open(io.BytesIO(data), formats=list(_PILLOW_FORMATS))
        fmt = cast(Format, _PILLOW_FORMATS[str(image.format)])
        _check_pixels(image.width, image.height, max_pixels)
        image.load()
    except MediaRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRefused(413, f"The image has more pixels than the limit of {max_pixels}.") from None
    except UnidentifiedImageError:
        raise MediaRefused(415, "The file is not a PNG, JPEG or WebP image.") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        raise MediaRefused(422, "The image is truncated or damaged and cannot be read.") from None
    return image, fmt


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width < 1 or height < 1:
        raise MediaRefused(422, "The image has no pixels.")
    if width * height > max_pixels:
        raise MediaRefused(
            413, f"The image is {width}×{height} pixels; the limit is {max_pixels} pixels in all."
        )


def _upright_srgb(image: Image.Image) -> Image.Image:
    """The first frame, turned by its EXIF orientation, its ICC profile's colours made sRGB."""
    with contextlib.suppress(EOFError):
        image.seek(0)
    upright = ImageOps.exif_transpose(image) or image
    icc = image.info.get("icc_profile")
    if icc and upright.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            out_mode = "RGBA" if upright.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(upright, source, srgb, outputMode=out_mode)
            if converted is not None:
                upright = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels as they are, the profile dropped
    return upright


def _bare(image: Image.Image, fmt: Format) -> Image.Image:
    """The pixels alone, in a mode the format stores: no info, EXIF, text or profile rides along."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda v: v / 256).convert("L")  # 16-bit grey: 8 bits are plenty here
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt == "jpeg":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    elif image.mode in ("L", "RGB") and not has_alpha:
        mode = image.mode
    else:
        mode = "RGBA" if has_alpha else "RGB"
    converted = image.convert(mode) if image.mode != mode else image
    return Image.frombytes(mode, converted.size, converted.tobytes())


def _encode(image: Image.Image, fmt: Format) -> bytes:
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, "PNG", optimize=False, compress_level=6)
    elif fmt == "jpeg":
        image.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True, progressive=False)
    else:
        image.save(out, "WEBP", quality=_WEBP_QUALITY, method=4, exact=False)
    return out.getvalue()


# --- the library --------------------------------------------------------------------------------


class MediaLibrary:
    """Assets and their variants in the database (tables ``media_assets``, ``media_variants``)."""

    def __init__(self, engine: AsyncEngine, *, max_bytes: int, max_pixels: int) -> None:
        self.engine = engine
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._making: dict[tuple[str, int, str], asyncio.Future[bytes]] = {}
        # Pillow's own guard stays on, at the limit: it refuses before decoding a bomb's pixels.
        Image.MAX_IMAGE_PIXELS = max_pixels

    @classmethod
    def from_database(cls, database: Database, *, max_bytes: int, max_pixels: int) -> MediaLibrary:
        return cls(database.engine, max_bytes=max_bytes, max_pixels=max_pixels)

    async def put(self, data: bytes, actor: str) -> tuple[Asset, bool]:
        """Store an upload; (the asset, whether it is new). Raises MediaRefused."""
        if len(data) > self.max_bytes:  # before a thread is taken
            raise MediaRefused(413, f"The image is {len(data)} bytes; the limit is {self.max_bytes} bytes.")
        body, fmt, width, height = await asyncio.to_thread(prepare, data, self.max_bytes, self.max_pixels)
        digest = hashlib.sha256(body).hexdigest()
        row = {
            "hash": digest,
            "format": fmt,
            "width": width,
            "height": height,
            "bytes": len(body),
            "data": body,
            "created_at": utcnow(),
            "created_by": actor,
        }
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = insert(media_assets).values(row).on_conflict_do_nothing(index_elements=["hash"])
        async with self.engine.begin() as conn:
            created = (await conn.execute(statement)).rowcount == 1
        asset = await self.get(digest)
        if asset is None:  # pragma: no cover - a row just written or found is there
            raise RuntimeError("the asset vanished after it was stored")
        return asset, created

    @retried
    async def get(self, asset_hash: str) -> Asset | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(_ASSET_COLUMNS.where(media_assets.c.hash == asset_hash))).first()
        return _asset(row) if row is not None else None

    @retried
    async def original(self, asset_hash: str) -> bytes | None:
        async with self.engine.connect() as conn:
            data = await conn.scalar(sa.select(media_assets.c.data).where(media_assets.c.hash == asset_hash))
        return bytes(data) if data is not None else None

    @retried
    async def all(self) -> list[Asset]:
        """Every asset, newest first."""
        query = _ASSET_COLUMNS.order_by(media_assets.c.created_at.desc(), media_assets.c.hash)
        async with self.engine.connect() as conn:
            return [_asset(row) for row in await conn.execute(query)]

    @retried
    async def usage(self, asset_hash: str) -> list[tuple[str, str, str]]:
        """(kind, slug, locale) of each item whose draft or latest version names the asset."""
        needle = f"%{asset_hash}%"
        latest = sa.and_(versions.c.item_id == items.c.id, versions.c.number == items.c.latest_version)
        in_versions = (
            sa.select(items.c.kind, items.c.slug, items.c.locale)
            .select_from(items.join(versions, latest))
            .where(self._text(versions.c.content).like(needle))
        )
        in_drafts = (
            sa.select(items.c.kind, items.c.slug, items.c.locale)
            .select_from(items.join(drafts, drafts.c.item_id == items.c.id))
            .where(self._text(drafts.c.content).like(needle))
        )
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.union(in_versions, in_drafts))
            return sorted((row.kind, row.slug, row.locale) for row in rows)

    def _text(self, column: sa.ColumnElement[bytes]) -> sa.ColumnElement[str]:
        if self.engine.dialect.name == "postgresql":
            return sa.func.convert_from(column, "UTF8", type_=sa.Text)
        return sa.cast(column, sa.Text)

    async def variant(
        self, asset_hash: str, width: int, fmt: str, make: Callable[[bytes, int, str], Awaitable[bytes]]
    ) -> bytes | None:
        """A variant's bytes, made once (by ``make``, in a worker) and stored; None if the asset
        has no such variant (``variants()`` does not list it)."""
        asset = await self.get(asset_hash)
        if asset is None or not any(
            v.width == width and v.format == fmt
            for v in variants(asset.hash, asset.format, asset.width, asset.height)
        ):
            return None
        if width == asset.width and fmt == asset.format:
            return await self.original(asset_hash)
        if (stored := await self._stored_variant(asset_hash, width, fmt)) is not None:
            return stored
        # One make per variant in this process, however many ask; a requester that goes away
        # does not cancel it for the others (the task runs on, and stores what it made).
        key = (asset_hash, width, fmt)
        making = self._making.get(key)
        if making is None:
            making = asyncio.ensure_future(self._make(asset_hash, width, fmt, make))
            self._making[key] = making
            making.add_done_callback(lambda _done: self._making.pop(key, None))
        return await asyncio.shield(making)

    async def _make(
        self, asset_hash: str, width: int, fmt: str, make: Callable[[bytes, int, str], Awaitable[bytes]]
    ) -> bytes:
        original = await self.original(asset_hash)
        if original is None:  # pragma: no cover - assets are never deleted
            raise RuntimeError("the asset's original is missing")
        body = await make(original, width, fmt)
        row = {"hash": asset_hash, "width": width, "format": fmt, "data": body, "created_at": utcnow()}
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(media_variants)
            .values(row)
            .on_conflict_do_nothing(index_elements=["hash", "width", "format"])
        )
        async with self.engine.begin() as conn:
            await conn.execute(statement)
        # Another replica may have stored its own first: serve what is stored, so every replica
        # answers the same bytes (and ETag) for this URL.
        return await self._stored_variant(asset_hash, width, fmt) or body

    @retried
    async def _stored_variant(self, asset_hash: str, width: int, fmt: str) -> bytes | None:
        query = sa.select(media_variants.c.data).where(
            media_variants.c.hash == asset_hash,
            media_variants.c.width == width,
            media_variants.c.format == fmt,
        )
        async with self.engine.connect() as conn:
            data = await conn.scalar(query)
        return bytes(data) if data is not None else None


_ASSET_COLUMNS = sa.select(
    media_assets.c.hash,
    media_assets.c.format,
    media_assets.c.width,
    media_assets.c.height,
    media_assets.c.bytes,
    media_assets.c.created_at,
    media_assets.c.created_by,
)


def _asset(row: Any) -> Asset:  # a row of _ASSET_COLUMNS
    return Asset(
        hash=row.hash,
        format=cast(Format, row.format),
        width=row.width,
        height=row.height,
        bytes=row.bytes,
        created_at=as_utc(row.created_at),
        created_by=row.created_by,
    )
