"""Nothing typed is lost (issue 21): autosave, signing in again in place, conflicts side by side,
and the handout and email previews beside the form, in English and Spanish, at 375 and 1280 px."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from api.desk.labels import catalog
from api.desk.labels_autosave import EN, ES
from content.db import create_engine
from content.tables import desk_sessions
from tests.browser.conftest import SCREENSHOTS, Desk, axe_violations, sign_in
from tests.conftest import bearer

FAQ = "faqs/ketamine-addiction-faq"
ARTICLE = "articles/ketamine-withdrawal"
SAVED_AT = re.compile(r"^Saved at \d\d:\d\d$")


def expire_sessions(desk: Desk) -> None:
    """Every desk session ends now, server-side, as if eight hours had passed."""

    async def expire() -> None:
        engine = create_engine(desk.url)
        async with engine.begin() as conn:
            await conn.execute(
                desk_sessions.update().values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
            )
        await engine.dispose()

    with ThreadPoolExecutor(1) as pool:  # away from Playwright's own event loop
        pool.submit(asyncio.run, expire()).result()


def start_draft(desk: Desk, path: str, locale: str = "en") -> None:
    started = httpx.post(
        f"{desk.base}/v1/{path}/draft", params={"locale": locale}, headers=bearer(desk.tokens["editor"])
    )
    assert started.status_code in (201, 409), started.text


def draft(desk: Desk, path: str, locale: str = "en") -> dict[str, Any]:
    found = httpx.get(
        f"{desk.base}/v1/{path}/draft", params={"locale": locale}, headers=bearer(desk.tokens["reader"])
    )
    assert found.status_code == 200, found.text
    result: dict[str, Any] = found.json()
    return result


def check(page: Page, name: str) -> None:
    """axe finds nothing, at this width and at the other; screenshots of both when asked."""
    viewport = page.viewport_size
    assert viewport is not None
    for width in (viewport["width"], 1655 - viewport["width"]):  # 1280 <-> 375
        page.set_viewport_size({"width": width, "height": viewport["height"]})
        assert axe_violations(page) == [], name
        if SCREENSHOTS:
            page.set_viewport_size({"width": width, "height": page.evaluate("document.body.scrollHeight")})
            page.wait_for_timeout(200)
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png")
    page.set_viewport_size(viewport)


def test_a_session_ended_mid_edit_loses_nothing(desk: Desk, open_page: Any) -> None:
    """THE acceptance test: autosave, the session expires server-side, sign in in place, saved."""
    start_draft(desk, FAQ, "es")
    edit = f"/desk/{FAQ}/draft/edit?locale=es"
    page: Page = open_page(bypass_csp=True)  # axe is injected as an inline script
    page.goto(f"{desk.base}/desk/{FAQ}?locale=es")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("API token").fill(desk.tokens["editor"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # The header's sign-in link kept the translation: signing in came back to the Spanish FAQ.
    assert page.url.startswith(f"{desk.base}/desk/{FAQ}?locale=es")
    page.goto(desk.base + edit)
    title = draft(desk, FAQ, "es")["title"]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit: {title} — Spanish")
    expect(page.get_by_label("Locale")).to_have_count(0)
    expect(page.get_by_label("Id")).to_have_count(0)
    handout_before = page.get_by_title(EN["handout_preview"]).get_attribute("src")

    answer = page.get_by_label("Answer").first
    answer.fill(answer.input_value() + " Pregunte por la zanahoria.")
    status = page.get_by_role("status").filter(has_text=SAVED_AT)
    expect(status).to_be_visible()
    assert "zanahoria" in draft(desk, FAQ, "es")["items"][0]["answer"]
    # The other channels follow each save: the email's frame shows it, the handout is fetched afresh.
    email = page.get_by_title(EN["email_preview"])
    email.scroll_into_view_if_needed()
    expect(
        page.frame_locator(f"iframe[title='{EN['email_preview']}']").get_by_text(re.compile("zanahoria"))
    ).not_to_have_count(0)
    handout_after = page.get_by_title(EN["handout_preview"]).get_attribute("src")
    assert handout_after != handout_before and handout_after is not None
    pdf = page.request.get(desk.base + handout_after)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "zanahoria" in " ".join(text.split())
    check(page, "autosave-saved")

    expire_sessions(desk)
    answer.fill(answer.input_value() + " Escrito después de caducar.")
    page.get_by_role("button", name="Save the draft").click()
    panel = page.get_by_role("region", name=EN["signin_again"])
    expect(panel).to_be_visible()
    expect(answer).to_have_value(re.compile("Escrito después de caducar."))  # still on the page
    check(page, "signin-in-place")
    panel.get_by_label("API token").fill("not-a-token")
    panel.get_by_role("button", name=EN["signin_and_save"]).click()
    expect(panel.get_by_text("That token is unknown or revoked.")).to_be_visible()
    panel.get_by_label("API token").fill(desk.tokens["editor"])
    panel.get_by_role("button", name=EN["signin_and_save"]).click()
    expect(page.get_by_role("status").filter(has_text=EN["signin_saved"])).to_be_visible()
    assert "Escrito después de caducar." in draft(desk, FAQ, "es")["items"][0]["answer"]
    # Typing goes on saving with the new session.
    answer.fill(answer.input_value() + " Y sigue.")
    expect(page.get_by_role("status").filter(has_text=SAVED_AT)).to_be_visible()
    assert draft(desk, FAQ, "es")["items"][0]["answer"].endswith("Y sigue.")


def test_without_script_a_save_after_the_session_ended_signs_in_and_saves(desk: Desk, open_page: Any) -> None:
    start_draft(desk, ARTICLE)
    page: Page = open_page("375", java_script_enabled=False)
    sign_in(page, desk.base, desk.tokens["editor"], f"/desk/{ARTICLE}/draft/edit")
    summary = page.get_by_label("Summary")
    summary.fill(summary.input_value() + " Typed after the session ended.")
    expire_sessions(desk)
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert")).to_have_text(EN["signin_replay"])
    page.get_by_label("API token").fill(desk.tokens["editor"])
    page.get_by_role("button", name=EN["signin_and_save"]).click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    assert page.url.endswith(f"/desk/{ARTICLE}/draft?done=saved")
    assert draft(desk, ARTICLE)["summary"].endswith("Typed after the session ended.")

    # The same sign-in page, checked by axe (which needs script: the page's own script is left out).
    checked: Page = open_page(bypass_csp=True)
    checked.route("**/desk/static/autosave.js", lambda route: route.abort())
    sign_in(checked, desk.base, desk.tokens["editor"], f"/desk/{ARTICLE}/draft/edit")
    checked.get_by_label("Summary").fill("Checked by axe.")
    expire_sessions(desk)
    checked.get_by_role("button", name="Save the draft").click()
    expect(checked.get_by_role("button", name=EN["signin_and_save"])).to_be_visible()
    check(checked, "signin-replay")


def test_a_conflict_shows_theirs_and_yours_side_by_side(desk: Desk, open_page: Any) -> None:
    start_draft(desk, FAQ)
    theirs: Page = open_page()
    mine: Page = open_page(bypass_csp=True)
    for page in (theirs, mine):
        sign_in(page, desk.base, desk.tokens["editor"], f"/desk/{FAQ}/draft/edit")
    theirs.get_by_label("Title").fill("Their title")
    expect(theirs.get_by_role("status").filter(has_text=SAVED_AT)).to_be_visible()

    mine.get_by_label("Summary").fill("My summary, typed while they saved.")
    their_side = mine.get_by_role("region", name="Their saved draft", exact=True)
    your_side = mine.get_by_role("region", name="Your text", exact=True)
    expect(their_side).to_contain_text("Their title")
    expect(your_side).to_contain_text("My summary, typed while they saved.")
    expect(mine.get_by_role("status").filter(has_text=EN["autosave_conflict"])).to_be_visible()
    check(mine, "conflict")
    mine.get_by_role("button", name="Keep my text").click()
    expect(mine.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    saved = draft(desk, FAQ)
    assert saved["summary"] == "My summary, typed while they saved." and saved["title"] != "Their title"
    # "Take theirs" reloads their draft.
    theirs.get_by_label("Summary").fill("Theirs again.")
    theirs.get_by_role("link", name="Take theirs").click()
    expect(theirs.get_by_label("Summary")).to_have_value("My summary, typed while they saved.")


def test_in_spanish_the_editor_says_the_language_and_when_it_saved(desk: Desk, open_page: Any) -> None:
    start_draft(desk, FAQ, "es")
    page: Page = open_page("375", bypass_csp=True)
    page.context.add_cookies([{"name": "folio_desk_lang", "value": "es", "url": desk.base}])
    sign_in_es(page, desk, f"/desk/{FAQ}/draft/edit?locale=es")
    title = draft(desk, FAQ, "es")["title"]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Editar: {title} — español")
    summary = page.get_by_label(catalog("es")["summary"], exact=True)
    summary.fill(summary.input_value() + " Más claro.")
    saved = re.compile("^" + ES["autosave_saved_at"].replace("{time}", r"\d\d:\d\d") + "$")
    expect(page.get_by_role("status").filter(has_text=saved)).to_be_visible()
    check(page, "autosave-es")
    expire_sessions(desk)
    summary.fill(summary.input_value() + " Otra vez.")
    panel = page.get_by_role("region", name=ES["signin_again"])
    expect(panel).to_be_visible()
    expect(panel.get_by_role("button", name=ES["signin_and_save"])).to_be_visible()
    check(page, "signin-in-place-es")
    panel.get_by_label(catalog("es")["token"]).fill(desk.tokens["editor"])
    panel.get_by_role("button", name=ES["signin_and_save"]).click()
    expect(page.get_by_role("status").filter(has_text=ES["signin_saved"])).to_be_visible()
    # Someone else saves through the API; the next autosave shows both sides, in Spanish.
    api, editor = f"{desk.base}/v1/{FAQ}/draft", bearer(desk.tokens["editor"])
    current = httpx.get(api, params={"locale": "es"}, headers=editor)
    item = current.json()
    del item["draft"]
    item["summary"] = "Resumen de otra persona."
    put = httpx.put(
        api, params={"locale": "es"}, json=item, headers={**editor, "If-Match": current.headers["etag"]}
    )
    assert put.status_code == 200, put.text
    summary.fill(summary.input_value() + " Mío.")
    their_side = page.get_by_role("region", name=ES["theirs"], exact=True)
    expect(their_side).to_contain_text("Resumen de otra persona.")
    expect(page.get_by_role("region", name=ES["yours"], exact=True)).to_contain_text("Otra vez. Mío.")
    expect(page.get_by_role("status").filter(has_text=ES["autosave_conflict"])).to_be_visible()
    check(page, "conflict-es")


def sign_in_es(page: Page, desk: Desk, next_path: str) -> None:
    page.goto(f"{desk.base}/desk/signin?next={next_path}")
    page.get_by_label(catalog("es")["token"]).fill(desk.tokens["editor"])
    page.get_by_role("button", name=catalog("es")["sign_in"], exact=True).click()
    page.wait_for_load_state()


def test_a_new_item_is_not_autosaved_and_shows_no_problem_before_typing(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("375")
    sign_in(page, desk.base, desk.tokens["editor"])
    with page.expect_response(lambda r: r.url.endswith("/desk/preview")):
        page.goto(desk.base + "/desk/new?kind=faq")
    expect(page.get_by_role("status").filter(has_text=EN["autosave_new"])).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Problems")).to_have_count(0)
    expect(page.get_by_label("Id")).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith("/desk/preview")):
        page.get_by_label("Title").fill("Sleep and ketamine")
        page.get_by_label("Title").blur()
    expect(page.get_by_role("status").filter(has_text="Problems")).to_contain_text(EN["problem_required"])
    expect(page.get_by_role("status").filter(has_text="Problems")).not_to_contain_text("Expected")
