"""Email exports, checked the way a mail client and an email service would read them."""

import email
import email.policy
import os
import re
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from content.bundle import Bundle
from exporters.email.colours import AA, DARK_RAISED, DARK_SURFACE, contrast
from exporters.email.render import (
    ESPS,
    DigestOptions,
    EmailOptions,
    digest_parts,
    direction,
    email_parts,
    palette,
)
from tests.chromium import CHROMIUM
from tests.exporters.email_lint import lint

ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
ITEMS = [
    ARTICLE,
    "/v1/articles/ketamine-withdrawal",
    "/v1/faqs/ketamine-addiction-faq",
    "/v1/comparisons/medical-vs-recreational-ketamine",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
UNSUBSCRIBE_TAGS = {
    "mailchimp": "*|UNSUB|*",
    "sendgrid": "{{{unsubscribe}}}",
    "postmark": "{{{ pm:unsubscribe }}}",
}
UNREVIEWED = "Sample: not reviewed by a clinician."
CARE = "care@clinic.example.org"


class Page(HTMLParser):
    """Collects what the tests look at: tags with attributes, style blocks, text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def visible_text(html: str) -> str:
    """What a reader sees in the HTML: its text, without the <style> block."""
    return " ".join(" ".join(parse(html).text).split())


def without_urls(text: str) -> str:
    return re.sub(r"\S+://\S+", "", text)


def style_of(attrs: dict[str, str | None]) -> dict[str, str]:
    declarations = (d.partition(":") for d in (attrs.get("style") or "").split(";") if ":" in d)
    return {k.strip(): v.strip() for k, _, v in declarations}


def test_email_json_names_its_version(client: TestClient[Any]) -> None:
    doc = client.get(ARTICLE + "/email").json()
    assert doc["type"] == "article" and doc["slug"] == "is-ketamine-therapy-addictive"
    assert doc["version"] == 1
    assert doc["subject"] == "Is ketamine therapy addictive?"
    assert doc["preheader"] and len(doc["preheader"]) <= 141
    # The version is for marketing (JSON, X-Folio-* headers), never shown to patients.
    # The library is sample content: the email says so, and claims no review.
    assert UNREVIEWED in visible_text(doc["html"]) and UNREVIEWED in " ".join(doc["text"].split())
    assert "Reviewed" not in visible_text(doc["html"]) + doc["text"]
    assert "version" not in visible_text(doc["html"]).lower()
    assert "version" not in without_urls(doc["text"]).lower()


@pytest.mark.parametrize("path", ITEMS)
def test_html_is_built_for_mail_clients(client: TestClient[Any], path: str) -> None:
    html = client.get(path + "/email.html").text
    page = parse(html)
    assert len(html.encode()) < 102 * 1024
    [root] = [attrs for tag, attrs in page.tags if tag == "html"]
    assert root["lang"] == "en" and root["dir"] == "ltr"
    assert all(attrs.get("alt") for tag, attrs in page.tags if tag == "img")
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe", "object", "embed")]
    assert lint(html) == []
    tables = [attrs for tag, attrs in page.tags if tag == "table"]
    layout = [attrs for attrs in tables if "compare" not in (attrs.get("class") or "")]
    assert layout and all(attrs.get("role") == "presentation" for attrs in layout)
    assert not [t for t, _ in page.tags if t == "div"]  # cards, callouts, boxes: all tables
    assert any(attrs.get("name") == "color-scheme" for tag, attrs in page.tags if tag == "meta")
    # Only media queries remain in <style>; every other rule was inlined.
    css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", " ".join(page.styles)).strip()
    assert css == ""
    assert any("@media" in s for s in page.styles)
    assert any("style" in attrs for tag, attrs in page.tags if tag == "td")
    hrefs = [attrs["href"] or "" for tag, attrs in page.tags if tag == "a"]
    assert all(h.startswith(("https://", "http://", "mailto:", "tel:")) for h in hrefs)
    unsubscribe = "https://example.invalid/unsubscribe"  # from settings, never tagged
    assert all("utm_source=folio" in h for h in hrefs if h.startswith("http") and h != unsubscribe)


@pytest.mark.parametrize("esp", sorted(UNSUBSCRIBE_TAGS))
def test_each_service_gets_its_own_unsubscribe_tag(client: TestClient[Any], esp: str) -> None:
    unsubscribe = UNSUBSCRIBE_TAGS[esp]
    doc = client.get(ARTICLE + f"/email?esp={esp}").json()
    hrefs = [attrs["href"] for tag, attrs in parse(doc["html"]).tags if tag == "a"]
    assert unsubscribe in hrefs  # survived CSS inlining, inside an href
    assert f"Unsubscribe from these emails: {unsubscribe}" in doc["text"]
    assert CARE not in " ".join(hrefs)


def test_bad_esp_is_400(client: TestClient[Any]) -> None:
    response = client.get(ARTICLE + "/email?esp=aol")
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "esp"


def test_eml_reparses_cleanly(client: TestClient[Any]) -> None:
    response = client.get("/v1/faqs/ketamine-addiction-faq/email.eml?esp=mailchimp")
    assert response.headers["content-type"].startswith("message/rfc822")
    assert response.headers["content-disposition"] == 'attachment; filename="ketamine-addiction-faq-v1.eml"'
    raw = response.content
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.defects == []
    assert message["Subject"] == "Ketamine therapy and addiction — common questions"  # non-ASCII dash
    assert message["From"].addresses[0].addr_spec == "care@clinic.example.org"
    assert message["X-Unsent"] == "1" and message["MIME-Version"] == "1.0"
    assert message["Message-ID"] and message["Date"]
    assert message["X-Folio-Version"] == "1" and message["X-Folio-Item"] == "faq/ketamine-addiction-faq"
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for part in parts:
        assert part.defects == [] and part.get_content_charset() == "utf-8"
    assert "*|UNSUB|*" in parts[0].get_content() and "*|UNSUB|*" in parts[1].get_content()
    # RFC 2369 and RFC 8058: an https link taking a one-click POST, and a mailto; never the care inbox.
    assert message["List-Unsubscribe"] == (
        "<https://example.invalid/unsubscribe>, <mailto:unsubscribe@example.invalid?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.get("/v1/faqs/ketamine-addiction-faq/email.eml?esp=mailchimp").content == raw


def test_plain_text_has_every_heading_question_and_factor(client: TestClient[Any]) -> None:
    text = client.get(ARTICLE + "/email.txt").text
    article = client.get(ARTICLE).json()
    faq = client.get("/v1/faqs/ketamine-addiction-faq").json()
    table = client.get("/v1/comparisons/medical-vs-recreational-ketamine").json()
    flat = " ".join(text.split())
    for block in article["body"]:
        if block["type"] == "heading":
            assert block["text"].upper() in text
    for item in faq["items"]:
        assert item["question"] in flat
    for row in table["rows"]:
        assert row["factor"] in text.splitlines()
    assert all(len(line) <= 72 for line in text.splitlines() if "://" not in line)
    assert "**" not in text
    assert "https://clinic.example.org/appointments" in text


def test_email_is_cached_by_etag(client: TestClient[Any]) -> None:
    exports = client.app.state.exports
    first = client.get(ARTICLE + "/email.html")
    client.get(ARTICLE + "/email.txt")
    renders = exports.renders["email"]
    again = client.get(ARTICLE + "/email.html", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get(ARTICLE + "/email.txt").status_code == 200
    assert exports.renders["email"] == renders
    assert client.get(ARTICLE + "/email.txt?esp=postmark").status_code == 200
    assert exports.renders["email"] == renders + 1


def test_digest(client: TestClient[Any]) -> None:
    body = {
        "subject": "Your November reading — ketamine therapy",
        "intro": "Two short reads from our care team.",
        "items": [
            {"type": "article", "slug": "ketamine-withdrawal"},
            {"type": "faq", "slug": "ketamine-addiction-faq"},
        ],
        "esp": "sendgrid",
    }
    doc = client.post("/v1/emails/digest", json=body).json()
    assert doc["type"] == "digest" and doc["subject"] == body["subject"]
    hrefs = [a["href"] for t, a in parse(doc["html"]).tags if t == "a"]
    assert any("/articles/ketamine-withdrawal?version=1" in h for h in hrefs)
    assert "{{{unsubscribe}}}" in hrefs
    # Each link names its item; no version number is shown.
    links = re.findall(r"<a [^>]*>(.*?)</a>", doc["html"])
    assert "Read: Ketamine withdrawal — should patients in therapy worry?" in links
    assert "Read: Ketamine therapy and addiction — common questions" in links
    assert "version" not in visible_text(doc["html"]).lower()
    assert "version" not in without_urls(doc["text"]).lower()
    assert (
        "Read: Ketamine therapy and addiction — common questions\n"
        "http://127.0.0.1:8000/faqs/ketamine-addiction-faq?version=1&locale=en&utm_source=folio"
    ) in doc["text"]
    assert lint(doc["html"]) == []
    missing = client.post("/v1/emails/digest", json={**body, "items": [{"type": "faq", "slug": "nope"}]})
    assert missing.status_code == 404
    bad = client.post("/v1/emails/digest", json={**body, "colour": "red"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("esp", ESPS)
def test_every_email_passes_the_linter(bundles: dict[str, Bundle], esp: str) -> None:
    """Every bundled item and a digest of them all, in each service's flavour."""
    for slug, bundle in bundles.items():
        assert lint(email_parts(bundle, EmailOptions(esp=esp)).html) == [], slug
    digest = digest_parts(list(bundles.values()), DigestOptions(esp=esp, subject="News", intro="Four reads."))
    assert lint(digest.html) == []


def test_unsubscribe_without_a_service_comes_from_settings(settings: Settings) -> None:
    mine = msgspec.structs.replace(
        settings,
        unsubscribe_url="https://lists.example.org/leave",
        unsubscribe_mailto="leave@lists.example.org",
    )
    with TestClient(create_app(mine)) as client:
        doc = client.get(ARTICLE + "/email").json()
        raw = client.get(ARTICLE + "/email.eml").content
    hrefs = [attrs["href"] for tag, attrs in parse(doc["html"]).tags if tag == "a"]
    assert "https://lists.example.org/leave" in hrefs
    assert "Unsubscribe from these emails: https://lists.example.org/leave" in doc["text"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["List-Unsubscribe"] == (
        "<https://lists.example.org/leave>, <mailto:leave@lists.example.org?subject=unsubscribe>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for text in (doc["html"], doc["text"], message["List-Unsubscribe"]):
        assert "mailto:" + CARE not in text


def test_unsubscribe_settings_must_be_https_and_an_address() -> None:
    with pytest.raises(ValueError, match="unsubscribe_url"):
        Settings.from_env({"FOLIO_UNSUBSCRIBE_URL": "http://lists.example.org/leave"})
    with pytest.raises(ValueError, match="unsubscribe_mailto"):
        Settings.from_env({"FOLIO_UNSUBSCRIBE_MAILTO": "mailto:leave@x.org?subject=x"})


def test_one_call_to_action_wording_in_every_kind(bundles: dict[str, Bundle]) -> None:
    for slug, bundle in bundles.items():
        parts = email_parts(bundle, EmailOptions())
        buttons = re.findall(r'<a class="button"[^>]*>(.*?)</a>', parts.html)
        assert buttons == ["Request an appointment"], slug
        assert ">> Request an appointment: https://clinic.example.org/appointments" in parts.text, slug
        assert "Book" not in visible_text(parts.html)


def test_words_are_for_an_email_not_a_handout(bundles: dict[str, Bundle]) -> None:
    for bundle in bundles.values():
        parts = email_parts(bundle, EmailOptions())
        for words in (visible_text(parts.html), " ".join(parts.text.split())):
            assert "handout" not in words.lower()
            assert "This email is general information for patients." in words
            assert "This email comes from Riverside Wellness Clinic." in words


def test_digest_cards_are_tables_evenly_spaced(bundles: dict[str, Bundle]) -> None:
    html = digest_parts(list(bundles.values()), DigestOptions(subject="News", intro="Four reads.")).html
    page = parse(html)
    cards = [style_of(attrs) for tag, attrs in page.tags if tag == "td" and attrs.get("class") == "card"]
    assert len(cards) == 4 and all(card["padding"] == "16px" for card in cards)
    gaps = [attrs for tag, attrs in page.tags if tag == "td" and attrs.get("class") == "gap"]
    assert len(gaps) == 3 and all(attrs["height"] == "16" for attrs in gaps)
    # Inside a card, nothing adds space above the title or below the link.
    for cls, side in (("card-title", "margin"), ("card-link", "margin")):
        margins = [style_of(attrs)[side].split() for tag, attrs in page.tags if attrs.get("class") == cls]
        assert len(margins) == 4
        assert all(m[0] == "0" for m in margins) if cls == "card-title" else all(m == ["0"] for m in margins)


def test_the_comparison_is_a_data_table(bundles: dict[str, Bundle]) -> None:
    for slug in ("medical-vs-recreational-ketamine", "is-ketamine-therapy-addictive"):
        page = parse(email_parts(bundles[slug], EmailOptions()).html)
        [table] = [attrs for tag, attrs in page.tags if tag == "table" and attrs.get("class") == "compare"]
        assert "role" not in table
        scopes = [attrs.get("scope") for tag, attrs in page.tags if tag == "th"]
        assert "col" in scopes and "row" in scopes


def test_plain_text_reads_well(bundles: dict[str, Bundle]) -> None:
    comparison = bundles["medical-vs-recreational-ketamine"].item
    text = email_parts(bundles["medical-vs-recreational-ketamine"], EmailOptions()).text
    assert text.count(comparison.title.upper()) == 1
    for slug, bundle in bundles.items():
        text = email_parts(bundle, EmailOptions()).text
        item = bundle.item
        url = f"http://127.0.0.1:8000/{item.kind}s/{item.slug}?version=3&locale=en&utm_source=folio"
        assert "Read online: " in text and url in text, slug


def test_right_to_left_locales_set_dir() -> None:
    assert direction("ar") == "rtl" and direction("he-IL") == "rtl"
    assert direction("en") == "ltr" and direction("es-419") == "ltr"


@pytest.mark.parametrize("primary", ["#1f5f8b", "#9fd3ff", "#ffcc00", "#202020"])
def test_any_brand_colour_is_made_readable(brand: Any, primary: str) -> None:
    colours = palette(msgspec.structs.replace(brand, primary_color=primary))
    assert contrast(colours["primary"], "#ffffff") >= AA
    assert contrast(colours["primary"], brand.accent_color) >= AA
    assert contrast(colours["button"], "#ffffff") >= AA
    for surface in (DARK_SURFACE, DARK_RAISED):
        assert contrast(colours["primary_dark"], surface) >= AA


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="needs Debian's chromium")
@pytest.mark.parametrize("path", ITEMS)
@pytest.mark.parametrize("width", [600, 375])
def test_nothing_overflows_in_a_real_browser(
    client: TestClient[Any], tmp_path: Path, path: str, width: int
) -> None:
    assert CHROMIUM, "chromium is required in CI (.ci/run installs it)"
    html = client.get(path + "/email.html").text
    # Headless windows are at least 500 px wide: the email goes in an iframe of the exact width.
    probe = (
        "var d=this.contentDocument.documentElement;"
        "document.title='W'+d.scrollWidth+'/'+this.contentWindow.innerWidth"
    )
    host = tmp_path / "host.html"
    host.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe srcdoc="{escape(html)}" onload="{probe}" '
        f'style="width:{width}px;height:1600px;border:0;display:block"></iframe></body></html>'
    )
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={max(width, 600)},1600",
    ]
    dom = subprocess.run([*flags, "--dump-dom", host.as_uri()], capture_output=True, text=True, timeout=60)
    scroll, inner = map(int, re.search(r"<title>W(\d+)/(\d+)</title>", dom.stdout).groups())  # type: ignore[union-attr]
    assert inner == width
    assert scroll <= inner, f"{path} is {scroll}px wide in a {inner}px window"
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"email-{path.rsplit('/', 1)[1]}-{width}.png"
    subprocess.run([*flags, f"--screenshot={shot}", host.as_uri()], capture_output=True, timeout=60)
    assert shot.stat().st_size > 10_000
