"""Email exports, checked the way a mail client and an email service would read them."""

import email
import email.policy
import os
import re
import shutil
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

ARTICLE = "/v1/articles/is-ketamine-therapy-addictive"
ITEMS = [
    ARTICLE,
    "/v1/articles/ketamine-withdrawal",
    "/v1/faqs/ketamine-addiction-faq",
    "/v1/comparisons/medical-vs-recreational-ketamine",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ESP_TAGS = {
    "mailchimp": ("*|FNAME|*", "*|UNSUB|*"),
    "sendgrid": ("{{first_name}}", "{{{unsubscribe}}}"),
    "postmark": ("{{first_name}}", "{{{ pm:unsubscribe }}}"),
}


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


def test_email_json_names_its_version(client: TestClient[Any]) -> None:
    doc = client.get(ARTICLE + "/email").json()
    assert doc["type"] == "article" and doc["slug"] == "is-ketamine-therapy-addictive"
    assert doc["version"] == 1
    assert doc["subject"] == "Is ketamine therapy addictive?"
    assert doc["preheader"] and len(doc["preheader"]) <= 141
    assert "Version 1 · Reviewed 2 November 2026 by Clinical review team" in doc["html"]
    assert "Version 1 · Reviewed 2 November 2026 by Clinical review team" in doc["text"]


@pytest.mark.parametrize("path", ITEMS)
def test_html_is_built_for_mail_clients(client: TestClient[Any], path: str) -> None:
    html = client.get(path + "/email.html").text
    page = parse(html)
    assert len(html.encode()) < 102 * 1024
    [root] = [attrs for tag, attrs in page.tags if tag == "html"]
    assert root["lang"] == "en" and root["dir"] == "ltr"
    assert all(attrs.get("alt") for tag, attrs in page.tags if tag == "img")
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe", "object", "embed")]
    layout = [attrs for tag, attrs in page.tags if tag == "table"]
    assert layout and all(attrs.get("role") == "presentation" for attrs in layout)
    assert any(attrs.get("name") == "color-scheme" for tag, attrs in page.tags if tag == "meta")
    # Only media queries remain in <style>; every other rule was inlined.
    css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", " ".join(page.styles)).strip()
    assert css == ""
    assert any("@media" in s for s in page.styles)
    assert any("style" in attrs for tag, attrs in page.tags if tag == "td")
    hrefs = [attrs["href"] or "" for tag, attrs in page.tags if tag == "a"]
    assert all(h.startswith(("https://", "http://", "mailto:", "tel:")) for h in hrefs)
    assert all("utm_source=folio" in h for h in hrefs if h.startswith("http"))


@pytest.mark.parametrize("esp", sorted(ESP_TAGS))
def test_merge_tags_survive_inlining_inside_hrefs(client: TestClient[Any], esp: str) -> None:
    first_name, unsubscribe = ESP_TAGS[esp]
    doc = client.get(ARTICLE + f"/email?esp={esp}").json()
    page = parse(doc["html"])
    hrefs = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert unsubscribe in hrefs
    assert f"Hello {first_name}," in doc["html"] and f"Hello {first_name}," in doc["text"]
    assert f"Unsubscribe: {unsubscribe}" in doc["text"]


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
    assert "Read it: http://127.0.0.1:8000/faqs/ketamine-addiction-faq?version=1" in doc["text"]
    missing = client.post("/v1/emails/digest", json={**body, "items": [{"type": "faq", "slug": "nope"}]})
    assert missing.status_code == 404
    bad = client.post("/v1/emails/digest", json={**body, "colour": "red"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")


CHROMIUM = shutil.which("chromium")


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
