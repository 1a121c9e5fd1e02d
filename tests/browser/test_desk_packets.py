"""Packets that keep their items and choices, digests in the order chosen, ranked library search
with a language filter, and bulk actions: in a real browser, by accessible names (issue 21)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from api.desk.labels import catalog
from api.desk.labels_packets import ES
from tests.browser.conftest import SCREENSHOTS, Desk, axe_violations, sign_in
from tests.conftest import bearer

WITHDRAWAL = "Ketamine withdrawal — should patients in therapy worry?"
FAQ = "Ketamine therapy and addiction — common questions"
ADDICTIVE = "Is ketamine therapy addictive?"
COMPARISON = "Ketamine as a treatment and ketamine used to get high, side by side"
SPANISH = {
    "¿La terapia con ketamina causa adicción?",
    "Abstinencia de ketamina: ¿deben preocuparse los pacientes en terapia?",
    "La terapia con ketamina y la adicción: preguntas frecuentes",
    "La ketamina como tratamiento y la ketamina para drogarse: comparación",
}


def snapshot(page: Page, name: str) -> None:
    """docs/desk/<name>-<width>.png when FOLIO_DESK_SCREENSHOTS names a folder."""
    if not SCREENSHOTS:
        return
    viewport = page.viewport_size
    assert viewport is not None
    page.set_viewport_size(
        {"width": viewport["width"], "height": page.evaluate("document.body.scrollHeight")}
    )
    page.screenshot(path=f"{SCREENSHOTS}/{name}-{viewport['width']}.png")
    page.set_viewport_size(viewport)


def remove_names(page: Page) -> list[str]:
    """The packet's titles in order, as each item's Remove button names them."""
    buttons = page.get_by_role("button", name=re.compile(r"^(Remove|Quitar): "))
    return [re.sub(r"^(Remove|Quitar): ", "", b.get_attribute("aria-label") or "") for b in buttons.all()]


def pdf(path: Any) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split()), reader


def test_a_packet_keeps_its_items_and_choices_until_cleared(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("1280", bypass_csp=True)
    # From the library's cards and from an item's page: each adds to the same packet.
    page.goto(desk.base + "/desk")
    page.get_by_role("button", name=f"Add to packet: {WITHDRAWAL}").click()
    expect(page.get_by_role("status").filter(has_text="Added to the packet.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Add to packet: {WITHDRAWAL}")).to_be_focused()
    page.goto(desk.base + "/desk/faqs/ketamine-addiction-faq")
    page.get_by_role("button", name=f"Add to packet: {FAQ}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FAQ)
    page.get_by_role("link", name="Packet", exact=True).click()
    assert remove_names(page) == [WITHDRAWAL, FAQ]

    # Choose the paper that is not the clinic's and large print, then add another item: all kept.
    paper, size = (
        ("A4", (595, 842)) if page.get_by_label("US letter").is_checked() else ("US letter", (612, 792))
    )
    page.get_by_label(paper).check()
    page.get_by_label("Large print").check()
    page.get_by_role("button", name=f"Add {ADDICTIVE}").click()
    assert remove_names(page) == [WITHDRAWAL, FAQ, ADDICTIVE]
    expect(page.get_by_label(paper)).to_be_checked()
    expect(page.get_by_label("Large print")).to_be_checked()
    page.goto(desk.base + "/desk?q=side+by+side")  # and from the library again, elsewhere
    page.get_by_role("button", name=f"Add to packet: {COMPARISON}").click()
    page.get_by_role("link", name="Packet", exact=True).click()
    assert remove_names(page) == [WITHDRAWAL, FAQ, ADDICTIVE, COMPARISON]
    expect(page.get_by_label(paper)).to_be_checked()
    expect(page.get_by_label("Large print")).to_be_checked()

    # Move and remove by visible text; the keyboard focus stays with the item.
    page.get_by_role("button", name=f"Move up: {ADDICTIVE}").click()
    assert remove_names(page) == [WITHDRAWAL, ADDICTIVE, FAQ, COMPARISON]
    expect(page.get_by_role("button", name=f"Move up: {ADDICTIVE}")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # again, by keyboard: now first, so focus is on its Move down
    assert remove_names(page) == [ADDICTIVE, WITHDRAWAL, FAQ, COMPARISON]
    expect(page.get_by_role("button", name=f"Move down: {ADDICTIVE}")).to_be_focused()
    page.get_by_role("button", name=f"Remove: {FAQ}").click()
    assert remove_names(page) == [ADDICTIVE, WITHDRAWAL, COMPARISON]
    expect(page.get_by_role("button", name=f"Remove: {COMPARISON}")).to_be_focused()
    assert axe_violations(page) == []
    snapshot(page, "packet-moved")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the packet").click()
    text, reader = pdf(download.value.path())
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size
    positions = [text.rfind(t) for t in (ADDICTIVE, WITHDRAWAL, COMPARISON)]  # after the contents page
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions

    page.get_by_role("button", name="Clear the packet").click()
    expect(page.get_by_text("The packet is empty.")).to_be_visible()
    assert remove_names(page) == []
    expect(page.get_by_label(paper)).not_to_be_checked()  # the clinic's paper again
    expect(page.get_by_label("Standard print")).to_be_checked()
    assert axe_violations(page) == []
    snapshot(page, "packet-cleared")


def test_an_old_packet_link_adds_to_the_packet(desk: Desk, open_page: Any) -> None:
    page: Page = open_page()
    page.goto(desk.base + "/desk/packet?item=faq/ketamine-addiction-faq&size=large")
    page.goto(desk.base + "/desk/packet?item=article/ketamine-withdrawal")
    assert remove_names(page) == [FAQ, WITHDRAWAL]
    expect(page.get_by_label("Large print")).to_be_checked()


def test_a_digest_says_what_is_missing_and_keeps_the_order_chosen(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("1280", bypass_csp=True)
    page.goto(desk.base + "/desk/digest")
    items = page.get_by_role("group", name="Items")
    expect(items).to_be_visible()
    page.get_by_role("button", name="Preview the digest").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("To preview the digest, fill in:")
    for missing in ("Give the digest a subject.", "Write a short introduction.", "Pick at least one item."):
        expect(summary.get_by_role("link", name=missing)).to_be_visible()
    expect(page.get_by_label("Subject")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("group", name="Items")).to_have_accessible_description("Pick at least one item.")
    summary.get_by_role("link", name="Write a short introduction.").click()
    expect(page.get_by_label("Introduction")).to_be_focused()
    assert axe_violations(page) == []
    snapshot(page, "digest-errors")

    page.get_by_label("Subject").fill("News from the clinic")
    page.get_by_label("Introduction").fill("Two things worth reading this month.")
    items.get_by_label(FAQ).check()
    items.get_by_label(WITHDRAWAL).check()
    page.get_by_role("button", name="Preview the digest").click()
    order = page.get_by_role("region", name="Order in the digest")
    expect(order.get_by_role("listitem")).to_have_count(2)
    first = order.get_by_role("listitem").first.inner_text()
    second = WITHDRAWAL if FAQ in first else FAQ
    order.get_by_role("button", name=f"Move up: {second}").click()
    expect(page.get_by_role("button", name=f"Move down: {second}")).to_be_focused()
    text = page.get_by_label("Plain text").input_value()
    assert 0 <= text.find(second) < text.find(WITHDRAWAL if second == FAQ else FAQ)
    warning = page.get_by_role("note").filter(has_text="FOLIO_UNSUBSCRIBE_URL")
    expect(warning).to_contain_text("example.invalid")
    assert axe_violations(page) == []
    snapshot(page, "digest-filled")
    # The files follow the same order.
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"\.txt", re.I)).click()
    body = Path(download.value.path()).read_text()
    assert 0 <= body.find(second) < body.find(WITHDRAWAL if second == FAQ else FAQ)


def test_the_email_page_flags_the_unsubscribe_placeholder(desk: Desk, open_page: Any) -> None:
    page: Page = open_page()
    page.goto(desk.base + "/desk/articles/ketamine-withdrawal/email")
    expect(page.get_by_role("note").filter(has_text="FOLIO_UNSUBSCRIBE_MAILTO")).to_contain_text(
        "https://example.invalid/unsubscribe"
    )


def test_library_search_by_rank_with_a_language_filter(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("1280")
    page.goto(desk.base + "/desk")
    expect(page.get_by_label("Search title, summary and text")).to_be_focused()  # nothing searched yet
    page.get_by_label("Search title, summary and text").fill("withdrawal")
    page.get_by_role("button", name="Search").click()
    cards = page.get_by_role("heading", level=2)
    expect(cards.first).to_have_text(WITHDRAWAL)
    assert cards.count() >= 2
    # From the top of a results page: skip link, into main, the search box.
    presses = 0
    search = page.get_by_label("Search title, summary and text")
    for key in ("Tab", "Enter", "Tab", "Tab", "Tab"):
        page.keyboard.press(key)
        presses += key == "Tab"
        if page.evaluate("document.activeElement.id") == "q":
            break
    expect(search).to_be_focused()
    assert presses <= 4

    page.get_by_label("Language", exact=True).select_option(label="Español")
    page.get_by_label("Search title, summary and text").fill("")
    page.get_by_role("button", name="Search").click()
    titles = {" ".join(t.split()) for t in cards.all_inner_texts()}
    assert titles == SPANISH
    page.get_by_label("Search title, summary and text").fill("abstinencia")
    page.get_by_role("button", name="Search").click()
    expect(cards.first).to_have_text("Abstinencia de ketamina: ¿deben preocuparse los pacientes en terapia?")
    assert all(t in SPANISH for t in cards.all_inner_texts())


def test_bulk_add_to_packet_and_bulk_archive(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("1280", bypass_csp=True)
    page.goto(desk.base + "/desk")
    page.get_by_label(f"Select: {FAQ}").check()
    page.get_by_label(f"Select: {ADDICTIVE}").check()
    page.get_by_role("button", name="Add selected to packet").click()
    assert sorted(remove_names(page)) == sorted([FAQ, ADDICTIVE])
    expect(page.get_by_role("button", name="Archive selected…")).to_have_count(0)

    publisher: Page = open_page("1280", bypass_csp=True)
    sign_in(publisher, desk.base, desk.tokens["publisher"])
    faq, article = (
        "La terapia con ketamina y la adicción: preguntas frecuentes",
        "¿La terapia con ketamina causa adicción?",
    )
    try:
        # The Spanish FAQ is embedded by the Spanish article: refused, while the article is archived.
        publisher.get_by_label(f"Select: {faq}").check()
        publisher.get_by_label(f"Select: {article}").check()
        publisher.get_by_role("button", name="Archive selected…").click()
        expect(publisher.get_by_role("heading", level=1)).to_have_text("Archive these items?")
        expect(publisher.get_by_role("link", name=faq)).to_be_visible()
        expect(publisher.get_by_role("link", name=article)).to_be_visible()
        expect(publisher.get_by_text("an admin can bring it back")).to_be_visible()
        assert axe_violations(publisher) == []
        publisher.get_by_role("button", name="Archive the selected items (2)").click()
        expect(publisher.get_by_role("heading", level=1)).to_have_text("Archiving done")
        expect(publisher.get_by_role("list", name="Archived (1)", exact=True)).to_have_text(article)
        refused = publisher.get_by_role("list", name="Not archived (1)")
        expect(refused).to_contain_text(faq)
        expect(refused).to_contain_text(
            f"Not archived while “{article}” includes it; take it out of that item first."
        )
        assert axe_violations(publisher) == []
        snapshot(publisher, "library-bulk-result")
        publisher.get_by_role("link", name="Back to the library").click()
        expect(publisher.get_by_label(f"Select: {faq}")).to_be_visible()
        expect(publisher.get_by_label(f"Select: {article}")).to_have_count(0)
    finally:
        httpx.post(
            f"{desk.base}/v1/articles/is-ketamine-therapy-addictive/unarchive?locale=es",
            headers=bearer(desk.tokens["admin"]),
        )


def test_packets_digests_and_the_library_in_spanish(desk: Desk, open_page: Any) -> None:
    page: Page = open_page("375", bypass_csp=True)
    page.context.add_cookies([{"name": "folio_desk_lang", "value": "es", "url": desk.base}])
    page.goto(desk.base + "/desk")
    page.get_by_label(f"{ES['select_item']}: {WITHDRAWAL}").check()
    page.get_by_label(f"{ES['select_item']}: {COMPARISON}").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name=ES["add_selected"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ES["packet_title"])
    page.get_by_role("button", name=f"{ES['packet_up']}: {WITHDRAWAL}").click()
    expect(page.get_by_role("button", name=f"{ES['packet_down']}: {WITHDRAWAL}")).to_be_focused()
    expect(page.get_by_role("button", name=f"{ES['packet_remove']}: {WITHDRAWAL}")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(desk.base + "/desk/digest")
    page.get_by_role("button", name=ES["build_digest"]).click()
    expect(page.get_by_role("alert")).to_contain_text(ES["digest_problems"])
    expect(page.get_by_role("group", name=catalog("es")["items"])).to_have_accessible_description(
        ES["digest_need_items"]
    )
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", ["375", "1280"])
def test_the_new_states_pass_axe_at_both_widths(desk: Desk, open_page: Any, width: str) -> None:
    if desk.store != "sqlite":
        pytest.skip("the pages' markup does not depend on the store; the jobs above run on both")
    page: Page = open_page(width, bypass_csp=True)
    failures: dict[str, Any] = {}
    states = [
        ("packet-empty", "/desk/packet"),
        ("library-ranked", "/desk?q=withdrawal&lang=en"),
        ("digest-errors", "/desk/digest?preview=1"),
        (
            "digest-filled",
            "/desk/digest?subject=News&intro=Hello&item=article/ketamine-withdrawal&item=faq/ketamine-addiction-faq",
        ),
    ]
    for name, path in states:
        page.goto(desk.base + path)
        if found := axe_violations(page):
            failures[name] = found
        snapshot(page, name)
    page.goto(desk.base + "/desk")
    page.get_by_label(f"Select: {WITHDRAWAL}").check()
    page.get_by_label(f"Select: {FAQ}").check()
    if found := axe_violations(page):
        failures["library-selection"] = found
    snapshot(page, "library-selection")
    page.goto(desk.base + "/desk/packet?item=article/ketamine-withdrawal/es&item=faq/ketamine-addiction-faq")
    if found := axe_violations(page):
        failures["packet-filled"] = found
    snapshot(page, "packet-filled")
    publisher: Page = open_page(width, bypass_csp=True)
    sign_in(publisher, desk.base, desk.tokens["publisher"])
    publisher.get_by_label(f"Select: {WITHDRAWAL}").check()
    publisher.get_by_label(f"Select: {FAQ}").check()
    publisher.get_by_role("button", name="Archive selected…").click()
    if found := axe_violations(publisher):
        failures["library-bulk-confirm"] = found
    snapshot(publisher, "library-bulk-confirm")
    # The Spanish interface.
    spanish: Page = open_page(width, bypass_csp=True)
    spanish.context.add_cookies([{"name": "folio_desk_lang", "value": "es", "url": desk.base}])
    for name, path in [
        ("library-es", "/desk?lang=es"),
        ("packet-es", "/desk/packet?item=article/ketamine-withdrawal/es&item=faq/ketamine-addiction-faq/es"),
        ("digest-errors-es", "/desk/digest?preview=1"),
    ]:
        spanish.goto(desk.base + path)
        if found := axe_violations(spanish):
            failures[name] = found
        snapshot(spanish, name)
    assert not failures, json.dumps(failures, indent=1)
