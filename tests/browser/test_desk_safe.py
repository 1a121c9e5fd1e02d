"""Safe actions (issue 21): Publish, Restore, Archive and Discard ask first, naming what will happen;
Cancel changes nothing; Discard can be undone; Restore is not offered when it changes nothing.

Each flow runs narrow in the Spanish interface and wide in the English one, with axe on every new
page and state; with FOLIO_DESK_SCREENSHOTS set, each state is saved as confirm-*.png / undo-*.png.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.desk import labels_safe
from api.desk.confirming import language_in
from api.desk.labels import catalog
from exporters.i18n import language_name
from tests.browser.conftest import SCREENSHOTS, Desk, axe_violations, sign_in
from tests.conftest import bearer

CASES = [pytest.param("375", "es", id="375-es"), pytest.param("1280", "en", id="1280-en")]
SAFE = {"en": labels_safe.EN, "es": labels_safe.ES}
COMPARISON = ("comparisons", "medical-vs-recreational-ketamine")
WITHDRAWAL = ("articles", "ketamine-withdrawal")
ADDICTIVE = ("articles", "is-ketamine-therapy-addictive")
FAQ = ("faqs", "ketamine-addiction-faq")


def staff(open_page: Any, desk: Desk, role: str, width: str, lang: str, path: str) -> Page:
    """A signed-in page (sign-in itself in English), then the interface in ``lang``."""
    page: Page = open_page(width, bypass_csp=True)  # axe is injected as an inline script
    sign_in(page, desk.base, desk.tokens[role])
    page.context.add_cookies([{"name": "folio_desk_lang", "value": lang, "url": desk.base}])
    page.goto(desk.base + path)
    return page


def checked(page: Page, name: str, width: str) -> None:
    """axe finds nothing; with FOLIO_DESK_SCREENSHOTS, the whole page is saved as ``name-width``."""
    assert axe_violations(page) == []
    if SCREENSHOTS:
        viewport = page.viewport_size
        assert viewport is not None
        height = page.evaluate("document.body.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"))
        page.set_viewport_size(viewport)


def v1(desk: Desk, item: tuple[str, str], locale: str, suffix: str = "") -> str:
    url = f"{desk.base}/v1/{item[0]}/{item[1]}{suffix}"
    return url + ("" if locale == "en" else f"?locale={locale}")


def published(desk: Desk, item: tuple[str, str], locale: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(v1(desk, item, locale)).json()
    return answer


def drafted(desk: Desk, item: tuple[str, str], locale: str, summary: str) -> str:
    """The translation's draft (started if needed) with ``summary``; its ETag."""
    url, editor = v1(desk, item, locale, "/draft"), bearer(desk.tokens["editor"])
    httpx.post(url, headers=editor)  # 409 when a draft exists already: that one is edited
    draft = httpx.get(url, headers=editor)
    body = draft.json()
    del body["draft"]
    body["summary"] = summary
    saved = httpx.put(
        url, json=body, headers=bearer(desk.tokens["editor"], **{"If-Match": draft.headers["etag"]})
    )
    assert saved.status_code == 200, saved.text
    return str(saved.headers["etag"])


def signed_off(desk: Desk, item: tuple[str, str], locale: str, etag: str) -> str:
    reviewed = httpx.post(
        v1(desk, item, locale, "/draft/review"),
        json={"nextReviewOn": "2030-01-15"},
        headers=bearer(desk.tokens["reviewer"], **{"If-Match": etag}),
    )
    assert reviewed.status_code == 200, reviewed.text
    return str(reviewed.headers["etag"])


def desk_url(item: tuple[str, str], locale: str, suffix: str = "") -> str:
    return f"/desk/{item[0]}/{item[1]}{suffix}" + ("" if locale == "en" else f"?locale={locale}")


@pytest.mark.parametrize(("width", "lang"), CASES)
def test_publish_asks_first_and_cancel_changes_nothing(
    desk: Desk, open_page: Any, width: str, lang: str
) -> None:
    words, safe, locale = catalog(lang), SAFE[lang], lang
    before = published(desk, COMPARISON, locale)
    summary = f"Checked again {uuid.uuid4().hex[:6]}."
    signed_off(desk, COMPARISON, locale, drafted(desk, COMPARISON, locale, summary))
    page = staff(open_page, desk, "publisher", width, lang, desk_url(COMPARISON, locale, "/draft"))
    page.get_by_role("button", name=words["publish"], exact=True).click()

    version, title = before["version"] + 1, before["title"]
    heading = safe["confirm_publish_title"].format(version=version, title=title)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    what = safe["confirm_publish_what"].format(
        version=version, title=title, language=language_in(locale, safe)
    )
    expect(page.get_by_text(what)).to_be_visible()
    publish = page.get_by_role("button", name=safe["confirm_publish_button"].format(version=version))
    expect(publish).to_be_visible()
    checked(page, "confirm-publish", width)

    page.get_by_role("link", name=safe["confirm_cancel"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["draft_title"].format(title=title))
    assert published(desk, COMPARISON, locale)["version"] == before["version"]  # nothing changed

    page.get_by_role("button", name=words["publish"], exact=True).click()
    page.get_by_label(safe["confirm_note"]).fill("Checked wording")
    publish.click()
    expect(page.get_by_role("status")).to_have_text(words["done_published"].format(version=version))
    after = published(desk, COMPARISON, locale)
    assert (after["version"], after["summary"], after["note"]) == (version, summary, "Checked wording")


@pytest.mark.parametrize(("width", "lang"), CASES)
def test_publish_refusals_are_plain_words(desk: Desk, open_page: Any, width: str, lang: str) -> None:
    """An unreviewed draft: the confirmation says why it cannot be published, and offers no button."""
    safe, locale = SAFE[lang], lang
    before = published(desk, FAQ, locale)
    drafted(desk, FAQ, locale, f"Not yet reviewed {uuid.uuid4().hex[:6]}.")
    page = staff(open_page, desk, "publisher", width, lang, desk_url(FAQ, locale, "/draft/publish"))
    expect(page.get_by_role("alert")).to_have_text(safe["refuse_not_reviewed"])
    expect(
        page.get_by_role("button", name=safe["confirm_publish_button"].format(version=before["version"] + 1))
    ).to_have_count(0)
    expect(page.get_by_text(re.compile(r"\(4\d\d\)"))).to_have_count(0)
    checked(page, "confirm-publish-refused", width)
    assert published(desk, FAQ, locale)["version"] == before["version"]


@pytest.mark.parametrize(("width", "lang"), CASES)
def test_discard_asks_first_and_undo_brings_back_the_exact_text(
    desk: Desk, open_page: Any, width: str, lang: str
) -> None:
    words, safe, locale = catalog(lang), SAFE[lang], lang
    summary = f"Words worth keeping {uuid.uuid4().hex[:8]}: call us any time."
    drafted(desk, WITHDRAWAL, locale, summary)
    draft_api = v1(desk, WITHDRAWAL, locale, "/draft")
    reader = bearer(desk.tokens["reader"])
    title = httpx.get(draft_api, headers=reader).json()["title"]
    page = staff(open_page, desk, "editor", width, lang, desk_url(WITHDRAWAL, locale, "/draft"))
    page.get_by_role("button", name=words["discard_draft"], exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        safe["confirm_discard_title"].format(title=title)
    )
    what = safe["confirm_discard_what"].format(title=title, language=language_in(locale, safe))
    expect(page.get_by_text(what)).to_be_visible()
    checked(page, "confirm-discard", width)
    page.get_by_role("button", name=safe["confirm_discard_button"], exact=True).click()

    expect(page.get_by_role("status")).to_have_text(safe["done_discarded"])
    undo = page.get_by_role("button", name=safe["undo"], exact=True)
    expect(undo).to_be_visible()
    assert httpx.get(draft_api, headers=reader).status_code == 404
    checked(page, "undo-message", width)

    page.get_by_role("link", name=safe["discarded_nav"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(safe["discarded_title"])
    again = page.get_by_role(
        "button", name=safe["undo_name"].format(title=title, language=language_name(locale))
    )
    expect(again).to_have_count(1)
    checked(page, "undo-list", width)

    page.go_back()
    undo.click()
    expect(page.get_by_role("status")).to_have_text(safe["done_undone"])
    expect(page.get_by_role("heading", level=1)).to_have_text(words["draft_title"].format(title=title))
    back = httpx.get(draft_api, headers=reader).json()
    assert back["summary"] == summary
    assert back["draft"]["reviewCurrent"] is False  # a reviewer signs it off again

    page.goto(desk.base + "/desk/discarded")  # once undone, it is no longer offered
    expect(again).to_have_count(0)


@pytest.mark.parametrize(("width", "lang"), CASES)
def test_restore_asks_first_and_is_not_offered_when_it_changes_nothing(
    desk: Desk, open_page: Any, width: str, lang: str
) -> None:
    words, safe, locale = catalog(lang), SAFE[lang], lang
    old = published(desk, ADDICTIVE, locale)
    etag = signed_off(
        desk, ADDICTIVE, locale, drafted(desk, ADDICTIVE, locale, f"New {uuid.uuid4().hex[:6]}.")
    )
    made = httpx.post(
        v1(desk, ADDICTIVE, locale, "/publish"),
        headers=bearer(desk.tokens["publisher"], **{"If-Match": etag}),
    )
    assert made.status_code == 200, made.text
    latest, number, title = made.json()["version"], old["version"], old["title"]
    page = staff(open_page, desk, "publisher", width, lang, desk_url(ADDICTIVE, locale))
    history = page.get_by_role("region", name=words["history_table"])
    restore = history.get_by_role("button", name=words["restore"].format(version=number))
    restore.click()

    heading = safe["confirm_restore_title"].format(version=number, title=title)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    what = safe["confirm_restore_what"].format(
        version=number, title=title, language=language_in(locale, safe), new=latest + 1
    )
    expect(page.get_by_text(what)).to_be_visible()
    checked(page, "confirm-restore", width)
    page.get_by_role("link", name=safe["confirm_cancel"], exact=True).click()
    assert published(desk, ADDICTIVE, locale)["version"] == latest  # Cancel changed nothing

    restore.click()
    page.get_by_role("button", name=safe["confirm_restore_button"].format(version=number)).click()
    expect(page.get_by_role("status")).to_have_text(words["done_restored"].format(version=latest + 1))
    assert published(desk, ADDICTIVE, locale)["contentHash"] == old["contentHash"]
    # The latest now has version N's text: restoring N would change nothing, so it is not offered.
    expect(restore).to_have_count(0)
    expect(history.get_by_role("button", name=words["restore"].format(version=latest))).to_be_visible()

    # A page opened before (stale) still leads here: it says so plainly and offers no button.
    page.goto(desk.base + desk_url(ADDICTIVE, locale, f"/versions/{number}/restore"))
    expect(page.get_by_role("alert")).to_have_text(safe["refuse_restore_same"].format(version=number))
    expect(
        page.get_by_role("button", name=safe["confirm_restore_button"].format(version=number))
    ).to_have_count(0)
    checked(page, "confirm-restore-same", width)
    assert published(desk, ADDICTIVE, locale)["version"] == latest + 1


@pytest.mark.parametrize(("width", "lang"), CASES)
def test_archive_asks_first_and_says_why_it_cannot(desk: Desk, open_page: Any, width: str, lang: str) -> None:
    words, safe, locale = catalog(lang), SAFE[lang], lang
    title = published(desk, WITHDRAWAL, locale)["title"]
    page = staff(open_page, desk, "publisher", width, lang, desk_url(WITHDRAWAL, locale))
    page.get_by_role("button", name=words["archive"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        safe["confirm_archive_title"].format(title=title)
    )
    what = safe["confirm_archive_what"].format(title=title, language=language_in(locale, safe))
    expect(page.get_by_text(what)).to_be_visible()
    expect(
        page.get_by_role("button", name=safe["confirm_archive_button"].format(title=title))
    ).to_be_visible()
    checked(page, "confirm-archive", width)
    page.get_by_role("link", name=safe["confirm_cancel"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert httpx.get(v1(desk, WITHDRAWAL, locale)).status_code == 200  # not archived

    # The FAQ is shown inside an article: archiving it is refused in plain words, before and after.
    article = published(desk, ADDICTIVE, locale)["title"]
    page.goto(desk.base + desk_url(FAQ, locale))
    page.get_by_role("button", name=words["archive"], exact=True).click()
    inside = safe["quoted"].format(title=article, language=language_in(locale, safe))
    refused = safe["refuse_embedded"].format(names=inside)
    expect(page.get_by_role("alert")).to_have_text(refused)
    expect(page.get_by_role("button", name=re.compile("^" + re.escape(words["archive"])))).to_have_count(0)
    checked(page, "confirm-archive-refused", width)
    csrf = page.locator("input[name=csrf]").first.input_value()
    forced = page.request.post(
        desk.base + desk_url(FAQ, locale, "/archive"), form={"csrf": csrf, "confirm": "1"}
    )
    assert forced.status == 409 and refused in forced.text()
    assert httpx.get(v1(desk, FAQ, locale)).status_code == 200
