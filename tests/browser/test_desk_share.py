"""Preview links in a real browser: an editor makes one, someone with no account reads the draft's
page and handout through it, and a changed, expired or orphaned link shows nothing; every page and
state passes axe at 375 and 1280 px, in English and Spanish. Also: an awkward draft the API
accepts opens, previews and saves unchanged in the desk (issue 21, point 7)."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from api.desk.labels_share import EN, ES
from content.db import create_engine
from content.share_links import ShareLinks
from tests.browser.conftest import SCREENSHOTS, Desk, axe_violations, save_draft, sign_in
from tests.conftest import bearer

WORDS = {"en": EN, "es": ES}


def drafted(desk: Desk, path: str, change: Any, locale: str = "en") -> dict[str, Any]:
    """A draft of ``/v1/{path}`` in ``locale`` with ``change`` applied, through the API."""
    api = f"{desk.base}/v1/{path}/draft" + ("" if locale == "en" else f"?locale={locale}")
    editor = bearer(desk.tokens["editor"])
    httpx.post(api, headers=editor, timeout=60)  # 201, or 409: a draft exists already
    draft = httpx.get(api, headers=editor, timeout=60)
    assert draft.status_code == 200, draft.text
    item = {k: v for k, v in draft.json().items() if k not in ("draft", "review")}
    change(item)
    saved = httpx.put(
        api,
        json=item,
        headers=bearer(desk.tokens["editor"], **{"If-Match": draft.headers["etag"]}),
        timeout=60,
    )
    assert saved.status_code == 200, saved.text
    return item


def in_language(page: Page, desk: Desk, lang: str) -> Page:
    page.context.add_cookies([{"name": "folio_desk_lang", "value": lang, "url": desk.base}])
    return page


def shot(page: Page, name: str, width: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/share-{name}-{width}.png", full_page=True)


def make_link(editor: Page, words: dict[str, str], width: str) -> str:
    """Press "Create a preview link" with the default days; the link shown, ready to copy."""
    panel = editor.get_by_role("region", name=words["share_title"])
    days = panel.get_by_label(words["share_days"])
    expect(days).to_have_value("7")
    panel.get_by_role("button", name=words["share_create"]).click()
    link = panel.get_by_label(words["share_link"])
    expect(link).to_be_visible()
    expect(panel.get_by_role("button", name=words["share_copy"])).to_be_visible()
    assert axe_violations(editor) == []
    if SCREENSHOTS:
        panel.screenshot(path=f"{SCREENSHOTS}/share-created-{width}.png")
    return link.input_value()


@pytest.mark.parametrize(("lang", "width", "other"), [("en", "1280", "375"), ("es", "375", "1280")])
def test_a_preview_link_shows_the_draft_to_someone_without_an_account(
    desk: Desk, open_page: Any, lang: str, width: str, other: str
) -> None:
    words = WORDS[lang]
    text = f"Shared preview words {lang} {width}: the draft as it is now."
    drafted(desk, "articles/ketamine-withdrawal", lambda item: item.update(summary=text), locale=lang)
    editor = in_language(open_page(width, bypass_csp=True), desk, lang)
    sign_in(
        editor, desk.base, desk.tokens["editor"], f"/desk/articles/ketamine-withdrawal/draft?locale={lang}"
    )
    url = make_link(editor, words, width)
    assert url.startswith(desk.base + "/desk/shared/")

    for size in (width, other):  # a fresh browser, never signed in
        reader = in_language(open_page(size, bypass_csp=True), desk, lang)
        response = reader.goto(url)
        assert response is not None and response.status == 200
        headers = response.headers
        assert "no-store" in headers["cache-control"] and headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "noindex" in headers["x-robots-tag"]
        banner = reader.get_by_role("complementary", name=words["shared_banner_label"])
        expect(banner).to_contain_text(words["shared_banner"])
        expect(reader.get_by_text(text)).to_be_visible()
        assert reader.get_by_role("navigation", name="Desk").count() == 0
        assert reader.get_by_role("button").count() == 0 and reader.get_by_role("textbox").count() == 0
        assert axe_violations(reader) == []
        shot(reader, f"page-{lang}", size)
    handout = httpx.get(url + "/handout.pdf", timeout=120)
    assert handout.status_code == 200 and "no-store" in handout.headers["cache-control"]
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handout.content)).pages)
    assert "Shared preview words" in " ".join(pdf.split())
    # Someone saved it later: the link shows the draft as it is then.
    later = f"Changed later {lang} {width}."
    drafted(desk, "articles/ketamine-withdrawal", lambda item: item.update(summary=later), locale=lang)
    reader.reload()
    expect(reader.get_by_text(later)).to_be_visible()


def expired_link(desk: Desk) -> str:
    async def make() -> str:
        engine = create_engine(desk.url)
        try:
            links = ShareLinks(engine)
            return (await links.create("faq", "ketamine-addiction-faq", "en", 1, -1, "editor"))[1]
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(1) as pool:  # Playwright's own event loop runs in this thread
        return pool.submit(asyncio.run, make()).result()


def refused(page: Page, desk: Desk, url: str, status: int, words: dict[str, str], why: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == status
    expect(page.get_by_role("heading", name=words["shared_refused_title"])).to_be_visible()
    expect(page.get_by_text(words[why])).to_be_visible()
    expect(page.get_by_text("Addiction")).to_have_count(0)  # nothing of the draft
    assert axe_violations(page) == []
    assert httpx.get(url + "/handout.pdf", timeout=60).status_code == status


@pytest.mark.parametrize(("lang", "width"), [("en", "375"), ("es", "1280")])
def test_a_changed_expired_or_orphaned_link_shows_nothing(
    desk: Desk, open_page: Any, lang: str, width: str
) -> None:
    words = WORDS[lang]
    drafted(
        desk, "faqs/ketamine-addiction-faq", lambda item: item.update(summary="Addiction draft for a link.")
    )
    editor = in_language(open_page(width, bypass_csp=True), desk, lang)
    sign_in(editor, desk.base, desk.tokens["editor"], "/desk/faqs/ketamine-addiction-faq/draft")
    # Out of range: said at the field, nothing made (the browser's own check taken away first).
    days = editor.get_by_label(words["share_days"])
    days.evaluate("field => field.removeAttribute('max')")
    days.fill("45")
    editor.get_by_role("button", name=words["share_create"]).click()
    expect(editor.get_by_label(words["share_days"])).to_have_attribute("aria-invalid", "true")
    expect(editor.get_by_text(words["share_days_error"])).to_be_visible()
    assert axe_violations(editor) == []
    if SCREENSHOTS:
        editor.get_by_role("region", name=words["share_title"]).screenshot(
            path=f"{SCREENSHOTS}/share-days-error-{width}.png"
        )
    url = make_link(editor, words, width)

    visitor = in_language(open_page(width, bypass_csp=True), desk, lang)
    payload, _, signature = url.rpartition("/")[2].partition(".")
    tampered = (
        url.rpartition("/")[0] + "/" + payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    )
    refused(visitor, desk, tampered + "." + signature, 404, words, "shared_invalid")
    shot(visitor, "refused", width)
    refused(visitor, desk, desk.base + "/desk/shared/" + expired_link(desk), 410, words, "shared_expired")
    gone = httpx.delete(
        f"{desk.base}/v1/faqs/ketamine-addiction-faq/draft", headers=bearer(desk.tokens["editor"]), timeout=60
    )
    assert gone.status_code == 204, gone.text
    refused(visitor, desk, url, 410, words, "shared_gone")
    # A new draft from the same version is another draft: the link stays ended.
    later = "A later draft, not shared."
    drafted(desk, "faqs/ketamine-addiction-faq", lambda item: item.update(summary=later))
    refused(visitor, desk, url, 410, words, "shared_gone")


AWKWARD_BODY = [
    {"type": "paragraph", "text": "# Not a heading, and ::cta not a directive"},
    {"type": "cta", "label": "See [x](https://example.org) first", "url": "https://example.org/book"},
    {"type": "list", "style": "bullet", "items": [{"text": "[x] not a check"}, {"text": "> not a quote"}]},
    {"type": "callout", "tone": "info", "title": 'Don\'t "quote" me', "text": "One line\n:::\nnot the end"},
    {"type": "heading", "level": 3, "text": "Step #"},
    {"type": "paragraph", "text": "Backslash \\ and [brackets] and *stars* and a_b_c, " + "Long" * 60},
]


def awkward_article(item: dict[str, Any]) -> None:
    item["questions"] = ["What if I feel *odd*?", "[x] a | b \\ c"]  # printed on the handout
    item.update(
        title="Awkward *title* | with [brackets]", summary="> Not a quote\n# not a heading", body=AWKWARD_BODY
    )


def awkward_comparison(item: dict[str, Any]) -> None:
    item["rows"][0]["values"][0] = "a | b || c \\| d"
    item["rows"][0]["values"][1] = "Two lines\r\nin one cell "  # kept with LF, trimmed, by the API
    item["rows"][0]["factor"] = "::faq x [y](z)"
    item["footnote"] = "*Not* a [link](https://example.org) | pipe\nand a second line"


@pytest.mark.parametrize(
    ("path", "change", "seen", "width"),
    [
        (
            "articles/is-ketamine-therapy-addictive",
            awkward_article,
            "See [x](https://example.org) first",
            "1280",
        ),
        ("comparisons/medical-vs-recreational-ketamine", awkward_comparison, "a | b || c | d", "375"),
    ],
)
def test_an_awkward_draft_opens_previews_and_saves_unchanged_in_the_desk(
    desk: Desk, open_page: Any, path: str, change: Any, seen: str, width: str
) -> None:
    sent = drafted(desk, path, change)
    api, token = f"{desk.base}/v1/{path}/draft", bearer(desk.tokens["editor"])
    read = httpx.get(api, headers=token, timeout=60).json()
    before = {k: v for k, v in read.items() if k not in ("draft", "review")}
    if "rows" in read:  # a line break in a cell, as the desk's text boxes keep it
        assert read["rows"][0]["values"][1] == "Two lines\nin one cell"
    editor = open_page(width, bypass_csp=True)
    sign_in(editor, desk.base, desk.tokens["editor"], f"/desk/{path}/draft/edit")
    expect(editor.get_by_role("alert")).to_have_count(0)
    questions = editor.get_by_label(EN["handout_questions"])
    expect(questions).to_have_value("\n".join(sent.get("questions", [])))
    assert axe_violations(editor) == []
    save_draft(editor)  # with script the autosave runs first, then the draft's page opens
    assert axe_violations(editor) == []
    after = httpx.get(api, headers=token, timeout=60).json()
    assert after["draft"]["updatedAt"] != read["draft"]["updatedAt"]  # saved again, by the desk
    assert {k: v for k, v in after.items() if k not in ("draft", "review")} == before
    editor.goto(f"{desk.base}/desk/{path}/draft/page")
    expect(editor.get_by_text(seen, exact=False).first).to_be_visible()
