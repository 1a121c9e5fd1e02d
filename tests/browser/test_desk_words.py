"""Words for people: the desk in Spanish by its own control, plain error pages, the translation
being worked on kept by every link, and times in the clinic's time zone."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import Locator, Page, expect

from api.desk.labels import catalog
from tests.browser.conftest import SCREENSHOTS, Desk, axe_violations, sign_in
from tests.browser.test_desk import snapshot
from tests.conftest import bearer

TIMEOUT = 60  # seconds: the server may be busy rendering on a small machine
# The served desk of this module keeps its clinic in Madrid: times read CET (or CEST).
DESK_ENV = {"FOLIO_TIME_ZONE": "Europe/Madrid"}
ES = catalog("es")  # every part's Spanish, as the desk shows it
FAQ = "/desk/faqs/ketamine-addiction-faq"
ARTICLE = "/desk/articles/ketamine-withdrawal"


def _spanish_faq_draft(desk: Desk) -> str:
    """A draft of the Spanish FAQ with one answer changed; returns the question it changed."""
    api = f"{desk.base}/v1/faqs/ketamine-addiction-faq/draft?locale=es"
    editor = bearer(desk.tokens["editor"])
    httpx.post(api, headers=editor, timeout=TIMEOUT)  # 201, or 409 when this module made it already
    draft = httpx.get(api, headers=editor, timeout=TIMEOUT)
    item = draft.json()
    del item["draft"]
    entry = next(e for e in item["items"] if e["id"] == "will-i-become-addicted")
    if "revisa" not in entry["answer"]:
        entry["answer"] += " Su equipo lo revisa en cada visita."
        saved = httpx.put(
            api,
            json=item,
            headers=bearer(desk.tokens["editor"], **{"If-Match": draft.headers["etag"]}),
            timeout=TIMEOUT,
        )
        assert saved.status_code == 200, saved.text
    return str(entry["question"])


def _follow(page: Page, target: Locator) -> None:
    """Clicks a link or a GET form's button and waits for the page it opens."""
    before = page.url
    target.click()
    page.wait_for_url(lambda url: url != before)
    page.wait_for_load_state()


def _locale(page: Page) -> list[str]:
    return parse_qs(urlsplit(page.url).query).get("locale", [])


def test_the_desk_speaks_spanish_by_its_own_control_at_both_widths(desk: Desk, open_page: Any) -> None:
    question = _spanish_faq_draft(desk)
    for width in ("375", "1280"):
        page: Page = open_page(width, bypass_csp=True)  # axe is injected as an inline script
        sign_in(page, desk.base, desk.tokens["publisher"], "/desk")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        control = page.get_by_role("button", name="Español")
        expect(control).to_have_attribute("lang", "es")
        control.focus()
        page.keyboard.press("Enter")  # by keyboard
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_role("heading", level=1, name=ES["library"])).to_be_visible()
        nav = page.get_by_role("navigation", name=ES["nav"])
        expect(nav.get_by_role("link", name=ES["queue"])).to_be_visible()
        expect(page.get_by_role("button", name=ES["sign_out"])).to_be_visible()
        states = {
            "library": "/desk",
            "item": FAQ + "?locale=es",
            "draft": FAQ + "/draft?locale=es",
            "queue": "/desk/review",
            "error": "/desk/articles/no-such-article",
        }
        for state, path in states.items():
            page.goto(desk.base + path)
            expect(page.locator("html")).to_have_attribute("lang", "es")
            expect(page.get_by_role("button", name=ES["sign_out"])).to_be_visible()  # still signed in
            assert axe_violations(page) == [], (state, width)
            if SCREENSHOTS:
                snapshot(page, f"{SCREENSHOTS}/es-{state}-{width}.png")
        page.goto(desk.base + FAQ + "/draft?locale=es")
        expect(page.get_by_role("heading", level=1)).to_contain_text(ES["draft_title"].split(":")[0])
        changes = page.get_by_role("table", name=ES["diff_title_draft"].format(a=1))
        expect(changes.get_by_role("rowheader")).to_have_text(
            f"{ES['op_changed']}: {ES['diff_question'].format(name=question)}"
        )
        page.goto(desk.base + "/desk/review")
        expect(page.get_by_role("heading", level=1, name=ES["queue_title"])).to_be_visible()
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1, name=catalog("en")["queue_title"])).to_be_visible()
        assert urlsplit(page.url).path == "/desk/review"


def test_a_missing_page_says_so_plainly_in_both_languages(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("375", bypass_csp=True)
    page.goto(desk.base + "/desk/articles/no-such-article")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("We couldn't find that page")
    expect(page.get_by_role("alert")).to_contain_text("There is no item “no-such-article” here.")
    expect(page.get_by_text("Error code 404")).to_be_visible()
    assert "went wrong" not in page.content()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Español").click()
    expect(heading).to_have_text(ES["error_404"])
    expect(page.get_by_role("alert")).to_have_text(ES["msg_no_item"].format(slug="no-such-article"))
    assert axe_violations(page) == []


def test_the_spanish_faq_stays_spanish_from_link_to_link(desk: Desk, open_page: Any) -> None:
    _spanish_faq_draft(desk)
    page: Page = open_page("1280")
    sign_in(page, desk.base, desk.tokens["editor"], FAQ + "?locale=es")
    spanish_title = "La terapia con ketamina y la adicción"
    expect(page.get_by_role("heading", level=1)).to_contain_text(spanish_title)

    _follow(page, page.get_by_role("link", name="Open the draft"))
    assert _locale(page) == ["es"] and urlsplit(page.url).path.endswith("/draft")
    expect(page.get_by_role("heading", level=1)).to_contain_text(spanish_title)
    _follow(page, page.get_by_role("link", name="Email", exact=True))
    assert _locale(page) == ["es"]
    _follow(page, page.get_by_role("button", name="Show"))
    assert _locale(page) == ["es"]
    _follow(page, page.get_by_role("link", name=re.compile("^Draft: ")))  # back to the draft
    assert _locale(page) == ["es"] and urlsplit(page.url).path.endswith("/draft")
    _follow(page, page.get_by_role("link", name="Edit the draft"))
    assert _locale(page) == ["es"] and urlsplit(page.url).path.endswith("/draft/edit")

    page.goto(desk.base + FAQ + "?locale=es")
    _follow(page, page.get_by_role("link", name=re.compile("^Email copy")))
    assert _locale(page) == ["es"]
    _follow(page, page.get_by_role("link", name=re.compile(spanish_title)))  # back to the item
    assert _locale(page) == ["es"]
    page.goto(desk.base + FAQ + "/compare?from=1&to=1&locale=es")  # one version yet: no compare form
    _follow(page, page.get_by_role("link", name=re.compile(spanish_title)))
    assert _locale(page) == ["es"] and urlsplit(page.url).path == FAQ

    # Changing the interface language keeps the translation being worked on.
    page.get_by_role("button", name="Español").click()
    assert _locale(page) == ["es"] and urlsplit(page.url).path == FAQ
    expect(page.get_by_role("link", name=ES["open_draft"])).to_be_visible()
    page.get_by_role("link", name=ES["queue"]).click()
    waiting = page.get_by_role("region", name=ES["queue_drafts"])
    waiting.get_by_role("link", name=re.compile(spanish_title)).click()
    assert _locale(page) == ["es"] and urlsplit(page.url).path == FAQ + "/draft"


def test_times_are_shown_in_the_clinic_time_zone(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("1280")
    page.goto(desk.base + ARTICLE)
    expect(page.get_by_text(re.compile(r"Published \d\d \w{3} \d{4} \d\d:\d\d CES?T by "))).to_be_visible()
    assert " UTC" not in page.locator("main").inner_text()
    page.get_by_role("button", name="Español").click()
    expect(
        page.get_by_text(re.compile(r"Publicado el \d{1,2} \w{3,4} \d{4} \d\d:\d\d CES?T por "))
    ).to_be_visible()


HARD = (
    "Notwithstanding considerable pharmacological heterogeneity, physiological dependence manifestations "
    "consequent upon therapeutic ketamine administration remain exceptionally uncommon, particularly "
    "considering comprehensive institutional supervision protocols and individualized multidisciplinary "
    "monitoring arrangements. "
)


def _hard_reviewed_draft(desk: Desk) -> None:
    """A signed-off draft of an article that reads far above the clinic's plain-language limit."""
    api = f"{desk.base}/v1/articles/is-ketamine-therapy-addictive/draft"
    editor = bearer(desk.tokens["editor"])
    if httpx.post(api, headers=editor, timeout=TIMEOUT).status_code != 201:
        return  # made already by this module
    draft = httpx.get(api, headers=editor, timeout=TIMEOUT)
    item = draft.json()
    del item["draft"]
    item["body"] = [{"type": "paragraph", "text": HARD * 4}]
    saved = httpx.put(
        api,
        json=item,
        headers=bearer(desk.tokens["editor"], **{"If-Match": draft.headers["etag"]}),
        timeout=TIMEOUT,
    )
    assert saved.status_code == 200, saved.text
    reviewed = httpx.post(
        api.removesuffix("/draft") + "/draft/review",
        json={"nextReviewOn": "2030-01-15"},
        headers=bearer(desk.tokens["reviewer"], **{"If-Match": saved.headers["etag"]}),
        timeout=TIMEOUT,
    )
    assert reviewed.status_code == 200, reviewed.text


def test_the_reading_level_refusal_speaks_plainly_in_both_languages(desk: Desk, open_page: Any) -> None:
    _hard_reviewed_draft(desk)
    page: Page = open_page("375", bypass_csp=True)
    sign_in(page, desk.base, desk.tokens["publisher"], "/desk/articles/is-ketamine-therapy-addictive/draft")
    page.get_by_role("button", name="Publish", exact=True).click()  # the confirmation warns first
    warning = re.compile(
        r"^This draft reads at grade [\d.]+; the clinic's limit is 8\. Simplify it, or write in "
        r"“Why it may read harder” why that is right for this text\.$"
    )
    expect(page.get_by_text(warning)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Publish version \d+$")).click()  # refused: said again
    expect(page.get_by_text(warning)).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Español").click()
    page.get_by_role("button", name=re.compile(r"^Publicar la versión \d+$")).click()
    spanish = page.get_by_text(
        re.compile(r"^Este borrador tiene un nivel de lectura de grado [\d.]+; el límite")
    )
    expect(spanish).to_be_visible()
    assert "FOLIO_MAX_GRADE" not in page.content() and '"override"' not in spanish.inner_text()
    expect(page.get_by_label(ES["confirm_override"])).to_be_visible()
