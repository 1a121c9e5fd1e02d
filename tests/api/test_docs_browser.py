"""/docs in a real browser with every non-local request blocked: it still lists the operations."""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.settings import Settings
from tests.conftest import CHROMIUM, folio_server

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        if os.environ.get("FOLIO_TEST_EVERYTHING"):
            pytest.fail("chromium is required (make test installs Debian's chromium)")
        pytest.skip("needs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_docs_in_a_browser_offline(settings: Settings, tmp_path: Path, browser: object) -> None:
    env = {
        "FOLIO_DATABASE_URL": settings.database_url,
        "FOLIO_DATA_DIR": settings.data_dir,
        "FOLIO_LIBRARY_DIR": settings.library_dir,
    }
    blocked: list[str] = []
    with folio_server(env) as base:
        page = browser.new_page()  # type: ignore[attr-defined]

        def only_local(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if urlsplit(url).hostname in ("127.0.0.1", "localhost"):
                route.continue_()  # type: ignore[attr-defined]
            else:
                blocked.append(url)
                route.abort()  # type: ignore[attr-defined]

        page.route("**/*", only_local)
        page.goto(base + "/docs")
        # Swagger UI renders one block per operation once it has loaded the spec.
        page.locator(".opblock").first.wait_for(timeout=30_000)
        summaries = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/v1/articles/{slug}" in [s.replace("\u200b", "") for s in summaries]
        assert page.locator(".opblock").count() >= 70
        assert page.get_by_text("Get a published article").first.is_visible()
        page.screenshot(path=str(tmp_path / "docs.png"))
    assert blocked == [], f"/docs tried to reach the network: {blocked}"
