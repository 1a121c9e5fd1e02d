"""Hostile uploads: each gets a 4xx problem or a correct, metadata-free asset; never a 5xx, and
never a path, file name or metadata in any answer. On SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections import Counter
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from PIL import Image

from api.settings import Settings
from tests.api.test_media import no_metadata, upload
from tests.conftest import bearer, folio_server
from tests.content.test_media import gps_jpeg, image_bytes

Client = TestClient[Any]
LEAKS = ("passwd", "../", "/tmp", "/work", "Traceback", "PhoneMaker", "taken at home", "<script")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, idat: bytes, extra: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def bomb(side: int = 8000) -> bytes:
    """A PNG of side x side zero pixels: 64 MB of pixels in about 64 KB."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return png(side, side, idat)


def huge_jpeg_header() -> bytes:
    """A small JPEG whose frame header claims 65000 x 65000 pixels."""
    data = bytearray(image_bytes("JPEG", (64, 64)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    return bytes(data)


def refused(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    for word in words:
        assert word in problem["detail"], problem
    assert not any(leak in response.text for leak in LEAKS), response.text


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HOSTILE = {
    "bomb": (bomb(), 413, "pixels"),
    "huge-dimensions-tiny-file": (png(60000, 60000, zlib.compress(b"\x00" * 100)), 413, "pixels"),
    "huge-jpeg-header": (huge_jpeg_header(), 413, "pixels"),
    "truncated-jpeg": (gps_jpeg()[:2000], 422, "truncated"),
    "truncated-png": (image_bytes(size=(400, 300))[:-40], 422, "truncated"),
    "pdf-with-png-signature": (b"\x89PNG\r\n\x1a\n" + PDF, 415, "PNG, JPEG or WebP"),
    "pdf-with-jpeg-start": (b"\xff\xd8\xff\xe0" + PDF, 422, "damaged"),
    "pdf": (PDF, 415, "PNG, JPEG or WebP"),
    "html": (b"<!doctype html><html><script>alert(1)</script></html>", 415, "PNG, JPEG or WebP"),
    "svg": (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', 415, "SVG"),
    "gif": (image_bytes("GIF", (40, 40)), 415, "PNG, JPEG or WebP"),
    "bmp": (image_bytes("BMP", (40, 40)), 415, "PNG, JPEG or WebP"),
    "empty": (b"", 422, "empty"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_are_refused_with_a_problem(client: Client, tokens: dict[str, str], case: str) -> None:
    data, status, word = HOSTILE[case]
    response = upload(client, tokens["editor"], data, "../../etc/passwd.png", "image/png")
    refused(response, status, word)
    assert response.json()["errors"] == [
        {"name": "$.file", "detail": response.json()["detail"], "source": "body"}
    ]
    assert client.get("/v1/media", headers=bearer(tokens["editor"])).json()["media"] == []


def test_an_image_that_is_also_html_is_stored_as_the_image_alone(
    client: Client, tokens: dict[str, str]
) -> None:
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    plain = image_bytes(size=(200, 100))
    with_text = plain[:33] + chunk(b"tEXt", b"Comment\x00" + html) + plain[33:]  # after IHDR
    for data in (plain + html, with_text):
        response = upload(client, tokens["editor"], data, "x.html", "text/html")
        assert response.status_code in (200, 201), response.text
        asset = response.json()
        assert (asset["format"], asset["width"], asset["height"]) == ("png", 200, 100)
        for variant in asset["variants"]:
            served = client.get(variant["url"])
            assert served.headers["content-type"] == f"image/{variant['format']}"
            assert served.headers["x-content-type-options"] == "nosniff"
            assert b"<script" not in served.content and b"<html" not in served.content
            no_metadata(served.content)


def test_the_declared_type_and_file_name_are_ignored(client: Client, tokens: dict[str, str]) -> None:
    response = upload(client, tokens["editor"], gps_jpeg(), "../../etc/passwd.png", "application/pdf")
    assert response.status_code == 201
    assert response.json()["format"] == "jpeg"
    assert not any(leak in response.text for leak in LEAKS), response.text
    detail = client.get(response.headers["location"], headers=bearer(tokens["editor"]))
    assert not any(leak in detail.text for leak in LEAKS), detail.text


@pytest.mark.parametrize(
    ("mode", "fmt", "stored_mode"),
    [
        ("CMYK", "JPEG", "RGB"),
        ("L", "JPEG", "L"),
        ("I;16", "PNG", "L"),
        ("P", "PNG", "RGB"),
        ("LA", "PNG", "RGBA"),
    ],
)
def test_unusual_pixel_formats_become_plain_assets(
    client: Client, tokens: dict[str, str], mode: str, fmt: str, stored_mode: str
) -> None:
    out = io.BytesIO()
    Image.new(mode, (300, 200)).save(out, fmt)
    response = upload(client, tokens["editor"], out.getvalue())
    assert response.status_code == 201, response.text
    for variant in response.json()["variants"]:
        image = no_metadata(client.get(variant["url"]).content)
        assert image.size == (variant["width"], variant["height"])
    original = client.get(response.json()["variants"][-1]["url"]).content
    assert Image.open(io.BytesIO(original)).mode == stored_mode


def test_a_form_without_a_file_is_a_problem(client: Client, tokens: dict[str, str]) -> None:
    editor = bearer(tokens["editor"])
    wrong_part = client.post(
        "/v1/media", files={"image": ("a.png", image_bytes(), "image/png")}, headers=editor
    )
    text_part = client.post("/v1/media", data={"file": "not a file"}, headers=editor)
    raw = client.post("/v1/media", content=image_bytes(), headers=editor | {"Content-Type": "image/png"})
    for response in (wrong_part, text_part, raw):
        refused(response, 400)
    assert wrong_part.json()["errors"][0]["detail"] == "Object missing required field `file`"


def test_over_the_byte_limit_is_413(client: Client, tokens: dict[str, str]) -> None:
    limit = 10 * 2**20
    near = upload(client, tokens["editor"], b"\xff\xd8" + b"\x00" * limit)  # within the form's allowance
    refused(near, 413, "limit")
    far = upload(client, tokens["editor"], b"\x00" * (limit + 2**20))  # refused before it is read whole
    assert far.status_code == 413
    assert far.headers["content-type"] == "application/problem+json"


@pytest.mark.anyio
async def test_concurrent_uploads_of_the_same_bytes_make_one_asset(
    settings: Settings, tokens: dict[str, str]
) -> None:
    env = {
        "FOLIO_DATABASE_URL": settings.database_url,
        "FOLIO_DATA_DIR": settings.data_dir,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
    }
    data = gps_jpeg((1200, 800))
    with folio_server(env) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            uploads = [
                http.post(
                    "/v1/media",
                    files={"file": (f"../{n}.jpg", data, "image/jpeg")},
                    headers=bearer(tokens["editor"]),
                )
                for n in range(12)
            ]
            responses = await asyncio.gather(*uploads)
            assert Counter(r.status_code for r in responses) == {201: 1, 200: 11}
            assert len({r.content for r in responses}) == 1
            url = responses[0].json()["variants"][0]["url"]
            served = await asyncio.gather(*(http.get(url) for _ in range(8)))
            assert {r.status_code for r in served} == {200}
            assert len({r.content for r in served}) == 1
            listed = await http.get("/v1/media", headers=bearer(tokens["editor"]))
            assert len(listed.json()["media"]) == 1
