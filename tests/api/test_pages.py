"""The patient's web page of each version: parsed HTML, JSON-LD, caching, a real browser."""

import json
import re
import subprocess
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from tests.api.test_pinned import publish_new_answer
from tests.chromium import axe_violations, chromium, needs_browser
from tests.conftest import folio_server

PAGES = [
    "/articles/is-ketamine-therapy-addictive",
    "/articles/ketamine-withdrawal",
    "/faqs/ketamine-addiction-faq",
    "/comparisons/medical-vs-recreational-ketamine",
]
KINDS = {"articles": "article", "faqs": "faq", "comparisons": "comparison"}
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._script else self.text).append(data)

    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.mark.parametrize("path", PAGES)
def test_page_shows_the_whole_version(client: TestClient[Any], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"].startswith("public, max-age=")
    item = client.get("/v1" + path + "?include=embeds").json()
    page = parse(response.text)
    words = page.words()
    [root] = [a for t, a in page.tags if t == "html"]
    assert root["lang"] == "en"
    assert item["title"] in words and " ".join(item["summary"].split()) in words
    # Sample content: a banner says it is not reviewed, and no review is claimed.
    assert "Sample: not reviewed by a clinician." in words and "Version 1" in words
    assert "Reviewed" not in words and "Clinical review team" not in words
    banners = [a for t, a in page.tags if t == "div" and "unreviewed" in (a.get("class") or "")]
    assert len(banners) == 1 and banners[0]["role"] == "note"
    texts = [b.get("text", "") for b in item.get("body", []) if b["type"] in ("heading",)]
    texts += [e["question"] for i in [item, *item["included"]] for e in i.get("items", []) if "question" in e]
    texts += [r["factor"] for i in [item, *item["included"]] for r in i.get("rows", [])]
    assert all(t in words for t in texts)
    hrefs = [a.get("href") or "" for t, a in page.tags if t == "a"]
    api = "/v1" + path
    for paper in ("a4", "letter"):
        for size in ("standard", "large"):
            assert f"{api}/handout.pdf?version=1&paper={paper}&size={size}&locale=en" in hrefs
    assert f"{api}?version=1&locale=en" in hrefs
    # Its Spanish translation, linked for people and for search engines.
    assert f"{path}?locale=es" in hrefs
    alternates = [a for t, a in page.tags if t == "link" and a.get("rel") == "alternate"]
    assert [(a["hreflang"], a["href"]) for a in alternates] == [
        ("en", f"http://127.0.0.1:8000{path}?locale=en"),  # itself, as hreflang sets must include
        ("es", f"http://127.0.0.1:8000{path}?locale=es"),
    ]
    # Nothing the page needs comes from elsewhere: no external script, stylesheet or image.
    assert not [a for t, a in page.tags if t in ("img", "iframe") or (t == "script" and a.get("src"))]
    assert not [a for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"]


def test_json_ld_describes_a_page_for_patients_and_claims_no_review(client: TestClient[Any]) -> None:
    page = parse(client.get(PAGES[0]).text)
    [data] = [json.loads(s) for s in page.scripts if s.strip().startswith("{")]
    assert data["@type"] == "MedicalWebPage" and data["@context"] == "https://schema.org"
    assert "lastReviewed" not in data and "reviewedBy" not in data  # nobody signed it off
    assert data["version"] == "1" and data["inLanguage"] == "en"
    assert data["audience"]["audienceType"] == "Patient" and data["datePublished"].startswith("20")
    assert data["url"].endswith("/articles/is-ketamine-therapy-addictive?version=1&locale=en")


def test_old_version_links_to_the_latest_and_pages_answer_304(
    client: TestClient[Any], tokens: dict[str, str]
) -> None:
    path = "/faqs/ketamine-addiction-faq"
    first = client.get(path)
    assert "A newer version is available" not in first.text
    assert client.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    publish_new_answer(client, tokens)
    old = parse(client.get(path + "?version=1").text)
    assert "This is version 1, kept for the record. A newer version is available" in old.words()
    assert "read the latest version (version 2)" in old.words()
    assert path + "?locale=en" in [a.get("href") for t, a in old.tags if t == "a"]
    latest = client.get(path)
    assert "A newer version is available" not in latest.text and "Version 2 · Reviewed" in latest.text
    assert client.get(path + "?version=3").status_code == 404
    assert client.get("/articles/no-such-thing").status_code == 404


def server_env(settings: Any) -> dict[str, str]:
    return {
        "FOLIO_DATABASE_URL": settings.database_url,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
        "FOLIO_DATA_DIR": settings.data_dir,
    }


@needs_browser
def test_every_page_is_accessible_in_chromium(settings: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with folio_server(server_env(settings)) as base, chromium() as browser:
        for width in (375, 1280):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            requested: list[str] = []
            page.on("request", lambda r, seen=requested: seen.append(r.url))
            # Every page in English and in Spanish.
            for path in [*PAGES, *(p + "?locale=es" for p in PAGES)]:
                page.goto(base + path)
                assert axe_violations(page) == [], (path, width)
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
                page.keyboard.press("Tab")
                skip = "Ir al contenido" if path.endswith("locale=es") else "Skip to content"
                assert page.evaluate("document.activeElement.textContent") == skip
                name = path.rsplit("/", 1)[1].replace("?locale=", "-")
                shot = ARTIFACTS / f"page-{name}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
            assert requested and all(url.startswith(base + "/") for url in requested), requested
            context.close()


def _qr_urls(pdf: bytes, tmp_path: Path) -> list[str]:
    """The URL in each QR code on the handout's pages, decoded by zbar from the rendered page."""
    (tmp_path / "h.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(tmp_path / "h.pdf"), str(tmp_path / "p")], check=True
    )
    found = []
    for png in sorted(tmp_path.glob("p-*.png")):
        out = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True, text=True)
        found += [line for line in out.stdout.splitlines() if line]
    return found


def test_qr_codes_and_email_links_open_real_pages(settings: Any, tmp_path: Path) -> None:
    """A server with default settings: every QR code and Folio link answers with the item's page."""
    items = [{"type": KINDS[p.split("/")[1]], "slug": p.rsplit("/", 1)[1]} for p in PAGES]
    with folio_server(server_env(settings)) as base:
        digest = httpx.post(
            base + "/v1/emails/digest", json={"subject": "News", "intro": "Four reads.", "items": items}
        ).json()
        for path in PAGES:
            pdf = httpx.get(base + "/v1" + path + "/handout.pdf", timeout=120).content
            title = httpx.get(base + "/v1" + path).json()["title"]
            folder = tmp_path / path.rsplit("/", 1)[1]
            folder.mkdir()
            [url] = _qr_urls(pdf, folder)
            assert url == f"{base}{path}?version=1&locale=en"
            opened = httpx.get(url)
            assert opened.status_code == 200 and opened.headers["content-type"].startswith("text/html")
            assert title in parse(opened.text).words()
            # The Spanish handout's code opens the Spanish page, whatever the phone's language.
            spanish = httpx.get(base + "/v1" + path + "/handout.pdf?locale=es", timeout=120).content
            (folder / "es").mkdir()
            [url] = _qr_urls(spanish, folder / "es")
            assert url == f"{base}{path}?version=1&locale=es"
            opened = httpx.get(url, headers={"Accept-Language": "en"})
            assert opened.headers["content-language"] == "es"
            assert httpx.get(base + "/v1" + path + "?locale=es").json()["title"] in parse(opened.text).words()
        mails = [httpx.get(base + "/v1" + path + "/email").json() for path in PAGES] + [digest]
        links = [a.get("href") or "" for m in mails for t, a in parse(m["html"]).tags if t == "a"]
        links += [link for m in mails for link in re.findall(r"https?://\S+", m["text"])]
        ours = {link for link in links if link.startswith(base)}
        assert {urllib.parse.urlsplit(link).path for link in ours} == set(PAGES)
        for link in ours:
            opened = httpx.get(link)
            assert opened.status_code == 200 and opened.headers["content-type"].startswith("text/html"), link
