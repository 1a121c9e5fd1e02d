"""content.media: uploads re-encoded without metadata, addressed by hash, variants made once."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from content.database import Database
from content.media import WIDTHS, MediaLibrary, MediaRefused, make_variant, variants

pytestmark = pytest.mark.anyio

MAX_BYTES = 2 * 2**20
MAX_PIXELS = 4_000_000


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (800, 600), **save: Any) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    for x in range(0, size[0], 7):  # something for the encoder to chew on
        image.putpixel((x, x * size[1] // size[0]), (10, 200, 90))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def gps_jpeg(size: tuple[int, int] = (900, 600), orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # rotate 90° clockwise when shown
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps
    return image_bytes("JPEG", size, exif=exif.tobytes(), comment=b"taken at home")


@pytest.fixture
async def media(db_url: str) -> AsyncIterator[MediaLibrary]:
    database = Database(db_url)
    guard = Image.MAX_IMAGE_PIXELS
    yield MediaLibrary.from_database(database, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS)
    Image.MAX_IMAGE_PIXELS = guard  # the library sets Pillow's guard process-wide
    await database.close()


def test_variants_are_the_widths_below_the_original_and_its_own_in_webp_and_its_format() -> None:
    listed = variants("ab" * 32, "jpeg", 1000, 500)
    assert [(v.format, v.width, v.height) for v in listed] == [
        ("webp", 320, 160),
        ("webp", 640, 320),
        ("webp", 1000, 500),
        ("jpeg", 320, 160),
        ("jpeg", 640, 320),
        ("jpeg", 1000, 500),
    ]
    assert listed[0].url == f"/media/{'ab' * 32}/320.webp"
    assert [v.width for v in variants("c" * 64, "webp", 200, 100)] == [200]
    assert [v.width for v in variants("c" * 64, "png", 5000, 100)] == [*WIDTHS, 5000] * 2


async def test_a_gps_jpeg_is_stored_upright_without_any_metadata(media: MediaLibrary) -> None:
    asset, created = await media.put(gps_jpeg(), "editor")
    assert created
    assert (asset.format, asset.width, asset.height) == ("jpeg", 600, 900)  # turned by orientation 6
    stored = await media.original(asset.hash)
    assert stored is not None and asset.bytes == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
    assert b"PhoneMaker" not in stored and b"taken at home" not in stored


async def test_the_same_bytes_give_the_same_asset_and_one_row(media: MediaLibrary) -> None:
    data = image_bytes()
    first, second = await asyncio.gather(media.put(data, "a"), media.put(data, "b"))
    assert first[0] == second[0]
    assert sorted([first[1], second[1]]) == [False, True]
    again, created = await media.put(data, "c")
    assert again == first[0] and not created
    assert [a.hash for a in await media.all()] == [first[0].hash]


async def test_the_list_is_newest_first_and_get_finds_by_hash(media: MediaLibrary) -> None:
    older, _ = await media.put(image_bytes(size=(300, 200)), "editor")
    newer, _ = await media.put(image_bytes("WEBP", (400, 300)), "editor")
    assert [a.hash for a in await media.all()] == [newer.hash, older.hash]
    assert await media.get(newer.hash) == newer
    assert newer.format == "webp"
    assert await media.get("0" * 64) is None
    assert await media.original("0" * 64) is None


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"", 422),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", 415),
        (b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n", 415),
        (image_bytes("GIF"), 415),
        (image_bytes()[:300], 422),
        (image_bytes(size=(2100, 2000)), 413),
        (b"\x00" * (MAX_BYTES + 1), 413),
    ],
    ids=["empty", "svg", "pdf", "gif", "truncated", "too-many-pixels", "too-many-bytes"],
)
async def test_what_is_no_acceptable_image_is_refused(media: MediaLibrary, data: bytes, status: int) -> None:
    with pytest.raises(MediaRefused) as refused:
        await media.put(data, "editor")
    assert refused.value.status == status
    assert refused.value.field == "$.file"
    assert await media.all() == []


async def test_a_variant_is_made_once_and_kept(media: MediaLibrary) -> None:
    asset, _ = await media.put(image_bytes(size=(1000, 500)), "editor")
    made: list[tuple[int, str]] = []

    async def make(original: bytes, width: int, fmt: str) -> bytes:
        made.append((width, fmt))
        await asyncio.sleep(0.01)
        return make_variant(original, width, fmt)

    bodies = await asyncio.gather(*(media.variant(asset.hash, 320, "webp", make) for _ in range(3)))
    assert made == [(320, "webp")]
    assert len(set(bodies)) == 1
    with Image.open(io.BytesIO(bodies[0])) as image:
        assert (image.format, image.size) == ("WEBP", (320, 160))
    assert await media.variant(asset.hash, 320, "webp", make) == bodies[0]
    assert made == [(320, "webp")]
    # The original's own width and format is the original itself.
    assert await media.variant(asset.hash, 1000, "png", make) == await media.original(asset.hash)
    # Widths and formats variants() does not list are none.
    assert await media.variant(asset.hash, 500, "webp", make) is None
    assert await media.variant(asset.hash, 320, "jpeg", make) is None
    assert await media.variant("0" * 64, 320, "webp", make) is None
    assert made == [(320, "webp")]


async def test_an_icc_profile_is_converted_and_dropped_and_xmp_and_text_go_too(media: MediaLibrary) -> None:
    from PIL import ImageCms, PngImagePlugin

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">GPSLatitude 51,30N</x:xmpmeta>'
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at home")
    text.add_itxt("XML:com.adobe.xmp", xmp.decode())
    for data in (
        image_bytes("JPEG", (320, 240), icc_profile=profile, xmp=xmp),
        image_bytes("PNG", (320, 240), icc_profile=profile, pnginfo=text),
        image_bytes("WEBP", (320, 240), icc_profile=profile, xmp=xmp),
    ):
        assert b"GPSLatitude" in data  # what must not survive was there
        asset, _ = await media.put(data, "editor")
        stored = await media.original(asset.hash)
        assert stored is not None
        with Image.open(io.BytesIO(stored)) as image:
            assert not image.getexif()
            metadata = {"exif", "comment", "icc_profile", "xmp", "XML:com.adobe.xmp", "Comment"}
            kept = metadata & set(image.info)
            assert not kept
        assert b"GPSLatitude" not in stored and b"taken at home" not in stored


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
async def test_an_animation_keeps_its_first_frame_alone(media: MediaLibrary, fmt: str) -> None:
    frames = [Image.new("RGB", (60, 40), (255, 0, 0)), Image.new("RGB", (60, 40), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    asset, _ = await media.put(out.getvalue(), "editor")
    stored = await media.original(asset.hash)
    assert stored is not None
    with Image.open(io.BytesIO(stored)) as image:
        assert getattr(image, "n_frames", 1) == 1
        pixel = image.convert("RGB").getpixel((5, 5))
        assert isinstance(pixel, tuple) and pixel[0] > 250 and pixel[2] < 10  # red, the first frame
