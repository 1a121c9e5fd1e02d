"""The desk's media library through the app: upload form, refusals at the field, uses, picker, diff."""

from __future__ import annotations

import html
import io
import re

from litestar.testing import TestClient
from PIL import Image

from api.desk.diffs import rows
from content.diff import Diff, ElementChange
from tests.conftest import bearer

ARTICLE = "/v1/articles/ketamine-withdrawal"


def gps_jpeg(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (800, 600)) -> bytes:
    """A phone-like photo: a JPEG whose EXIF says where it was taken."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (40.0, 26.0, 46.0), 3: "W", 4: (79.0, 58.0, 56.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _session(client: TestClient, token: str) -> str:  # type: ignore[type-arg]
    """Signs in through the form; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/desk/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]  # type: ignore[index]
    client.post("/desk/signin", data={"csrf": csrf, "token": token}, follow_redirects=False)
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/desk").text)[1]  # type: ignore[index]


def _upload(client: TestClient, csrf: str, data: bytes, name: str = "photo.jpg"):  # type: ignore[no-untyped-def,type-arg]
    return client.post(
        "/desk/media",
        data={"csrf": csrf},
        files={"file": (name, data, "image/jpeg")},
        follow_redirects=False,
    )


def _assets(page: str) -> list[str]:
    return re.findall(r'id="asset-([0-9a-f]+)"', page)


def test_an_editor_uploads_once_and_sees_the_asset_with_its_markdown(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
) -> None:
    csrf = _session(client, tokens["editor"])
    empty = client.get("/desk/media")
    assert empty.status_code == 200 and "No images yet" in empty.text
    first = _upload(client, csrf, gps_jpeg())
    assert first.status_code == 303 and first.headers["location"] == "/desk/media?done=uploaded"
    again = _upload(client, csrf, gps_jpeg(), "other-name.jpg")
    assert again.headers["location"] == "/desk/media?done=uploaded_again"
    page = client.get("/desk/media?done=uploaded_again").text
    assert "already in the library" in page
    [asset] = _assets(page)
    assert "Not used yet." in page
    assert f":::image {asset} &#34;Describe what matters for the patient&#34;\n:::" in page
    assert "800 × 600 px, JPEG" in page
    thumbnail = re.search(r'class="thumb" src="([^"]+)"', page)[1]  # type: ignore[index]
    served = client.get(thumbnail)
    assert served.status_code == 200
    image = Image.open(io.BytesIO(served.content))
    assert image.width == 320 and not image.getexif()  # no GPS, no camera


def test_a_refused_image_is_explained_at_the_field(client: TestClient, tokens: dict[str, str]) -> None:  # type: ignore[type-arg]
    csrf = _session(client, tokens["editor"])
    for name, data in (
        ("notes.jpg", b"just some text, not a picture"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("../../etc/passwd.jpg", gps_jpeg()[:400]),  # truncated, with a path-like name
    ):
        response = _upload(client, csrf, data, name)
        assert 400 <= response.status_code < 500, (name, response.status_code)
        field = re.search(r'<p class="field-error" id="err-file">([^<]+)</p>', response.text)
        assert field and field[1].strip(), name
        assert 'aria-invalid="true"' in response.text
        assert "/etc/passwd" not in response.text and "Traceback" not in response.text
    nothing = client.post("/desk/media", data={"csrf": csrf}, follow_redirects=False)
    assert nothing.status_code == 400 and "Choose an image file to upload." in nothing.text
    assert _assets(client.get("/desk/media").text) == []


def test_an_upload_needs_the_csrf_token_and_the_editor_role(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
) -> None:
    _session(client, tokens["editor"])
    assert _upload(client, "forged", gps_jpeg()).status_code == 403
    reader_csrf = _session(client, tokens["reader"])
    assert _upload(client, reader_csrf, gps_jpeg()).status_code == 403
    _session(client, tokens["editor"])
    assert _assets(client.get("/desk/media").text) == []


def test_the_library_shows_where_an_asset_is_used_and_with_what_alt(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
) -> None:
    csrf = _session(client, tokens["editor"])
    _upload(client, csrf, gps_jpeg((20, 90, 160)))
    [asset] = _assets(client.get("/desk/media").text)
    editor = bearer(tokens["editor"])
    started = client.post(ARTICLE + "/draft", headers=editor)
    item = started.json()
    del item["draft"]
    alt = "A nurse checks a patient's blood pressure after the first session"
    item["body"].insert(1, {"type": "image", "media": asset, "alt": alt})
    saved = client.put(ARTICLE + "/draft", json=item, headers={**editor, "If-Match": started.headers["etag"]})
    assert saved.status_code == 200, saved.text
    page = client.get("/desk/media").text
    card = page[page.index(f'id="asset-{asset}"') :]
    assert 'href="/desk/articles/ketamine-withdrawal"' in card
    assert alt in html.unescape(card) and "Not used yet." not in card


def test_the_picker_asks_for_alt_text_in_the_translations_language(
    client: TestClient,  # type: ignore[type-arg]
    tokens: dict[str, str],
) -> None:
    csrf = _session(client, tokens["editor"])
    assert "The media library has no images yet." in client.get("/desk/media/choose").text
    _upload(client, csrf, gps_jpeg())
    [asset] = _assets(client.get("/desk/media").text)
    picker = client.get("/desk/media/choose?locale=es")
    assert picker.status_code == 200 and picker.headers["cache-control"] == "private, no-store"
    assert f'value="{asset}"' in picker.text
    assert '<textarea id="image-alt" rows="2" lang="es"' in picker.text
    assert "Don't start with" in html.unescape(picker.text) and "español" in picker.text.lower()
    assert "No empiece con «Imagen de»" in html.unescape(picker.text)
    assert "No empiece" not in client.get("/desk/media/choose").text
    assert client.get("/desk/media/choose?locale=not a locale").status_code == 400


def test_reviewers_see_the_old_and_new_image_with_their_alt() -> None:
    old = {"type": "image", "media": "a" * 64, "alt": "A blue pill", "width": 800, "height": 600}
    new = {"type": "image", "media": "b" * 64, "alt": "Two white pills", "width": 200, "height": 100}
    [row] = rows(_diff(ElementChange(op="changed", path="body", key=1, before=old, after=new)))
    assert f'<img src="/media/{"a" * 64}/320.webp" alt="A blue pill"' in row.before
    assert f'<img src="/media/{"b" * 64}/200.webp" alt="Two white pills"' in row.after
    assert "<del>" in row.before and "<ins>" in row.after
    hostile = dict(new, alt='"><script>alert(1)</script>')
    [row] = rows(_diff(ElementChange(op="added", path="body", key=1, after=hostile)))
    assert "<script>" not in row.after


def _diff(change: ElementChange) -> Diff:
    return Diff(
        type="article", slug="x", from_version=1, to_version=2, identical=False, fields=[], changes=[change]
    )
