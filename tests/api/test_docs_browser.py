"""/docs in a real browser with every non-local request blocked: it still lists the operations."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.settings import Settings
from tests.chromium import chromium, needs_browser
from tests.conftest import folio_server


@pytest.fixture
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@needs_browser
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
