"""Releases at /desk, in a real browser: create one, add drafts from their draft pages, read the
review state and diffs, preview, and publish after a confirmation; every page passes axe."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Desk, axe_violations, sign_in
from tests.conftest import bearer

ARTICLE = "articles/is-ketamine-therapy-addictive"
FAQ = "faqs/ketamine-addiction-faq"
COMPARISON = "comparisons/medical-vs-recreational-ketamine"


def drafted(desk: Desk, path: str, change: Any, review: bool) -> None:
    """A draft of ``/v1/{path}`` with ``change`` applied (reviewed if asked), through the API."""
    api = f"{desk.base}/v1/{path}/draft"
    editor = bearer(desk.tokens["editor"])
    httpx.post(api, headers=editor)  # 201, or 409: a draft exists already
    draft = httpx.get(api, headers=editor)
    assert draft.status_code == 200, draft.text
    item = {k: v for k, v in draft.json().items() if k not in ("draft", "review")}
    change(item)
    saved = httpx.put(
        api, json=item, headers=bearer(desk.tokens["editor"], **{"If-Match": draft.headers["etag"]})
    )
    assert saved.status_code == 200, saved.text
    if review:
        signed = httpx.post(
            api + "/review",
            json={"nextReviewOn": "2030-01-15"},
            headers=bearer(desk.tokens["reviewer"], **{"If-Match": saved.headers["etag"]}),
        )
        assert signed.status_code == 200, signed.text


def test_a_release_of_an_article_and_its_faq_published_from_the_desk(desk: Desk, open_page: Any) -> None:
    before = {p: httpx.get(f"{desk.base}/v1/{p}").json() for p in (ARTICLE, FAQ)}
    answer = f"Released answer {before[FAQ]['version'] + 1}: prescribed doses do not make the body dependent."

    def new_answer(item: dict[str, Any]) -> None:
        item["items"][0]["answer"] = answer

    def new_summary(item: dict[str, Any]) -> None:
        item["summary"] = f"Released summary {before[ARTICLE]['version'] + 1}."

    drafted(desk, FAQ, new_answer, review=True)
    drafted(desk, ARTICLE, new_summary, review=True)
    name = f"Addiction update {before[ARTICLE]['version']}"

    editor: Page = open_page()
    sign_in(editor, desk.base, desk.tokens["editor"])
    editor.get_by_role("navigation", name="Desk").get_by_role("link", name="Releases").click()
    editor.get_by_label("Release name").fill(name)
    editor.get_by_role("button", name="Create release").click()
    expect(editor.get_by_role("status")).to_have_text("Release created.")
    expect(editor.get_by_role("heading", level=1)).to_have_text(f"Release: {name}")
    for path in (FAQ, ARTICLE):
        editor.goto(f"{desk.base}/desk/{path}/draft")
        adding = editor.get_by_role("region", name="Add to release")
        adding.get_by_label("Release").select_option(label=name)
        adding.get_by_role("button", name="Add to release").click()
        expect(editor.get_by_role("status")).to_have_text("Added to the release.")
    # Editors do not publish.
    expect(editor.get_by_role("button", name="Publish", exact=True)).to_have_count(0)

    publisher: Page = open_page()
    sign_in(publisher, desk.base, desk.tokens["publisher"], "/desk/releases")
    publisher.get_by_role("link", name=name).click()
    entries = publisher.get_by_role("region", name="Drafts in this release")
    expect(entries.get_by_text("Review: Reviewed")).to_have_count(2)
    faq_changes = entries.get_by_role("table", name=re.compile("^Changes in Ketamine therapy and addiction"))
    expect(faq_changes.locator("ins")).to_contain_text(["Released answer"])
    previews = entries.get_by_role("list", name=re.compile("^Previews of Is ketamine therapy addictive"))
    page_href = previews.get_by_role("link", name="Patient page").get_attribute("href")
    assert page_href
    preview = publisher.request.get(desk.base + page_href)
    assert preview.status == 200 and answer in preview.text()  # the embedded FAQ as released

    publisher.get_by_role("link", name="Publish release").click()
    expect(publisher.get_by_text(re.compile("in one transaction"))).to_be_visible()
    publisher.get_by_role("button", name="Publish 2 drafts now").click()
    expect(publisher.get_by_role("status")).to_have_text("Release published.")
    expect(publisher.get_by_text("Review: Published")).to_have_count(2)

    after = {p: httpx.get(f"{desk.base}/v1/{p}").json() for p in (ARTICLE, FAQ)}
    assert after[FAQ]["version"] == before[FAQ]["version"] + 1
    assert after[ARTICLE]["version"] == before[ARTICLE]["version"] + 1  # one version, not two
    assert after[FAQ]["items"][0]["answer"] == answer
    pinned = {
        "type": "faq",
        "slug": "ketamine-addiction-faq",
        "version": after[FAQ]["version"],
        "locale": "en",
    }
    assert pinned in after[ARTICLE]["embeds"]


def test_an_unreviewed_draft_stops_the_publish_and_says_which(desk: Desk, open_page: Any) -> None:
    def summary(item: dict[str, Any]) -> None:
        item["summary"] = "A comparison summary nobody reviewed."

    drafted(desk, COMPARISON, summary, review=False)
    release = httpx.post(
        f"{desk.base}/v1/releases", json={"name": "Unreviewed"}, headers=bearer(desk.tokens["editor"])
    ).json()["id"]
    entry = {"type": "comparison", "slug": "medical-vs-recreational-ketamine"}
    added = httpx.post(
        f"{desk.base}/v1/releases/{release}/entries", json=entry, headers=bearer(desk.tokens["editor"])
    )
    assert added.status_code == 200, added.text
    publisher: Page = open_page()
    sign_in(publisher, desk.base, desk.tokens["publisher"], f"/desk/releases/{release}/publish")
    publisher.get_by_role("button", name="Publish 1 draft now").click()
    expect(publisher.get_by_role("alert")).to_contain_text("has not been reviewed")
    expect(publisher.get_by_text("Review: Not reviewed")).to_be_visible()


@pytest.mark.parametrize("width", ["375", "1280"])
def test_release_pages_pass_axe_at_both_widths(desk: Desk, open_page: Any, width: str) -> None:
    if desk.store != "sqlite":
        pytest.skip("the pages' markup does not depend on the store; the jobs above run on both")

    def summary(item: dict[str, Any]) -> None:
        item["summary"] = "A comparison summary for the axe tour."

    drafted(desk, COMPARISON, summary, review=False)
    release = httpx.post(
        f"{desk.base}/v1/releases", json={"name": f"Axe {width}"}, headers=bearer(desk.tokens["editor"])
    ).json()["id"]
    entry = {"type": "comparison", "slug": "medical-vs-recreational-ketamine"}
    httpx.post(
        f"{desk.base}/v1/releases/{release}/entries", json=entry, headers=bearer(desk.tokens["editor"])
    )
    page: Page = open_page(width, bypass_csp=True)  # axe is injected as an inline script
    sign_in(page, desk.base, desk.tokens["admin"])
    failures = {}
    preview = f"/desk/releases/{release}/preview/comparison/medical-vs-recreational-ketamine"
    for name, path in [
        ("releases", "/desk/releases"),
        ("release", f"/desk/releases/{release}"),
        ("release-publish", f"/desk/releases/{release}/publish"),
        ("release-email", preview + "/email"),
        ("draft-with-releases", f"/desk/{COMPARISON}/draft"),
    ]:
        response = page.goto(desk.base + path)
        assert response is not None and response.status == 200, name
        if found := axe_violations(page):
            failures[name] = found
    assert not failures, json.dumps(failures, indent=1)
