"""The desk's media library and the editor's image insert, in a real browser against a real server."""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.api.test_desk_media import gps_jpeg
from tests.browser.conftest import SCREENSHOTS, Desk, axe_violations, save_draft, sign_in
from tests.browser.test_desk import snapshot
from tests.conftest import bearer

SLUG = "is-ketamine-therapy-addictive"
ARTICLE = f"/desk/articles/{SLUG}"
API = f"/v1/articles/{SLUG}"
ALT = 'A hand holding the small nasal spray device (the "clinic" model) used in the clinic'


def _upload(page: Page, data: bytes, name: str = "photo.jpg") -> None:
    page.get_by_label("Image file").set_input_files({"name": name, "mimeType": "image/jpeg", "buffer": data})
    page.get_by_role("button", name="Upload").click()


def _draft(desk: Desk, locale: str = "en") -> None:
    """A draft of the article in this translation (kept if one exists)."""
    httpx.post(
        f"{desk.base}{API}/draft",
        params={"locale": locale},
        headers=bearer(desk.tokens["editor"]),
        timeout=60,
    )


def _asset(page: Page) -> str:
    """The hash of the newest asset on the library page."""
    card = page.locator("li.asset").first
    return str(card.get_attribute("id")).removeprefix("asset-")


def test_upload_insert_and_save_an_image_with_its_alt_text(desk: Desk, open_page: Any) -> None:
    """The acceptance step: a phone photo uploaded in the desk, inserted by keyboard with alt text."""
    page: Page = open_page()
    sign_in(page, desk.base, desk.tokens["editor"])
    page.get_by_role("navigation", name="Desk").get_by_role("link", name="Media").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Media library")
    _upload(page, gps_jpeg((30, 120, 90), (1600, 1200)))
    expect(page.get_by_role("status").filter(has_text="Uploaded")).to_be_visible()
    asset = _asset(page)
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=f"Image {asset[:10]}"))
    expect(card).to_contain_text("1600 × 1200 px, JPEG")
    expect(card).to_contain_text("Not used yet.")
    served = httpx.get(desk.base + str(card.locator("img.thumb").get_attribute("src")), timeout=60)
    photo = Image.open(io.BytesIO(served.content))
    assert served.status_code == 200 and photo.width == 320 and not photo.getexif()  # no GPS left

    _draft(desk)
    page.goto(desk.base + ARTICLE + "/draft/edit")
    body = page.get_by_label("Body (Markdown)")
    body.focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Insert image")).to_be_focused()
    page.keyboard.press("Enter")
    chooser = page.get_by_role("group", name="Insert image")
    expect(chooser.get_by_role("radio", name=f"Image {asset[:10]}")).to_be_focused()
    page.keyboard.press("Tab")
    alt = chooser.get_by_label("Alt text", exact=True)
    expect(alt).to_be_focused()
    expect(alt).to_have_accessible_description(re.compile("Don't start with “Image of”"))
    page.keyboard.type("Image of a nasal spray")
    chooser.get_by_role("button", name="Insert", exact=True).press("Enter")
    expect(alt).to_have_accessible_description(re.compile("say what it shows"))
    expect(alt).to_be_focused()
    alt.fill(ALT)
    chooser.get_by_role("button", name="Insert", exact=True).press("Enter")
    expect(chooser).to_have_count(0)
    expect(body).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="Image inserted")).to_have_count(1)
    written = ALT.replace('"', '\\"')  # quoted as content.blocks writes the directive's words
    assert f':::image {asset} "{written}"\n:::' in body.input_value()
    save_draft(page)

    draft = httpx.get(f"{desk.base}{API}/draft", headers=bearer(desk.tokens["editor"]), timeout=60).json()
    images = [b for b in draft["body"] if b["type"] == "image"]
    assert [(b["media"], b["alt"]) for b in images] == [(asset, ALT)]

    page.goto(desk.base + "/desk/media")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=f"Image {asset[:10]}"))
    expect(card.get_by_role("link", name=draft["title"])).to_have_attribute("href", ARTICLE)
    expect(card).to_contain_text(ALT)

    reviewer: Page = open_page()
    sign_in(reviewer, desk.base, desk.tokens["reviewer"], ARTICLE + "/draft")
    diff = reviewer.get_by_role("table", name=re.compile("Changes from"))
    expect(diff.get_by_role("img", name=ALT)).to_be_visible()


def test_a_file_dropped_on_the_form_is_uploaded_and_a_refusal_is_explained(
    desk: Desk, open_page: Any
) -> None:
    if desk.store != "sqlite":
        pytest.skip("the page's script does not depend on the store")
    page: Page = open_page()
    sign_in(page, desk.base, desk.tokens["editor"], "/desk/media")
    expect(page.get_by_text("Drop the image here to upload it.")).to_be_visible()
    png = io.BytesIO()
    Image.new("RGB", (400, 300), (250, 200, 0)).save(png, "PNG")
    page.evaluate(
        """([data, name]) => {
          const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
          const transfer = new DataTransfer();
          transfer.items.add(new File([bytes], name, { type: "image/png" }));
          const zone = document.querySelector(".dropzone");
          zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
          zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
        }""",
        [base64.b64encode(png.getvalue()).decode(), "dropped.png"],
    )
    expect(page.get_by_role("status").filter(has_text="Uploaded")).to_be_visible()
    expect(page.locator("li.asset").first).to_contain_text("400 × 300 px, PNG")

    _upload(page, b"<html><body>not an image</body></html>", "page.png")
    field = page.get_by_label("Image file")
    expect(field).to_have_attribute("aria-invalid", "true")
    error = page.locator("#err-file").inner_text()
    assert error.strip() and "<html>" not in error
    expect(field).to_have_accessible_description(re.compile(re.escape(error.strip())))


def test_without_script_the_library_gives_the_markdown_to_copy(desk: Desk, open_page: Any) -> None:
    if desk.store != "sqlite":
        pytest.skip("the pages do not depend on the store")
    page: Page = open_page(java_script_enabled=False)
    sign_in(page, desk.base, desk.tokens["editor"], "/desk/media")
    _upload(page, gps_jpeg((90, 30, 160)))
    asset = _asset(page)
    markdown = page.get_by_label(f"Markdown to insert image {asset[:10]}")
    expect(markdown).to_have_value(f':::image {asset} "Describe what matters for the patient"\n:::')
    _draft(desk)
    page.goto(desk.base + ARTICLE + "/draft/edit")
    expect(page.get_by_role("button", name="Insert image")).to_have_count(0)
    expect(page.get_by_role("link", name="Media library")).to_have_attribute("href", "/desk/media")


def _tour(desk: Desk, page: Page, width: str) -> dict[str, Any]:
    """Every new page and state, English and Spanish; axe's findings by name (screenshots too)."""
    failures: dict[str, Any] = {}

    def check(name: str) -> None:
        page.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        if found := axe_violations(page):
            failures[name] = found
        if SCREENSHOTS:
            snapshot(page, f"{SCREENSHOTS}/{name}-{width}.png")

    page.goto(desk.base + "/desk/media")
    if not page.locator("li.asset").count():
        _upload(page, gps_jpeg((200, 120, 40), (1200, 900)))
    check("media")
    _upload(page, b"%PDF-1.4 not an image", "leaflet.jpg")
    expect(page.get_by_label("Image file")).to_have_attribute("aria-invalid", "true")
    check("media-refused")
    for locale, suffix in (("en", ""), ("es", "?locale=es")):
        _draft(desk, locale)
        page.goto(desk.base + ARTICLE + "/draft/edit" + suffix)
        page.get_by_role("button", name="Insert image").click()
        chooser = page.get_by_role("group", name="Insert image")
        expect(chooser.get_by_label("Alt text", exact=True)).to_have_attribute("lang", locale)
        if locale == "es":
            alt = chooser.get_by_label("Alt text", exact=True)
            expect(alt).to_have_accessible_description(re.compile("No empiece con «Imagen de»"))
            alt.fill("Imagen de un aerosol nasal")
            chooser.get_by_role("button", name="Insert", exact=True).click()
            expect(alt).to_have_accessible_description(re.compile("say what it shows"))
            alt.fill("")
            chooser.get_by_role("button", name="Insert", exact=True).click()
            expect(chooser.get_by_text("Write the alt text, or mark the image decorative.")).to_be_visible()
        check(f"insert-image{'-es' if locale == 'es' else ''}")
        if locale == "en":  # the draft shows an image in its diff
            chooser.get_by_label("Alt text", exact=True).fill(ALT)
            chooser.get_by_role("button", name="Insert", exact=True).click()
            save_draft(page)
    page.goto(desk.base + ARTICLE + "/draft")
    check("draft-image")
    return failures


@pytest.mark.parametrize("width", ["375", "1280"])
def test_the_media_pages_pass_axe_at_both_widths(desk: Desk, open_page: Any, width: str) -> None:
    if desk.store != "sqlite":
        pytest.skip("the pages' markup does not depend on the store")
    page: Page = open_page(width, bypass_csp=True)  # axe is injected as an inline script
    sign_in(page, desk.base, desk.tokens["editor"], "/desk/media")
    failures = _tour(desk, page, width)
    assert not failures, json.dumps(failures, indent=1)
