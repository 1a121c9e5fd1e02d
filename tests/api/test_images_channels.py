"""Issue 24's acceptance: a phone photo uploaded, put in an article with alt text, reviewed,
published, and then seen in every channel (JSON, page, handout, email) without its metadata."""

from __future__ import annotations

import email
import email.policy
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
from litestar.testing import TestClient
from PIL import Image as Pillow

from api.settings import Settings
from tests.api.test_media import no_metadata, upload
from tests.api.test_review import reviewer, sign_off
from tests.conftest import bearer
from tests.content.test_media import gps_jpeg, image_bytes

Client = TestClient[Any]
PATH = "/v1/articles/your-pill-organiser"
ALT = "A weekly pill organiser with one box for each day, the lids open"
ALT_ES = "Un pastillero semanal con una caja para cada día, con las tapas abiertas"


def article(media: str, alt: str | None = ALT, locale: str = "en", **image: Any) -> dict[str, Any]:
    block = {"type": "image", "media": media, **({"alt": alt} if alt is not None else {}), **image}
    spanish = locale == "es"
    return {
        "slug": "your-pill-organiser",
        "locale": locale,
        "title": "Su pastillero" if spanish else "Your pill organiser",
        "summary": "Cómo llenarlo cada semana." if spanish else "How to fill it each week.",
        "body": [
            {"type": "paragraph", "text": "Llénelo el mismo día." if spanish else "Fill it on the same day."},
            block,
        ],
    }


def publish(client: Client, tokens: dict[str, str], body: dict[str, Any], token: str) -> Any:
    """Create (or edit) the draft as the editor, have ``token``'s reviewer sign it off, publish."""
    query = f"?locale={body['locale']}"
    found = client.get(PATH + "/draft" + query, headers=bearer(tokens["editor"]))
    if found.status_code == 404 and client.get(PATH + query).json().get("locale") != body["locale"]:
        saved = client.post("/v1/articles", json=body, headers=bearer(tokens["editor"]))
    else:
        started = client.post(PATH + "/draft" + query, headers=bearer(tokens["editor"]))
        saved = client.put(
            PATH + "/draft" + query,
            json=body,
            headers=bearer(tokens["editor"], **{"If-Match": started.headers["etag"]}),
        )
    assert saved.status_code in (200, 201), saved.text
    signed = sign_off(client, token, PATH, saved.headers["etag"], query)
    assert signed.status_code == 200, signed.text
    done = client.post(
        PATH + "/publish" + query, headers=bearer(tokens["publisher"], **{"If-Match": signed.headers["etag"]})
    )
    assert done.status_code == 200, done.text
    return done.json()


def pdf_figures(pdf: bytes) -> list[str]:
    """The /Alt of every Figure in the handout's structure tree."""
    alts: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:

        def walk(node: Any) -> None:
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
                if "/K" in node:
                    walk(node["/K"])

        walk(document.Root.StructTreeRoot)
    return alts


def pdf_images(pdf: bytes, tmp_path: Path) -> list[tuple[int, int]]:
    """(width, height) of each image ``pdfimages -list`` finds."""
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True)
    return [(int(row.split()[3]), int(row.split()[4])) for row in listed.stdout.splitlines()[2:]]


def test_a_phone_photo_reviewed_and_published_shows_in_every_channel_without_metadata(
    client: Client, tokens: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    photo = gps_jpeg((1600, 1200))
    assert Pillow.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the upload carries GPS
    uploaded = upload(client, tokens["editor"], photo)
    assert uploaded.status_code == 201, uploaded.text
    asset = uploaded.json()
    body = article(asset["hash"], caption="Fill it *once a week*.", credit="Photo: Riverside Clinic")
    published = publish(client, tokens, body, reviewer(client, tokens))
    assert published["review"]["reviewedBy"] == "Ana Rivera"

    # JSON: the block, with the asset's size and its variants by absolute URL under the public URL.
    block = client.get(PATH).json()["body"][1]
    assert (block["type"], block["alt"], block["width"], block["height"]) == ("image", ALT, 1200, 1600)
    base = settings.base_url
    assert base.startswith("http") and all(v["url"].startswith(base + "/media/") for v in block["variants"])
    assert [(v["format"], v["width"], v["height"]) for v in block["variants"]] == [
        (v["format"], v["width"], v["height"]) for v in asset["variants"]
    ]
    assert [v["url"] for v in block["variants"]] == [base + v["url"] for v in asset["variants"]]

    # Every variant served has no EXIF, GPS or other metadata.
    for variant in block["variants"]:
        served = client.get(variant["url"].removeprefix(base))
        assert served.status_code == 200, variant["url"]
        image = no_metadata(served.content)
        assert image.size == (variant["width"], variant["height"]) and not image.getexif().get_ifd(0x8825)

    # The page: the figure's img has the alt, a srcset, sizes and its size; the caption shows.
    page = client.get(PATH.removeprefix("/v1")).text
    img = re.search(r"<img [^>]*>", page[page.index('<figure class="figure">') :])
    assert img is not None
    assert f'alt="{ALT}"' in img[0] and 'loading="lazy"' in img[0] and 'width="1200" height="1600"' in img[0]
    assert f"{base}/media/{asset['hash']}/640.jpeg 640w" in img[0] and "sizes=" in img[0]
    assert re.search(
        r"<figcaption>Fill it <em>once a week</em>\. <span class=\"credit\">Photo: Riverside", page
    )

    # The handout: a Figure whose /Alt is the alt text, and the image itself at print resolution.
    handout = client.get(PATH + "/handout.pdf")
    assert handout.status_code == 200
    assert ALT in pdf_figures(handout.content)
    assert (1200, 1600) in pdf_images(handout.content, tmp_path)

    # The email: the 640 variant in the original format by absolute URL, with alt; text says so.
    eml = client.get(PATH + "/email.eml")
    message = email.message_from_bytes(eml.content, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    tag = re.search(r'<img class="figure"[^>]*>', html)
    assert tag is not None, html
    assert f'src="{base}/media/{asset["hash"]}/640.jpeg"' in tag[0] and f'alt="{ALT}"' in tag[0]
    assert 'width="552"' in tag[0] and 'height="736"' in tag[0]
    assert f"[Image: {ALT}]" in " ".join(text.split())


def test_an_image_without_alt_or_asset_is_refused_naming_the_field(
    client: Client, tokens: dict[str, str]
) -> None:
    asset = upload(client, tokens["editor"], image_bytes("PNG", (40, 30))).json()
    for body, field in (
        (article(asset["hash"], alt=None), "$.body[1].alt"),
        (article(asset["hash"], alt=""), "$.body[1].alt"),
        (article(asset["hash"], decorative=True), "$.body[1].alt"),  # decorative, yet with alt text
        (article("0" * 64), "$.body[1].media"),  # no such asset
    ):
        refused = client.post("/v1/articles", json=body, headers=bearer(tokens["editor"]))
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert [e["name"] for e in refused.json()["errors"]] == [field], refused.json()
    decorative = client.post(
        "/v1/articles",
        json=article(asset["hash"], alt=None, decorative=True),
        headers=bearer(tokens["editor"]),
    )
    assert decorative.status_code == 201, decorative.text
    assert decorative.json()["body"][1]["decorative"] is True


def test_an_old_version_keeps_its_picture_and_each_translation_its_own_alt(
    client: Client, tokens: dict[str, str]
) -> None:
    first = upload(client, tokens["editor"], image_bytes("PNG", (800, 600))).json()["hash"]
    second = upload(client, tokens["editor"], image_bytes("PNG", (600, 800))).json()["hash"]
    assert first != second
    old = publish(client, tokens, article(first), tokens["reviewer"])
    spanish = publish(client, tokens, article(first, ALT_ES, locale="es"), tokens["reviewer"])
    assert spanish["body"][1]["alt"] == ALT_ES and spanish["locale"] == "es"
    new = publish(client, tokens, article(second), tokens["reviewer"])
    assert new["version"] == old["version"] + 1
    then = client.get(f"{PATH}?version={old['version']}").json()["body"][1]
    now = client.get(PATH).json()["body"][1]
    assert (then["media"], then["width"], then["height"]) == (first, 800, 600)
    assert (now["media"], now["width"], now["height"]) == (second, 600, 800)
    assert then["variants"][0]["url"].endswith(f"/media/{first}/320.webp")
    assert client.get(PATH.removeprefix("/v1") + f"?version={old['version']}").text.count(first) >= 2
    # The Spanish translation keeps its own image block and alt text, in JSON and on its page.
    es = client.get(PATH + "?locale=es").json()["body"][1]
    assert (es["media"], es["alt"]) == (first, ALT_ES)
    page = client.get(PATH.removeprefix("/v1") + "?locale=es").text
    assert f'alt="{ALT_ES}"' in page and f'alt="{ALT}"' not in page
    # The handouts of the two versions differ (their cache keys cover the picture).
    assert (
        client.get(PATH + "/handout.pdf").headers["etag"]
        != client.get(f"{PATH}/handout.pdf?version={old['version']}").headers["etag"]
    )
