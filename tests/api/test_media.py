"""POST /v1/media, GET /v1/media(/{hash}) and /media/{hash}/{width}.{format}, as clients see them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image

from tests.conftest import bearer
from tests.content.test_media import gps_jpeg, image_bytes

Client = TestClient[Any]


def upload(client: Client, token: str, data: bytes, name: str = "a.jpg", ctype: str = "image/jpeg") -> Any:
    return client.post("/v1/media", files={"file": (name, data, ctype)}, headers=bearer(token))


def no_metadata(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    assert not image.getexif(), "EXIF survived"
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(image.info), image.info.keys()
    return image


def test_a_phone_photo_is_stored_upright_without_gps_and_served_in_every_variant(
    client: Client, tokens: dict[str, str]
) -> None:
    created = upload(client, tokens["editor"], gps_jpeg((1600, 1200)))
    assert created.status_code == 201, created.text
    asset = created.json()
    assert (asset["format"], asset["width"], asset["height"]) == ("jpeg", 1200, 1600)
    assert asset["createdBy"] == "editor"
    assert created.headers["location"] == f"/v1/media/{asset['hash']}"
    assert created.headers["cache-control"] == "private, no-store"
    assert [(v["format"], v["width"], v["height"]) for v in asset["variants"]] == [
        ("webp", 320, 427),
        ("webp", 640, 853),
        ("webp", 1200, 1600),
        ("jpeg", 320, 427),
        ("jpeg", 640, 853),
        ("jpeg", 1200, 1600),
    ]
    for variant in asset["variants"]:
        served = client.get(variant["url"])
        assert served.status_code == 200, (variant["url"], served.text)
        assert served.headers["content-type"] == f"image/{variant['format']}"
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["x-content-type-options"] == "nosniff"
        image = no_metadata(served.content)
        assert image.format == variant["format"].upper()
        assert image.size == (variant["width"], variant["height"])
        assert b"PhoneMaker" not in served.content


def test_the_same_bytes_answer_200_with_the_same_asset(client: Client, tokens: dict[str, str]) -> None:
    data = image_bytes(size=(500, 400))
    first = upload(client, tokens["editor"], data, "a.png", "image/png")
    again = upload(client, tokens["publisher"], data, "b.png", "image/png")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()  # created by the first uploader, at the first time
    listed = client.get("/v1/media", headers=bearer(tokens["editor"])).json()["media"]
    assert [a["hash"] for a in listed] == [first.json()["hash"]]


def test_the_list_is_newest_first_and_the_detail_says_where_an_image_is_used(
    client: Client, tokens: dict[str, str]
) -> None:
    editor = bearer(tokens["editor"])
    older = upload(client, tokens["editor"], image_bytes(size=(300, 200)), "x.png").json()
    newer = upload(client, tokens["editor"], image_bytes("WEBP", (350, 200)), "y.webp").json()
    listed = client.get("/v1/media", headers=editor)
    assert listed.status_code == 200
    assert [a["hash"] for a in listed.json()["media"]] == [newer["hash"], older["hash"]]
    detail = client.get(f"/v1/media/{newer['hash']}", headers=editor).json()
    assert detail["usedIn"] == []
    assert (
        detail["variants"]
        == newer["variants"]
        == [
            {"url": f"/media/{newer['hash']}/320.webp", "width": 320, "height": 183, "format": "webp"},
            {"url": f"/media/{newer['hash']}/350.webp", "width": 350, "height": 200, "format": "webp"},
        ]
    )
    missing = client.get("/v1/media/" + "0" * 64, headers=editor)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/media/not-a-hash", headers=editor).status_code == 400


def test_uploads_and_lists_need_an_editor(client: Client, tokens: dict[str, str]) -> None:
    data = image_bytes()
    assert client.post("/v1/media", files={"file": ("a.png", data, "image/png")}).status_code == 401
    refused = upload(client, tokens["reader"], data)
    assert refused.status_code == 403
    assert refused.json()["status"] == 403
    assert client.get("/v1/media", headers=bearer(tokens["reader"])).status_code == 403
    assert client.get("/v1/media").status_code == 401


def test_variants_have_a_strong_etag_304_and_head(client: Client, tokens: dict[str, str]) -> None:
    asset = upload(client, tokens["editor"], image_bytes(size=(700, 350)), "p.png", "image/png").json()
    url = f"/media/{asset['hash']}/640.webp"
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert client.get(url).content == first.content
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert not_modified.headers["cache-control"] == "public, max-age=31536000, immutable"
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == etag
    assert head.headers["content-type"] == "image/webp"
    assert int(head.headers["content-length"]) == len(first.content)
    own = client.get(f"/media/{asset['hash']}/700.png")
    assert own.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(own.content)).size == (700, 350)


@pytest.mark.parametrize(
    "name",
    ["500.webp", "320.jpeg", "1280.webp", "640.gif", "640.WEBP", "0640.webp", "640", "..%2F..%2Fetc"],
)
def test_only_listed_variants_are_served(client: Client, tokens: dict[str, str], name: str) -> None:
    asset = upload(client, tokens["editor"], image_bytes(size=(700, 350)), "p.png", "image/png").json()
    missing = client.get(f"/media/{asset['hash']}/{name}")
    assert missing.status_code == 404, missing.text
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404


@pytest.mark.parametrize("asset_hash", ["0" * 64, "A" * 64, "abc", "..", "%2e%2e"])
def test_unknown_assets_are_404(client: Client, asset_hash: str) -> None:
    missing = client.get(f"/media/{asset_hash}/320.webp")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
