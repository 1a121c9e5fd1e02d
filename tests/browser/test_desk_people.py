"""People, comments and queues at /desk in a real browser: an admin invites a reviewer, whose
one-time link signs her in once; her queue shows the draft waiting for her; her comment reaches
the editor's queue, the review view and the audit log; revoking her ends her session. Every new
page and state passes axe at 375 and 1280 px, in English and in Spanish."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from api.desk.labels import catalog
from api.desk.labels_people import ES
from tests.browser.conftest import SCREENSHOTS, WIDTHS, Desk, axe_violations, sign_in
from tests.conftest import bearer

SLUG = "driving-after-your-session"
DRAFT = f"/desk/articles/{SLUG}/draft"
TITLE = "Driving after your session"
NEW = {
    "slug": SLUG,
    "title": TITLE,
    "summary": "When you may drive again after a ketamine session.",
    "tags": ["ketamine"],
    "body": [
        {"type": "paragraph", "text": "Do not drive for the rest of the day. Ask someone to take you home."}
    ],
}


def check(page: Page, name: str) -> None:
    """The page as it is now passes axe at both widths; its screenshots when asked for."""
    failures = {}
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        if found := axe_violations(page):
            failures[width] = found
        if SCREENSHOTS:
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(WIDTHS["1280"])
    assert not failures, json.dumps(failures, indent=1)


def new_draft(desk: Desk, body: dict[str, Any]) -> None:
    made = httpx.post(
        f"{desk.base}/v1/articles", json=body, headers=bearer(desk.tokens["editor"]), timeout=60
    )
    assert made.status_code == 201, made.text


def invite(admin: Page, name: str, credentials: str, role: str) -> str:
    """Invites someone from People; the one-time link shown."""
    admin.get_by_label("Display name").fill(name)
    admin.get_by_label("Credentials (optional)").fill(credentials)
    admin.get_by_label("Role", exact=True).select_option(role)
    admin.get_by_role("button", name="Invite").click()
    link = admin.get_by_label("One-time sign-in link").input_value()
    assert re.fullmatch(re.escape(admin.url.split("/desk/")[0]) + r"/desk/welcome/[\w-]{43}", link)
    return link


def test_an_invited_reviewer_signs_in_once_comments_and_is_revoked(desk: Desk, open_page: Any) -> None:
    new_draft(desk, NEW)
    admin: Page = open_page("1280", bypass_csp=True)
    sign_in(admin, desk.base, desk.tokens["admin"])
    admin.get_by_role("link", name="People").click()
    expect(admin.get_by_role("heading", name="People", level=1)).to_be_visible()
    accounts = admin.get_by_role("list", name="Accounts")
    expect(accounts.get_by_role("listitem").filter(has_text="This is you")).to_contain_text("Dr Admin Rivera")
    check(admin, "people-list")

    admin.get_by_role("button", name="Invite").click()  # nothing filled in: said at the field
    expect(admin.get_by_text("Write the person's name.").last).to_be_visible()
    expect(admin.get_by_label("Display name")).to_have_attribute("aria-invalid", "true")
    check(admin, "people-invite-problem")

    link = invite(admin, "Ana Rivera", "MD", "reviewer")
    expect(admin.get_by_role("heading", name="Ana Rivera is invited")).to_be_visible()
    token = admin.get_by_label("API token").input_value()
    assert token.startswith("folio_")
    expect(admin.get_by_role("button", name="Copy the link")).to_be_visible()
    check(admin, "invite-result")
    admin.reload()  # shown once: gone on reload
    expect(admin.get_by_role("heading", name="Shown once")).to_be_visible()
    expect(admin.get_by_label("One-time sign-in link")).to_have_count(0)
    assert token not in admin.content() and link not in admin.content()
    check(admin, "invite-gone")
    admin.goto(desk.base + "/desk/people")
    ana_card = admin.get_by_role("listitem").filter(has=admin.get_by_role("heading", name="Ana Rivera, MD"))
    expect(ana_card).to_contain_text("Role: reviewer")

    ana: Page = open_page("375", bypass_csp=True)  # a fresh browser: no session
    ana.goto(link)
    expect(ana.get_by_role("heading", name="Welcome, Ana Rivera, MD")).to_be_visible()
    check(ana, "invite-welcome")
    ana.get_by_role("button", name="Sign in as reviewer").click()
    expect(ana.get_by_role("heading", name="What waits for you")).to_be_visible()
    expect(ana.get_by_role("button", name="Sign out")).to_be_visible()
    expect(ana.get_by_role("link", name=re.compile(r"^Review queue \(\d+\)$"))).to_be_visible()
    waiting = ana.get_by_role("list", name="Waiting for your sign-off")
    expect(waiting.get_by_role("link", name=TITLE)).to_be_visible()
    check(ana, "queue-reviewer")

    waiting.get_by_role("link", name=TITLE).click()
    ana.get_by_role("button", name="Add comment").click()  # empty: refused at the field
    expect(ana.get_by_text("Write a comment first.")).to_be_visible()
    ana.get_by_label("Your comment").fill("Say how long: 24 hours, or until the next morning?")
    ana.get_by_role("button", name="Add comment").click()
    comments = ana.get_by_role("region", name="Comments")
    expect(comments.get_by_role("listitem")).to_have_count(1)
    expect(comments).to_contain_text("Say how long: 24 hours")
    expect(comments).to_contain_text("Ana Rivera, MD")
    check(ana, "comments-added")

    editor: Page = open_page("1280", bypass_csp=True)
    sign_in(editor, desk.base, desk.tokens["editor"], "/desk/review")
    mine = editor.get_by_role("list", name="New comments on your drafts")
    expect(mine.get_by_role("listitem")).to_contain_text("1 new comment")
    check(editor, "queue-editor")
    mine.get_by_role("link", name=TITLE).click()
    expect(editor.get_by_role("region", name="Comments")).to_contain_text("Say how long: 24 hours")
    admin.goto(desk.base + "/desk/audit?action=comment")
    expect(admin.get_by_role("main")).to_contain_text("Say how long: 24 hours")

    admin.goto(desk.base + "/desk/people")
    admin.get_by_role("link", name="Revoke Ana Rivera").click()
    expect(admin.get_by_role("heading", name="Revoke Ana Rivera, MD?")).to_be_visible()
    check(admin, "people-revoke-confirm")
    admin.get_by_role("button", name="Revoke Ana Rivera, MD").click()
    expect(admin.get_by_role("status")).to_contain_text("The account was revoked")
    expect(ana_card).to_contain_text("Revoked")

    ana.reload()  # her session ended: the desk asks her to sign in
    expect(ana.get_by_label("API token")).to_be_visible()
    gone = ana.goto(link)  # and her link was spent anyway
    assert gone is not None and gone.status == 410
    expect(ana.get_by_role("alert")).to_contain_text("was closed")
    assert (
        httpx.get(
            desk.base + "/v1/articles/" + SLUG + "/draft", headers=bearer(token), timeout=60
        ).status_code
        == 401
    )

    refused = admin.goto(desk.base + "/desk/people/admin/revoke")  # an admin cannot revoke themselves
    assert refused is not None and refused.status == 403
    expect(admin.get_by_role("alert")).to_have_text(
        "You cannot revoke your own account. Ask another admin to do it."
    )
    expect(admin.get_by_role("button", name=re.compile("Revoke"))).to_have_count(0)


def test_a_used_link_signs_in_nobody(desk: Desk, open_page: Any) -> None:
    admin: Page = open_page("1280")
    sign_in(admin, desk.base, desk.tokens["admin"], "/desk/people")
    link = invite(admin, "Tomás Ortega", "", "editor")
    first: Page = open_page("1280", bypass_csp=True)
    first.goto(link)
    second: Page = open_page("1280")
    second.goto(link)  # both show the button; the first to press it signs in
    first.get_by_role("button", name="Sign in as editor").click()
    expect(first.get_by_role("button", name="Sign out")).to_be_visible()
    second.get_by_role("button", name="Sign in as editor").click()
    expect(second.get_by_role("heading", name="This sign-in link does not work")).to_be_visible()
    expect(second.get_by_role("alert")).to_contain_text("was used already")
    expect(second.get_by_role("button", name="Sign out")).to_have_count(0)
    check_page = first
    check_page.goto(link)
    check(check_page, "invite-used")
    unknown = second.goto(desk.base + "/desk/welcome/not-a-code")
    assert unknown is not None and unknown.status == 404
    expect(second.get_by_role("alert")).to_contain_text("not known")


def test_people_and_comments_in_spanish(desk: Desk, open_page: Any) -> None:
    new_draft(desk, NEW | {"slug": "eating-before-your-session", "title": "Eating before your session"})
    admin: Page = open_page("1280", bypass_csp=True)
    admin.context.add_cookies([{"name": "folio_desk_lang", "value": "es", "url": desk.base}])
    sign_in_es(admin, desk, "admin", "/desk/people")
    expect(admin.get_by_role("heading", name=ES["people_title"], level=1)).to_be_visible()
    admin.get_by_role("button", name=ES["invite_submit"]).click()
    expect(admin.get_by_text(ES["invite_missing_name"]).last).to_be_visible()
    check(admin, "people-es")
    admin.get_by_label(ES["invite_display_name"]).fill("Lucía Gómez")
    admin.get_by_label(ES["invite_role"], exact=True).select_option("reviewer")
    admin.get_by_role("button", name=ES["invite_submit"]).click()
    expect(admin.get_by_role("heading", name=ES["invited_title"].format(name="Lucía Gómez"))).to_be_visible()
    link = admin.get_by_label(ES["invited_link"]).input_value()
    check(admin, "invite-result-es")

    lucia: Page = open_page("375", bypass_csp=True)
    lucia.context.add_cookies([{"name": "folio_desk_lang", "value": "es", "url": desk.base}])
    lucia.goto(link)
    expect(lucia.get_by_role("heading", name=ES["welcome_title"].format(name="Lucía Gómez"))).to_be_visible()
    check(lucia, "invite-welcome-es")
    lucia.get_by_role("button", name=ES["welcome_button"].format(role=ES["role_name_reviewer"])).click()
    expect(lucia.get_by_role("heading", name=ES["queue_title"], level=1)).to_be_visible()
    waiting = lucia.get_by_role("list", name=ES["queue_signoff"])
    waiting.get_by_role("link", name="Eating before your session").click()
    lucia.get_by_role("button", name=ES["comment_add"]).click()
    expect(lucia.get_by_text(ES["comment_empty"])).to_be_visible()
    lucia.get_by_label(ES["comment_label"]).fill("¿Cuántas horas de ayuno?")
    lucia.get_by_role("button", name=ES["comment_add"]).click()
    expect(lucia.get_by_role("region", name=ES["comments"])).to_contain_text("¿Cuántas horas de ayuno?")
    check(lucia, "comments-es")
    lucia.goto(desk.base + "/desk/review")
    check(lucia, "queue-es")

    admin.goto(desk.base + "/desk/people")
    admin.get_by_role("link", name=ES["people_revoke"].format(name="Lucía Gómez")).click()
    expect(admin.get_by_role("heading", name=ES["revoke_title"].format(name="Lucía Gómez"))).to_be_visible()
    check(admin, "people-revoke-es")


def sign_in_es(page: Page, desk: Desk, role: str, next_path: str) -> None:
    page.goto(f"{desk.base}/desk/signin?next={next_path}")
    page.get_by_label(catalog("es")["token"]).fill(desk.tokens[role])
    page.get_by_label(catalog("es")["token"]).press("Enter")
    page.wait_for_load_state()
